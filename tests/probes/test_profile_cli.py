"""`skc profile`: arguments, user errors, and the profile file it writes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from skc.cli import cli
from skc.cli_profile import default_name
from skc.compiler.profile import load_profile


def test_profile_writes_a_reproducible_profile(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = CliRunner().invoke(cli, ["profile", "--model", "local", "--primitive", "tool.web",
                                      "--primitive", "tool.browser", "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    profile = load_profile(out)
    assert profile.command == (f"skc profile --model local --instances 3 --seed 4 --primitive tool.web "
                               f"--primitive tool.browser -o {out}")
    assert set(profile.primitives) == {"tool.web", "tool.browser"}
    assert profile.summary()["tool.web"] is None
    assert "tool.web               not measured" in result.output


def test_user_errors_exit_2() -> None:
    result = CliRunner().invoke(cli, ["profile", "--primitive", "gen.poetry"])
    assert result.exit_code == 2
    assert "unknown primitive(s) gen.poetry" in result.output
    result = CliRunner().invoke(cli, ["profile", "--model", "anthropic:x"])
    assert result.exit_code == 2
    assert "unknown model spec" in result.output


def test_default_names() -> None:
    assert default_name("local", "gemma-3-270m-q4_k_m.gguf") == "gemma-3-270m-q4-k-m"
    assert default_name("openai:http://h/v1", "/models/qwen2.5-1.5b.gguf") == "qwen2.5-1.5b"
    assert default_name("openai:http://h/v1", "gpt-4o-mini") == "gpt-4o-mini"
