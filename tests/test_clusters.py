"""Clustering the uncovered questions and the coverage run's throughput (issue 14, goal 1)."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import datetime

import numpy as np
import pytest
from rapidfuzz import process
from sqlalchemy.engine import Engine

from replybook.coverage import clusters
from replybook.coverage.clusters import cluster_questions
from replybook.coverage.matching import LibraryEntry, Matcher
from replybook.coverage.question_files import Question, read_questions
from replybook.coverage.run import report_for
from replybook.store import db
from replybook.store.normalize import _single_characters, _t2s, _traditional, to_simplified
from replybook.store.timeutil import parse_datetime
from tests.conftest import SAMPLE

AT = parse_datetime("2026-12-10T10:00:00+08:00")


def test_similar_questions_form_one_cluster_and_unrelated_ones_their_own() -> None:
    # issue 14: clusters stay sensible (a suggested entry per topic, the most asked form leads)
    texts = Counter(
        {
            "能寄到香港吗": 5,
            "香港能发吗": 3,
            "寄香港要几天": 2,
            "能开增值税专用发票吗": 4,
            "增值税专用发票能开吗": 1,
            "支持花呗分期吗": 1,
        }
    )
    found = cluster_questions(texts)
    topics = [sorted(m["question"] for m in c["members"]) for c in found]
    assert sorted(map(tuple, topics)) == sorted(
        [
            ("寄香港要几天", "能寄到香港吗", "香港能发吗"),
            ("增值税专用发票能开吗", "能开增值税专用发票吗"),
            ("支持花呗分期吗",),
        ]
    )
    assert [c["size"] for c in found] == [10, 5, 1]
    hk = found[0]
    assert "香港" in hk["question"] and hk["wordings"] == 3
    assert set(hk["similar"]) == {"能寄到香港吗", "香港能发吗", "寄香港要几天"} - {hk["question"]}


def test_wordings_with_the_same_form_are_one_item() -> None:
    # issue 14: distinct forms only are clustered; every wording stays a member with its count
    found = cluster_questions(Counter({"在吗？": 3, "在吗": 2, "在吗~~": 1, "能开发票吗": 1}))
    (greet,) = [c for c in found if c["size"] == 6]
    assert {m["question"]: m["count"] for m in greet["members"]} == {"在吗？": 3, "在吗": 2, "在吗~~": 1}
    assert greet["question"] == "在吗？"  # the most asked wording of the typical form


def test_no_matrix_grows_with_the_square_of_the_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 14: clustering bounded in memory: never all pairs, a chunk × leaders matrix at most
    rng = random.Random(14)
    alphabet = [chr(0x4E00 + i) for i in range(400)]
    texts = Counter({"".join(rng.choice(alphabet) for _ in range(rng.randint(3, 8))): 1 for _ in range(3000)})
    texts.update({"能寄到香港吗": 1, "香港能发吗": 1})
    for i in range(1500):  # one big cluster: its typical wording is judged against a sample
        texts[f"发票{i}"] = 1
    shapes: list[tuple[int, int]] = []
    real = process.cdist

    def recording(a, b, **kwargs):  # type: ignore[no-untyped-def]
        shapes.append((len(a), len(b)))
        return real(a, b, **kwargs)

    monkeypatch.setattr(clusters.process, "cdist", recording)
    monkeypatch.setattr(clusters, "ROW_CHUNK", 500)
    found = cluster_questions(texts)
    n = len(texts)
    assert sum(c["wordings"] for c in found) == n
    assert max(a for a, b in shapes if b > clusters.TYPICAL_SAMPLE) <= 500  # chunk × leaders
    big = [b for a, b in shapes if a > 500]  # the big cluster's typical wording
    assert big and max(big) <= clusters.TYPICAL_SAMPLE
    assert sum(a * b for a, b in shapes) < n * n  # fewer comparisons than all pairs


def _random_library(rng: random.Random) -> tuple[list[LibraryEntry], list[str]]:
    chars = "发货快递包邮退换优惠券尺码颜色几天什么时候到香港能寄吗可以开发票有货没"
    entries = [
        LibraryEntry(
            i + 1,
            w := "".join(rng.choice(chars) for _ in range(rng.randint(3, 8))),
            "custom",
            (w, *("".join(rng.choice(chars) for _ in range(rng.randint(3, 8))) for _ in range(3))),
            answers=(f"答{i % 7}",),
        )
        for i in range(60)
    ]
    questions = ["".join(rng.choice(chars) for _ in range(rng.randint(2, 10))) for _ in range(400)]
    return entries, questions + questions[:100]  # repeats, as in chat logs


@pytest.mark.parametrize("source", ["sample", "random"])
def test_the_report_is_the_same_as_brute_force_per_question(sample_engine: Engine, source: str) -> None:
    # issue 14: coverage results identical to brute force (distinct texts, fast rows, streamed JSON)
    if source == "sample":
        with db.session_scope(sample_engine) as s:
            matcher = Matcher.build(s, at=AT)
        questions = read_questions(SAMPLE / "questions.txt")
    else:
        entries, texts = _random_library(random.Random(3))
        matcher = Matcher(entries)
        questions = [Question(text=t, count=1 + i % 3) for i, t in enumerate(texts)]
    report = report_for(matcher, questions, at=AT)
    brute = matcher.match_many([q.text for q in questions], use_index=False, dedupe=False)
    for name in ("entry", "wording", "score", "status", "runner_up", "runner_up_score"):
        assert np.array_equal(getattr(report.outcomes, name), getattr(brute, name)), name
    rows = list(report.results)
    assert rows == [report.result_row(i) for i in range(len(questions))]
    out = io.StringIO()
    report.write_json(out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(report.to_json()))


def test_the_progress_counts_questions_not_distinct_texts() -> None:
    # issue 14: matching distinct texts only still reports progress over the whole file
    entries, texts = _random_library(random.Random(5))
    seen: list[tuple[int, int]] = []
    report_for(
        Matcher(entries),
        [Question(text=t) for t in texts],
        at=datetime.fromisoformat("2026-12-02T12:00:00+08:00"),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (len(texts), len(texts))
    assert all(total == len(texts) for _, total in seen)


def test_traditional_text_converts_as_the_converter_does() -> None:
    # issue 14: the character-by-character shortcut gives exactly OpenCC's t2s output
    rng = random.Random(7)
    table, starts = _single_characters()
    pool = sorted(_traditional()) + [chr(0x4E00 + i) for i in range(0, 20000, 7)] + list("，。a1 ")
    shortcut = 0
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 10)))
        shortcut += starts.isdisjoint(text)
        assert to_simplified(text) == _t2s().convert(text), text
    assert shortcut > 1000 and table[ord("發")] == "发"


@pytest.mark.parametrize("alphabet", [40, 3000])
def test_the_character_index_finds_the_same_leaders_as_comparing_with_all(
    monkeypatch: pytest.MonkeyPatch, alphabet: int
) -> None:
    # issue 14: blocking candidates by shared characters never changes a cluster
    rng = random.Random(alphabet)
    chars = [chr(0x4E00 + i) for i in range(alphabet)]
    texts = Counter(
        {"".join(rng.choice(chars) for _ in range(rng.randint(2, 9))): rng.randint(1, 5) for _ in range(2500)}
    )
    monkeypatch.setattr(clusters, "ROW_CHUNK", 300)
    blocked = cluster_questions(texts)
    monkeypatch.setattr(clusters._Leaders, "DENSE_SHARE", -1.0)  # every row against every leader
    assert cluster_questions(texts) == blocked
    assert any(c["wordings"] > 1 for c in blocked)
