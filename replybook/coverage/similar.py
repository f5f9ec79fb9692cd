"""How similar two uncovered questions are, with the matcher's own signals (issue 13 item 6).

The score of a question ``q`` against another form ``w`` is what the default matcher would give if
``w`` were a wording of the library: the weighted mean of ``fuzz.ratio`` and the cosine of character
1–2-gram TF-IDF vectors (idf from the forms being clustered), times the content guard (the share of
``q``'s characters ``w`` holds in order, by sound, against ``min_share``). See ``signals.py``.

``FormSet`` holds forms that others are compared with (the cluster leaders, growing) as postings of
their grams, so a block of questions is scored against them without a dense matrix of all pairs:

- ``candidates`` counts, per pair touched by a shared gram, the TF-IDF dot product and the shared
  characters; ``fuzz.ratio`` ≤ 200·shared / (len q + len w) and the guard ≤ 1, so a pair whose bound
  is below ``cutoff`` cannot reach it and is never scored exactly (``cpdist`` on the rest);
- ``pair_matrix`` scores every pair of two small lists (a block's rows among themselves, a cluster's
  members against its most asked ones for the typical wording), the dot products as a matrix product.

A pair that shares no character scores 0 (a ``pinyin`` weight, not in the default, would need one).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.signals import Pipeline, grams, pinyin_form

SUB_CHUNK = 32  # questions whose dot products are counted together (a cache-sized matrix)


@dataclass(frozen=True)
class Weights:
    """The pipeline's weights as the clusters use them (ratio, TF-IDF, pinyin; shares of 1)."""

    ratio: float
    tfidf: float
    pinyin: float
    min_share: float

    @classmethod
    def of(cls, pipeline: Pipeline) -> Weights:
        w = {name: weight for name, weight in pipeline.weights if weight > 0}
        total = sum(w.values()) or 1.0
        return cls(
            w.get("ratio", 0.0) / total,
            w.get("tfidf", 0.0) / total,
            w.get("pinyin", 0.0) / total,
            pipeline.min_share,
        )


class Vectors:
    """Each form's TF-IDF vector (gram ids and unit weights), idf from all the forms."""

    def __init__(self, forms: list[str]):
        counted = [grams(f) for f in forms]
        df: Counter[str] = Counter()
        for g in counted:
            df.update(g.keys())
        n = len(forms)
        self.gram_id = {g: i for i, g in enumerate(df)}
        idf = {g: math.log((n + 1) / (d + 1)) + 1.0 for g, d in df.items()}
        self.ids: list[list[int]] = []
        self.weights: list[list[float]] = []
        for g in counted:
            vec = [(self.gram_id[t], c * idf[t]) for t, c in g.items()]
            norm = math.sqrt(sum(v * v for _, v in vec)) or 1.0
            self.ids.append([i for i, _ in vec])
            self.weights.append([v / norm for _, v in vec])
        # The characters of each form as counts, for the shared-character bound; its sound.
        self.chars = [Counter(f) for f in forms]
        self.sounds = [pinyin_form(f) for f in forms]


class _Postings:
    """A growable int/float column (amortised appends, views without copies)."""

    __slots__ = ("slots", "values", "size")

    def __init__(self) -> None:
        self.slots = np.empty(4, np.int64)
        self.values = np.empty(4, np.float64)
        self.size = 0

    def append(self, slot: int, value: float) -> None:
        if self.size == len(self.slots):
            self.slots = np.resize(self.slots, 2 * self.size)
            self.values = np.resize(self.values, 2 * self.size)
        self.slots[self.size] = slot
        self.values[self.size] = value
        self.size += 1


