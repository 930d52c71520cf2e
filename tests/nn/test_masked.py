"""Masked convolutions: the masks' layout, causality proved by gradients, and the gated stacks' missing blind spot."""
import pytest
import torch

from gancourse.nn.masked import (GatedStack, MaskedConv2d, causal_mask, horizontal_mask, masked_stack,
                                 receptive_field, vertical_mask)

SIDE = 8


def later_or_self(row: int, col: int, side: int = SIDE) -> torch.Tensor:
    """(side, side) bool: True at (row, col) and every pixel after it in raster order."""
    index = torch.arange(side * side).view(side, side)
    return index >= row * side + col


def test_masks_a_and_b_by_hand():
    assert torch.equal(causal_mask(3, "A"), torch.tensor([[1., 1, 1], [1, 0, 0], [0, 0, 0]]))
    assert torch.equal(causal_mask(3, "B"), torch.tensor([[1., 1, 1], [1, 1, 0], [0, 0, 0]]))
    a5 = causal_mask(5, "A")
    assert a5[:2].eq(1).all() and a5[2, :2].eq(1).all() and a5[2, 2:].eq(0).all() and a5[3:].eq(0).all()
    assert torch.equal(vertical_mask(3, first=True), torch.tensor([[1., 1, 1], [0, 0, 0], [0, 0, 0]]))
    assert torch.equal(vertical_mask(3), torch.tensor([[1., 1, 1], [1, 1, 1], [0, 0, 0]]))
    assert torch.equal(horizontal_mask(3, first=True), torch.tensor([[1., 0, 0]]))
    assert torch.equal(horizontal_mask(3), torch.tensor([[1., 1, 0]]))


@pytest.mark.parametrize("call, error, match", [
    (lambda: causal_mask(4, "A"), ValueError, "odd"),
    (lambda: causal_mask(3, "C"), ValueError, "'A'"),
    (lambda: causal_mask(True, "A"), TypeError, "kernel_size must be an int"),
    (lambda: vertical_mask(0), ValueError, "kernel_size"),
])
def test_bad_masks_are_explained(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_mask_holds_after_an_optimiser_step():
    torch.manual_seed(0)
    conv = MaskedConv2d(1, 4, "A")
    x = torch.randn(2, 1, SIDE, SIDE)
    torch.optim.SGD(conv.parameters(), lr=1.0).zero_grad()
    conv(x).square().sum().backward()
    torch.optim.SGD(conv.parameters(), lr=1.0).step()
    x2 = x.clone()
    x2[:, :, 4, 4:] += 10  # the pixel itself and its right: mask A must not read them
    x2[:, :, 5:] += 10
    assert torch.allclose(conv(x)[:, :, 4, 4], conv(x2)[:, :, 4, 4])


@pytest.mark.parametrize("pixel", [(0, 1), (3, 5), (SIDE - 1, SIDE - 1)])
def test_a_plain_masked_stack_never_sees_its_pixel_or_a_later_one(pixel):
    torch.manual_seed(0)
    field = receptive_field(masked_stack(1, 8, layers=4), (1, 1, SIDE, SIDE), pixel)
    assert field[later_or_self(*pixel)].eq(0).all()
    assert field[~later_or_self(*pixel)].sum() > 0


def test_a_plain_masked_stack_has_a_blind_spot():
    torch.manual_seed(0)
    field = receptive_field(masked_stack(1, 8, layers=4), (1, 1, SIDE, SIDE), (5, 3))
    earlier = ~later_or_self(5, 3)
    # the pixel just above and to the right, row 4 col 5, is earlier in raster order yet never read
    assert earlier[4, 5] and field[4, 5] == 0
    assert (field[earlier] == 0).sum() > 1


@pytest.mark.parametrize("pixel", [(0, 0), (0, 3), (4, 4), (5, 0), (SIDE - 1, SIDE - 1)])
def test_gated_stacks_are_causal_and_see_every_earlier_pixel(pixel):
    torch.manual_seed(0)
    field = receptive_field(GatedStack(1, 8), (1, 1, SIDE, SIDE), pixel)
    later = later_or_self(*pixel)
    assert field[later].eq(0).all(), "an output depends on its own pixel or a later one"
    assert field[~later].gt(0).all(), "an earlier pixel is never read: a blind spot"


def test_the_row_by_row_path_matches_the_whole_image():
    """Row i's outputs from the vertical stack of the rows up to i and the horizontal stack of row i alone, as the
    sampler computes them, equal the full forward's."""
    torch.manual_seed(0)
    stack = GatedStack(3, 8, dilations=(1, 2))
    x = torch.randn(2, 3, SIDE, SIDE)
    full = stack(x)
    for i in (0, 3, SIDE - 1):
        messages = [m[:, :, i:i + 1] for m in stack.messages(x[:, :, :i + 1])]
        assert torch.allclose(stack.rows(x[:, :, i:i + 1], messages), full[:, :, i:i + 1], atol=1e-6)
