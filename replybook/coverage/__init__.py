"""Coverage testing: normalise and match buyer questions, the index, clusters, question files, the report."""

from .labels import labelled_accuracy, resolve_labels
from .matching import Matcher
from .question_files import Question, QuestionFile, read_question_file, read_questions
from .report import render_html
from .run import STORED_RESULTS_LIMIT, CoverageReport, ResultRows, report_for, run_coverage, save_run

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
