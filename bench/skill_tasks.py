"""The skill task suite: user tasks given to skills, each with a machine-checkable outcome.

Each `SkillTask` names a skill (an example skill of this repository, or a corpus
skill as `corpus:<path under shared/corpus/skills>`), the user's task, the files it
starts from (written by `setup` into an empty working directory; the ones it
returns are passed as `--file`) and `check(workdir, answer)`: a file with the asked
content, a script's output with the right values, or an answer holding the
required facts. `bench/skills.py` runs the suite with skc and with a raw-context
baseline; `tests/skill_tasks/test_task_suite.py` checks the suite itself.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SkillTask:
    """One task for one skill and how to tell it was done."""

    id: str
    skill: str
    task: str
    setup: Callable[[Path], list[str]]
    check: Callable[[Path, str], bool]
    outcome: str  # what `check` looks for, in words


def skill_dir(skill: str, corpus: Path) -> Path:
    """The folder of `skill` (`corpus:` skills under `corpus/skills`)."""
    if skill.startswith("corpus:"):
        return corpus / "skills" / skill.removeprefix("corpus:")
    return ROOT / skill


# ------------------------------------------------------------------ fixtures


def _csv(name: str, rows: list[list[object]]) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        with (d / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
        return []
    return make


def _with_file(make: Callable[[Path], list[str]], name: str) -> Callable[[Path], list[str]]:
    def setup(d: Path) -> list[str]:
        make(d)
        return [str(d / name)]
    return setup


def _nothing(d: Path) -> list[str]:
    return []


def _dirs(*names: str) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        for n in names:
            (d / n).mkdir()
        return []
    return make


def _xlsx(name: str, rows: list[list[object]]) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        from openpyxl import Workbook

        wb = Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(d / name)
        return []
    return make


def _docx(name: str, title: str, text: str) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        from docx import Document

        doc = Document()
        doc.add_heading(title, level=1)
        doc.add_paragraph(text)
        doc.save(str(d / name))
        return []
    return make


def _pdfs(**pages: int) -> Callable[[Path], list[str]]:
    """PDFs of blank pages; each file's pages have their own width (100 * file index + 100)."""
    def make(d: Path) -> list[str]:
        from pypdf import PdfWriter

        for i, (stem, n) in enumerate(pages.items()):
            w = PdfWriter()
            for _ in range(n):
                w.add_blank_page(width=100 * (i + 1) + 100, height=200)
            with (d / f"{stem}.pdf").open("wb") as f:
                w.write(f)
        return []
    return make


def _skill_folder(name: str) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        (d / name).mkdir()
        (d / name / "SKILL.md").write_text(f"---\nname: {name}\ndescription: A demo skill for packaging.\n---\n\n"
                                           "# Demo\n\nSay hello.\n", encoding="utf-8")
        return []
    return make


def _git_repo(*files: str, remote: str = "") -> Callable[[Path], list[str]]:
    """A git repository with `files` committed (and `remote` as origin when given)."""
    def make(d: Path) -> list[str]:
        import subprocess

        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin", "HOME": str(d)}
        for name in files:
            (d / name).parent.mkdir(parents=True, exist_ok=True)
            (d / name).write_text(f"{name}\n", encoding="utf-8")
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"],
                    *([["git", "remote", "add", "origin", remote]] if remote else [])):
            subprocess.run(cmd, cwd=d, env=env, check=True, capture_output=True)
        return []
    return make


# ------------------------------------------------------------------ checks


def _says(*facts: str) -> Callable[[Path, str], bool]:
    return lambda d, answer: all(f.lower() in answer.lower() for f in facts)


def _says_any(*facts: str) -> Callable[[Path, str], bool]:
    return lambda d, answer: any(f.lower() in answer.lower() for f in facts)


def _json_rows(name: str, n: int) -> Callable[[Path, str], bool]:
    def check(d: Path, answer: str) -> bool:
        try:
            return len(json.loads((d / name).read_text(encoding="utf-8"))) == n
        except (OSError, ValueError):
            return False
    return check


def _xlsx_cell(name: str, cell: str, value: object) -> Callable[[Path, str], bool]:
    def check(d: Path, answer: str) -> bool:
        from openpyxl import load_workbook

        try:
            return load_workbook(d / name).active[cell].value == value
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return False
    return check


def _docx_has(name: str, *texts: str) -> Callable[[Path, str], bool]:
    def check(d: Path, answer: str) -> bool:
        from docx import Document

        try:
            body = "\n".join(p.text for p in Document(str(d / name)).paragraphs)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return False
        return all(t in body for t in texts)
    return check


def _pdf_pages(name: str, n: int, first_width: int) -> Callable[[Path, str], bool]:
    def check(d: Path, answer: str) -> bool:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            pages = PdfReader(d / name).pages
            return len(pages) == n and round(float(pages[0].mediabox.width)) == first_width
        except (OSError, PyPdfError, ValueError):
            return False
    return check


