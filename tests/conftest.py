"""Lets test modules import the shared stand-ins (tests/stand_ins.py) under --import-mode=importlib."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
