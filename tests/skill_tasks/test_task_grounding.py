"""Deterministic first: parameters and procedures the task states outright need no model."""

from __future__ import annotations

import pytest

from skc.stdlib.skill_task import answer_from_task, ground_answer, merge, prefill, route

CSV = {"properties": {"csv_file": {"type": "string"}, "column": {"type": "string"}}}


@pytest.mark.parametrize(("task", "files", "schema", "values", "missing"), [
    ("What is the total of the amount column in sales.csv?", "", CSV,
     {"csv_file": "sales.csv", "column": "amount"}, ""),
    ("What is the total of the amount column?", "/data/s.csv", CSV, {"csv_file": "/data/s.csv", "column": "amount"}, ""),
    ("Sum --column price of a.csv", "", CSV, {"csv_file": "a.csv", "column": "price"}, ""),
    ("Convert orders.csv to JSON", "", {"properties": {"csv_file": {}, "json_file": {}}},
     {"csv_file": "orders.csv", "json_file": "orders.json"}, ""),
    ("Create a new skill called data-cleaner in /tmp/skills", "",
     {"properties": {"skill_name": {}, "path": {"description": "Output directory"}}},
     {"skill_name": "data-cleaner", "path": "/tmp/skills"}, ""),
    ("Merge a.pdf and b.pdf into out.pdf", "",
     {"properties": {"output": {}, "first_pdf": {}, "second_pdf": {}}},
     {"output": "out.pdf", "first_pdf": "a.pdf", "second_pdf": "b.pdf"}, ""),
    ("Draw 3 cards", "", {"properties": {"count": {"type": "integer"}}}, {"count": 3}, ""),
    ("Summarise it", "", CSV, {}, "csv_file column"),
])
def test_prefill(task: str, files: str, schema: dict, values: dict, missing: str) -> None:
    assert prefill(task, files, schema) == {"values": values, "missing": missing}


def test_route_needs_a_clear_winner() -> None:
    table = {"stats": "Column statistics sum mean of a column", "convert": "Convert a CSV file to JSON"}
    assert route("convert it to json", table) == "convert"
    assert route("the mean of the price column", table) == "stats"
    assert route("do something", table) == ""  # no word in common: the model decides


def test_merge_keeps_only_grounded_model_values() -> None:
    task = "statistics of the units column"
    assert merge(task, "", CSV, {"csv_file": "x.csv", "column": "1"}) == {"csv_file": "x.csv", "column": "units"}
    assert merge("stats of sales.csv", "", CSV, {"csv_file": "other.csv", "column": "price"}) == {
        "csv_file": "sales.csv", "column": "price"}  # "price" is not in the task, and nothing better is


def test_the_llm_target_hooks() -> None:
    attrs = {"schema": '{"properties":{"csv_file":{},"column":{}}}', "ground": True}
    assert answer_from_task("llm.extract", attrs, ["the amount column of a.csv", ""]) == {
        "csv_file": "a.csv", "column": "amount"}
    assert answer_from_task("llm.extract", attrs, ["something", ""]) is None
    assert answer_from_task("llm.extract", {"schema": attrs["schema"]}, ["a.csv", ""]) is None  # not a skill's
    assert answer_from_task("llm.decide", {"route_words": {"a": "alpha", "b": "beta"}}, ["beta please"]) == "b"
    assert ground_answer({}, ["t"], {"x": 1}) == {"x": 1}
