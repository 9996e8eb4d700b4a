"""Test-suite wide setup: shared helper modules in tests/ (e.g. browser.py) are importable,
the one golden switch, `pytest --update-golden` (see tests/golden_harness.py), and the
property tests' profile.

Property tests (hypothesis) draw fresh random examples on a developer's machine, where a
new counterexample is a find; in CI (`CI` set) they draw the same examples every run
(`derandomize`), so main's verdict does not depend on the luck of a draw. A failure
prints its reproduction blob either way.
"""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_harness import Golden, update_requested  # importable thanks to the line above

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden expected files instead of comparing (review the diff)")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compares a test's output with its expected golden file (or rewrites it, --update-golden)."""
    return Golden(update_requested(bool(request.config.getoption("--update-golden"))))
