"""Attack commands for `Bash(git:*)`: each creates the file `p` in the working directory when
bash runs it (the tests check that first), and each must be refused, naming `part`.

`./x/git` is a file the tests create: a script named `git` that is not the git on PATH.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    """One attack: the command line and the words the refusal must name."""

    name: str
    command: str
    part: str
    inner: str = "touch p"  # what the markdown front ends' refusal may name instead (their own split)
    variable: bool = False  # markdown reads `${X:-…}` as a document variable: the default never runs


ATTACKS = [
    # command, process, arithmetic and parameter substitutions
    Attack("dollar-paren", "git log $(touch p)", "command substitution `$(touch p)`"),
    Attack("backticks", "git log `touch p`", "command substitution ``touch p``"),
    Attack("quoted-dollar-paren", 'git log "$(touch p)"', "command substitution `$(touch p)`"),
    Attack("quoted-backticks", 'git log "`touch p`"', "command substitution ``touch p``"),
    Attack("arithmetic", "git log $(($(touch p)))", "arithmetic expansion `$(($(touch p)))`"),
    Attack("arithmetic-unparsed", "git log $((1$(touch p)))", "does not parse as bash"),
    Attack("old-arithmetic", "git log $[$(touch p)]", "arithmetic expansion `$[$(touch p)]`"),
    Attack("arithmetic-subscript", "git log $((x[$(touch p)]))", "arithmetic expansion"),
    Attack("default-value", "git log ${X:-$(touch p)}", "command substitution `$(touch p)`", variable=True),
    Attack("assign-default", 'git log "${X:=$(touch p)}"', "command substitution `$(touch p)`", variable=True),
    Attack("array-subscript", "git log ${X[$(touch p)]}", "command substitution `$(touch p)`"),
    Attack("nested", "git log $(echo $(touch p))", "command substitution `$(echo $(touch p))`"),
    Attack("process-in", "git diff --no-index <(touch p) /dev/null", "process substitution `<(touch p)`"),
    Attack("process-out", "git --version > >(touch p)", "process substitution `>(touch p)`"),
    Attack("process-arg", "git log >(touch p)", "process substitution `>(touch p)`"),
    Attack("herestring", 'git log <<< "$(touch p)"', "command substitution `$(touch p)`"),
    Attack("heredoc", "git log <<EOF\n$(touch p)\nEOF", "command substitution `$(touch p)`"),
    # redirections to files
    Attack("redirect", "git --version > p", "redirection `>p` to a file"),
    Attack("append", "git --version >> p", "redirection `>>p` to a file"),
    Attack("both", "git --version &> p", "redirection `&>p` to a file"),
    Attack("both-append", "git --version &>> p", "redirection `&>>p` to a file"),
    Attack("stderr", "git --version 2> p", "redirection `2>p` to a file"),
    Attack("clobber", "git --version >| p", "redirection `>|p` to a file"),
    Attack("fd1", "git --version 1> p", "redirection `1>p` to a file"),
    Attack("dup-then-file", "git --version 2>&1 > p", "redirection `>p` to a file"),
    Attack("prefix-redirect", "> p git --version", "redirection `>p` to a file"),
    # lists, pipelines, background jobs
    Attack("background", "git --version & touch p", "background job `git --version &`"),
    Attack("semicolon", "git --version; touch p", "`touch p` is not allowed"),
    Attack("and", "git --version && touch p", "`touch p` is not allowed"),
    Attack("or", "git log || touch p", "`touch p` is not allowed"),
    Attack("pipe", "git --version | touch p", "`touch p` is not allowed"),
    Attack("pipe-stderr", "git --version |& touch p", "`touch p` is not allowed"),
    Attack("newline", "git --version\ntouch p", "touch p"),
    Attack("comment-hides", "git --version # harmless\ntouch p", "touch p"),
    # compound commands and functions
    Attack("if", "if touch p; then git log; fi", "`if` statement"),
    Attack("for", "for i in 1; do touch p; done", "`for` loop"),
    Attack("while", "while touch p; do break; done", "`while` loop"),
    Attack("case", "case $(touch p) in *) git log;; esac", "`case` statement"),
    Attack("subshell", "(touch p)", "subshell"),
    Attack("group", "{ touch p; }", "command group"),
    Attack("function", "f() { touch p; }; f", "function definition"),
    Attack("negation", "! touch p", "negation"),
    Attack("test", "[[ $(touch p) ]]", "`[[ ]]` test"),
    # other programs that are not git
    Attack("fake-git", "./x/git log", "`./x/git log` is not allowed", "x/git"),
    Attack("fake-git-relative", "x/git log", "`x/git log` is not allowed", "x/git"),
    Attack("expanded-program", '"$PWD"/x/git log', "program name `\"$PWD\"/x/git` that expands", "x/git"),
    Attack("program-substitution", "$(echo touch) p", "program name `$(echo touch)` that expands"),
    Attack("path-prefix", "PATH=./x:$PATH git log", "variable assignment `PATH=./x:$PATH`", "PATH=./x:$PATH"),
    Attack("assign-substitution", "X=$(touch p) git log", "variable assignment"),
    Attack("export", "export A=$(touch p)", "command substitution `$(touch p)`"),
    Attack("eval", "eval 'touch p'", "`eval 'touch p'` is not allowed"),
    Attack("exec", "exec touch p", "`exec touch p` is not allowed"),
    Attack("env", "env touch p", "`env touch p` is not allowed"),
    Attack("command", "command touch p", "`command touch p` is not allowed"),
    Attack("bash-c", "bash -c 'touch p'", "`bash -c 'touch p'` is not allowed"),
    Attack("xargs", "git --version | xargs touch p", "`xargs touch p` is not allowed"),
]
