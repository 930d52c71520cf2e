"""Measured quality: judges, Fréchet distance in judge features, and (in later lessons) disentanglement."""
from .quality import (attribute_agreement, conditional_accuracy, frechet_distance, judge_features,
                      judge_frechet_distance)

__all__ = ["attribute_agreement", "conditional_accuracy", "frechet_distance", "judge_features",
           "judge_frechet_distance"]
