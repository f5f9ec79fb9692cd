"""Grouping the uncovered questions into clusters of similar wordings, each a suggested new entry.

Leader clustering over distinct match forms, a chunk at a time: wordings with the same form are one
item; items go in order of how often they were asked, each joins the most similar cluster leader
(``fuzz.ratio`` ≥ ``CLUSTER_SCORE``) or leads a new cluster. Every item is compared with the
leaders only (``cdist`` with ``score_cutoff``, uint8), never with every other item, and the largest
matrix held is ``ROW_CHUNK`` × leaders bytes, so time and memory stay bounded however many
questions were asked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.forms import match_form

CLUSTER_SCORE = 50  # a wording at least this similar (fuzz.ratio of match forms) to a leader joins it
MAX_CLUSTERED = 20_000  # the most frequent distinct uncovered forms that are clustered
ROW_CHUNK = 1_000
MAX_SIMILAR = 10
TYPICAL_SAMPLE = 200  # the typical wording is judged against a cluster's most frequent forms


def _leaders(forms: list[str]) -> np.ndarray:
    """The cluster (index of its leader in ``forms``) of each form, ``forms`` most frequent first."""
    n = len(forms)
    cluster = np.full(n, -1, np.int64)
    leaders: list[int] = []
    for start in range(0, n, ROW_CHUNK):
        stop = min(n, start + ROW_CHUNK)
        block = forms[start:stop]
        if leaders:
            sim = process.cdist(
                block,
                [forms[i] for i in leaders],
                scorer=fuzz.ratio,
                score_cutoff=CLUSTER_SCORE,
                workers=-1,
                dtype=np.uint8,
            )
            best = sim.argmax(axis=1)  # the first of equal leaders: the most frequent one
            hit = sim[np.arange(len(block)), best] >= CLUSTER_SCORE
            chosen = np.asarray(leaders, np.int64)[best]
            cluster[start:stop] = np.where(hit, chosen, -1)
        rest = np.flatnonzero(cluster[start:stop] < 0)
        if not len(rest):
            continue
        # The forms no earlier leader took: among themselves, in order (a chunk × chunk matrix).
        own = process.cdist(
            [block[i] for i in rest],
            [block[i] for i in rest],
            scorer=fuzz.ratio,
            score_cutoff=CLUSTER_SCORE,
            workers=-1,
            dtype=np.uint8,
        )
        new: list[int] = []  # positions in ``rest`` of this chunk's new leaders
        for r in range(len(rest)):
            row = own[r, new] if new else None
            if row is not None and row.max() >= CLUSTER_SCORE:
                cluster[start + rest[r]] = start + rest[new[int(row.argmax())]]
            else:
                new.append(r)
                cluster[start + rest[r]] = start + rest[r]
                leaders.append(start + int(rest[r]))
    return cluster


def _typical(forms: list[str], counts: np.ndarray) -> int:
    """The member most similar to the others, weighted by how often they were asked (counts sorted
    most frequent first; a large cluster is judged against its ``TYPICAL_SAMPLE`` most frequent)."""
    if len(forms) == 1:
        return 0
    k = min(len(forms), TYPICAL_SAMPLE)
    workers = -1 if len(forms) * k > 100_000 else 1  # threads cost more than a small matrix
    sim = process.cdist(forms, forms[:k], scorer=fuzz.ratio, workers=workers, dtype=np.float32)
    weight = sim @ counts[:k]
    weight[:k] -= np.diag(sim[:k]) * counts[:k]
    return int(np.argmax(weight + counts * 1e-6))


def cluster_questions(texts: Counter[str]) -> list[dict[str, Any]]:
    """Clusters of ``texts`` (wording → times asked), largest first.

    Each cluster proposes a new entry: its standard question is the most typical wording (the
    highest count-weighted similarity to the other members), the rest become similar wordings.
    """
    by_form: dict[str, list[str]] = {}
    form_count: Counter[str] = Counter()
    for text, count in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0])):
        form = match_form(text)
        by_form.setdefault(form, []).append(text)
        form_count[form] += count
    forms = sorted(by_form, key=lambda f: (-form_count[f], by_form[f][0]))[:MAX_CLUSTERED]
    if not forms:
        return []
    groups: dict[int, list[int]] = {}
    for i, leader in enumerate(_leaders(forms)):
        groups.setdefault(int(leader), []).append(i)
    clusters: list[dict[str, Any]] = []
    for members in groups.values():
        counts = np.array([form_count[forms[i]] for i in members], np.float64)
        typical = members[_typical([forms[i] for i in members], counts)]
        wordings = [t for i in members for t in by_form[forms[i]]]
        question = by_form[forms[typical]][0]
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
