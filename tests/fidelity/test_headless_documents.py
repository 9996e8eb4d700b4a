"""A troubleshooting article without headings: its premise, its list of reasons, a table of
commands after the sentence that introduces it, and a note are read as the author meant."""

from __future__ import annotations

from pathlib import Path

from skc.compiler.frontend.markdown.document import parse_document
from skc.compiler.frontend.markdown.steps import extract_steps
from skc.compiler.frontend.runbook.tsg_md import compile_tsg

_ARTICLE = """# Pod is stuck in CrashLoopBackOff mode

If a pod has a `CrashLoopBackOff` status, then the pod probably failed or exited unexpectedly. Here are several
possible reasons why your pod is stuck in `CrashLoopBackOff` mode:

1. **Application failure**: The application inside the container crashes shortly after starting.
2. **Incorrect resource limits**: If the pod exceeds its CPU or memory resource limits, Kubernetes might kill it.
3. **Image pull issues**: If there's an issue with the image, the container might not start properly.

Consider the following options and their associated kubectl commands.

| Option | kubectl command |
|--|--|
| Debug the pod itself | `kubectl describe pod <pod-name>` |
| Examine the logs | `kubectl logs <pod-name>` |

> [!NOTE]
> A pod can also have a `CrashLoopBackOff` status if it has finished deployment. For example:
>
> ```console
> $ kubectl run busybox --image busybox
> pod/busybox created
> ```

If you don't recognize the issue after you create more pods on the node, then run a pod on a single node to
determine how many resources the pod actually uses.
"""


def _tree(tmp_path: Path, text: str) -> list[tuple[str, int, list[str]]]:
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    steps = extract_steps(parse_document(text, str(doc)), [])
    return [(s.label, len(s.snippets), [c.label for c in s.children]) for s in steps]


def test_the_premise_reasons_table_and_note_of_a_headless_article(tmp_path: Path) -> None:
    # the premise and its reasons are no step; the table's commands are the step its sentence introduces;
    # the note nests under that step; the last condition is step 2
    assert _tree(tmp_path, _ARTICLE) == [("1", 2, ["1.note1"]), ("2", 0, [])]
    doc = tmp_path / "rb.md"
    result = compile_tsg(doc)
    assert result.module is not None
    wf = result.module.workflows[0]
    assert wf.attr_strs("step_edges") == ["1 -> 2"]
    decides = [op for op in wf.walk() if op.op_name == "llm.decide"]
    assert [str(op.attributes["step"]) for op in decides] == ["2"]  # the premise judges nothing


def test_a_condition_that_acts_or_a_numbered_procedure_is_kept_as_written(tmp_path: Path) -> None:
    acting = "# Disk full\n\nIf the disk is full, delete the old logs with `rm -rf /var/log/old`.\n\nRun `df -h`.\n"
    assert _tree(tmp_path, acting)[0][0] == "1"
    assert len(_tree(tmp_path, acting)) == 2  # an instruction is no premise
    numbered = "# Steps\n\nIf the pod is pending, it waits for a node.\n\n1. Run `kubectl get pods`.\n2. Run `kubectl get nodes`.\n"
    assert [label for label, _, _ in _tree(tmp_path, numbered)][-2:] == ["1", "2"]  # the document's own numbers


def test_a_table_without_an_introducing_instruction_is_a_step_per_row(tmp_path: Path) -> None:
    text = ("# Commands\n\n## Useful commands\n\n| What | Command |\n|--|--|\n| Pods | `kubectl get pods` |\n"
            "| Nodes | `kubectl get nodes` |\n")
    assert [n for _, n, _ in _tree(tmp_path, text)] == [0]  # the section: its rows are two steps under it
    doc = tmp_path / "rb.md"
    result = compile_tsg(doc)
    assert result.module is not None
    labels = [str(op.attributes.get("step")) for op in result.module.workflows[0].walk() if op.op_name == "tool.shell"]
    assert labels == ["Useful commands.1", "Useful commands.2"]
