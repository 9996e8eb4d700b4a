"""Prompt rendering: compact operand values under a budget, and the base-model instruction layout."""

from __future__ import annotations

from skc.runtime.llm.prompt import plain_prompt, render_inputs, render_value, truncate


def test_text_is_truncated_with_a_marker_keeping_head_and_tail() -> None:
    text = "A" * 500 + "Z" * 500
    out = truncate(text, 200)
    assert len(out) < 260
    assert out.startswith("A")
    assert out.endswith("Z")
    assert "more chars]" in out
    assert truncate("short", 200) == "short"


def test_tables_render_as_tsv_and_count_the_rows_left_out() -> None:
    rows = [{"pod": f"api-{i}", "status": "Running", "restarts": i} for i in range(200)]
    out = render_value(rows, 300)
    lines = out.splitlines()
    assert lines[0] == "pod\tstatus\trestarts"
    assert lines[1] == "api-0\tRunning\t0"
    assert lines[-1].endswith("more rows)")
    assert len(out) < 400


def test_json_is_compact_and_scalars_are_plain() -> None:
    assert render_value({"a": [1, 2], "b": None}) == '{"a":[1,2],"b":null}'
    assert render_value(True) == "true"
    assert render_value(3.5) == "3.5"
    assert render_inputs([]) == ""
    assert render_inputs(["x"]) == "Input:\nx"
    assert render_inputs(["x", 2]) == "Input 1:\nx\n\nInput 2:\n2"


def test_plain_prompt_layout() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Read a.txt"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "Read", "arguments": '{"path": "a.txt"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "hello"},
    ]
    out = plain_prompt(messages, preamble="Tools: Read")
    assert out == ("Be brief.\n\nTools: Read\n\n### Instruction:\nRead a.txt\n\n### Response:\n"
                   '{"calls":[{"name":"Read","arguments":{"path":"a.txt"}}]}\n\n'
                   "### Tool result (Read):\nhello\n\n### Response:\n")
