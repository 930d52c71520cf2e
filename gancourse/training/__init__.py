"""The shared training loop and the named recipes that make each shipped checkpoint."""
from .loop import LoopConfig, Task, TrainingDiverged, batch_indices, fit

__all__ = ["LoopConfig", "Task", "TrainingDiverged", "batch_indices", "fit"]
