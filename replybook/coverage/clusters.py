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
from itertools import chain
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.forms import match_form

CLUSTER_SCORE = 50  # a wording at least this similar (fuzz.ratio of match forms) to a leader joins it
MAX_CLUSTERED = 20_000  # the most frequent distinct uncovered forms that are clustered
ROW_CHUNK = 1_000
MAX_SIMILAR = 10
TYPICAL_SAMPLE = 200  # the typical wording is judged against a cluster's most frequent forms


def _tokens(form: str) -> list[tuple[str, int]]:
    """("的", 1), ("的", 2) …: shared tokens of two forms are their shared characters as multisets."""
    seen: dict[str, int] = {}
    out = []
    for ch in form:
        k = seen[ch] = seen.get(ch, 0) + 1
        out.append((ch, k))
    return out


class _Leaders:
    """The cluster leaders so far, with a character index over them.

    ``fuzz.ratio`` = 200·LCS / (la + lb) ≤ 200·shared / (la + lb), ``shared`` the characters two forms
    have in common: a leader sharing too few characters cannot reach ``CLUSTER_SCORE`` and is not
    scored. Rows whose characters are common (the index would touch more than ``DENSE_SHARE`` of
    the leaders) are compared with every leader instead; both ways give the same best leader.
    """

    DENSE_SHARE = 0.25

    def __init__(self) -> None:
        self.ids: list[int] = []  # positions in the forms list, in order of creation
        self.forms: list[str] = []
        self.lengths: list[int] = []
        self.postings: dict[tuple[str, int], list[int]] = {}

    def add(self, position: int, form: str) -> None:
        slot = len(self.ids)
        self.ids.append(position)
        self.forms.append(form)
        self.lengths.append(len(form))
        for token in _tokens(form):
            self.postings.setdefault(token, []).append(slot)

    def best(self, block: list[str]) -> np.ndarray:
        """The best leader's position for each form of ``block`` (≥ CLUSTER_SCORE), else -1."""
        n = len(self.ids)
        out = np.full(len(block), -1, np.int64)
        if not n:
            return out
        ids = np.asarray(self.ids, np.int64)
        lengths = np.asarray(self.lengths, np.float64)
        dense: list[int] = []
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for r, form in enumerate(block):
            lists = [p for t in _tokens(form) if (p := self.postings.get(t))]
            if sum(map(len, lists)) > self.DENSE_SHARE * n:
                dense.append(r)
                continue
            if not lists:
                continue
            shared = np.bincount(np.fromiter(chain.from_iterable(lists), np.int64))
            # 200·shared/(la + lb) ≥ 49: a little below the cutoff, whatever rapidfuzz rounds.
            slots = np.flatnonzero(200 * shared >= 49 * (len(form) + lengths[: len(shared)]))
            rows.append(np.full(len(slots), r, np.int64))
            cols.append(slots)
        if dense:
            sim = process.cdist(
                [block[r] for r in dense],
                self.forms,
                scorer=fuzz.ratio,
                score_cutoff=CLUSTER_SCORE,
                workers=-1,
                dtype=np.uint8,
            )
            best = sim.argmax(axis=1)  # the first of equal leaders: the most frequent one
            hit = sim[np.arange(len(dense)), best] >= CLUSTER_SCORE
            out[np.asarray(dense)[hit]] = ids[best[hit]]
        if rows:
            r_all, c_all = np.concatenate(rows), np.concatenate(cols)
            if len(r_all):
                scores = process.cpdist(
                    [block[r] for r in r_all.tolist()],
                    [self.forms[c] for c in c_all.tolist()],
                    scorer=fuzz.ratio,
                    score_cutoff=CLUSTER_SCORE,
                    workers=-1,
                    dtype=np.uint8,
                )
                keep = scores >= CLUSTER_SCORE
                r_k, c_k, s_k = r_all[keep], c_all[keep], scores[keep]
                order = np.lexsort((c_k, -s_k.astype(np.int64), r_k))  # per row: best, then first
                r_k, c_k = r_k[order], c_k[order]
                if len(r_k):
                    first = np.r_[True, r_k[1:] != r_k[:-1]]
                    out[r_k[first]] = ids[c_k[first]]
        return out


def _leaders(forms: list[str]) -> np.ndarray:
    """The cluster (index of its leader in ``forms``) of each form, ``forms`` most frequent first."""
    n = len(forms)
    cluster = np.full(n, -1, np.int64)
    leaders = _Leaders()
    for start in range(0, n, ROW_CHUNK):
        stop = min(n, start + ROW_CHUNK)
        block = forms[start:stop]
        cluster[start:stop] = leaders.best(block)
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
                leaders.add(start + int(rest[r]), block[rest[r]])
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
