"""One interpreter session per procedure (issue 14 item 4): `tool.python` ops with the same `session`
share variables and imports within a run; the session ends with the run; a crash of the session
process fails the op with a diagnosis; a skill's python steps run as one session."""

from __future__ import annotations

from pathlib import Path

from rt_helpers import run_module, wf

from skc.runtime.api import run
from skc.runtime.journal import read_journal
from tests.fake_models import Plain


def py(name: str, code: str, session: str | None, operands: str = "", types: str = "") -> str:
    extra = f', session = "{session}"' if session else ""
    return (f'  %{name} = "tool.python"({operands}) {{code = "{code}", effects = ["read:host"]{extra}}} '
            f': ({types}) -> !skc.json')


def test_ops_of_one_session_share_variables_and_imports_and_others_do_not(tmp_path: Path) -> None:
    body = "\n".join([
        py("a", "import json; data = {'n': 3}; import os; result = os.getpid()", "p"),
        py("other", "result = 'data' in globals()", "q", "%a", "!skc.json"),
        py("fresh", "result = 'data' in globals()", None, "%a", "!skc.json"),
        py("b", "data['n'] += 1; result = json.dumps(data)", "p", "%a", "!skc.json"),
        py("c", "result = [data['n'], os.getpid()]", "p", "%b", "!skc.json"),
    ])
    mod = wf(body + '\n  "ctrl.return"(%a, %other, %fresh, %b, %c) : '
                    '(!skc.json, !skc.json, !skc.json, !skc.json, !skc.json) -> ()')
    result = run_module(mod, tmp_path)
    assert result.status == "ok", result.error
    out = result.outputs
    assert (out["other"], out["fresh"]) == (False, False)
    assert out["b"] == {"n": 4}  # json.dumps in the session, read back as json
    assert out["c"] == [4, out["a"]]  # the same process
    assert not Path(f"/proc/{out['a']}").exists()  # the session ended with the run


def test_a_crash_of_the_session_process_is_a_failed_op_with_a_diagnosis(tmp_path: Path) -> None:
    body = "\n".join([
        py("a", "x = 1; result = x", "p"),
        py("b", "import os; os._exit(7)", "p", "%a", "!skc.json"),
        py("c", "result = x", "p", "%b", "!skc.json"),
    ])
    result = run_module(wf(body + '\n  "ctrl.return"(%a, %c) : (!skc.json, !skc.json) -> ()'), tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert "op 1" in result.error.message
    assert "python session 'p' died while running this step" in result.error.message
    assert "exited with status 7" in result.error.message
    assert result.outputs["a"] == 1  # what finished is kept
    assert set(read_journal(result.run_dir / "journal.jsonl").done) == {"0"}  # type: ignore[operator]


def test_a_failed_run_kills_a_session_busy_in_its_code(tmp_path: Path) -> None:
    marker = tmp_path / "late.txt"
    body = "\n".join([
        py("slow", f"import time; time.sleep(20); open('{marker}', 'w').write('late')", "p"),
        '  %bad = "tool.shell"() {cmd = "sleep 0.5; exit 3", effects = ["read:host"]} : () -> !skc.text',
    ])
    result = run_module(wf(body + '\n  "ctrl.return"(%slow, %bad) : (!skc.json, !skc.text) -> ()'), tmp_path)
    assert result.status == "failed"
    assert "0" in read_journal(result.run_dir / "journal.jsonl").cancelled  # type: ignore[operator]
    assert not marker.exists()


SKILL = '''---
name: word-count
description: Count the words of a text file. Use when the user asks how many words a file has.
---

# Word count

## Count the words

1. Load the file and set up the counter:

   ```python
   import collections
   text = open("notes.txt", encoding="utf-8").read()
   counts = collections.Counter(text.split())
   ```

2. Check the file is there:

   ```bash
   ls notes.txt
   ```

3. Write the report:

   ```python
   total = sum(counts.values())
   with open("report.txt", "w", encoding="utf-8") as out:
       out.write(f"{total} words, {len(counts)} distinct")
   result = total
   ```
'''




def test_a_skill_step_uses_a_variable_an_earlier_step_defined(tmp_path: Path) -> None:
    skill = tmp_path / "word-count"
    skill.mkdir()
    (skill / "SKILL.md").write_text(SKILL, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("to be or not to be", encoding="utf-8")
    r = run(skill, task="How many words has notes.txt?", options={"llm_backend": Plain(), "jit": False},
            runs_dir=tmp_path / "runs", workdir=work, allow_writes=True)
    assert r.status == "ok", r.error
    assert (work / "report.txt").read_text(encoding="utf-8") == "6 words, 4 distinct"


def test_sessions_off_each_op_runs_on_its_own(tmp_path: Path) -> None:
    """What the Ray engine asks for: no interpreter outlives one task there."""
    body = "\n".join([py("a", "data = 1; result = data", "p"),
                      py("b", "result = 'data' in globals()", "p", "%a", "!skc.json")])
    mod = wf(body + '\n  "ctrl.return"(%a, %b) : (!skc.json, !skc.json) -> ()')
    result = run_module(mod, tmp_path, options={"python_sessions": False})
    assert result.outputs == {"a": 1, "b": False}
