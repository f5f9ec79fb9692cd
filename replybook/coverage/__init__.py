"""Coverage testing: normalise and match buyer questions, the index, clusters, question files, the report.

The public names below are imported on first use (PEP 562), so importing one module of the package
(`replybook ask` imports the matcher and its snapshot) does not import the question files, the coverage
run and the report with it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .labels import labelled_accuracy, resolve_labels
    from .matching import Matcher
    from .question_files import Question, QuestionFile, read_question_file, read_questions
    from .report import render_html
    from .run import STORED_RESULTS_LIMIT, CoverageReport, ResultRows, report_for, run_coverage, save_run

_HOMES = {
    "CoverageReport": "run",
    "Matcher": "matching",
    "Question": "question_files",
    "ResultRows": "run",
    "STORED_RESULTS_LIMIT": "run",
    "labelled_accuracy": "labels",
    "QuestionFile": "question_files",
    "read_question_file": "question_files",
    "read_questions": "question_files",
    "render_html": "report",
    "report_for": "run",
    "resolve_labels": "labels",
    "run_coverage": "run",
    "save_run": "run",
}
__all__ = [
    "CoverageReport",
    "Matcher",
    "Question",
    "ResultRows",
    "STORED_RESULTS_LIMIT",
    "labelled_accuracy",
    "QuestionFile",
    "read_question_file",
    "read_questions",
    "render_html",
    "report_for",
    "resolve_labels",
    "run_coverage",
    "save_run",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
