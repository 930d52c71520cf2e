"""Seeding: the same seed repeats a run, whatever integer type carries it; anything else is refused by name. Thread
counts: set inside a block, restored after it."""
import random

import numpy as np
import pytest
import torch

from gancourse.runtime import seed_everything, torch_threads


def draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_the_same_seed_repeats_and_numpy_integers_are_ints():
    seed_everything(7)
    first = draws()
    seed_everything(np.int64(7))
    assert draws() == first
    seed_everything(8)
    assert draws() != first


@pytest.mark.parametrize("seed, error", [(True, TypeError), (1.0, TypeError), ("7", TypeError), (-1, ValueError),
                                         (2 ** 64, ValueError)])
def test_bad_seeds_are_named(seed, error):
    with pytest.raises(error, match="seed_everything: seed must be an int in"):
        seed_everything(seed)


def test_torch_threads_sets_the_count_inside_and_restores_it_even_on_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with torch_threads(1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("n, error", [(0, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_torch_threads_names_a_bad_count(n, error):
    with pytest.raises(error, match="torch_threads"):
        with torch_threads(n):
            pass
