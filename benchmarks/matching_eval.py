"""Matching evaluation (issue 13): top-1, precision/recall at the default decision and R@P90 per matcher.

    .venv/bin/python benchmarks/matching_eval.py                  # the labelled sample shop
    .venv/bin/python benchmarks/matching_eval.py --pairs DIR      # + LCQMC-style test.tsv files in DIR

Data sets:
  sample  — sample_data/questions_labelled.csv against the sample library at the 聚划算 start.
  pairs   — public same-meaning question pairs (LCQMC/AFQMC/BQ/OPPO-xiaobu ``test.tsv``:
            text_a \\t text_b \\t label), fetched at benchmark time and never committed, turned into FAQ retrieval: every positive
            pair's text_b is one entry, its text_a a question that entry answers; every negative pair's
            text_a a question the library should leave uncovered.
top-1 = the right entry first (answerable questions); P/R = precision and recall of "covered" with
the matcher's default threshold and margin; R@P90 = the most recall any threshold/margin gives while
"covered" is right at least 90 % of the time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from replybook.coverage import calibration  # noqa: E402
from replybook.coverage.forms import legacy_match_form  # noqa: E402
from replybook.coverage.matching import (  # noqa: E402
    DEFAULT_MARGIN,
    DEFAULT_PIPELINE,
    DEFAULT_THRESHOLD,
    LEGACY_MARGIN,
    LEGACY_THRESHOLD,
    TODAY,
    LibraryEntry,
    Matcher,
)
from replybook.coverage.question_files import Question, read_questions  # noqa: E402
from replybook.coverage.signals import Pipeline  # noqa: E402

SAMPLE = HERE.parent / "sample_data"


def sample_shop() -> tuple[list[LibraryEntry], list[Question], object]:
    from replybook.library.entries import ensure_builtin_categories
    from replybook.shop.sample import load_sample
    from replybook.store import db
    from replybook.store.timeutil import parse_datetime

    engine = db.make_engine("sqlite://")
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        ensure_builtin_categories(s)
        load_sample(s)
        base = Matcher.build(s, at=parse_datetime("2026-12-10T10:00:00+08:00"))
    return list(base.entries), read_questions(SAMPLE / "questions_labelled.csv"), base.prepare


def pairs(path: Path, limit: int) -> tuple[list[LibraryEntry], list[Question]]:
    entries: dict[str, LibraryEntry] = {}
    questions: list[Question] = []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        parts = line.split("\t")
        if len(parts) < 3 or parts[2].strip() not in ("0", "1"):
            continue
        a, b, label = parts[0].strip(), parts[1].strip(), parts[2].strip()
        if label == "1":
            if b not in entries:
                entries[b] = LibraryEntry(len(entries) + 1, b, "custom", (b,), answers=(f"答{len(entries)}",))
            questions.append(Question(a, expected=b))
        else:
            questions.append(Question(a, expected=""))
    return list(entries.values()), questions


def evaluate(name: str, matcher: Matcher, questions: list[Question]) -> str:
    out = matcher.match_many([q.text for q in questions], use_index=False, dedupe=False)
    p = calibration.points(matcher, questions, out)
    precision, recall, _ = p.at(matcher.threshold, matcher.margin)
    choice = calibration.choose(p)
    r90 = f"{choice.recall:.3f} ({choice.threshold:g}/{choice.margin:g})" if choice.reached else "—"
    return f"| {name} | {p.top1:.3f} | {precision:.3f} / {recall:.3f} | {r90} |"


def matchers(entries: list[LibraryEntry], synonyms: dict[str, str] | None) -> list[tuple[str, Matcher]]:
    today = Matcher(
        list(entries),
        scorer=TODAY,
        prepare=legacy_match_form,
        threshold=LEGACY_THRESHOLD,
        margin=LEGACY_MARGIN,
    )
    out = [("today's default (legacy match_form + fuzz.ratio, 45/3)", today)]
    extra = [
        ("ratio, word-aware form", Pipeline((("ratio", 1.0),))),
        ("ratio 0.5 + tfidf 0.5", Pipeline((("ratio", 0.5), ("tfidf", 0.5)))),
        ("ratio 0.4 + tfidf 0.4 + pinyin 0.2", Pipeline((("ratio", 0.4), ("tfidf", 0.4), ("pinyin", 0.2)))),
    ]
    for label, pipe in extra:
        out.append(
            (
                label,
                Matcher(
                    list(entries),
                    scorer=pipe,
                    threshold=DEFAULT_THRESHOLD,
                    margin=DEFAULT_MARGIN,
                    synonyms=synonyms,
                ),
            )
        )
    if synonyms:
        out.append(
            (
                "default, keywords read with the synonyms like wordings (before)",
                Matcher(list(entries), synonyms=synonyms, literal_keywords=False),
            )
        )
    out.append(
        (
            f"**new default ({DEFAULT_PIPELINE.describe()}, {DEFAULT_THRESHOLD:g}/{DEFAULT_MARGIN:g}"
            f"{', literal keywords' if synonyms else ''})**",
            Matcher(list(entries), synonyms=synonyms),
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=Path, help="a folder of <name>/test.tsv files (LCQMC, AFQMC, BQ …)")
    parser.add_argument("--limit", type=int, default=5000, help="lines read per pair file")
    args = parser.parse_args()
    from replybook.coverage.synonyms import as_map, starter_lexicon

    lexicon = as_map(starter_lexicon())
    sets: list[tuple[str, list[LibraryEntry], list[Question], dict[str, str] | None]] = []
    entries, questions, _ = sample_shop()
    sets.append(("sample shop (348 labelled, starter synonyms)", entries, questions, lexicon))
    if args.pairs:
        for tsv in sorted(args.pairs.glob("*/test.tsv")):
            e, q = pairs(tsv, args.limit)
            sets.append((f"{tsv.parent.name} ({len(e)} entries, {len(q)} questions)", e, q, None))
    for title, e, q, syn in sets:
        print(f"\n{title}\n\n| matcher | top-1 | P / R at default | R@P90 (threshold/margin) |")
        print("| --- | ---: | ---: | ---: |")
        for name, m in matchers(e, syn):
            print(evaluate(name, m, q), flush=True)


if __name__ == "__main__":
    main()
