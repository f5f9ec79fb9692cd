"""Grouping the uncovered questions into clusters of similar wordings, each a suggested new entry."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.matching import match_form

CLUSTER_SCORE = 50.0  # two wordings at least this similar (fuzz.ratio of their match forms) join
MAX_CLUSTERED = 20_000  # the most frequent distinct uncovered wordings that are clustered
ROW_CHUNK = 1_000
MAX_SIMILAR = 10


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def cluster_questions(texts: Counter[str]) -> list[dict[str, Any]]:
    """Single-linkage clusters of ``texts`` (wording → times asked), largest first.

    Each cluster proposes a new entry: its standard question is the most typical wording (the
    highest count-weighted similarity to the other members), the rest become similar wordings.
    """
    ranked = [t for t, _ in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_CLUSTERED]
    if not ranked:
        return []
    forms = [match_form(t) for t in ranked]
    parent = list(range(len(ranked)))
    for start in range(0, len(forms), ROW_CHUNK):
        block = process.cdist(
            forms[start : start + ROW_CHUNK],
            forms,
            scorer=fuzz.ratio,
            score_cutoff=CLUSTER_SCORE,
            workers=-1,
            dtype=np.float32,
        )
        for r, c in zip(*np.nonzero(block), strict=True):
            a, b = _find(parent, start + int(r)), _find(parent, int(c))
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(ranked)):
        groups.setdefault(_find(parent, i), []).append(i)
    clusters: list[dict[str, Any]] = []
    for members in groups.values():
        counts = np.array([texts[ranked[i]] for i in members], np.float64)
        sim = process.cdist([forms[i] for i in members], [forms[i] for i in members], scorer=fuzz.ratio)
        typical = members[int(np.argmax(sim @ counts - np.diag(sim) * counts + counts * 1e-6))]
        others = [ranked[i] for i in members if i != typical]
        clusters.append(
            {
                "size": int(counts.sum()),
                "wordings": len(members),
                "question": ranked[typical],
                "similar": others[:MAX_SIMILAR],
                "members": [{"question": ranked[i], "count": texts[ranked[i]]} for i in members],
            }
        )
    clusters.sort(key=lambda c: (-c["size"], -c["wordings"], c["question"]))
    return clusters
