import numpy as np
import pytest
import torch

from gancourse.data import SPRITE_FACTORS, FactorDataset, sprites
from gancourse.data.sprites import SPRITE_SHAPES, SpritesDataset, render_sprites

N_FULL = 3 * 6 * 40 * 32 * 32


def decode(index: int) -> list[int]:
    """Dataset index -> factor indices in the dSprites order (shape slowest, y fastest)."""
    factors = []
    for f in reversed(SPRITE_FACTORS):
        index, value = divmod(index, f.n_values)
        factors.append(value)
    return factors[::-1]


def test_factors_are_the_dsprites_grid():
    assert [(f.name, f.kind, f.n_values) for f in SPRITE_FACTORS] == [
        ("shape", "categorical", 3), ("scale", "categorical", 6), ("orientation", "categorical", 40),
        ("x", "categorical", 32), ("y", "categorical", 32)]
    assert SPRITE_SHAPES == ("square", "ellipse", "heart")


def test_random_sprites_shapes_dtypes_and_range():
    ds = sprites(200, seed=1)
    assert isinstance(ds, FactorDataset) and len(ds) == 200
    assert ds.images.shape == (200, 1, 32, 32) and ds.images.dtype == torch.float32
    assert ds.targets.shape == (200, 5) and ds.targets.dtype == torch.int64
    assert ds.images.min() == -1 and ds.images.max() == 1
    assert ds.factor_names == ("shape", "scale", "orientation", "x", "y")
    for column, f in zip(ds.targets.T, SPRITE_FACTORS):
        assert 0 <= column.min() and column.max() < f.n_values
    image, target = ds[3]
    assert torch.equal(image, ds.images[3]) and torch.equal(target, ds.targets[3])
    assert torch.equal(ds.images, render_sprites(ds.targets))


def test_same_seed_same_sprites_other_seed_other_sprites():
    a, b, c = sprites(50, seed=7), sprites(50, seed=7), sprites(50, seed=8)
    assert torch.equal(a.images, b.images) and torch.equal(a.targets, b.targets)
    assert not torch.equal(a.targets, c.targets)


def test_sprites_leave_the_global_rng_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    sprites(10)
    assert torch.equal(torch.rand(3), expected)


def test_full_product_is_lazy_and_in_dsprites_order():
    ds = sprites()
    assert isinstance(ds, SpritesDataset) and len(ds) == N_FULL
    assert ds.images.shape == (N_FULL, 1, 32, 32) and ds.image_shape == (1, 32, 32)
    assert not isinstance(ds.images, torch.Tensor)  # nothing rendered up front
    for i in (0, 1, 32, 1023, 1024, 40 * 1024 + 5, 6 * 40 * 1024 + 77, N_FULL - 1):
        assert ds.targets[i].tolist() == decode(i)
        image, target = ds[i]
        assert image.shape == (1, 32, 32)
        assert torch.equal(image, render_sprites(target[None])[0])
    assert torch.equal(ds.render([5, 6]), ds.images[5:7])
    assert torch.equal(ds.render(5), ds.images[5][None])
    assert torch.equal(ds.images[torch.tensor([0, N_FULL - 1])], render_sprites(ds.targets[[0, -1]]))
    with pytest.raises(IndexError, match="first axis"):
        ds.images[0, 0]


def test_factors_move_the_picture_as_they_should():
    def draw(shape=0, scale=5, orientation=0, x=16, y=16):
        return render_sprites(torch.tensor([[shape, scale, orientation, x, y]]))[0, 0]

    def area(image):
        return (image + 1).sum() / 2

    def centre(image):
        weight = (image + 1) / 2
        rows, cols = torch.meshgrid(torch.arange(32.0), torch.arange(32.0), indexing="ij")
        return (weight * cols).sum() / weight.sum(), (weight * rows).sum() / weight.sum()

    assert area(draw(scale=0)) < area(draw(scale=3)) < area(draw(scale=5))
    assert centre(draw(x=0))[0] < centre(draw(x=16))[0] < centre(draw(x=31))[0]  # x moves right
    assert centre(draw(y=0))[1] < centre(draw(y=16))[1] < centre(draw(y=31))[1]  # y moves down
    assert not torch.equal(draw(orientation=0), draw(orientation=5))  # a square turned 45 degrees
    assert torch.allclose(draw(orientation=0), draw(orientation=10), atol=1e-4)  # ... 90 degrees is itself
    assert len({draw(shape=s).sum().item() for s in range(3)}) == 3  # three different shapes
    for s in range(3):  # the largest shape at any corner stays mostly inside the image
        for x, y in ((0, 0), (31, 31), (0, 31), (31, 0)):
            assert area(draw(shape=s, x=x, y=y)) > 0.8 * area(draw(shape=s))


def test_a_batch_renders_like_its_items_one_by_one():
    ds = sprites(1100, seed=3)  # more than one chunk, all shapes mixed
    for i in (0, 1, 2, 1023, 1024, 1099):
        assert torch.equal(ds.images[i], render_sprites(ds.targets[i : i + 1])[0])


@pytest.mark.parametrize("n, error", [(0, ValueError), (-3, ValueError), (2.0, TypeError), ("10", TypeError), (True, TypeError)])
def test_bad_n_is_refused(n, error):
    with pytest.raises(error, match="n must"):
        sprites(n)


def test_bad_seed_is_refused():
    with pytest.raises(TypeError, match="seed must be an int"):
        sprites(10, seed=1.5)
    with pytest.raises(ValueError, match="seed must be an int in"):
        sprites(10, seed=-2)


def test_numpy_integers_are_ints():
    assert torch.equal(sprites(np.int64(5), seed=np.int32(3)).targets, sprites(5, seed=3).targets)


@pytest.mark.parametrize("indices, error, message", [
    ([[0, 0, 0, 0, 0]], TypeError, "LongTensor"),
    (torch.zeros(2, 5, dtype=torch.int32), TypeError, r"\.long\(\)"),
    (torch.zeros(2, 4, dtype=torch.int64), ValueError, r"shape \(n, 5\)"),
    (torch.tensor([[3, 0, 0, 0, 0]]), ValueError, "'shape' takes indices 0..2"),
    (torch.tensor([[0, 0, 40, 0, 0]]), ValueError, "'orientation' takes indices 0..39"),
    (torch.tensor([[0, 0, 0, 0, -1]]), ValueError, "'y' takes indices 0..31"),
])
def test_bad_factor_indices_are_refused(indices, error, message):
    with pytest.raises(error, match=message):
        render_sprites(indices)
