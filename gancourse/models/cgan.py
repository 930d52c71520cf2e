"""A DCGAN for 32x32 images that is conditional when it has classes (lecture: conditional generation).

The class enters both networks the lecture's way (see gancourse/nn/conditioning.py):
    generator      z (N, z_dim) ++ condition (N, K)                      -> image (N, C, 32, 32)
    discriminator  image (N, C, 32, 32) ++ condition matrices (N, K, 32, 32) -> logit (N, 1)
The condition is a one-hot vector of a class label ("one_hot", e.g. a digit), a vector of binary
attributes ("multi_hot", e.g. [glasses, beard] of a face), or the factor values themselves written into
the first K entries of the noise vector ("values", lecture: supervised disentanglement; the generator's
input is then [codes, noise] and its first K indices each carry one labelled factor; the discriminator
gets the codes as constant channels, as it gets multi-hot attributes, or with read_codes reads them back
from the image instead). With K = n_classes = 0
the condition is an empty (N, 0) vector and the very same networks are an ordinary unconditional DCGAN.

`GAN` holds both networks, so a shipped checkpoint is one module:
    gan = pretrained.load("cgan-digits")
    images = gan.generate(torch.randn(10, gan.config.z_dim), torch.arange(10))  # one of each digit
    images = gan.sample(100)  # classes cycling 0..9, ten of each
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_config, check_int, config_flags, config_ints
from ..nn.dcgan import down_stack, up_stack
from ..nn.conditioning import combine_vectors, get_input_dimensions, get_one_hot_labels, one_hot_matrices

SIZE = 32  # image side: 4x4 doubled three times
CONDITIONS = ("one_hot", "multi_hot", "values")


@dataclass(frozen=True)
class GANConfig:
    z_dim: int = 64  # noise size: plenty for 32x32 images, small enough to explore by hand
    n_classes: int = 10  # length K of the condition vector; 0 makes an unconditional GAN
    condition: str = "one_hot"  # "one_hot": class labels (N,); "multi_hot": attributes (N, K) in {0, 1}; "values": codes (N, K)
    channels: int = 1  # image channels: 1 for digits, 3 for faces
    width: int = 32  # channels at 16x16; doubled at each halving of the resolution (4w at 4x4)
    full_res: bool = False  # a 3x3 layer at 32x32 in both networks (nn/dcgan.py): for faces' small features
    read_codes: bool = False  # "values" only: D reads the codes back from the image instead of being given them

    def __post_init__(self):
        if self.condition not in CONDITIONS:
            raise ValueError(f"condition must be one of {CONDITIONS}, got {self.condition!r}")
        config_flags(self, ("full_res", "read_codes"))
        if self.read_codes and self.condition != "values":
            raise ValueError("read_codes is for GANs whose codes live in z: set condition='values' too")
        config_ints(self, ("z_dim", "channels", "width"), minimum=1, what="a positive int")
        config_ints(self, ("n_classes",), minimum=0, what="an int >= 0 (0: unconditional)")


def input_sizes(config: GANConfig) -> tuple[int, int]:
    """(generator input size, discriminator input channels): z_dim + K and C + K (C when D reads the codes)."""
    if config.n_classes == 0:
        return config.z_dim, config.channels
    if config.read_codes:
        return config.z_dim + config.n_classes, config.channels
    return get_input_dimensions(config.z_dim, (config.channels, SIZE, SIZE), config.n_classes)


def condition_vector(config: GANConfig, labels: torch.Tensor | None, n: int) -> torch.Tensor:
    """The condition of n images as floats (n, K), checked against the config.

    one_hot:   labels (n,) integer classes in [0, K) -> one-hot rows
    multi_hot: labels (n, K) of 0s and 1s (any dtype) -> the same as float
    values:    labels (n, K) of finite real codes (see nn.factor_codes) -> the same as float
    n_classes = 0: labels must be None -> an empty (n, 0) condition
    """
    if config.n_classes == 0:
        if labels is not None:
            raise ValueError("this GAN is unconditional (n_classes=0): call it without labels")
        return torch.zeros(n, 0)
    if labels is None:
        raise ValueError(f"this GAN is conditional on {config.n_classes} classes: pass labels")
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a torch.Tensor, got {type(labels).__name__}")
    expected = (n,) if config.condition == "one_hot" else (n, config.n_classes)
    if tuple(labels.shape) != expected:
        what = {"one_hot": "class indices", "multi_hot": f"0/1 attribute vectors of length {config.n_classes}",
                "values": f"factor codes of length {config.n_classes}"}[config.condition]
        raise ValueError(f"labels must be {what} of shape {expected}, got {tuple(labels.shape)}")
    if config.condition == "one_hot":
        return get_one_hot_labels(labels, config.n_classes)
    if config.condition == "values":
        if not torch.isfinite(labels).all():
            raise ValueError("factor codes must be finite numbers: found NaN or infinity")
        return labels.float()
    if not ((labels == 0) | (labels == 1)).all():
        raise ValueError("multi-hot labels must hold only 0s and 1s")
    return labels.float()


def cycle_labels(config: GANConfig, n: int) -> torch.Tensor | None:
    """n labels that cycle through every condition: classes 0, 1, ..., K-1, 0, ... (one_hot),
    or every combination of the K attributes in binary counting order (multi_hot); None when unconditional.
    Real-valued codes have no such cycle: a "values" GAN is always given its codes."""
    i = torch.arange(n)
    if config.n_classes == 0:
        return None
    if config.condition == "values":
        raise ValueError(f"this GAN draws the factor codes you give it: pass labels of shape ({n}, {config.n_classes}), "
                         "e.g. nn.factor_codes(dataset.targets, dataset.factors)")
    if config.condition == "one_hot":
        return i % config.n_classes
    bits = 2 ** torch.arange(config.n_classes)  # attribute k is bit k of the combination's number
    return ((i[:, None] % 2 ** config.n_classes) // bits % 2).float()  # (n, K)


def init_weights(module: nn.Module) -> None:
    """DCGAN's initialisation: conv weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02), biases 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class Generator(nn.Module):
    """Noise and condition to an image.

    (N, z_dim + K) -> linear -> (N, 4w, 4, 4) -> (N, 2w, 8, 8) -> (N, w, 16, 16) -> (N, C, 32, 32) in [-1, 1]
    Each step up is a stride-2 transposed convolution, batch norm and ReLU; the last ends in tanh instead.
    With full_res the last step is (N, w/2, 32, 32) and a 3x3 convolution draws the image from it.
    """

    Config = GANConfig

    def __init__(self, config: GANConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, GANConfig, "Generator")
        self.project, self.upsample = up_stack(input_sizes(config)[0], config.channels, config.width,
                                               full_res=config.full_res)
        self.apply(init_weights)

    def forward(self, z: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim), condition (N, K) float -> images (N, C, 32, 32). Codes ("values") go first: [codes, z]."""
        first, second = (condition, z) if self.config.condition == "values" else (z, condition)
        return self.upsample(self.project(combine_vectors(first, second)))


class Discriminator(nn.Module):
    """An image and its condition to one real-vs-fake logit.

    (N, C + K, 32, 32) -> (N, w, 16, 16) -> (N, 2w, 8, 8) -> (N, 4w, 4, 4) -> (N, 1)
    Each step down is a stride-2 convolution and leaky ReLU, with batch norm after the first.
    With full_res a 3x3 convolution to (N, w/2, 32, 32) looks at the image first.
    With read_codes the discriminator is not given the condition: a second head reads the K codes back from
    the image's (N, 4w, 4, 4) features (AC-GAN's auxiliary head, as regression). Trained on real faces' labels,
    it must learn to see every labelled factor, however small, and the generator is scored on whether its faces
    read back as the codes it was given.
    """

    Config = GANConfig

    def __init__(self, config: GANConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, GANConfig, "Discriminator")
        w = config.width
        self.layers = nn.Sequential(*down_stack(input_sizes(config)[1], w, full_res=config.full_res),
                                    nn.Conv2d(4 * w, 1, 4), nn.Flatten())
        self.codes = nn.Sequential(nn.Conv2d(4 * w, config.n_classes, 4), nn.Flatten()) if config.read_codes else None
        self.apply(init_weights)

    def forward(self, images: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """images (N, C, 32, 32), condition (N, K) float -> logits (N, 1)."""
        if self.codes is not None:
            return self.layers(images)
        return self.layers(combine_vectors(images, one_hot_matrices(condition, *images.shape[2:])))

    def read(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """read_codes only: images (N, C, 32, 32) -> (logits (N, 1), the codes read back (N, K)), in one pass."""
        if self.codes is None:
            raise ValueError("this discriminator is given the codes; only one built with read_codes=True reads them")
        features = self.layers[:-2](images)                                       # (N, 4w, 4, 4)
        return self.layers[-2:](features), self.codes(features)


class GAN(nn.Module):
    """A generator and its discriminator, trained together and shipped as one module.

    generate(z, labels) and sample(n, labels) make images; the labels are turned into the condition by
    `condition` (see condition_vector for what they may be).
    """

    Config = GANConfig

    def __init__(self, config: GANConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, GANConfig, "GAN")
        self.generator = Generator(config)
        self.discriminator = Discriminator(config)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def condition(self, labels: torch.Tensor | None, n: int) -> torch.Tensor:
        """Labels of n images -> their condition (n, K) float on the model's device."""
        return condition_vector(self.config, labels, n).to(self.device)

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images for noise z (N, z_dim) and labels (None when unconditional): (N, C, 32, 32) in [-1, 1]."""
        if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[1] != self.config.z_dim:
            shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must be noise of shape (N, {self.config.z_dim}), got {shape}")
        return self.generator(z.to(self.device), self.condition(labels, len(z)))

    forward = generate

    def generate_from_codes(self, v: torch.Tensor) -> torch.Tensor:
        """Images from the whole input vector of a "values" GAN, v = [codes (K), noise (z_dim)]: (N, K + z_dim).

        This is the supervised-disentanglement view: one vector whose first K indices are the labelled factors,
        so traversals and interventions move its indices like any noise vector's."""
        k = self.config.n_classes
        if self.config.condition != "values":
            raise ValueError("generate_from_codes is for GANs whose codes live in z (condition='values')")
        if not isinstance(v, torch.Tensor) or v.ndim != 2 or v.shape[1] != k + self.config.z_dim:
            shape = tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
            raise ValueError(f"v must be [codes, noise] of shape (N, {k + self.config.z_dim}), got {shape}")
        return self.generate(v[:, k:], v[:, :k])

    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images from fresh noise: (n, C, 32, 32). Without labels a conditional GAN cycles through every
        condition (see cycle_labels). The noise is drawn on the CPU from `generator` when given, so a seeded
        torch.Generator gives the same images on any device."""
        n = check_int(n, "n", minimum=1, who="GAN.sample")
        labels = cycle_labels(self.config, n) if labels is None else labels
        return self.generate(torch.randn(n, self.config.z_dim, generator=generator), labels)
