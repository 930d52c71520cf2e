"""gancourse: a companion package for learning conditional and controllable generation with GANs,
disentanglement, StyleGAN's components and the alternatives to GANs -- offline, on a CPU.

The course's own function names are exported here so learners can cross-check their work.
"""
from . import data, exercises, metrics, models, pretrained
from .latent import calculate_updated_noise, get_score
from .models.infogan import info_loss
from .models.vae import kl_divergence
from .nn import combine_vectors, get_input_dimensions, get_one_hot_labels
from .nn.style import AdaIN, InjectNoise, MappingLayers, get_truncated_noise
from .runtime import default_device, seed_everything, torch_threads

__version__ = "0.1.0"

__all__ = [
    "data", "exercises", "metrics", "models", "pretrained", "default_device", "seed_everything", "torch_threads",
    "get_one_hot_labels", "combine_vectors", "get_input_dimensions", "calculate_updated_noise", "get_score",
    "kl_divergence", "info_loss",
    "get_truncated_noise", "MappingLayers", "InjectNoise", "AdaIN",
]
