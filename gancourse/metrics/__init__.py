"""Measured quality (judges, Fréchet distance in judge features) and controllability (edits, entanglement)."""
from .control import controllability, direction_entanglement, edit_scores, factor_directions
from .quality import (attribute_agreement, conditional_accuracy, frechet_distance, judge_features,
                      judge_frechet_distance)

__all__ = ["controllability", "direction_entanglement", "edit_scores", "factor_directions", "attribute_agreement", "conditional_accuracy", "frechet_distance", "judge_features",
           "judge_frechet_distance"]
