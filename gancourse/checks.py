"""The checks every module shares, so bad input gets the same clear error everywhere.

Whole numbers are accepted as any `numbers.Integral` (Python ints and numpy integers such as np.int64(10)) but
never as a bool: True is an int to Python, never a count or a size to a learner. Real numbers are any
`numbers.Real` but a bool, and must be finite. A value of the wrong type raises a TypeError, a value of the
right type out of range a ValueError; config dataclasses raise a ValueError for both, naming the field.
"""
from __future__ import annotations

import math
import numbers


def is_int(value) -> bool:
    """A whole number: int or numpy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value) -> bool:
    """A real number: int, float or numpy number, not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def prefix(who: str) -> str:
    return f"{who}: " if who else ""


def check_int(value, name: str, *, minimum: int | None = None, who: str = "", hint: str = "") -> int:
    """`value` as a Python int: a TypeError unless it is a whole number, a ValueError if it is below minimum.
    hint, when given, is added to the message (e.g. what None means)."""
    at_least = "" if minimum is None else f" >= {minimum}"
    hint = f" ({hint})" if hint else ""
    if not is_int(value):
        raise TypeError(f"{prefix(who)}{name} must be an int{at_least}{hint}, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{prefix(who)}{name} must be an int{at_least}{hint}, got {value!r}")
    return int(value)


def check_real(value, name: str, *, minimum: float | None = None, positive: bool = False, who: str = "") -> float:
    """`value` as a Python float: a TypeError unless it is a real number, a ValueError unless it is finite
    (and >= minimum, or > 0 when positive)."""
    bound = " > 0" if positive else "" if minimum is None else f" >= {minimum}"
    if not is_real(value):
        raise TypeError(f"{prefix(who)}{name} must be a finite number{bound}, got {type(value).__name__} {value!r}")
    if not math.isfinite(value) or (positive and not value > 0) or (minimum is not None and value < minimum):
        raise ValueError(f"{prefix(who)}{name} must be a finite number{bound}, got {value!r}")
    return float(value)


def check_seed(seed, who: str = "") -> int:
    """A seed as a Python int: a whole number in [0, 2**64), the range Python's, numpy's and torch's generators
    all accept."""
    if not is_int(seed):
        raise TypeError(f"{prefix(who)}seed must be an int in [0, 2**64), got {type(seed).__name__} {seed!r}")
    if not 0 <= seed < 2 ** 64:
        raise ValueError(f"{prefix(who)}seed must be an int in [0, 2**64), got {seed!r}")
    return int(seed)


# ---- configs: frozen dataclasses check their fields once, when they are made -----------------------------

def config_ints(config, names, *, minimum: int, what: str) -> None:
    """Fields that must be whole numbers >= minimum; numpy integers are stored as Python ints (so the config
    writes to JSON). A ValueError naming the field otherwise."""
    for name in names:
        value = getattr(config, name)
        if not is_int(value) or value < minimum:
            raise ValueError(f"{type(config).__name__}.{name} must be {what}, got {value!r}")
        object.__setattr__(config, name, int(value))  # the dataclass is frozen; this runs in __post_init__


def config_flags(config, names) -> None:
    """Fields that must be True or False (numpy bools are refused, as 0 and 1 are)."""
    for name in names:
        if not isinstance(getattr(config, name), bool):
            raise ValueError(f"{type(config).__name__}.{name} must be True or False, got {getattr(config, name)!r}")


def check_config(config, cls, who: str):
    """The config a model is built from: `config`, or the defaults `cls()` when it is None."""
    if config is None:
        return cls()
    if not isinstance(config, cls):
        raise TypeError(f"{who} takes a {cls.__name__} (or None for the defaults), got {type(config).__name__}; "
                        f"build one with {cls.__name__}(**values)")
    return config
