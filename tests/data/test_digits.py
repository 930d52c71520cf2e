import numpy as np
import pytest
import torch

from gancourse.data import FactorDataset, digits
from gancourse.data import split_dataset


@pytest.fixture(scope="module")
def ds():
    return digits()


def test_digits_are_mnist_sized_real_handwriting(ds):
    assert isinstance(ds, FactorDataset) and len(ds) == 1797
    assert ds.images.shape == (1797, 1, 32, 32) and ds.images.dtype == torch.float32
    assert ds.targets.shape == (1797,) and ds.targets.dtype == torch.int64
    assert ds.factor_names == ("digit",) and ds.factors[0].n_values == 10
    assert set(ds.targets.tolist()) == set(range(10))
    assert ds.images.min() == -1 and ds.images.max() <= 1 and ds.images.max() > 0.9


def test_margin_is_background_and_ink_is_inside(ds):
    assert (ds.images[:, :, :2] == -1).all() and (ds.images[:, :, -2:] == -1).all()  # top and bottom rows
    assert (ds.images[:, :, :, :2] == -1).all() and (ds.images[:, :, :, -2:] == -1).all()  # left and right
    assert ((ds.images[:, :, 4:28, 4:28] > 0).flatten(1).sum(1) > 20).all()  # every digit has ink


def test_seed_sets_a_repeatable_order(ds):
    again, other = digits(seed=0), digits(seed=1)
    assert torch.equal(ds.images, again.images) and torch.equal(ds.targets, again.targets)
    assert not torch.equal(ds.targets, other.targets)
    assert sorted(ds.targets.tolist()) == sorted(other.targets.tolist())  # same items, another order


def test_bad_seed_is_refused():
    with pytest.raises(TypeError, match="seed must be an int"):
        digits(seed="0")
    with pytest.raises(TypeError, match="seed must be an int"):
        digits(seed=True)
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*64\)"):
        digits(seed=-1)


def test_numpy_integer_seeds_are_ints(ds):
    assert torch.equal(digits(seed=np.int64(0)).targets, ds.targets)
    train, held_out = split_dataset(ds, np.float32(0.2), seed=np.int64(0))
    again, _ = split_dataset(ds, 0.2, seed=0)
    assert torch.equal(train.targets, again.targets) and len(held_out) == 359


def test_a_categorical_factor_needs_a_whole_number_of_values():
    from gancourse.data import Factor

    assert Factor("digit", "categorical", np.int64(10)).n_values == 10
    assert type(Factor("digit", "categorical", np.int64(10)).n_values) is int
    for bad in (2.5, "10", True, 0):
        with pytest.raises(ValueError, match="needs n_values, a positive int"):
            Factor("digit", "categorical", bad)


def test_split_is_disjoint_stratified_and_repeatable(ds):
    train, held_out = split_dataset(ds, 0.2, seed=0)
    assert len(train) + len(held_out) == len(ds) and abs(len(held_out) - 0.2 * len(ds)) <= 10
    assert train.images.shape[1:] == held_out.images.shape[1:] == (1, 32, 32)
    for c in range(10):  # every class keeps its share
        count = (ds.targets == c).sum().item()
        assert abs((held_out.targets == c).sum().item() - 0.2 * count) <= 1
    again = split_dataset(ds, 0.2, seed=0)[1]
    assert torch.equal(again.images, held_out.images)
    assert not torch.equal(split_dataset(ds, 0.2, seed=1)[1].targets, held_out.targets)


def test_split_keeps_each_item_once_in_order(ds):
    numbered = FactorDataset(torch.arange(len(ds)).float().reshape(-1, 1, 1, 1), ds.targets, ds.factors, name="numbered")
    train, held_out = (part.images.flatten().long() for part in split_dataset(numbered, 0.25, seed=2))
    assert torch.equal(torch.cat([train, held_out]).sort().values, torch.arange(len(ds)))  # disjoint, complete
    assert torch.equal(train, train.sort().values) and torch.equal(held_out, held_out.sort().values)
    assert torch.equal(ds.targets[held_out], split_dataset(ds, 0.25, seed=2)[1].targets)


def test_split_of_multi_factor_targets():
    data = FactorDataset(torch.zeros(10, 1, 2, 2), torch.arange(20).reshape(10, 2), digits().factors * 2, name="toy")
    train, held_out = split_dataset(data, 0.3)
    assert len(held_out) == 3 and len(train) == 7
    assert set(train.targets[:, 0].tolist()).isdisjoint(held_out.targets[:, 0].tolist())


@pytest.mark.parametrize("held_out", [0, 1, 1.5, -0.1, "0.2", True])
def test_split_refuses_bad_fractions(ds, held_out):
    with pytest.raises(ValueError, match="held_out must be a fraction"):
        split_dataset(ds, held_out)


def test_split_refuses_an_empty_part():
    data = FactorDataset(torch.zeros(3, 1, 2, 2), torch.arange(3), digits().factors, name="toy")
    with pytest.raises(ValueError, match="leaves one part empty"):
        split_dataset(data, 0.1)


def test_split_refuses_non_datasets():
    with pytest.raises(TypeError, match="must be a FactorDataset"):
        split_dataset(torch.zeros(3), 0.2)
