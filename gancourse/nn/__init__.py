"""Building blocks named after the lectures."""
from .conditioning import combine_vectors, factor_codes, get_input_dimensions, get_one_hot_labels, one_hot_matrices

__all__ = ["combine_vectors", "get_input_dimensions", "get_one_hot_labels", "one_hot_matrices", "factor_codes"]
