"""The compiled router: deterministic ranking with reasons, file evidence, several skills, close calls."""

from __future__ import annotations

from pathlib import Path

from skc.compiler.library import Router, read_card
from skc.compiler.library.load import load_library
from skc.compiler.library.text import terms
from skc.runtime.library import ask_model, route
from tests.library.conftest import write_skill


def test_ranks_by_the_task_words_and_says_which(small_library: Path) -> None:
    ranking = route(small_library, "write the changelog for version 2.5")
    assert ranking.selected == [".claude/skills/release-notes"]
    words = dict(ranking.candidates[0].words)
    assert "changelog" in words
    assert words["changelog"] > 0
    assert "changelog" in ranking.candidates[0].reasons()


def test_a_file_alone_is_evidence(small_library: Path) -> None:
    ranking = route(small_library, "", files=["exports/q3 sales.csv"])
    assert ranking.selected[0] == "plugins/data/skills/csv-summary"
    assert ranking.candidates[0].files
    assert ranking.candidates[0].files[0][0] == "csv"


def test_same_task_same_ranking(small_library: Path) -> None:
    lib = load_library(small_library)
    a = lib.router.route("greet the new person", ["notes.csv"]).to_json()
    b = Router(lib.cards).route("greet the new person", ["notes.csv"]).to_json()
    assert a == b


def test_no_evidence_selects_nothing(small_library: Path) -> None:
    ranking = route(small_library, "zzzz qqqq")
    assert ranking.candidates == []
    assert ranking.selected == []


def test_a_task_needing_two_skills_selects_both(small_library: Path) -> None:
    ranking = route(small_library, "summarize the csv export and write release notes from it")
    assert set(ranking.selected) == {"plugins/data/skills/csv-summary", ".claude/skills/release-notes"}


def test_when_not_to_use_is_not_evidence_for_the_skill(tmp_path: Path) -> None:
    folder = write_skill(tmp_path / "x", "x", "Deploy services to Kubernetes.",
                         "# X\n\n## When NOT to use\nFor spreadsheets and invoices.\n\n## When to use\nRolling out.\n")
    card = read_card(folder, tmp_path)
    assert "spreadsheet" not in " ".join(card.fields["when"])
    assert "roll" in " ".join(card.fields["when"])


def test_stemming_meets_word_forms() -> None:
    assert terms("fuzzing fuzzer fuzz")[0] == terms("fuzzer")[0] == terms("fuzz")[0]
    assert terms("Anthropic's C++ code") == ["anthropic", "cpp", "code"]


class ChoosingBackend:
    """A backend that records what it was offered and picks the last choice."""

    def __init__(self) -> None:
        self.offered: list[str] = []
        self.prompt = ""

    def complete(self, messages, *, choices=None, **_kw):  # type: ignore[no-untyped-def]
        from skc.runtime.llm.base import Completion

        self.offered = list(choices or [])
        self.prompt = messages[-1]["content"]
        return Completion(self.offered[-1], 10, 1, 0.0)


def test_model_chooses_only_among_close_candidates(tmp_path: Path) -> None:
    for name in ("ruby-fuzzing", "python-fuzzing"):
        write_skill(tmp_path / name, name, f"Fuzz {name.split('-')[0]} code with a coverage-guided fuzzer.", "")
    write_skill(tmp_path / "greeter", "greeter", "Greet a new teammate.", "")
    lib = load_library(tmp_path)
    ranking = lib.router.route("set up a coverage-guided fuzzer")
    assert ranking.close
    backend = ChoosingBackend()
    chosen = ask_model(lib, ranking, backend)
    assert sorted(backend.offered) == ["python-fuzzing", "ruby-fuzzing"]  # never the unrelated skill
    assert "greeter" not in backend.prompt
    assert chosen.decided_by == "model"
    assert chosen.selected[0] == backend.offered[-1]
