"""Sharpness and sampling time (notebook 06)."""
import pytest
import torch
import torch.nn.functional as F

from gancourse.metrics.sampling import ms_per_image, sharpness


def test_sharpness_is_the_mean_neighbour_step_and_falls_with_blur():
    assert sharpness(torch.zeros(2, 1, 4, 4)) == 0
    stripes = torch.tensor([[-1.0, 1.0, -1.0, 1.0]]).expand(4, 4)[None, None]  # steps of 2 across, none down
    assert sharpness(stripes) == pytest.approx(1.0)
    images = torch.rand(4, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    blurred = F.avg_pool2d(images, 3, stride=1, padding=1, count_include_pad=False)
    assert sharpness(blurred) < sharpness(images) / 2
    with pytest.raises(ValueError, match="at least 2 x 2"):
        sharpness(torch.zeros(1, 1, 1, 4))


def test_ms_per_image_divides_the_fastest_call_by_n():
    calls = []
    ms = ms_per_image(lambda n: calls.append(n), 4, repeats=2)
    assert calls == [4, 4] and 0 <= ms < 50


def test_ms_per_image_times_on_one_thread_and_restores_the_count():
    before, seen = torch.get_num_threads(), []
    ms_per_image(lambda n: seen.append(torch.get_num_threads()), 2, repeats=1)
    assert seen == [1] and torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads"):
        ms_per_image(lambda n: None, 2, threads=0)
