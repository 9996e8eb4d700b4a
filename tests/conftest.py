"""Test-suite wide setup: shared helper modules in tests/ (e.g. browser.py) are importable,
and the one golden switch, `pytest --update-golden` (see tests/golden_harness.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_harness import Golden, update_requested  # importable thanks to the line above


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden expected files instead of comparing (review the diff)")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compares a test's output with its expected golden file (or rewrites it, --update-golden)."""
    return Golden(update_requested(bool(request.config.getoption("--update-golden"))))
