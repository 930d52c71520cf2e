"""The shared training loop, the named recipes that make each shipped checkpoint, and how they are scored."""
from .loop import LoopConfig, Task, TrainingDiverged, TrainingInterrupted, batch_indices, fit

__all__ = ["LoopConfig", "Task", "TrainingDiverged", "TrainingInterrupted", "batch_indices", "fit"]
