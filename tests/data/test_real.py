"""The real-dataset loaders, on tiny files written in the real formats (never the network)."""
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gancourse.data import celeba, data_root, fashion_mnist, mnist

ATTRIBUTES = ["5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive"] + [f"Attr_{i}" for i in range(37)]


def write_idx(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Big-endian idx files as MNIST ships them: magic 2051 for images, 2049 for labels."""
    n, rows, cols = images.shape
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">iiii", 2051, n, rows, cols) + images.tobytes())
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">ii", 2049, n) + labels.tobytes())


def make_idx_dataset(root: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """5 train and 3 test images, each one flat grey (0, 50, 100, 200, 255); labels 9, 8, 7, ..."""
    folder = root / name / "raw"
    folder.mkdir(parents=True)
    images = np.repeat(np.array([0, 50, 100, 200, 255], dtype=np.uint8), 28 * 28).reshape(5, 28, 28)
    labels = np.array([9, 8, 7, 6, 5], dtype=np.uint8)
    write_idx(folder, "train", images, labels)
    write_idx(folder, "t10k", images[:3], labels[:3])
    return images, labels


@pytest.mark.parametrize("load, name, factor", [(mnist, "MNIST", "digit"), (fashion_mnist, "FashionMNIST", "garment")])
def test_idx_datasets_are_padded_to_32_in_minus_one_one(tmp_path, load, name, factor):
    images, labels = make_idx_dataset(tmp_path, name)
    ds = load(tmp_path)
    assert ds.images.shape == (5, 1, 32, 32) and ds.images.dtype == torch.float32
    assert ds.targets.dtype == torch.int64 and ds.targets.tolist() == labels.tolist()
    assert ds.factor_names == (factor,) and ds.factors[0].n_values == 10 and len(ds.class_names) == 10
    assert (ds.images[:, :, :2] == -1).all() and (ds.images[:, :, :, -2:] == -1).all()  # the padded margin
    inside = ds.images[:, 0, 2:30, 2:30]
    assert torch.allclose(inside, torch.from_numpy(images).float() / 127.5 - 1)
    assert ds.images[4].max() == 1 and ds.images[0].max() == -1
    assert len(load(tmp_path, train=False)) == 3


def test_loaders_read_gancourse_data_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCOURSE_DATA", str(tmp_path))
    assert data_root() == tmp_path
    make_idx_dataset(tmp_path, "MNIST")
    assert len(mnist()) == 5
    monkeypatch.delenv("GANCOURSE_DATA")
    assert data_root() == Path.home() / ".cache" / "gancourse"


@pytest.mark.parametrize("load, name, command", [(mnist, "MNIST", "mnist"), (fashion_mnist, "FashionMNIST", "fashion-mnist")])
def test_missing_idx_files_say_where_and_how_to_fetch(tmp_path, monkeypatch, load, name, command):
    monkeypatch.setenv("GANCOURSE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        load()
    message = str(error.value)
    assert str(tmp_path / name / "raw") in message and f"python -m gancourse data {command}" in message
    assert "GANCOURSE_DATA" in message and "train-images-idx3-ubyte" in message


def test_idx_loaders_refuse_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="train must be True or False"):
        mnist(tmp_path, train="yes")
    with pytest.raises(TypeError, match="root must be a folder path"):
        mnist(3)


def make_celeba(root: Path, partitions=(0, 0, 0, 1, 2)) -> np.ndarray:
    """Aligned 178x218 JPEGs whose 148x148 centre is flat grey level 40 * k (red border outside it), and both lists."""
    folder = root / "celeba"
    (folder / "img_align_celeba").mkdir(parents=True)
    values = np.where(np.arange(len(partitions) * 40).reshape(-1, 40) % 3 == 0, 1, -1)
    attr_lines = [str(len(partitions)), " ".join(ATTRIBUTES)]
    part_lines = []
    for k, (part, row) in enumerate(zip(partitions, values)):
        name = f"{k + 1:06d}.jpg"
        pixels = np.zeros((218, 178, 3), dtype=np.uint8)
        pixels[..., 0] = 255  # a red frame, cropped away
        pixels[35:183, 15:163] = 40 * k
        Image.fromarray(pixels).save(folder / "img_align_celeba" / name, quality=95)
        attr_lines.append(f"{name} " + " ".join(f"{v:2d}" for v in row))
        part_lines.append(f"{name} {part}")
    (folder / "list_attr_celeba.txt").write_text("\n".join(attr_lines) + "\n")
    (folder / "list_eval_partition.txt").write_text("\n".join(part_lines) + "\n")
    return (values + 1) // 2


def test_celeba_reads_the_published_format(tmp_path):
    attributes = make_celeba(tmp_path)
    ds = celeba(tmp_path, split="all")
    assert ds.images.shape == (5, 3, 32, 32) and ds.images.dtype == torch.float32
    assert ds.targets.shape == (5, 40) and ds.targets.dtype == torch.int64
    assert ds.targets.tolist() == attributes.tolist()
    assert ds.factor_names == tuple(ATTRIBUTES) and all(f.kind == "binary" for f in ds.factors)
    grey = torch.tensor([40.0 * k for k in range(5)]) / 127.5 - 1
    assert torch.allclose(ds.images.mean(dim=(1, 2, 3)), grey, atol=0.03)  # the frame was cropped away
    assert ds.images.min() >= -1 and ds.images.max() <= 1


def test_celeba_split_size_and_limit(tmp_path):
    attributes = make_celeba(tmp_path)
    train = celeba(tmp_path)
    assert len(train) == 3 and train.targets.tolist() == attributes[:3].tolist()
    assert celeba(tmp_path, split="valid").targets.tolist() == attributes[3:4].tolist()
    assert celeba(tmp_path, split="test").targets.tolist() == attributes[4:].tolist()
    assert celeba(tmp_path, split="train", size=64).images.shape == (3, 3, 64, 64)
    limited = celeba(tmp_path, split="all", limit=2)
    assert len(limited) == 2 and limited.targets.tolist() == attributes[:2].tolist()
    numpy_ints = celeba(tmp_path, split="all", size=np.int64(32), limit=np.int64(2))
    assert torch.equal(numpy_ints.images, limited.images)


@pytest.mark.parametrize("kwargs, message", [
    ({"split": "val"}, "split must be"), ({"size": 48}, "size must be 32 or 64"), ({"size": 32.0}, "size must be"),
    ({"limit": 0}, "limit must be a positive int"), ({"limit": 2.5}, "limit must be"), ({"limit": True}, "limit must be"),
    ({"size": np.int64(48)}, "size must be 32 or 64"),
])
def test_celeba_refuses_bad_arguments(tmp_path, kwargs, message):
    make_celeba(tmp_path)
    with pytest.raises(ValueError, match=message):
        celeba(tmp_path, **kwargs)


def test_missing_celeba_says_where_what_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCOURSE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        celeba()
    message = str(error.value)
    assert str(tmp_path / "celeba") in message and "python -m gancourse data celeba" in message
    assert "list_attr_celeba.txt" in message and "Google-Drive" in message and "by hand" in message


def test_missing_celeba_image_is_named(tmp_path):
    make_celeba(tmp_path)
    (tmp_path / "celeba" / "img_align_celeba" / "000002.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="000002.jpg"):
        celeba(tmp_path)


def test_malformed_attribute_file_is_refused(tmp_path):
    make_celeba(tmp_path)
    path = tmp_path / "celeba" / "list_attr_celeba.txt"
    path.write_text(path.read_text().replace(" 1", " 2", 1))
    with pytest.raises(ValueError, match="must be 1 or -1"):
        celeba(tmp_path)


def test_failed_downloads_are_explained(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr("torchvision.datasets.MNIST.download", offline)
    monkeypatch.setattr("torchvision.datasets.CelebA", offline)
    with pytest.raises(RuntimeError, match="could not download.*no network.*python -m gancourse data mnist"):
        mnist(tmp_path, download=True)
    with pytest.raises(RuntimeError, match="download.*failed.*no network.*by hand"):
        celeba(tmp_path, download=True)


def test_malformed_partition_file_is_refused(tmp_path):
    make_celeba(tmp_path)
    path = tmp_path / "celeba" / "list_eval_partition.txt"
    path.write_text(path.read_text().replace(" 1\n", " valid\n"))
    with pytest.raises(ValueError, match="0, 1 or 2"):
        celeba(tmp_path)
