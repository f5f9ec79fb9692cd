"""The matcher of issue 13: false covers it must not make, typos it must forgive, its figures on the
labelled sample."""

from __future__ import annotations

import pytest

from replybook.coverage import calibration
from replybook.coverage.matching import Matcher
from replybook.coverage.question_files import read_questions
from tests.conftest import SAMPLE


@pytest.mark.parametrize(
    ("question", "not_by"),
    [
        ("你们老板的电话号码多少", "我的快递到哪了"),  # shares only 号多少 with 单号多少
        ("裙子有个破洞", "连衣裙是什么面料"),
        ("拍了有货吗", "是正品吗"),
        # 寄 is shipping (寄出) or sending back (寄回): 寄到 alone must not make them a return question
        ("可以寄到国外吗", "退货地址是什么"),
        ("可以寄到香港吗", "退货地址是什么"),
    ],
)
def test_false_covers_are_not_covered(matcher: Matcher, question: str, not_by: str) -> None:
    r = matcher.classify(question)
    assert r.status != "covered" or r.question != not_by, (r.status, r.question, r.score)


@pytest.mark.parametrize(
    "question",
    [
        "今天能发吗",
        "今天能法货吗",  # a homophone typo
    ],
)
def test_short_and_misspelt_questions_still_find_their_entry(matcher: Matcher, question: str) -> None:
    r = matcher.classify(question)
    assert (r.status, r.question) == ("covered", "什么时候发货")


def test_the_labelled_sample_reaches_the_issue_targets(matcher: Matcher) -> None:
    questions = read_questions(SAMPLE / "questions_labelled.csv")
    out = matcher.match_many([q.text for q in questions], use_index=False)
    p = calibration.points(matcher, questions, out)
    assert p.top1 >= 0.86
    # The issue's target; the default scorer reaches 0.816 (0.734 before issue 13).
    assert calibration.recall_at_precision(p, 0.9) >= 0.80


@pytest.mark.parametrize("question", ["可以寄到国外吗", "可以寄到香港吗"])
def test_shipping_abroad_is_not_answered_with_the_return_address(matcher: Matcher, question: str) -> None:
    # The sample library has no entry for it: the labelled sample says uncovered.
    r = matcher.classify(question)
    assert r.status == "uncovered", (r.question, r.score)


def test_a_return_question_with_jì_still_finds_the_return_address(matcher: Matcher) -> None:
    r = matcher.classify("退货寄到哪里")
    assert (r.status, r.question) == ("covered", "退货地址是什么")


def test_a_synonym_applies_to_both_sides(matcher: Matcher) -> None:
    # 物流 → 快递 (the starter lexicon the sample shop loads)
    assert matcher.prepare("物流到哪了") == matcher.prepare("快递到哪了")
