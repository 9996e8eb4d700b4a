"""Test-suite wide setup: shared helper modules in tests/ (e.g. browser.py) are importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
