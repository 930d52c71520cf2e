"""The committed notebooks, as files: what a learner opens must look saved and run in order.

nbval runs them (`make test`); these checks catch in a second what would otherwise show only in a browser:
a notebook whose metadata JupyterLab rewrites on opening shows as modified before the learner touches it.
"""
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# what ipykernel reports and JupyterLab writes into the notebook's metadata when it opens one
LANGUAGE_INFO_KEYS = {"codemirror_mode", "file_extension", "mimetype", "name", "nbconvert_exporter", "pygments_lexer",
                      "version"}


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    metadata = json.loads(path.read_text())["metadata"]
    assert metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec {metadata.get('kernelspec')}"
    missing = LANGUAGE_INFO_KEYS - set(metadata.get("language_info", {}))
    assert not missing, (f"{path.name}: language_info lacks {sorted(missing)}, so JupyterLab marks it modified on "
                         f"opening; execute it with a kernel (nbconvert --execute) to fill them")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_executed_in_order(path):
    counts = [c.get("execution_count") for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts}; rerun it top to bottom"
