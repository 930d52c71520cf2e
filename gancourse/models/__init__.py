"""One file per model family; `build_model` makes any of them from its config (used by pretrained.load)."""
from __future__ import annotations

from dataclasses import fields

from torch import nn

from .cgan import GAN
from .flow import Flow, ToyFlow
from .infogan import InfoGAN
from .judges import DigitJudge, FaceJudge
from .pixelcnn import PixelCNN
from .stylegan import StyleGAN
from .vae import VAE
from .vqvae import VQVAE

MODELS: dict[str, type[nn.Module]] = {cls.__name__: cls for cls in (DigitJudge, FaceJudge, GAN, InfoGAN, VAE, StyleGAN,
                                                                   PixelCNN, Flow, ToyFlow, VQVAE)}


def build_model(kind: str, config: dict) -> nn.Module:
    """Instantiate MODELS[kind] from a plain config dict (as stored in a model card)."""
    if kind not in MODELS:
        raise KeyError(f"Unknown model class {kind!r}; known: {', '.join(MODELS)}")
    cls = MODELS[kind]
    known = {f.name for f in fields(cls.Config)}
    unknown = set(config) - known
    if unknown:
        raise ValueError(f"{kind} config has unknown fields {sorted(unknown)}; its fields are {sorted(known)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}
    return cls(cls.Config(**values))


__all__ = ["MODELS", "build_model", "DigitJudge", "FaceJudge", "GAN", "InfoGAN", "VAE", "StyleGAN", "PixelCNN", "Flow",
           "ToyFlow", "VQVAE"]
