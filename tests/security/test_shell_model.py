"""The shell model (tree-sitter-bash) and the Bash rules matched on it."""

from __future__ import annotations

import pytest

from skc.runtime.permission_requests import Request, parse_rules, shell_request
from skc.runtime.permissions import policy_for
from skc.stdlib.shell import Compound, Pipeline, Simple, Unknown, parse
from skc.stdlib.shell.effects import command_effects
from skc.stdlib.shell.query import hazards, render, simple_commands


def test_every_command_that_runs_is_found_also_inside_substitutions() -> None:
    text = 'git log "$(date)" `id` <(ls) ${X:-$(whoami)} | wc -l; if true; then uptime; fi'
    assert [c.program.value for c in simple_commands(text) if c.program] == \
        ["git", "date", "id", "ls", "whoami", "wc", "true", "uptime"]


def test_the_model_keeps_structure_words_and_redirections() -> None:
    [pipe] = parse("cat <<EOF | grep -c x > out 2>&1\nhello\nEOF").items
    assert isinstance(pipe, Pipeline)
    cat, grep = simple_commands(pipe)
    assert [r.kind for r in cat.redirects] == ["heredoc"]
    assert [(r.op, r.kind, r.to_file) for r in grep.redirects] == [(">", "file", True), (">&", "dup", False)]
    [loop] = parse("for i in a b; do echo $i; done").items
    assert isinstance(loop, Compound)
    assert loop.kind == "for"
    word = simple_commands("echo 'a b' \"c\"$HOME")[0].args
    assert [(w.value, w.literal) for w in word] == [("a b", True), (None, False)]


def test_what_bash_cannot_parse_is_an_unknown_node_with_its_location() -> None:
    script = parse('git log\ngit show "$(touch p)')
    unknown = [n for n in script.items if isinstance(n, Unknown)]
    assert unknown
    assert unknown[0].loc.line == 2
    assert "does not parse as bash" in str(hazards(script)[0])


def test_deep_nesting_is_unknown_not_a_recursion_error() -> None:
    deep = "echo " + "$(" * 400 + "x" + ")" * 400
    assert any(h.kind == "unknown" for h in hazards(deep))
    assert isinstance(parse("(" * 3000 + "x" + ")" * 3000), object)


def test_effects_count_every_command() -> None:
    assert command_effects("git log $(touch p)").writes
    assert command_effects("if touch p; then git log; fi").writes
    assert command_effects("diff <(rm -f x) y").writes
    assert not command_effects("kubectl get pods -o json | jq '.items[]' | wc -l").writes_anything


def test_dry_run_rendering_lists_nested_commands() -> None:
    assert render("git log $(touch p) && ls") == ["git log $(touch p)", "  touch p", "ls"]


@pytest.mark.parametrize(("rules", "command", "ok"), [
    (["Bash(git:*)"], "git log --oneline | head -5", False),
    (["Bash(git:*)", "Bash(head:*)"], "git log --oneline | head -5", True),
    (["Bash(git:*)"], "git log > /dev/null 2>&1", True),
    (["Bash(git:*)"], "/usr/bin/git status", True),
    (["Bash(git:*)"], "git status &", False),
    (["Bash(git log:*)"], "git log -p && git push", False),
    (["Bash(git log > out.txt)"], "git log > out.txt", True),  # an exact rule allows the whole line
    (["Bash(git:*)", "Write(out.txt)"], "git log > out.txt", True),  # a Write rule allows the redirection
    (["Bash"], "git log $(touch p) & x", True),
    (["Bash(git diff *)"], "git diff HEAD", True),
    (["Bash(git diff *)"], "git diff $(touch p)", False),
])
def test_bash_rules_on_command_lines(rules: list[str], command: str, ok: bool) -> None:
    assert (policy_for(rules).check(shell_request(command)) is None) is ok


def test_rules_parse_with_commas_or_spaces() -> None:
    assert [str(r) for r in parse_rules(["Read, Grep", "Bash(git log:*),WebFetch Bash(make test)"])] == \
        ["Read", "Grep", "Bash(git log:*)", "WebFetch", "Bash(make test)"]


@pytest.mark.parametrize("rule", ["Bash(scripts/hello.sh:*)", "Bash(bash scripts/hello.sh:*)",
                                  "Bash(./scripts/hello.sh:*)"])
def test_a_skill_script_matches_rules_written_either_way(rule: str) -> None:
    policy = policy_for([rule])
    assert policy.check(Request("Bash", ["bash", "scripts/hello.sh", "x"], script="scripts/hello.sh")) is None
    assert policy.check(Request("Bash", ["scripts/hello.sh"], script="scripts/hello.sh")) is None
    assert policy.check(Request("Bash", ["bash", "scripts/other.sh"], script="scripts/other.sh")) is not None


def test_a_denial_names_the_offending_part_and_suggests_its_rule() -> None:
    denial = policy_for(["Bash(git:*)"]).check(shell_request("git status | grep x"))
    assert denial is not None
    assert not isinstance(denial, bool)
    assert "`grep x` is not allowed" in denial.message
    assert "Bash(grep:*)" in denial.hint


def test_a_placeholder_in_the_program_is_decided_at_the_op() -> None:
    assert policy_for(["Bash(git:*)"]).check(shell_request("{0} log")) is False
    assert isinstance(parse("{0} log").items[0], Simple)


@pytest.mark.parametrize(("command", "writes"), [
    ("oc adm upgrade", False), ("oc adm upgrade status", False), ("oc adm upgrade --include-not-recommended", False),
    ("oc --kubeconfig /k adm upgrade", False), ("oc adm upgrade --to-latest", True), ("oc adm upgrade --to=4.15.3", True),
    ("oc adm upgrade channel stable-4.15", True), ("oc adm upgrade --clear", True), ("oc adm drain node-1", True)])
def test_oc_adm_upgrade_alone_is_a_status_read(command: str, writes: bool) -> None:
    assert command_effects(command).writes_anything is writes
