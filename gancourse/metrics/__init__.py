"""Measured quality (judges, Fréchet distance in judge features), controllability (edits, entanglement) and
disentanglement (MIG, DCI, FactorVAE score, Hungarian accuracy, prediction information, interventions on z)."""
from .control import controllability, direction_entanglement, edit_scores, factor_directions
from .disentanglement import (dci, diagonal_dominance, factor_vae_score, hungarian_accuracy, intervention_matrix,
                              intervention_report, intervention_score, mig, prediction_information)
from .quality import (attribute_agreement, conditional_accuracy, frechet_distance, judge_features,
                      judge_frechet_distance)

__all__ = ["attribute_agreement", "conditional_accuracy", "frechet_distance", "judge_features", "judge_frechet_distance",
           "controllability", "direction_entanglement", "edit_scores", "factor_directions",
           "mig", "dci", "factor_vae_score", "hungarian_accuracy", "prediction_information",
           "intervention_matrix", "intervention_score", "intervention_report", "diagonal_dominance"]
