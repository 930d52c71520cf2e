"""Measured quality (judges, Fréchet distance, precision and recall in judge features), controllability (edits, entanglement) and
disentanglement (MIG, DCI, FactorVAE score, Hungarian accuracy, prediction information, interventions on z) and
latent spaces (perceptual path length, linear separability, style mixing and noise read by a judge, truncation) and
likelihoods (bits per dimension, the VAE's ELBO and importance-weighted bound, a VQ-VAE prior's bits per code)."""
from .control import controllability, direction_entanglement, edit_scores, factor_directions
from .disentanglement import (dci, diagonal_dominance, factor_vae_score, hungarian_accuracy, intervention_matrix,
                              intervention_report, intervention_score, mig, prediction_information)
from .likelihood import bits_per_dim, code_bits, elbo_bits_per_dim, importance_weighted_bits_per_dim
from .latent_space import (linear_separability, noise_spread, path_lengths, perceptual_path_length, separability,
                           style_inheritance, truncation_curve)
from .quality import (attribute_agreement, conditional_accuracy, density_coverage, feature_precision_recall,
                      frechet_distance, judge_features, judge_frechet_distance, judge_precision_recall,
                      precision_recall)

__all__ = ["attribute_agreement", "conditional_accuracy", "frechet_distance", "judge_features", "judge_frechet_distance",
           "precision_recall", "density_coverage", "judge_precision_recall", "feature_precision_recall",
           "controllability", "direction_entanglement", "edit_scores", "factor_directions",
           "mig", "dci", "factor_vae_score", "hungarian_accuracy", "prediction_information",
           "intervention_matrix", "intervention_score", "intervention_report", "diagonal_dominance",
           "perceptual_path_length", "path_lengths", "linear_separability", "separability", "style_inheritance",
           "noise_spread", "truncation_curve", "bits_per_dim", "elbo_bits_per_dim",
           "importance_weighted_bits_per_dim", "code_bits"]
