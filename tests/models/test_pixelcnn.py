"""The gated PixelCNN: causal logits, an exact log-likelihood, and a sampler that draws what the logits say."""
import math

import pytest
import torch
import torch.nn.functional as F

from gancourse.models.pixelcnn import PixelCNN, PixelCNNConfig, to_images, to_values


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return PixelCNN(PixelCNNConfig(levels=6, side=5, channels=8, dilations=(1, 2))).eval()


def test_values_and_images_round_trip():
    values = torch.arange(256).view(1, 1, 16, 16)
    images = to_images(values)
    assert images.min() == -1 and images.max() == 1
    assert torch.equal(to_values(images), values)


def test_no_logit_depends_on_its_own_pixel_or_a_later_one(model):
    g = torch.Generator().manual_seed(1)
    values = torch.randint(0, 6, (2, 1, 5, 5), generator=g)
    logits = model(values)
    for i, j in [(0, 0), (2, 3), (4, 4)]:
        changed = values.clone().flatten(2)
        changed[:, :, i * 5 + j:] = torch.randint(0, 6, changed[:, :, i * 5 + j:].shape, generator=g)
        assert torch.allclose(model(changed.view_as(values))[:, :, i, j], logits[:, :, i, j], atol=1e-6)
    earlier = values.clone()
    earlier[:, :, 2, 2] = (earlier[:, :, 2, 2] + 1) % 6
    assert not torch.allclose(model(earlier)[:, :, 2, 3], logits[:, :, 2, 3]), "the pixel to the left must count"


def test_log_prob_is_the_sum_of_the_pixels_log_softmax(model):
    values = torch.randint(0, 6, (3, 1, 5, 5), generator=torch.Generator().manual_seed(2))
    log_softmax = F.log_softmax(model(values), dim=1).gather(1, values).sum(dim=(1, 2, 3))
    assert torch.allclose(model.log_prob(values), log_softmax, atol=1e-5)
    assert torch.allclose(model.loss(values)["nll"], -log_softmax.mean() / 25, atol=1e-6)


def test_fill_draws_what_the_full_forward_predicts(model):
    """At a tiny temperature the sampler picks each pixel's most likely value; the same greedy decode done with the
    full forward pass, one pixel at a time, must agree (the row-by-row shortcut changes nothing)."""
    torch.manual_seed(0)
    start = torch.full((2, 1, 5, 5), -1, dtype=torch.long)
    start[1, 0, 0, :3] = torch.tensor([5, 0, 2])  # given pixels stay and condition the rest
    drawn = model.fill(start, temperature=1e-4, generator=torch.Generator().manual_seed(0))
    greedy = start.clone()
    for i in range(5):
        for j in range(5):
            best = model(greedy.clamp_min(0))[:, :, i, j].argmax(dim=1)
            greedy[:, 0, i, j] = torch.where(greedy[:, 0, i, j] < 0, best, greedy[:, 0, i, j])
    assert torch.equal(drawn, greedy)
    assert torch.equal(drawn[1, 0, 0, :3], torch.tensor([5, 0, 2]))


def test_sampling_is_repeatable_and_completion_keeps_the_anchor_rows(model):
    a = model.sample(3, generator=torch.Generator().manual_seed(4))
    b = model.sample(3, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and a.shape == (3, 1, 5, 5) and a.min() >= -1 and a.max() <= 1
    images = to_images(torch.randint(0, 6, (2, 1, 5, 5), generator=torch.Generator().manual_seed(5)), 6)
    completed = model.complete(images, 2, generator=torch.Generator().manual_seed(6))
    assert torch.equal(completed[:, :, :2], images[:, :, :2])


@pytest.mark.parametrize("values, match", [
    (torch.zeros(1, 1, 5, 5), "integer values"),
    (torch.full((1, 1, 5, 5), 6), r"\[0, 6\)"),
    (torch.zeros(1, 5, 5, dtype=torch.long), r"\(N, 1, H, W\)"),
])
def test_bad_values_are_explained(model, values, match):
    with pytest.raises(ValueError, match=match):
        model.log_prob(values)


def test_bad_configs_are_explained():
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        PixelCNNConfig(kernel_size=4)
    with pytest.raises(ValueError, match="levels"):
        PixelCNNConfig(levels=1)
    with pytest.raises(ValueError, match="dilations"):
        PixelCNNConfig(dilations=(1, 0))


def test_an_untrained_uniform_model_needs_8_bits_per_pixel():
    model = PixelCNN(PixelCNNConfig(channels=4, dilations=(1,)))
    with torch.no_grad():
        model.head[1].weight.zero_()
        model.head[1].bias.zero_()
    values = torch.randint(0, 256, (2, 1, 32, 32))
    assert torch.allclose(-model.log_prob(values) / (1024 * math.log(2)), torch.full((2,), 8.0))


def test_an_ordinal_model_reads_values_as_intensities_and_stays_causal():
    torch.manual_seed(0)
    model = PixelCNN(PixelCNNConfig(levels=6, side=5, channels=8, dilations=(1, 2), ordinal=True)).eval()
    assert model.embed is None and model.stack.vertical_in.in_channels == 1
    values = torch.randint(0, 6, (2, 1, 5, 5), generator=torch.Generator().manual_seed(1))
    assert torch.equal(model.embedded(values), to_images(values, 6))
    logits = model(values)
    later = values.clone()
    later[:, :, 2, 3:] = (later[:, :, 2, 3:] + 1) % 6
    later[:, :, 3:] = (later[:, :, 3:] + 2) % 6
    assert torch.allclose(model(later)[:, :, 2, 3], logits[:, :, 2, 3], atol=1e-6)
    earlier = values.clone()
    earlier[:, :, 2, 2] = (earlier[:, :, 2, 2] + 1) % 6
    assert not torch.allclose(model(earlier)[:, :, 2, 3], logits[:, :, 2, 3])


def test_stored_samples_come_back_as_8_bit_images_and_travel_in_the_state_dict():
    model = PixelCNN(PixelCNNConfig(side=4, channels=4, dilations=(1,), stored_samples=3))
    images = to_images(torch.randint(0, 256, (3, 1, 4, 4), generator=torch.Generator().manual_seed(0)))
    model.store_samples(images)
    assert torch.equal(model.stored_samples(), images) and model.samples.dtype == torch.uint8
    copy = PixelCNN(model.config)
    copy.load_state_dict(model.state_dict())
    assert torch.equal(copy.stored_samples(), images)
    with pytest.raises(ValueError, match=r"keeps \(3, 1, 4, 4\) images"):
        model.store_samples(images[:2])
    with pytest.raises(ValueError, match="keeps no samples"):
        PixelCNN(PixelCNNConfig(side=4, channels=4, dilations=(1,))).stored_samples()
    with pytest.raises(ValueError, match="levels = 256"):
        PixelCNNConfig(levels=8, stored_samples=2)
