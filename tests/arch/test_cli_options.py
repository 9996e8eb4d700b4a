"""Every CLI verb declares each option once (two branches once both added `--task` to `skc run`)."""

from __future__ import annotations

import click

from skc.cli import cli


def _commands(group: click.Group, prefix: str = "skc") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None:
            continue
        out.append((f"{prefix} {name}", cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix} {name}")
    return out


def test_no_verb_declares_an_option_twice() -> None:
    dupes = {}
    for name, cmd in _commands(cli):
        flags = [f for p in cmd.params for f in (*p.opts, *p.secondary_opts)]
        dests = [p.name for p in cmd.params]
        repeated = sorted({f for f in flags if flags.count(f) > 1} | {d for d in dests if dests.count(d) > 1})
        if repeated:
            dupes[name] = repeated
    assert dupes == {}
    assert any(name == "skc run" for name, _ in _commands(cli))
