"""Clustering the uncovered questions (issue 14 goal 1, issue 13 item 6) and the coverage run's
throughput."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine

from replybook.coverage import clusters, similar
from replybook.coverage.clusters import cluster_questions
from replybook.coverage.forms import match_form
from replybook.coverage.matching import DEFAULT_PIPELINE, LibraryEntry, Matcher
from replybook.coverage.question_files import Question, read_questions
from replybook.coverage.run import report_for
from replybook.coverage.signals import Pipeline
from replybook.coverage.similar import FormSet, Vectors, Weights, pair_matrix
from replybook.store import db
from replybook.store.normalize import _single_characters, _t2s, _traditional, to_simplified
from replybook.store.timeutil import parse_datetime
from tests.conftest import SAMPLE, Cli

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
    # issue 14: clustering bounded in memory and sub-quadratic: a few rows against the leaders that
    # can reach the cutoff, never all pairs; a big cluster's typical wording against a sample
    rng = random.Random(14)
    alphabet = [chr(0x4E00 + i) for i in range(400)]
    texts = Counter({"".join(rng.choice(alphabet) for _ in range(rng.randint(3, 8))): 1 for _ in range(3000)})
    texts.update({"能寄到香港吗": 1, "香港能发吗": 1})
    for i in range(1500):  # one big cluster: its typical wording is judged against a sample
        texts[f"发票{i}"] = 1
    shapes: list[tuple[int, int]] = []
    pairs: list[int] = []
    real_cdist, real_cpdist = process.cdist, process.cpdist

    def recording(a, b, **kwargs):  # type: ignore[no-untyped-def]
        shapes.append((len(a), len(b)))
        return real_cdist(a, b, **kwargs)

    def recording_pairs(a, b, **kwargs):  # type: ignore[no-untyped-def]
        pairs.append(len(a))
        return real_cpdist(a, b, **kwargs)

    monkeypatch.setattr(similar.process, "cdist", recording)
    monkeypatch.setattr(similar.process, "cpdist", recording_pairs)
    found = cluster_questions(texts)
    n = len(texts)
    assert sum(c["wordings"] for c in found) == n
    # Dense matrices: a block's rows among themselves, or 1,000 members × the typical-wording sample.
    assert all(b <= max(similar.SUB_CHUNK, clusters.TYPICAL_SAMPLE) and a <= 1_000 for a, b in shapes)
    assert any(a > similar.SUB_CHUNK for a, b in shapes)  # the big cluster was judged
    assert max(pairs) <= similar.SUB_CHUNK * n  # a block against the leaders, pair by pair
    scored = sum(pairs) + sum(a * b for a, b in shapes)
    assert scored < n * n / 10  # far fewer comparisons than all pairs


def _old_clusters(texts: Counter[str]) -> list[set[str]]:
    """The clusters before issue 13 item 6, as a plain reference: distinct match forms most asked
    first, each joins the first leader with the highest fuzz.ratio ≥ 50, else leads."""
    by_form: dict[str, list[str]] = {}
    count: Counter[str] = Counter()
    for text, n in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0])):
        form = match_form(text)
        by_form.setdefault(form, []).append(text)
        count[form] += n
    forms = sorted(by_form, key=lambda f: (-count[f], by_form[f][0]))
    sim = process.cdist(forms, forms, scorer=fuzz.ratio)
    leaders: list[int] = []
    groups: dict[int, set[str]] = {}
    for i in range(len(forms)):
        best = max(leaders, key=lambda j: (sim[i, j], -j), default=None)
        if best is None or sim[i, best] < 50:
            leaders.append(i)
            best = i
        groups.setdefault(best, set()).update(by_form[forms[i]])
    return sorted(groups.values(), key=sorted)


def _uncovered(sample_engine: Engine) -> tuple[Matcher, Counter[str]]:
    with db.session_scope(sample_engine) as s:
        matcher = Matcher.build(s, at=AT)
    report = report_for(matcher, read_questions(SAMPLE / "questions.txt"), at=AT)
    return matcher, Counter({m["question"]: m["count"] for c in report.clusters for m in c["members"]})


def test_with_plain_ratio_the_clusters_are_the_old_ones_on_the_sample_shop(sample_engine: Engine) -> None:
    # issue 13 item 6: the new leader clustering is the old rule when its signal is plain fuzz.ratio
    _, texts = _uncovered(sample_engine)
    found = cluster_questions(texts, pipeline=clusters.RATIO_ONLY, cutoff=clusters.RATIO_CLUSTER_SCORE)
    assert sorted(({m["question"] for m in c["members"]} for c in found), key=sorted) == _old_clusters(texts)


def test_the_matchers_signals_put_what_belongs_together_in_one_cluster(sample_engine: Engine) -> None:
    # issue 13 item 6: the intended difference — the matcher's signals (its match form with the shop's
    # synonyms, ratio + TF-IDF, the content guard) join 有没有线下店呀 and 有实体店吗, which plain
    # fuzz.ratio kept apart; fewer clusters, none of the old ones split
    matcher, texts = _uncovered(sample_engine)
    found = cluster_questions(texts, **clusters.cluster_signals(matcher.scorer, matcher.prepare))
    groups = [{m["question"] for m in c["members"]} for c in found]
    old = _old_clusters(texts)
    (shop,) = [g for g in groups if "有没有线下店呀" in g]
    assert {"有没有线下店呀", "线下有门店吗🙏", "你们有实体店吗", "亲，杭州有实体店可以试穿吗"} <= shop
    assert not any("有没有线下店呀" in g and "你们有实体店吗" in g for g in old)
    assert {"我平时穿M 这款拍什么码", "按平时的码拍就行吗~"} <= next(
        g for g in groups if "按平时的码拍就行吗~" in g
    )
    assert len(groups) < len(old)
    assert all(
        any(g <= new for new in groups) for g in old if len(g) > 1 and "毛衣起球了可以处理吗？？" not in g
    )


def test_a_cluster_is_named_by_its_medoid_not_its_most_asked_wording() -> None:
    # issue 13 item 6: the most typical wording — the highest summed similarity to the others
    texts = Counter({"实体店在哪": 5, "有实体店吗": 2, "杭州有实体店吗": 1, "实体店能试穿吗": 1})
    (shop,) = cluster_questions(texts)
    assert shop["question"] == "有实体店吗" and shop["size"] == 9
    assert shop["similar"][0] == "实体店在哪"  # the rest by times asked
    weights = Weights.of(DEFAULT_PIPELINE)
    forms = [match_form(t) for t in texts]
    known = FormSet(forms, Vectors(forms), weights)
    sim = pair_matrix(known, list(range(4)), list(range(4)))
    summed = sim.sum(axis=1) - np.diag(sim)
    assert list(texts)[int(np.argmax(summed))] == "有实体店吗"
    # ties go to the most asked, then the text
    (tie,) = cluster_questions(Counter({"顺丰几天到": 1, "顺丰几天到?": 1, "顺丰几天到吗": 3}))
    assert tie["question"] == "顺丰几天到吗"


def test_the_report_the_json_and_the_web_page_name_the_cluster_by_its_medoid(
    sample_cli: Cli, tmp_path
) -> None:
    # issue 13 item 6: the same typical wording in `replybook test`'s table and JSON
    path = tmp_path / "q.txt"
    path.write_text("实体店在哪\n实体店在哪\n有实体店吗\n杭州有实体店吗\n实体店能试穿吗\n", encoding="utf-8")
    data = json.loads(sample_cli("test", str(path), "--format", "json", "--no-save").output)
    (shop,) = [c for c in data["clusters"] if "实体店在哪" in {m["question"] for m in c["members"]}]
    assert shop["question"] == "有实体店吗"
    table = sample_cli("test", str(path), "--no-save").output
    assert "有实体店吗" in table.split("建议标准问题", 1)[1]


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
def test_blocking_by_the_bound_finds_the_same_leaders_as_scoring_every_pair(
    monkeypatch: pytest.MonkeyPatch, alphabet: int
) -> None:
    # issue 14: skipping the leaders whose bound is below the cutoff never changes a cluster
    rng = random.Random(alphabet)
    chars = [chr(0x4E00 + i) for i in range(alphabet)]
    texts = Counter(
        {"".join(rng.choice(chars) for _ in range(rng.randint(2, 9))): rng.randint(1, 5) for _ in range(2500)}
    )
    blocked = cluster_questions(texts)
    monkeypatch.setattr(similar.FormSet, "PRUNE", False)  # every row scored against every leader
    assert cluster_questions(texts) == blocked
    assert any(c["wordings"] > 1 for c in blocked)


def test_the_information_guard_keeps_apart_what_matching_keeps_apart() -> None:
    # issue 14 / issue 13 item 6: the clusters apply the matcher's information guard. 快递寄国外要几天
    # and 快递寄香港要几天 share only what every question here says (快递寄…要几天); matching does not
    # cover one by the other, and the clusters no longer join them — without the guard both would
    cities = ["上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京"]
    others = [f"快递寄{c}要几天" for c in cities]
    abroad, hong_kong = "快递寄国外要几天", "快递寄香港要几天"
    texts = Counter({abroad: 3, hong_kong: 2, **{o: 1 for o in others}})
    no_guard = replace(DEFAULT_PIPELINE, min_information=0.0)

    def together(pipeline: Pipeline) -> bool:
        groups = [{m["question"] for m in c["members"]} for c in cluster_questions(texts, pipeline=pipeline)]
        return any({abroad, hong_kong} <= g for g in groups)

    assert not together(DEFAULT_PIPELINE)
    assert together(no_guard)  # the guard is what keeps them apart
    library = [
        LibraryEntry(i + 1, w, "custom", (w,), answers=(f"答{i}",))
        for i, w in enumerate([hong_kong, *others])
    ]
    assert Matcher(library).classify(abroad).status == "uncovered"
    assert Matcher(library, scorer=no_guard).classify(abroad).status != "uncovered"
