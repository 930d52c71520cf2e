"""GAN inversion by optimisation: it finds a z that redraws an image the generator can draw, and explains bad input."""
import pytest
import torch

from gancourse.latent import invert


class Linear(torch.nn.Module):
    """A tiny generator: z (N, 4) -> (N, 1, 4, 4), with a config like a GAN's."""

    class config:
        z_dim = 4

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 16)

    def generate(self, z):
        return torch.tanh(self.layer(z)).view(-1, 1, 4, 4)


@pytest.fixture()
def generator():
    torch.manual_seed(0)
    return Linear().eval()


def test_invert_redraws_images_the_generator_can_draw(generator):
    z_true = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        images = generator.generate(z_true)
    start = invert(generator.generate, images, steps=0)
    z = invert(generator.generate, images, steps=300)
    with torch.no_grad():
        before = (generator.generate(start) - images).abs().max()
        after = (generator.generate(z) - images).abs().max()
    assert z.shape == (5, 4) and not z.requires_grad
    assert after < 1e-3 < before
    assert all(p.grad is None for p in generator.parameters())


def test_each_image_is_inverted_on_its_own(generator):
    images = generator.generate(torch.randn(3, 4, generator=torch.Generator().manual_seed(2))).detach()
    together = invert(generator.generate, images, steps=20)
    alone = invert(generator.generate, images[1:2], steps=20, seed=0)
    first = invert(generator.generate, images[:1], steps=20, seed=0)
    assert torch.allclose(together[0], first[0], atol=1e-5)
    assert alone.shape == (1, 4)


def test_bad_inputs_are_explained(generator):
    images = torch.zeros(2, 1, 4, 4)
    with pytest.raises(ValueError, match="z_dim"):
        invert(lambda z: z.view(-1, 1, 2, 2), images[:, :, :2, :2])
    with pytest.raises(ValueError, match="steps"):
        invert(generator.generate, images, steps=-1)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        invert(generator.generate, torch.zeros(16))
    generator.train()
    with pytest.raises(ValueError, match="training mode"):
        invert(generator.generate, images)
