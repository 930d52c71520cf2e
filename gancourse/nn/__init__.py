"""Building blocks named after the lectures."""
from .conditioning import combine_vectors, factor_codes, get_input_dimensions, get_one_hot_labels, one_hot_matrices
from .coupling import ActNorm, AffineCoupling, Dequantization, Squeeze, VariationalDequantization
from .masked import GatedMaskedConv, MaskedConv2d, causal_mask
from .quantizer import VectorQuantizer
from .style import AdaIN, InjectNoise, MappingLayers, StyleBlock, get_truncated_noise

__all__ = ["combine_vectors", "get_input_dimensions", "get_one_hot_labels", "one_hot_matrices", "factor_codes",
           "get_truncated_noise", "MappingLayers", "InjectNoise", "AdaIN", "StyleBlock",
           "MaskedConv2d", "GatedMaskedConv", "causal_mask", "AffineCoupling", "Squeeze", "ActNorm", "Dequantization",
           "VariationalDequantization", "VectorQuantizer"]
