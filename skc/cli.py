"""The `skc` command line: a thin click group; each verb calls one library function.

Verbs live in small modules beside this one (`cli_ir.py`, ...) and are added to the
group in `COMMANDS`. User errors print `file:line:col: error SKCnnn: message` and
exit 2; they never show a Python traceback.
"""

from __future__ import annotations

import importlib

import click

from skc import __version__

# (module, attribute) of every top-level command or group, in `skc --help` order.
COMMANDS: list[tuple[str, str]] = [
    ("skc.cli_compile", "compile_cmd"),
    ("skc.cli_compile", "bundle"),
    ("skc.cli_ir", "ir"),
    ("skc.cli_check", "check"),
    ("skc.cli_run", "run_cmd"),
    ("skc.cli_route", "route_cmd"),
    ("skc.cli_run", "trace_cmd"),
    ("skc.cli_approve", "approve_cmd"),
    ("skc.cli_approve", "reject_cmd"),
    ("skc.cli_runs", "runs"),
    ("skc.cli_test", "test_cmd"),
    ("skc.cli_recompile", "recompile_cmd"),
    ("skc.cli_profile", "profile"),
    ("skc.cli_doctor", "doctor"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="skc")
def cli() -> None:
    """skc, the skill compiler: compile SKILL.md skills and runbooks into a typed
    dataflow IR, inspect it, and run it in parallel on CPUs and LLMs."""


for _module, _attr in COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main() -> None:
    cli(prog_name="skc")


if __name__ == "__main__":
    main()
