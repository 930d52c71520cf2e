"""Flow layers: every inverse round-trips, and every log-determinant matches the one autograd computes."""
import math

import pytest
import torch

from gancourse.nn.coupling import (ActNorm, AffineCoupling, Dequantization, LogitTransform, Squeeze,
                                   VariationalDequantization, channel_mask, checkerboard_mask)


def randomise(module: torch.nn.Module, seed: int = 0, std: float = 0.3) -> torch.nn.Module:
    """Give every parameter random values, so no layer starts as the identity (couplings' nets start at 0)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * std)
    return module


def autograd_log_det(fn, x: torch.Tensor) -> torch.Tensor:
    """log|det d fn(x) / dx| of one sample x (1, C, H, W), by the full Jacobian."""
    d = x.numel()
    jacobian = torch.autograd.functional.jacobian(lambda v: fn(v.view_as(x)).reshape(-1), x.reshape(-1))
    assert jacobian.shape == (d, d)
    return torch.linalg.slogdet(jacobian.double())[1].float()


def test_masks():
    assert torch.equal(checkerboard_mask(2, 3, 0)[0, 0], torch.tensor([[1., 0, 1], [0, 1, 0]]))
    assert torch.equal(checkerboard_mask(2, 3, 1)[0, 0], torch.tensor([[0., 1, 0], [1, 0, 1]]))
    assert torch.equal(channel_mask(4, 0).flatten(), torch.tensor([1., 1, 0, 0]))
    assert torch.equal(channel_mask(4, 1).flatten(), torch.tensor([0., 0, 1, 1]))


LAYERS = {
    "checkerboard coupling": lambda: randomise(AffineCoupling(checkerboard_mask(4, 4, 1), 2, hidden=8, blocks=1)),
    "channel coupling": lambda: randomise(AffineCoupling(channel_mask(2, 0), 2, hidden=8, blocks=2)),
    "actnorm": lambda: randomise(ActNorm(2)),
    "squeeze": Squeeze,
    "logit": LogitTransform,
}


@pytest.mark.parametrize("name", LAYERS)
def test_each_layer_round_trips_and_its_log_det_matches_autograd(name):
    torch.manual_seed(0)
    layer = LAYERS[name]().eval()
    x = torch.rand(3, 2, 4, 4) if name == "logit" else torch.randn(3, 2, 4, 4)
    zero = torch.zeros(3)
    y, logdet = layer(x, zero)
    back, logdet_back = layer(y, logdet, reverse=True)
    assert (back - x).abs().max() < 1e-5
    assert logdet_back.abs().max() < 1e-4, "reverse must subtract the log-det forward added"
    expected = autograd_log_det(lambda v: layer(v, torch.zeros(1))[0], x[:1])
    assert torch.allclose(logdet[0], expected, atol=1e-3, rtol=1e-4), (logdet[0].item(), expected.item())


def test_a_coupling_keeps_the_masked_values_and_starts_as_the_identity():
    mask = checkerboard_mask(4, 4, 0)
    layer = AffineCoupling(mask, 1, hidden=8)
    x = torch.randn(2, 1, 4, 4)
    y, logdet = layer(x, torch.zeros(2))
    assert torch.equal(y, x) and torch.equal(logdet, torch.zeros(2))  # zero-initialised last layer
    randomise(layer)
    y, _ = layer(x, torch.zeros(2))
    kept = mask.bool().expand_as(x)
    assert torch.equal(y[kept], x[kept]) and not torch.allclose(y[~kept], x[~kept])


def test_the_scale_is_bounded():
    layer = randomise(AffineCoupling(channel_mask(2, 0), 2, hidden=8), std=3.0)
    with torch.no_grad():
        layer.log_bound.fill_(math.log(2.0))
    s, _ = layer.scale_shift(torch.randn(4, 2, 4, 4) * 100, None)
    assert s.abs().max() <= 2.0 + 1e-6


def test_actnorm_initialises_from_the_first_batch():
    layer = ActNorm(3).train()
    x = torch.randn(64, 3, 4, 4) * torch.tensor([1.0, 5.0, 0.2])[None, :, None, None] + 3
    y, _ = layer(x, torch.zeros(64))
    assert y.mean(dim=(0, 2, 3)).abs().max() < 1e-4 and (y.std(dim=(0, 2, 3)) - 1).abs().max() < 1e-3
    assert layer.initialised == 1
    y2, _ = layer(x * 10, torch.zeros(64))  # the second batch changes nothing
    assert torch.allclose(y2, (x * 10 + layer.bias) * layer.log_scale.exp())


def test_squeeze_is_a_permutation_of_2x2_blocks():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    y, _ = Squeeze()(x, torch.zeros(1))
    assert y.shape == (1, 4, 2, 2)
    assert torch.equal(y[0, :, 0, 0], torch.tensor([0., 1, 4, 5]))  # the top-left block becomes 4 channels
    assert torch.equal(y.flatten().sort().values, x.flatten())


def test_dequantization_round_trips_the_integers():
    values = torch.randint(0, 256, (5, 1, 4, 4))
    x, logdet = Dequantization(256)(values, torch.zeros(5))
    assert ((x >= 0) & (x < 1)).all()
    assert torch.allclose(logdet, torch.full((5,), -16 * math.log(256)))
    back, _ = Dequantization(256)(x, logdet, reverse=True)
    assert torch.equal(back, values)


def test_variational_dequantization_noise_is_in_the_bin_with_an_exact_density():
    torch.manual_seed(0)
    deq = randomise(VariationalDequantization((1, 4, 4), hidden=8, couplings=2), std=0.2)
    values = torch.randint(0, 256, (3, 1, 4, 4))
    x, logdet = deq(values, torch.zeros(3))
    u = x * 256 - values
    assert ((u >= 0) & (u <= 1)).all()
    assert torch.equal(deq(x, logdet, reverse=True)[0], values)
    # log q(u | b) by brute force: the Gaussian's log-density minus autograd's log|du / deps|
    image = values[:1] / 255 * 2 - 1

    def to_u(e):
        for coupling in deq.couplings:
            e, _ = coupling(e, torch.zeros(1), condition=image)
        return torch.sigmoid(e)

    torch.manual_seed(1)
    _, logdet = deq(values[:1], torch.zeros(1))  # draws the same eps as below
    torch.manual_seed(1)
    eps = torch.randn(1, 1, 4, 4)
    log_q = -0.5 * (eps ** 2 + math.log(2 * math.pi)).sum() - autograd_log_det(to_u, eps)
    assert torch.allclose(logdet[0], -log_q - 16 * math.log(256), atol=1e-3)
