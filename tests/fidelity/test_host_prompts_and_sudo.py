"""Gitlab runbooks' shell idioms. Two ways commands were read as output: a prompt that names the
host (`patroni-01-db-gstg $ sudo gitlab-patronictl list`, `console-01.c.internal:~$ ps aux`,
`chef-repo $ knife ssh ...`), and an unlabelled block whose first line is `sudo` running a
program skc does not know by name (`sudo sv start gitlab-monitor`). And the shells people open
to type commands into: `sudo su - USER`, `sudo -i` (sessions, nested in `ssh`, left by `exit`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fidelity.cases import CORPUS
from skc.compiler.driver import compile_path
from skc.compiler.frontend.common.shell_text import PROMPT
from skc.compiler.frontend.markdown.blocks import read_block
from skc.compiler.frontend.markdown.document import Block

GITLAB = CORPUS / "runbooks" / "gitlab"
needs_corpus = pytest.mark.skipif(not GITLAB.is_dir(), reason=f"the shared corpus is not at {CORPUS}")


@pytest.mark.parametrize(("line", "prompt"), [
    ("patroni-01-db-gstg $ sudo gitlab-patronictl list", "patroni-01-db-gstg $ "),
    ("console-01-sv-gstg.c.gitlab-staging-1.internal:~$ ps aux", "console-01-sv-gstg.c.gitlab-staging-1.internal:~$ "),
    ("chef-repo $ knife ssh roles:db 'sudo systemctl stop patroni'", "chef-repo $ "),
    ("$ ls", "$ "),
    ("git@host:~/src$ make", "git@host:~/src$ "),
    ("total $ 5", None),  # a word with no dot or hyphen is not a host name
    ("a-b $5", None),  # `$5` is not a prompt
    ("x-y % z", None),  # a host name only before `$`
])
def test_a_host_name_before_dollar_is_a_prompt(line: str, prompt: str | None) -> None:
    m = PROMPT.match(line)
    assert (m.group(0) if m else None) == prompt


@pytest.mark.parametrize(("lang", "code", "commands"), [
    ("bash", "patroni-01-db-gstg $ sudo gitlab-patronictl list\n+ Cluster: pg11 ----+\n",
     ["sudo gitlab-patronictl list"]),
    ("", "prometheus-01.c.gitlab-production.internal:~$ sudo grep -A 5 web /opt/prometheus/prometheus.yml\n",
     ["sudo grep -A 5 web /opt/prometheus/prometheus.yml"]),
    ("", "sudo sv start gitlab-monitor\n", ["sudo sv start gitlab-monitor"]),
    ("", "sudo supervisorctl status\n", ["sudo supervisorctl status"]),
    ("", "sudo: unable to resolve host db-01\n", []),  # sudo's own message: output
    ("", "Cluster: pg11 (6823467) -----+\n| patroni-01 | leader |\n", []),
])
def test_host_prompts_and_sudo_lines_run(lang: str, code: str, commands: list[str]) -> None:
    reading = read_block(Block("code", 3, 1, lang=lang, code=code), "t.md")
    assert [s.text for s in reading.snippets] == commands


def _shell_ops(path: Path) -> list[tuple[str, list[str]]]:
    """(the text of each tool.shell op, the names of the ops that enclose it)."""
    result = compile_path(path)
    assert result.module is not None
    out = []

    def walk(op, enclosing: list[str]) -> None:  # type: ignore[no-untyped-def]
        if op.op_name == "tool.shell":
            argv = op.attributes.get("argv")
            out.append((" ".join(argv) if isinstance(argv, list) else str(op.attributes.get("cmd")), enclosing))
        for region in op.regions:
            for block in region.blocks:
                for inner in block.ops:
                    walk(inner, [*enclosing, op.op_name])

    for wf in result.module.workflows:
        for op in wf.body.ops:
            walk(op, [])
    return out


@needs_corpus
def test_corpus_if_not_run_owns_its_sudo_command() -> None:
    """sidekiq_stats_no_longer_showing.md: "if not, run:" + `sudo sv start gitlab-monitor` was a
    condition with nothing under it (SKC156) and the command was lost with it."""
    ops = _shell_ops(GITLAB / "sidekiq" / "sidekiq_stats_no_longer_showing.md")
    start = [enclosing for text, enclosing in ops if text == "sudo sv start gitlab-monitor"]
    assert start
    assert "ctrl.if" in start[0]


@needs_corpus
def test_corpus_host_prompts_do_not_run_the_host_name() -> None:
    """patroni-management.md: before, `patroni-01-db-gstg $ gitlab-patronictl list` in a bash
    block ran the host name as a program, and the unlabelled ones were output."""
    texts = [text for text, _ in _shell_ops(GITLAB / "patroni" / "patroni-management.md")]
    assert not [t for t in texts if t.startswith(("patroni-01", "chef-repo"))]
    assert "sudo gitlab-patronictl pause --wait pg11-ha-cluster" in texts
    assert any(t.startswith("knife ssh roles:gstg-base-db-patroni") for t in texts)


def _plan(*lines: str) -> list[tuple[str, str]]:
    from skc.compiler.frontend.markdown.blocks import Snippet
    from skc.compiler.frontend.markdown.interactive import plan
    from skc.ir.location import Location

    planned, _ = plan([Snippet("shell", t, Location("t", i + 1, 1), block=1) for i, t in enumerate(lines)])
    return [(p.snippet.text, p.manual) for p in planned]


@pytest.mark.parametrize(("lines", "planned"), [
    (("sudo su - gitlab-psql", "/usr/local/bin/gcs-snapshot.sh"),  # gcs-snapshots.md
     [("sudo -u gitlab-psql -i -- /usr/local/bin/gcs-snapshot.sh", "")]),
    (("sudo -i", "docker stop app"), [("sudo -i -- docker stop app", "")]),  # discourse-forum.md
    (("sudo su", "systemctl start patroni"), [("sudo -- systemctl start patroni", "")]),
    (("sudo su gitlab-customers -s /bin/bash", "cd ~/app && ./bin/rails x"),  # customers/disk-space.md
     [('sudo -u gitlab-customers -- sh -c "cd ~/app && ./bin/rails x"', "")]),
    (("sudo su - packagecloud", "bash", "ls /opt"), [("sudo -u packagecloud -i -- ls /opt", "")]),  # a shell in it
    (("sudo su - postgres -c psql",), [("sudo su - postgres -c psql", "")]),  # -c: one command, no session
    (("sudo -u git ls",), [("sudo -u git ls", "")]),
])
def test_a_shell_as_another_user_is_a_session(lines: tuple[str, ...], planned: list[tuple[str, str]]) -> None:
    assert _plan(*lines) == planned


def test_sessions_nest_and_exit_leaves_them() -> None:
    assert _plan("ssh db-01", "sudo su -", "ls /root", "exit", "uptime", "exit", "ls")[1:] == [
        ("ssh db-01 -- sudo -i -- ls /root", ""), ("ssh db-01 -- uptime", ""), ("ls", "")]
    assert _plan("oc rsh etcd-0", "etcdctl endpoint health", "exit", "ls -la") == [
        ("oc exec etcd-0 -- etcdctl endpoint health", ""), ("ls -la", "")]
    # a workstation client ends the session it was typed after (geo-patroni-cluster.md: knife after ssh)
    assert _plan("ssh db-01", "uptime", "knife ssh roles:db 'sudo systemctl stop patroni'")[-1] == (
        "knife ssh roles:db 'sudo systemctl stop patroni'", "")
    assert _plan("sudo su - gitlab-psql")[0][1].startswith("opens an interactive shell")  # nothing typed into it


@pytest.mark.parametrize(("lang", "code", "commands"), [
    # yubikey.md: a gpg transcript behind `> ` prompts; before, every output line was a command
    ("bash", "> gpg --import key.asc\ngpg: key FAEFD83E: public key imported\ngpg: Total number processed: 1\n",
     ["gpg --import key.asc"]),
    # gitlab-pages.md: curl -v's own lines pasted under the command
    ("sh", "curl -I -v https://127.0.0.1:1443\n* Rebuilt URL to: https://127.0.0.1:1443/\n*   Trying ::1...\n"
           "> HEAD / HTTP/1.1\n> Host: pages.gitlab.io\n>\n< HTTP/1.1 200 OK\n< Content-Type: text/html\n",
     ["curl -I -v https://127.0.0.1:1443"]),
    # redis.md: a redis console's `> ` prompt and numbered replies are not shell
    ("shell", "> slowlog get 10\n1) 1) (integer) 5100\n   2) (integer) 1561019091\n> role\n", []),
    # log_analysis.md, pg-ha.md, check_wraparound.md: log lines, psql footers, usage text
    ("bash", "* WARNINGS\nWARNING: Postgresql is not running.->1782\n(2 rows)\nmode: -m check/generate\n...\n", []),
    # create-failure.md, provisioning_bench_env.md: `ls -l` output; troubleshoot-localdns.md: dig's and syslog's
    ("shell", "sudo ls -lah /root/.docker/machine/certs/\ntotal 24K\ndrwx------ 2 root root 4.0K May 20 07:31 .\n"
              "-rw-r--r-- 1 root root 1.1K May 20 07:31 ca.pem\n", ["sudo ls -lah /root/.docker/machine/certs/"]),
    ("bash", "kubectl exec dnsutils -- dig bing.com\n\n; <<>> DiG 9.16.27 <<>> bing.com\n;; global options: +cmd\n"
             "Jul 03 16:57:42 aks-userpool-1 localdns-coredns[2491520]: [INFO] 10.0.0.1\nEnter password:\n",
     ["kubectl exec dnsutils -- dig bing.com"]),
    # troubleshoot-localdns.md: an instruction in angle brackets is not a command whose program is an input
    ("bash", "<Save the changes>\n\n<Restart localdns service>\nsystemctl restart localdns\n",
     ["systemctl restart localdns"]),
    # a line that starts with its redirection is still a command
    ("bash", "< files_to_remove.txt xargs du -ch | tail -n1\n> /var/log/app.log\n> p git --version\n",
     ["< files_to_remove.txt xargs du -ch | tail -n1", "> /var/log/app.log", "> p git --version"]),
])
def test_pasted_output_in_a_shell_block_is_not_run(lang: str, code: str, commands: list[str]) -> None:
    reading = read_block(Block("code", 3, 1, lang=lang, code=code), "t.md")
    assert [s.text for s in reading.snippets] == commands


def test_gpg_menus_are_manual() -> None:
    assert _plan("gpg --edit-key FAEFD83E")[0][1].startswith("opens gpg's interactive menu")
    assert _plan("gpg --expert --full-generate-key")[0][1].startswith("opens gpg's interactive menu")
    # a command after the menu in the same block is not typed into it (yubikey.md step 5)
    assert _plan("gpg --edit-key FAEFD83E", "gpg --list-secret-keys") == [
        ("gpg --edit-key FAEFD83E", "opens gpg's interactive menu (what is typed at `gpg>` is done by hand)"),
        ("gpg --list-secret-keys", "")]
    assert _plan("gpg --batch --gen-key params.txt") == [("gpg --batch --gen-key params.txt", "")]
    assert _plan("gpg --import key.asc") == [("gpg --import key.asc", "")]


def test_a_shell_block_that_starts_at_a_psql_prompt_is_sql() -> None:
    """pg-ha.md: ```shell + `pgbouncer=# show databases;` (before: a shell command `show databases;`)."""
    reading = read_block(Block("code", 3, 1, lang="shell", code="pgbouncer=# show databases;\n name | host\n"), "t.md")
    assert [s.kind for s in reading.snippets] == ["sql"]
    shell = read_block(Block("code", 3, 1, lang="bash", code="psql -c 'select 1'\ndb=# select 2;\n"), "t.md")
    assert [s.kind for s in shell.snippets][:1] == ["shell"]  # a shell block that starts with a command stays shell


