"""Offline course datasets: every item is (image in [-1, 1], labels or factors), every dataset names its factors.

faces          procedurally drawn cartoon faces with the lectures' features as ground truth
sprites        dSprites-style shapes: the standard ground for disentanglement metrics
digits         real handwriting shipped with scikit-learn, MNIST-sized
mnist, fashion_mnist, celeba   real datasets read from $GANCOURSE_DATA, downloaded only when asked
"""
from .base import Factor, FactorDataset, split_dataset
from .digits import digits
from .faces import FACE_FACTORS, faces, render_faces
from .real import celeba, data_root, fashion_mnist, mnist
from .sprites import SPRITE_FACTORS, SPRITE_SHAPES, render_sprites, sprites

__all__ = [
    "Factor", "FactorDataset", "split_dataset", "faces", "FACE_FACTORS", "render_faces", "sprites", "SPRITE_FACTORS",
    "SPRITE_SHAPES", "render_sprites", "digits",
    "mnist", "fashion_mnist", "celeba", "data_root",
]
