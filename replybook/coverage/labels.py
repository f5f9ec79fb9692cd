"""Labelled buyer questions: labels resolved to category keys, whether an answer is right, accuracy for calibration."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, col, select

from replybook.coverage.matching import Matcher, Outcomes
from replybook.coverage.question_files import Question
from replybook.library.entries import list_categories
from replybook.store.errors import ImportFormatError, Problem
from replybook.store.models import Entry
from replybook.store.normalize import normalise


def _same(a: str | None, b: str | None) -> bool:
    return normalise(a or "", simplify=True) == normalise(b or "", simplify=True)


def expected_category(q: Question, matcher: Matcher) -> str | None:
    """The label's category, else the category of the labelled entry; '' when it should be uncovered."""
    if q.expected_category is not None:
        return q.expected_category
    if q.expected is None:
        return None
    if q.expected == "":
        return ""
    for e in matcher.entries:
        if _same(e.question, q.expected):
            return e.category
    return None


def is_correct(q: Question, status: str, entry: str | None, category: str | None) -> bool:
    """Right entry (or category, when only that is labelled) and covered; or uncovered when it should be."""
    if q.expected is not None:
        if q.expected == "":
            return status == "uncovered"
        return status == "covered" and _same(entry, q.expected)
    if q.expected_category == "":
        return status == "uncovered"
    return status == "covered" and category == q.expected_category


def resolve_labels(session: Session, questions: list[Question], *, source: str) -> list[Question]:
    """The questions with each 分类 label turned into its category key (a supervisor types the key or
    the name, 问候语 as often as greeting); a 分类 that is no category, or a 标准问题 that is no entry's
    standard question, is an error naming its row — a typo must not read as a wrong answer."""
    if not any(q.labelled for q in questions):
        return questions
    categories = list_categories(session)
    by_label: dict[str, str] = {}
    for c in categories:
        for label in (c.key, c.name, f"{c.name}（{c.key}）", f"{c.name}({c.key})"):
            by_label[label.strip().lower()] = c.key
    standard = {normalise(q, simplify=True) for q in session.exec(select(col(Entry.question)))}
    known: dict[str, bool] = {}
    problems: list[Problem] = []
    out: list[Question] = []
    for q in questions:
        key = q.expected_category
        if key:
            key = by_label.get(key.strip().lower())
            if key is None:
                choices = "、".join(f"{c.key} 或 {c.name}" for c in categories)
                problems.append(
                    Problem(
                        q.where, f"“{q.expected_category}”不是已有的分类（填分类键或名称：{choices}）", "分类"
                    )
                )
        if q.expected:
            if q.expected not in known:
                known[q.expected] = normalise(q.expected, simplify=True) in standard
            if not known[q.expected]:
                problems.append(Problem(q.where, f"“{q.expected}”不是问答库里任何问答的标准问题", "标准问题"))
        out.append(q if key == q.expected_category else replace(q, expected_category=key))
    if problems:
        raise ImportFormatError(source, problems)
    return out


def labelled_accuracy(matcher: Matcher, questions: list[Question], outcomes: Outcomes) -> tuple[float, int]:
    """(accuracy over the labelled questions, how many got a wrong answer) — for calibration."""
    correct = wrong = n = 0
    for i, q in enumerate(questions):
        if not q.labelled:
            continue
        n += 1
        r = matcher.result(outcomes, i)
        ok = is_correct(q, r.status, r.question, r.category)
        correct += ok
        wrong += (not ok) and r.status == "covered"
    return (correct / n if n else 0.0), wrong