def _new_skill(folder: str, name: str) -> Callable[[Path, str], bool]:
    def check(d: Path, answer: str) -> bool:
        md = d / folder / name / "SKILL.md"
        return md.is_file() and f"name: {name}" in md.read_text(encoding="utf-8")
    return check


def _packaged(name: str) -> Callable[[Path, str], bool]:
    def check(d: Path, answer: str) -> bool:
        for z in [d / f"{name}.skill", *d.glob(f"**/{name}.skill")]:
            if z.is_file() and zipfile.is_zipfile(z):
                return any(n.endswith("SKILL.md") for n in zipfile.ZipFile(z).namelist())
        return False
    return check


SALES: list[list[object]] = [["region", "amount"], ["eu", 10], ["us", 32.5], ["asia", 9.5]]

TASKS: list[SkillTask] = [
    # csv-report (example skill: scripts/csv_stats.py, scripts/csv_to_json.py)
    SkillTask("csv-total", "examples/skills/csv-report", "What is the total of the amount column in sales.csv?",
              _csv("sales.csv", SALES), _says("sum: 52"), "answer has sum 52"),
    SkillTask("csv-max", "examples/skills/csv-report", "What is the largest value in the price column of items.csv?",
              _csv("items.csv", [["item", "price"], ["pen", 1.5], ["book", 19.99], ["ink", 4]]), _says("max: 19.99"),
              "answer has max 19.99"),
    SkillTask("csv-json", "examples/skills/csv-report", "Convert orders.csv to JSON",
              _csv("orders.csv", [["id", "item"], [1, "pen"], [2, "ink"]]), _json_rows("orders.json", 2),
              "orders.json with 2 rows"),
    SkillTask("csv-mean-file", "examples/skills/csv-report", "Give me the mean of the score column",
              _with_file(_csv("scores.csv", [["name", "score"], ["a", 70], ["b", 90]]), "scores.csv"),
              _says("mean: 80"), "answer has mean 80 (file given with --file)"),
    # xlsx-tools (example skill, openpyxl)
    SkillTask("xlsx-convert", "examples/skills/xlsx-tools", "Convert sales.csv to an Excel spreadsheet sales.xlsx",
              _csv("sales.csv", SALES), _xlsx_cell("sales.xlsx", "B3", 32.5), "sales.xlsx with B3 = 32.5"),
    SkillTask("xlsx-cell", "examples/skills/xlsx-tools", "What is in cell B2 of report.xlsx?",
              _xlsx("report.xlsx", [["k", "v"], ["answer", 42]]), _says("B2: 42"), "answer has B2: 42"),
    SkillTask("xlsx-derived-name", "examples/skills/xlsx-tools", "Convert inventory.csv to Excel",
              _csv("inventory.csv", [["sku", "qty"], ["a1", 5]]), _xlsx_cell("inventory.xlsx", "B2", 5),
              "inventory.xlsx with B2 = 5"),
    # docx-tools (example skill, python-docx)
    SkillTask("docx-create", "examples/skills/docx-tools",
              'Create a Word document titled "Release notes" with the text "Version 2.5 is out", saved as notes.docx',
              _nothing, _docx_has("notes.docx", "Release notes", "Version 2.5 is out"), "notes.docx with both texts"),
    SkillTask("docx-read", "examples/skills/docx-tools", "What does memo.docx say?",
              _docx("memo.docx", "Memo", "The office is closed on Friday."), _says("closed on Friday"),
              "answer has the memo's sentence"),
    SkillTask("docx-minutes", "examples/skills/docx-tools",
              'Create a Word document titled "Minutes" with the text "Budget approved" saved as minutes.docx',
              _nothing, _docx_has("minutes.docx", "Minutes", "Budget approved"), "minutes.docx with both texts"),
    # pdf-tools (example skill, pypdf)
    SkillTask("pdf-merge", "examples/skills/pdf-tools", "Merge a.pdf and b.pdf into combined.pdf",
              _pdfs(a=1, b=2), _pdf_pages("combined.pdf", 3, 200), "combined.pdf: 3 pages, a.pdf first"),
    SkillTask("pdf-pages", "examples/skills/pdf-tools", "How many pages does report.pdf have?",
              _pdfs(report=5), _says("pages: 5"), "answer has 5 pages"),
    SkillTask("pdf-merge-order", "examples/skills/pdf-tools", "Merge part2.pdf and part1.pdf into book.pdf",
              _pdfs(part1=1, part2=3), _pdf_pages("book.pdf", 4, 300), "book.pdf: 4 pages, part2.pdf first"),
    # openai/skill-creator (corpus: scripts/init_skill.py, scripts/package_skill.py)
    SkillTask("skill-init", "corpus:openai/skill-creator", "Create a new skill called data-cleaner in skills",
              _dirs("skills"), _new_skill("skills", "data-cleaner"),
              "skills/data-cleaner/SKILL.md"),
    SkillTask("skill-init-path", "corpus:openai/skill-creator", "Initialize a skill named pdf-helper with path out",
              _dirs("out"), _new_skill("out", "pdf-helper"), "out/pdf-helper/SKILL.md"),
    SkillTask("skill-package", "corpus:openai/skill-creator", "Package the skill folder my-skill",
              _skill_folder("my-skill"), _packaged("my-skill"), "my-skill.skill zip holding SKILL.md"),
    # let-fate-decide (corpus: scripts/draw_cards.py)
    SkillTask("fate-draw", "corpus:trailofbits/plugins/let-fate-decide/skills/let-fate-decide",
              "let fate decide: draw the cards", _nothing, _says("12 Houses of the Zodiac"), "the spread was drawn"),
    SkillTask("fate-yolo", "corpus:trailofbits/plugins/let-fate-decide/skills/let-fate-decide",
              "whatever, YOLO, draw the tarot spread for me", _nothing, _says("Major Arcana"), "the spread was drawn"),
    # answers from the skill's own knowledge (corpus skills without scripts)
    SkillTask("webapp-helper", "corpus:anthropics/webapp-testing",
              "Which helper script manages the server lifecycle?", _nothing, _says("with_server.py"),
              "answer names with_server.py"),
    SkillTask("webapp-headless", "corpus:anthropics/webapp-testing",
              "Should chromium be launched headless or headed?", _nothing, _says("headless"), "answer says headless"),
    SkillTask("tdd-law", "corpus:superpowers/test-driven-development", "What is the iron law of TDD?",
              _nothing, _says("failing test"), "answer has 'failing test'"),
    SkillTask("verify-law", "corpus:superpowers/verification-before-completion",
              "What is the iron law before claiming work is complete?", _nothing, _says("verification"),
              "answer has 'verification'"),
    SkillTask("debug-phase", "corpus:superpowers/systematic-debugging",
              "What is phase 1 of systematic debugging?", _nothing, _says("root cause"), "answer has 'root cause'"),
    # more of the same skills with other words
    SkillTask("csv-min-file", "examples/skills/csv-report", "Smallest amount?",
              _with_file(_csv("sales.csv", SALES), "sales.csv"), _says("min: 9.5"), "answer has min 9.5"),
    SkillTask("pdf-pages-file", "examples/skills/pdf-tools", "Count the pages of this PDF",
              _with_file(_pdfs(slides=7), "slides.pdf"), _says("pages: 7"), "answer has 7 pages"),
    SkillTask("xlsx-cell-a1", "examples/skills/xlsx-tools", "Read cell A2 of data.xlsx",
              _xlsx("data.xlsx", [["name"], ["ada"]]), _says("A2: ada"), "answer has A2: ada"),
    SkillTask("docx-read-file", "examples/skills/docx-tools", "Summarise this document",
              _with_file(_docx("plan.docx", "Plan", "Ship version 3 in May."), "plan.docx"), _says("version 3"),
              "answer has the plan's sentence"),
    # trailofbits/open-sourcing (corpus: scripts/detect_org.sh, scripts/check_readiness.sh on a git repository)
    SkillTask("oss-readiness", "corpus:trailofbits/plugins/open-sourcing/skills/open-sourcing",
              "Run the readiness check on this repository", _git_repo("README.md", "tests/test_a.py"),
              _says("[x] README", "[ ] LICENSE", "[x] Tests"), "the script's checklist: README and tests, no LICENSE"),
    SkillTask("oss-org", "corpus:trailofbits/plugins/open-sourcing/skills/open-sourcing",
              "Detect the organization profile of this repository",
              _git_repo("README.md", remote="https://github.com/trailofbits/demo.git"), _says("trailofbits"),
              "the script's profile: trailofbits"),
    # anthropics/skill-creator (corpus: python -m scripts.package_skill, a package of scripts)
    SkillTask("skill-package-anthropic", "corpus:anthropics/skill-creator", "Package the skill in the folder report-kit",
              _skill_folder("report-kit"), _packaged("report-kit"), "report-kit.skill zip holding SKILL.md"),
    # knowledge of corpus skills without a script for the question
    SkillTask("goal-limit", "corpus:trailofbits/plugins/goal-prompt/skills/goal-prompt",
              "How many characters may a /goal command have at most?", _nothing, _says_any("4,000", "4000"),
              "answer has 4,000"),
    SkillTask("mcp-transport", "corpus:anthropics/mcp-builder", "Which transport should a remote MCP server use?",
              _nothing, _says("streamable HTTP"), "answer says streamable HTTP"),
    SkillTask("mcp-language", "corpus:anthropics/mcp-builder", "Which language is recommended for an MCP server?",
              _nothing, _says("TypeScript"), "answer says TypeScript"),
    SkillTask("brainstorm-gate", "corpus:superpowers/brainstorming",
              "What must happen before any implementation action?", _nothing, _says_any("approved", "approval"),
              "answer says the design must be approved"),
]