def test_root_prompt_after_sudo_su_runs_a_program_by_its_path() -> None:
    """ci_runner_manager_errors.md: `$ sudo su` + `# /root/machines_operations.sh list` (a root
    prompt, not a comment: before, the script was sample output and `sudo su` a step of its own)."""
    reading = read_block(Block("code", 3, 1, lang="bash", code="$ sudo su\n# /root/machines_operations.sh list\n"
                                                                 "# see the list above\n"), "t.md")
    assert [s.text for s in reading.snippets] == ["sudo su", "/root/machines_operations.sh list"]
    planned = _plan(*(s.text for s in reading.snippets))
    assert planned == [("sudo -- /root/machines_operations.sh list", "")]


def test_a_shell_as_another_user_ends_with_its_block() -> None:
    """postgresql-backups-wale-walg.md: `sudo su - gitlab-psql` + the backup script in one block;
    the checks in later blocks (`df -hT`, `sudo journalctl`) run as the caller, not as gitlab-psql.
    aptly.md: a block split into steps by its comments stays one session."""
    from skc.compiler.frontend.markdown.blocks import Snippet
    from skc.compiler.frontend.markdown.interactive import plan
    from skc.ir.location import Location

    def snip(text: str, block: int) -> Snippet:
        return Snippet("shell", text, Location("t", block, 1), block=block)

    first, session = plan([snip("sudo su - gitlab-psql", 10), snip("/opt/wal-g/bin/backup.sh", 10)], unit="u")
    assert [p.snippet.text for p in first] == ["sudo -u gitlab-psql -i -- /opt/wal-g/bin/backup.sh"]
    same, session = plan([snip("aptly mirror list", 10)], session, unit="u")  # same block, next step
    assert [p.snippet.text for p in same] == ["sudo -u gitlab-psql -i -- aptly mirror list"]
    later, _ = plan([snip("df -hT", 20)], session, unit="u")
    assert [p.snippet.text for p in later] == ["df -hT"]
    # under ssh, the user shell ends with its block and the ssh session goes on
    _, outer = plan([snip("ssh db-01", 30), snip("sudo su -", 31), snip("ls /root", 31)], unit="v")
    after, _ = plan([snip("uptime", 32)], outer, unit="v")
    assert [p.snippet.text for p in after] == ["ssh db-01 -- uptime"]


@pytest.mark.parametrize("line", ["+---------------+---------+", "------------------------------",
                                  "0 0/2 * * * /bin/systemctl stop patroni", "*/5 * * * * /usr/bin/x"])
def test_table_borders_and_crontab_lines_are_output(line: str) -> None:
    """geo-patroni-cluster.md: `crontab -l`'s lines and patronictl's table border ran as commands."""
    from skc.compiler.frontend.markdown.blocks import looks_like_output

    assert looks_like_output(line)
