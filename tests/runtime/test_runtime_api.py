"""The Python run API: `RunConfig`, `await arun(...)`, and `run(...)` from inside a running event loop."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from rt_helpers import wf

import skc
from skc.runtime.config import FIELDS, RunConfig, RunOptions

BODY = '''  %a = "tool.shell"() {cmd = "echo 41", effects = ["read:a"], step = "Step 1"} : () -> !skc.num
  %b = "calc.add"(%a, %n) : (!skc.num, !skc.num) -> !skc.num
  "ctrl.return"(%b) : (!skc.num) -> ()'''


def _source(tmp_path: Path) -> Path:
    path = tmp_path / "t.mlir"
    path.write_text(str(wf(BODY, "%n: !skc.num", ["n"])))
    return path


def _config(tmp_path: Path, **kw: Any) -> RunConfig:
    return RunConfig(runs_dir=tmp_path / "runs", workdir=tmp_path, jit=False, **kw)


def test_arun_under_asyncio_run(tmp_path: Path) -> None:
    result = asyncio.run(skc.arun(_source(tmp_path), {"n": 1}, _config(tmp_path)))
    assert result.status == "ok"
    assert result.outputs == {"b": 42}
    assert result.run_dir is not None
    assert (result.run_dir / "result.json").is_file()


def test_arun_runs_on_the_callers_loop_beside_other_tasks(tmp_path: Path) -> None:
    async def main() -> tuple[Any, Any]:
        ticks: list[int] = []

        async def ticker() -> None:
            for i in range(3):
                ticks.append(i)
                await asyncio.sleep(0)

        results = await asyncio.gather(skc.arun(_source(tmp_path), {"n": 1}, _config(tmp_path)),
                                       skc.arun(_source(tmp_path), {"n": 2}, _config(tmp_path)), ticker())
        return results, ticks

    (one, two, _), ticks = asyncio.run(main())
    assert (one.outputs, two.outputs) == ({"b": 42}, {"b": 43})
    assert one.run_id != two.run_id
    assert ticks == [0, 1, 2]


def test_run_inside_a_running_loop(tmp_path: Path) -> None:
    async def handler() -> Any:  # what a FastAPI endpoint or a notebook cell does
        return skc.run(_source(tmp_path), {"n": 1}, _config(tmp_path))

    result = asyncio.run(handler())
    assert result.status == "ok"
    assert result.outputs == {"b": 42}


def test_keyword_overrides_replace_config_fields(tmp_path: Path) -> None:
    base = _config(tmp_path)
    plan = skc.run(_source(tmp_path), {"n": 1}, base, dry_run=True)
    assert plan.status == "dry-run"
    assert [p["command"] for p in plan.plan] == ["echo 41"]
    assert base.dry_run is False  # the config itself is not changed
    with pytest.raises(TypeError, match="unknown run option"):
        skc.run(_source(tmp_path), {"n": 1}, base, **{"dryrun": True})  # type: ignore[arg-type]


def test_run_options_and_run_config_name_the_same_fields() -> None:
    assert set(get_type_hints(RunOptions, globalns=vars(sys.modules["skc.runtime.config"]),
                              localns={"Engine": object})) == FIELDS
    assert {"engine", "db", "secrets", "allow_writes", "dry_run", "runs_dir", "resume", "model", "jit",
            "recompile", "workdir"} <= FIELDS


def test_run_config_from_python_resumes_a_failed_run(tmp_path: Path) -> None:
    flag = tmp_path / "ok"
    body = f'''  %a = "tool.shell"() {{cmd = "test -f {flag} && echo 1", effects = ["read:a"], step = "Step 1"}} : () -> !skc.num
  "ctrl.return"(%a) : (!skc.num) -> ()'''
    path = tmp_path / "f.mlir"
    path.write_text(str(wf(body)))
    cfg = _config(tmp_path, retry_backoff_s=0.01)
    first = skc.run(path, {}, cfg)
    assert first.status == "failed"
    flag.write_text("")
    again = asyncio.run(skc.arun(None, None, cfg, resume=first.run_id))
    assert again.status == "ok"
    assert again.run_id == first.run_id
