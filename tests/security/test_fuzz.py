"""Fuzzing every parser with hostile shapes (a small budget for CI; `python -m bench.fuzz` runs
a larger one and reports time and memory per input): no input ends in anything but a result
or a located diagnostic — no RecursionError, no traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.hostile import PARSERS, SHAPES, attempt

_NOISE = st.text(alphabet=st.sampled_from(list("`$(){}[]<>|&;'\"\\\n#*:-!% \x00é")), max_size=200)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parser=st.sampled_from(sorted(PARSERS)), shape=st.sampled_from(sorted(SHAPES)),
       n=st.integers(min_value=1, max_value=2000), noise=_NOISE)
def test_hostile_shapes_give_results_or_located_errors(parser: str, shape: str, n: int, noise: str) -> None:
    assert attempt(parser, SHAPES[shape](n) + noise) == ""


@settings(max_examples=60, deadline=None)
@given(parser=st.sampled_from(sorted(PARSERS)), text=_NOISE)
def test_random_noise_gives_results_or_located_errors(parser: str, text: str) -> None:
    assert attempt(parser, text) == ""


def test_every_shape_at_depth_on_every_parser() -> None:
    """The deep end of each shape, deterministically (hypothesis may not draw it)."""
    bugs = {(p, s): why for p in PARSERS for s in SHAPES if (why := attempt(p, SHAPES[s](5000)))}
    assert bugs == {}
