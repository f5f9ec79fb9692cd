"""Grouping the uncovered questions into clusters of similar wordings, each a suggested new entry.

Two questions are one cluster when the matcher's own signals say so (``similar.py``: ``fuzz.ratio``
and character TF-IDF on the match form, the content guard and the information guard): leader
clustering over distinct match forms, most asked first — each form joins the earlier leader it
scores highest against (≥ ``CLUSTER_SCORE``; the earliest of equal leaders) or leads a new cluster.
A block of ``SUB_CHUNK`` forms is joined in numpy with the leaders' gram postings and among itself,
only the pairs whose bound reaches the cutoff are scored exactly, and the block's decisions are then
taken in order — the same clusters as one form at a time, whatever the block size — so time grows
with the pairs that share grams, not with the square of the forms, and memory stays bounded.

Each cluster is named by its most typical wording, the medoid: the member with the highest summed
similarity to the others (ties by times asked, then text); a large cluster is judged against its
``TYPICAL_SAMPLE`` most asked members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from replybook.coverage.forms import match_form
from replybook.coverage.signals import Pipeline
from replybook.coverage.similar import SUB_CHUNK, FormSet, Vectors, Weights, pair_matrix

CLUSTER_SCORE = 40.0  # a form scoring at least this against a leader (the default matcher's scale) joins it
MAX_CLUSTERED = 20_000  # the most frequent distinct uncovered forms that are clustered
MAX_SIMILAR = 10
TYPICAL_SAMPLE = 200  # the typical wording is judged against a cluster's most frequent forms


def _default_pipeline() -> Pipeline:
    from replybook.coverage.matching import DEFAULT_PIPELINE

    return DEFAULT_PIPELINE


def leaders(forms: list[str], vectors: Vectors, weights: Weights, cutoff: float) -> np.ndarray:
    """The cluster (position of its leader in ``forms``) of each form, ``forms`` most asked first:
    each form joins the earlier leader it scores highest against (≥ ``cutoff``; the earliest of
    equal ones), else leads. Blocks of ``SUB_CHUNK`` forms are joined with the leaders so far and
    among themselves; the decisions within a block are then taken in order, as one at a time."""
    n = len(forms)
    cluster = np.full(n, -1, np.int64)
    known = FormSet(forms, vectors, weights)
    for start in range(0, n, SUB_CHUNK):
        rows = np.arange(start, min(n, start + SUB_CHUNK), dtype=np.int64)
        best_pos = np.full(len(rows), -1, np.int64)
        best_score = np.full(len(rows), -1.0)
        r, pos, score = known.candidates(rows, cutoff)
        if len(r):  # per row the best, then the earliest leader
            order = np.lexsort((pos, -score, r))
            r, pos, score = r[order], pos[order], score[order]
            first = np.r_[True, r[1:] != r[:-1]]
            best_pos[r[first]], best_score[r[first]] = pos[first], score[first]
        r, pos, score = known.candidates(rows, cutoff, within=True)
        inside: dict[int, list[tuple[int, float]]] = {}
        for i, p, s in zip(r.tolist(), pos.tolist(), score.tolist(), strict=True):
            inside.setdefault(i, []).append((p, s))
        new: list[int] = []
        for i, row in enumerate(rows.tolist()):
            b_pos, b_score = int(best_pos[i]), float(best_score[i])
            for p, s in inside.get(i, ()):
                if cluster[p] == p and (s > b_score or (s == b_score and p < b_pos)):
                    b_pos, b_score = p, s
            if b_pos < 0:
                cluster[row] = row
                new.append(row)
            else:
                cluster[row] = b_pos
        known.add_many(new)
    return cluster


def typical(members: list[int], counts: np.ndarray, texts: list[str], known: FormSet) -> int:
    """The medoid of ``members`` (positions, most asked first): the highest summed similarity to
    the others (its score as a question against each of the first ``TYPICAL_SAMPLE``), then the
    most asked, then the first text."""
    if len(members) == 1:
        return 0
    total = np.zeros(len(members))
    sample = members[:TYPICAL_SAMPLE]
    for start in range(0, len(members), 1_000):  # at most 1,000 × TYPICAL_SAMPLE scores at once
        total[start : start + 1_000] = pair_matrix(known, members[start : start + 1_000], sample).sum(axis=1)
    k = len(sample)
    total[:k] -= np.diag(pair_matrix(known, sample, sample))  # a member's similarity to itself
    total = np.round(total, 6)
    return min(range(len(members)), key=lambda i: (-total[i], -counts[i], texts[i]))


def cluster_questions(
    texts: Counter[str],
    *,
    prepare: Callable[[str], str] = match_form,
    pipeline: Pipeline | None = None,
    cutoff: float = CLUSTER_SCORE,
) -> list[dict[str, Any]]:
    """Clusters of ``texts`` (wording → times asked), largest first.

    Each cluster proposes a new entry: its standard question is the most typical wording (the
    medoid), the rest become similar wordings. ``prepare`` is the matcher's match form (with the
    shop's synonyms), ``pipeline`` its scorer.
    """
    by_form: dict[str, list[str]] = {}
    form_count: Counter[str] = Counter()
    for text, count in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0])):
        form = prepare(text)
        by_form.setdefault(form, []).append(text)
        form_count[form] += count
    forms = sorted(by_form, key=lambda f: (-form_count[f], by_form[f][0]))[:MAX_CLUSTERED]
    if not forms:
        return []
    weights = Weights.of(pipeline or _default_pipeline())
    vectors = Vectors(forms)
    known = FormSet(forms, vectors, weights)
    groups: dict[int, list[int]] = {}
    for i, leader in enumerate(leaders(forms, vectors, weights, cutoff)):
        groups.setdefault(int(leader), []).append(i)
    clusters: list[dict[str, Any]] = []
    for members in groups.values():
        counts = np.array([form_count[forms[i]] for i in members], np.float64)
        firsts = [by_form[forms[i]][0] for i in members]
        question = firsts[typical(members, counts, firsts, known)]
        wordings = [t for i in members for t in by_form[forms[i]]]
        wordings.sort(key=lambda t: -texts[t])  # stable: forms' order within a count
        others = [t for t in wordings if t != question]
        clusters.append(
            {
                "size": int(counts.sum()),
                "wordings": len(wordings),
                "question": question,
                "similar": others[:MAX_SIMILAR],
                "members": [{"question": t, "count": texts[t]} for t in wordings],
            }
        )
    clusters.sort(key=lambda c: (-c["size"], -c["wordings"], c["question"]))
    return clusters


RATIO_CLUSTER_SCORE = 50.0  # the same rule with plain fuzz.ratio (the scorer before issue 13)


def cluster_signals(scorer: object, prepare: Callable[[str], str]) -> dict[str, Any]:
    """``cluster_questions``' arguments for a matcher's scorer and match form: its pipeline, or
    plain ``fuzz.ratio`` (a matcher built with ``scorer=fuzz.ratio``) at ``RATIO_CLUSTER_SCORE``."""
    if isinstance(scorer, Pipeline):
        return {"prepare": prepare, "pipeline": scorer, "cutoff": CLUSTER_SCORE}
    return {"prepare": prepare, "pipeline": RATIO_ONLY, "cutoff": RATIO_CLUSTER_SCORE}


RATIO_ONLY = Pipeline((("ratio", 1.0),))
