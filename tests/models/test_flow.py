"""The RealNVP flow: an exact inverse, a log-determinant equal to autograd's, and a density that integrates to 1."""
import math

import pytest
import torch

from gancourse.models.flow import Flow, FlowConfig, ToyFlow, ToyFlowConfig
from gancourse.nn.coupling import standard_normal_log_prob


def randomise(module, seed=0, std=0.05):
    """Small random weights everywhere, so no coupling is the identity it starts as."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * std)
    return module


@pytest.fixture(scope="module")
def small():
    torch.manual_seed(0)
    flow = Flow(FlowConfig(side=8, hidden=8, couplings=(2, 2, 2)))
    flow.train()
    flow(torch.rand(16, 1, 8, 8) * 2 - 1)  # the first batch sets every ActNorm
    return randomise(flow).eval()


def test_the_inverse_round_trips_in_float32(small):
    images = torch.rand(5, 1, 8, 8) * 2 - 1
    images[0] = -1  # a blank image, the logit transform's edge
    z, _ = small(images)
    assert z.shape == (5, 64)
    assert (small.inverse(z) - images).abs().max() < 1e-4


def test_the_log_det_is_autograds(small):
    x = torch.rand(1, 1, 8, 8) * 1.8 - 0.9
    _, logdet = small(x)
    jacobian = torch.autograd.functional.jacobian(lambda v: small(v.view(1, 1, 8, 8))[0][0], x.flatten())  # (64, 64)
    assert torch.allclose(logdet[0], torch.linalg.slogdet(jacobian.double())[1].float(), atol=1e-2, rtol=1e-4)


def test_log_prob_is_its_two_terms_and_the_flow_of_a_dequantized_image(small):
    values = torch.randint(0, 256, (3, 1, 8, 8))
    torch.manual_seed(1)
    terms = small.log_prob_terms(values)
    torch.manual_seed(1)
    assert torch.allclose(small.log_prob(values), terms["log_pz"] + terms["log_det"])
    torch.manual_seed(1)
    v = values + torch.rand(values.shape)  # the same uniform noise the flow draws
    z, logdet = small(v / 128 - 1)  # the image of v in [-1, 1]: log|d image / dv| = -D log 128
    assert torch.allclose(terms["log_pz"] + terms["log_det"],
                          standard_normal_log_prob(z) + logdet - 64 * math.log(128), atol=1e-3)


def test_samples_and_temperature(small):
    a = small.sample(4, generator=torch.Generator().manual_seed(0))
    assert a.shape == (4, 1, 8, 8) and a.min() >= -1 and a.max() <= 1
    assert torch.equal(a, small.sample(4, generator=torch.Generator().manual_seed(0)))
    cold = small.sample(3, temperature=0.0)  # z = 0 for all: one image three times
    assert torch.equal(cold[0], cold[1]) and torch.equal(cold[1], cold[2])


def test_the_toy_flows_density_integrates_to_one():
    """Brute-force change of variables: exp(log_prob) summed over a fine grid covering the mass is 1."""
    torch.manual_seed(0)
    toy = randomise(ToyFlow(ToyFlowConfig(couplings=3, hidden=16, blocks=1)), std=0.2).eval()
    side = torch.linspace(-8, 8, 401)
    grid = torch.stack(torch.meshgrid(side, side, indexing="ij"), dim=-1).view(-1, 2)
    with torch.no_grad():
        mass = toy.log_prob(grid).exp().sum() * (side[1] - side[0]) ** 2
    assert mass.item() == pytest.approx(1.0, abs=0.02)
    points = torch.randn(6, 2)
    assert (toy.inverse(toy(points)[0]) - points).abs().max() < 1e-5
    assert len(toy.steps(points)) == 4


@pytest.mark.parametrize("config, match", [({"side": 30}, "divisible by 4"), ({"couplings": (1, 2)}, "three ints"),
                                           ({"dequantization": "none"}, "dequantization"), ({"hidden": 0}, "hidden")])
def test_bad_configs_are_explained(config, match):
    with pytest.raises(ValueError, match=match):
        FlowConfig(**config)


def test_bad_inputs_are_explained(small):
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\)"):
        small(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="to_values"):
        small.log_prob(torch.zeros(2, 1, 8, 8))


def test_two_moons_are_centred_repeatable_and_learnable():
    from gancourse.models.flow import fit_toy_flow, two_moons
    points = two_moons(512, seed=1)
    assert points.shape == (512, 2) and torch.equal(points, two_moons(512, seed=1))
    assert points.mean(0).abs().max() < 0.15 and 0.7 < points.std(0).min() and points.std(0).max() < 1.3
    torch.manual_seed(0)
    toy = ToyFlow(ToyFlowConfig(couplings=2, hidden=16, blocks=1))
    losses = fit_toy_flow(toy, points, steps=60, batch_size=128)
    assert len(losses) == 60 and not toy.training
    assert sum(losses[-10:]) / 10 < sum(losses[:10]) / 10