class FormSet:
    """Forms (positions into ``Vectors``) that questions are scored against."""

    def __init__(self, forms: list[str], vectors: Vectors, weights: Weights):
        self.all_forms, self.vectors, self.w = forms, vectors, weights
        self.members: list[int] = []
        self.forms: list[str] = []
        self.sounds: list[str] = []
        self.lengths: list[float] = []
        self.grams: dict[int, _Postings] = {}
        self.chars: dict[str, _Postings] = {}

    def __len__(self) -> int:
        return len(self.members)

    def add(self, position: int) -> None:
        slot = len(self.members)
        form = self.all_forms[position]
        self.members.append(position)
        self.forms.append(form)
        self.sounds.append(self.vectors.sounds[position])
        self.lengths.append(float(len(form)))
        for g, v in zip(self.vectors.ids[position], self.vectors.weights[position], strict=True):
            self.grams.setdefault(g, _Postings()).append(slot, v)
        for ch, count in self.vectors.chars[position].items():
            self.chars.setdefault(ch, _Postings()).append(slot, float(count))

    def _counts(self, rows: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pairs (row index, member slot) sharing a gram, with their TF-IDF dot × 100 and
        their shared characters (as multisets), for a few rows."""
        n = len(self.members)
        keys: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        c_keys: list[np.ndarray] = []
        c_vals: list[np.ndarray] = []
        grams, chars, vectors = self.grams, self.chars, self.vectors
        for r, position in enumerate(rows):
            for g, v in zip(vectors.ids[position], vectors.weights[position], strict=True):
                p = grams.get(g)
                if p is not None:
                    keys.append(p.slots[: p.size] + r * n)
                    vals.append(p.values[: p.size] * (100.0 * v))
            for ch, count in vectors.chars[position].items():
                p = chars.get(ch)
                if p is not None:
                    c_keys.append(p.slots[: p.size] + r * n)
                    c_vals.append(np.minimum(p.values[: p.size], float(count)))
        if not keys:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0), np.zeros(0)
        key, c_key = np.concatenate(keys), np.concatenate(c_keys)
        m = len(rows)
        if len(key) * 4 >= m * n:  # dense enough: count into the whole (small) matrix
            dot = np.bincount(key, np.concatenate(vals), minlength=m * n)
            shared = np.bincount(c_key, np.concatenate(c_vals), minlength=m * n)
            pairs = np.flatnonzero(dot)
            dots, shares = dot[pairs], shared[pairs]
        else:  # sparse: the same sums, over the touched pairs only (every shared character is a gram)
            pairs, inverse = np.unique(key, return_inverse=True)
            dots = np.bincount(inverse, np.concatenate(vals), minlength=len(pairs))
            at = np.searchsorted(pairs, c_key)
            shares = np.bincount(at, np.concatenate(c_vals), minlength=len(pairs))
        r_idx, c_idx = np.divmod(pairs, n)
        return r_idx, c_idx, dots, shares

    def _combine(
        self, rows: np.ndarray, cols: np.ndarray, dot: np.ndarray, ratio: np.ndarray, sound: np.ndarray
    ) -> np.ndarray:
        """The pipeline's score of each pair (row question, column member), all 1-d arrays."""
        return self._combine_lengths(rows, np.asarray(self.lengths)[cols], dot, ratio, sound)

    def _combine_lengths(
        self, rows: np.ndarray, w_len: np.ndarray, dot: np.ndarray, ratio: np.ndarray, sound: np.ndarray
    ) -> np.ndarray:
        w = self.w
        score = w.ratio * ratio + w.tfidf * dot + w.pinyin * sound
        if w.min_share > 0:
            q_len = np.array([len(self.all_forms[r]) for r in rows.tolist()], np.float64)
            lcs = sound * (q_len + w_len) / 200.0  # by sound, which includes by character
            score *= np.minimum(1.0, lcs / np.maximum(q_len, 1.0) / w.min_share)
        return score

    PRUNE = True  # skip the pairs whose bound is below the cutoff (False: score every pair)

    def best(self, rows: list[int], cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the first member with the highest score ≥ ``cutoff`` (slot, else -1) and
        that score; members whose bound is below ``cutoff`` are not scored."""
        out = np.full(len(rows), -1, np.int64)
        top = np.zeros(len(rows))
        if not self.members or not rows:
            return out, top
        r_idx, c_idx, dot, shared = self._counts(rows)
        if self.PRUNE:
            q_len = np.array([len(self.all_forms[r]) for r in rows], np.float64)[r_idx]
            ratio = np.minimum(100.0, 200.0 * shared / (q_len + np.asarray(self.lengths)[c_idx]))
            bound = self.w.ratio * ratio + self.w.tfidf * dot + self.w.pinyin * 100.0
            keep = bound >= cutoff - 1e-6
            r_idx, c_idx, dot = r_idx[keep], c_idx[keep], dot[keep]
        if not len(r_idx):
            return out, top
        positions = np.asarray(rows, np.int64)[r_idx]
        score = self._exact(positions, c_idx, dot)
        keep = score >= cutoff
        r_k, c_k, s_k = r_idx[keep], c_idx[keep], score[keep]
        order = np.lexsort((c_k, -s_k, r_k))  # per row: the best, then the earliest member
        r_k, c_k, s_k = r_k[order], c_k[order], s_k[order]
        first = np.r_[True, r_k[1:] != r_k[:-1]] if len(r_k) else np.zeros(0, bool)
        out[r_k[first]] = c_k[first]
        top[r_k[first]] = s_k[first]
        return out, top

    def _exact(self, positions: np.ndarray, cols: np.ndarray, dot: np.ndarray) -> np.ndarray:
        a = [self.all_forms[p] for p in positions.tolist()]
        b = [self.forms[c] for c in cols.tolist()]
        ratio = process.cpdist(a, b, scorer=fuzz.ratio, workers=-1, dtype=np.float64)
        needs_sound = self.w.min_share > 0 or self.w.pinyin > 0
        sound = (
            process.cpdist(
                [self.vectors.sounds[p] for p in positions.tolist()],
                [self.sounds[c] for c in cols.tolist()],
                scorer=fuzz.ratio,
                workers=-1,
                dtype=np.float64,
            )
            if needs_sound
            else np.zeros(len(a))
        )
        return self._combine(positions, cols, dot, ratio, sound)

    def among(self, rows: list[int]) -> np.ndarray:
        """The scores of a few forms against each other (rows × rows)."""
        return pair_matrix(self, rows, rows)


def pair_matrix(known: FormSet, rows: list[int], cols: list[int]) -> np.ndarray:
    """Scores of ``rows`` against ``cols`` (positions into ``known``'s forms), dense, without
    postings: the dot products as one product of small gram matrices."""
    vectors, m, n = known.vectors, len(rows), len(cols)
    vocab: dict[int, int] = {}
    for p in cols:
        for g in vectors.ids[p]:
            vocab.setdefault(g, len(vocab))

    def matrix(positions: list[int]) -> np.ndarray:
        out = np.zeros((len(positions), len(vocab)))
        for r, p in enumerate(positions):
            for g, v in zip(vectors.ids[p], vectors.weights[p], strict=True):
                col = vocab.get(g)
                if col is not None:
                    out[r, col] = v
        return out

    dot = 100.0 * (matrix(rows) @ matrix(cols).T)
    workers = -1 if m * n > 100_000 else 1  # threads cost more than a small matrix
    a, b = [known.all_forms[p] for p in rows], [known.all_forms[p] for p in cols]
    ratio = process.cdist(a, b, scorer=fuzz.ratio, workers=workers, dtype=np.float64)
    a, b = [vectors.sounds[p] for p in rows], [vectors.sounds[p] for p in cols]
    sound = process.cdist(a, b, scorer=fuzz.ratio, workers=workers, dtype=np.float64)
    r_idx, c_idx = np.divmod(np.arange(m * n), n)
    lengths = np.array([len(known.all_forms[p]) for p in cols], np.float64)
    score = known._combine_lengths(
        np.asarray(rows, np.int64)[r_idx], lengths[c_idx], dot.ravel(), ratio.ravel(), sound.ravel()
    )
    return score.reshape(m, n)
