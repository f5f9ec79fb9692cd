"""How similar two uncovered questions are, with the matcher's own signals (issue 13 item 6).

The score of a question ``q`` against another form ``w`` is what the default matcher would give if
``w`` were a wording of the library (``signals.py``): the weighted mean of ``fuzz.ratio`` and the
cosine of character 1–2-gram TF-IDF vectors, times the content guard (the share of ``q``'s
characters ``w`` holds in order, by sound, against ``min_share``) and times the information guard
(the share of ``q``'s information — idf² of its characters, as a multiset — that ``w`` holds, against
``min_information``), idf taken over the forms being clustered. So two questions that share only
generic characters (寄到国外 / 寄到香港) are kept apart as matching keeps them apart.

``Vectors`` holds every form's grams as flat arrays (CSR: gram id, TF-IDF weight, character count,
information weight); ``FormSet`` holds the forms others are compared with (the cluster leaders,
growing) as a few gram-sorted postings pieces, merged like a binary counter (O(log n) pieces), so a
block of questions is joined with them in numpy, never a dense matrix of all pairs:

- ``pairs`` gives, per pair touched by a shared gram, the TF-IDF dot product, the shared characters
  (as multisets) and the information share, exactly; ``fuzz.ratio`` ≤ 200·shared / (len q + len w)
  and the content guard ≤ 1, so a pair whose bound is below ``cutoff`` is never scored exactly
  (``cpdist`` on the rest);
- ``pair_matrix`` scores every pair of two small lists (a cluster's members against its most asked
  ones for the typical wording), dense.

A pair that shares no character scores 0 (a ``pinyin`` weight, not in the default, would need one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.signals import Pipeline, pinyin_form

SUB_CHUNK = 64  # questions joined with the leaders together
EXPANSION_BUDGET = 1_000_000  # (row gram, leader) entries expanded at once: bounds a join's memory
EXACT_CHUNK = 200_000  # pairs scored exactly per cpdist call


@dataclass(frozen=True)
class Weights:
    """The pipeline's weights as the clusters use them (ratio, TF-IDF, pinyin; shares of 1), and
    its guards."""

    ratio: float
    tfidf: float
    pinyin: float
    min_share: float
    min_information: float = 0.0

    @classmethod
    def of(cls, pipeline: Pipeline) -> Weights:
        w = {name: weight for name, weight in pipeline.weights if weight > 0}
        total = sum(w.values()) or 1.0
        return cls(
            w.get("ratio", 0.0) / total,
            w.get("tfidf", 0.0) / total,
            w.get("pinyin", 0.0) / total,
            pipeline.min_share,
            pipeline.min_information,
        )


def _expand(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [start, start + length): (which range, index) of every element, concatenated."""
    total = int(lengths.sum())
    which = np.repeat(np.arange(len(lengths)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return which, starts[which] + offsets


class Vectors:
    """Each form's grams as flat arrays (``ptr`` delimits a form's entries): gram id, unit TF-IDF
    weight, the count of a one-character gram (0 for a pair) and that character's share of the
    form's information (idf² over all the forms, as the matcher weighs a library's wordings)."""

    def __init__(self, forms: list[str]):
        gram_id: dict[str, int] = {}
        ids = [
            gram_id.setdefault(t, len(gram_id))
            for f in forms
            for t in (*f, *(f[i : i + 2] for i in range(len(f) - 1)))
        ]
        sizes = np.fromiter((2 * len(f) - 1 if f else 0 for f in forms), np.int64, len(forms))
        n, k = len(forms), len(gram_id)
        form = np.repeat(np.arange(n, dtype=np.int64), sizes)
        key, count = np.unique(form * max(k, 1) + np.asarray(ids, np.int64), return_counts=True)
        which, gram = np.divmod(key, max(k, 1))  # sorted by form, then gram id (as grams() counts)
        df = np.bincount(gram, minlength=k)
        idf = np.log((n + 1) / (df + 1.0)) + 1.0
        single = np.fromiter((len(t) == 1 for t in gram_id), bool, k)
        vec = count * idf[gram]
        norm = np.sqrt(np.bincount(which, vec * vec, n))
        self.ptr = np.r_[0, np.cumsum(np.bincount(which, minlength=n))].astype(np.int64)
        self.gram = gram
        self.weight = vec / np.where(norm > 0, norm, 1.0)[which]
        one = single[gram]
        self.count = np.where(one, count, 0).astype(np.float64)
        info = np.where(one, count * idf[gram] ** 2, 0.0)
        total = np.bincount(which, info, n)
        self.info = np.where(one, idf[gram] ** 2, 0.0) / np.where(total > 0, total, 1.0)[which]
        self.lengths = np.array([len(f) for f in forms], np.float64)
        self.forms = np.array(forms, dtype=object)
        self.sounds = np.array([pinyin_form(f) for f in forms], dtype=object)

    def entries(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``positions``, entry index) of every gram entry of those forms."""
        return _expand(self.ptr[positions], self.ptr[positions + 1] - self.ptr[positions])


class _Piece:
    """Postings of some members: their gram entries sorted by gram, each with its member's index."""

    def __init__(self, vectors: Vectors, members: np.ndarray):
        self.members = members
        local, entry = vectors.entries(members)
        order = np.argsort(vectors.gram[entry], kind="stable")
        self.local, self.entry = local[order], entry[order]
        self.gram = vectors.gram[self.entry]


class FormSet:
    """Forms (positions into ``Vectors``) that questions are scored against."""

    PRUNE = True  # skip the pairs whose bound is below the cutoff (False: score every pair)

    def __init__(self, forms: list[str], vectors: Vectors, weights: Weights):
        self.all_forms, self.vectors, self.w = forms, vectors, weights
        self.members: list[int] = []
        self.pieces: list[_Piece] = []

    def __len__(self) -> int:
        return len(self.members)

    def add_many(self, positions: list[int]) -> None:
        """Add members; pieces of similar size merge, so there are O(log n) of them."""
        if not positions:
            return
        self.members.extend(positions)
        self.pieces.append(_Piece(self.vectors, np.asarray(positions, np.int64)))
        while len(self.pieces) > 1 and len(self.pieces[-1].members) >= len(self.pieces[-2].members):
            b, a = self.pieces.pop(), self.pieces.pop()
            self.pieces.append(_Piece(self.vectors, np.concatenate([a.members, b.members])))

    def add(self, position: int) -> None:
        self.add_many([position])

    def pairs(
        self, rows: np.ndarray, piece: _Piece
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pairs (row index, member position) sharing a gram, with their TF-IDF dot × 100,
        shared characters (as multisets) and information share, exactly."""
        v = self.vectors
        which, entry = v.entries(rows)
        g = v.gram[entry]
        lo = np.searchsorted(piece.gram, g, "left")
        lengths = np.searchsorted(piece.gram, g, "right") - lo
        out: list[tuple[np.ndarray, ...]] = []
        # Entries in runs whose expansion stays within the budget (a row's entries may be split).
        cum = np.cumsum(lengths)
        start = 0
        while start < len(entry):
            base = cum[start - 1] if start else 0
            stop = max(start + 1, int(np.searchsorted(cum, base + EXPANSION_BUDGET, "right")))
            out.append(
                self._join(which[start:stop], entry[start:stop], lo[start:stop], lengths[start:stop], piece)
            )
            start = stop
        parts = [p for p in out if len(p[0])]
        if not parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0), np.zeros(0), np.zeros(0)
        if len(parts) == 1:
            r, local, dot, shared, info = parts[0]
        else:  # a row split across runs: sum its pieces again
            r = np.concatenate([p[0] for p in parts])
            local = np.concatenate([p[1] for p in parts])
            key = r * len(piece.members) + local
            keys, inverse = np.unique(key, return_inverse=True)
            dot, shared, info = (
                np.bincount(inverse, np.concatenate([p[k] for p in parts]), len(keys)) for k in (2, 3, 4)
            )
            r, local = np.divmod(keys, len(piece.members))
        return r, piece.members[local], dot, shared, info

    def _join(
        self, which: np.ndarray, entry: np.ndarray, lo: np.ndarray, lengths: np.ndarray, piece: _Piece
    ) -> tuple[np.ndarray, ...]:
        v = self.vectors
        hit, at = _expand(lo, lengths)
        if not len(at):
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0), np.zeros(0), np.zeros(0)
        q, w = entry[hit], piece.entry[at]
        dot = 100.0 * v.weight[q] * v.weight[w]
        shared = np.minimum(v.count[q], v.count[w])
        info = shared * v.info[q]
        size = len(piece.members)
        key = which[hit] * size + piece.local[at]
        keys, inverse = np.unique(key, return_inverse=True)
        n = len(keys)
        r, local = np.divmod(keys, size)
        return (
            r,
            local,
            np.bincount(inverse, dot, n),
            np.bincount(inverse, shared, n),
            np.bincount(inverse, info, n),
        )

    def candidates(
        self, rows: np.ndarray, cutoff: float, *, within: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row index, member position, score) of every pair scoring ≥ ``cutoff`` (``within``: the
        rows among themselves, each with the earlier rows only)."""
        pieces = [_Piece(self.vectors, rows)] if within else self.pieces
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for piece in pieces:
            r, pos, dot, shared, info = self.pairs(rows, piece)
            if within:
                keep = pos < rows[r]
                r, pos, dot, shared, info = r[keep], pos[keep], dot[keep], shared[keep], info[keep]
            if self.PRUNE and len(r):
                bound = self._bound(rows[r], pos, dot, shared, info)
                keep = bound >= cutoff - 1e-6
                r, pos, dot, info = r[keep], pos[keep], dot[keep], info[keep]
            if not len(r):
                continue
            score = self.exact(rows[r], pos, dot, info)
            keep = score >= cutoff
            found.append((r[keep], pos[keep], score[keep]))
        if not found:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0)
        return tuple(np.concatenate([f[k] for f in found]) for k in range(3))  # type: ignore[return-value]

    def _bound(
        self, q: np.ndarray, pos: np.ndarray, dot: np.ndarray, shared: np.ndarray, info: np.ndarray
    ) -> np.ndarray:
        w, lengths = self.w, self.vectors.lengths
        ratio = np.minimum(100.0, 200.0 * shared / (lengths[q] + lengths[pos]))
        return (w.ratio * ratio + w.tfidf * dot + w.pinyin * 100.0) * self._information(info)

    def _information(self, info: np.ndarray) -> np.ndarray | float:
        if self.w.min_information <= 0:
            return 1.0
        return np.minimum(1.0, info / self.w.min_information)

    def exact(self, q: np.ndarray, pos: np.ndarray, dot: np.ndarray, info: np.ndarray) -> np.ndarray:
        """The pipeline's score of each pair (question ``q``, form ``pos``: positions), 1-d."""
        v, w = self.vectors, self.w
        needs_sound = w.min_share > 0 or w.pinyin > 0
        ratio = np.zeros(len(q))
        sound = np.zeros(len(q))
        for s in range(0, len(q), EXACT_CHUNK):
            a, b = q[s : s + EXACT_CHUNK], pos[s : s + EXACT_CHUNK]
            ratio[s : s + len(a)] = process.cpdist(
                v.forms[a].tolist(), v.forms[b].tolist(), scorer=fuzz.ratio, workers=-1, dtype=np.float64
            )
            if needs_sound:
                sound[s : s + len(a)] = process.cpdist(
                    v.sounds[a].tolist(),
                    v.sounds[b].tolist(),
                    scorer=fuzz.ratio,
                    workers=-1,
                    dtype=np.float64,
                )
        return self._combine(q, v.lengths[pos], dot, ratio, sound, info)

    def _combine(
        self,
        q: np.ndarray,
        w_len: np.ndarray,
        dot: np.ndarray,
        ratio: np.ndarray,
        sound: np.ndarray,
        info: np.ndarray,
    ) -> np.ndarray:
        w = self.w
        score = w.ratio * ratio + w.tfidf * dot + w.pinyin * sound
        if w.min_share > 0:
            q_len = self.vectors.lengths[q]
            lcs = sound * (q_len + w_len) / 200.0  # by sound, which includes by character
            score *= np.minimum(1.0, lcs / np.maximum(q_len, 1.0) / w.min_share)
        return score * self._information(info)


def pair_matrix(known: FormSet, rows: list[int], cols: list[int]) -> np.ndarray:
    """Scores of ``rows`` against ``cols`` (positions into ``known``'s forms), dense."""
    v, m, n = known.vectors, len(rows), len(cols)
    r_pos, c_pos = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    piece = _Piece(v, c_pos)
    r, pos, dot_p, _, info_p = known.pairs(r_pos, piece)
    col_of = {p: i for i, p in enumerate(cols)}  # (a position listed twice: its first column)
    c = np.fromiter((col_of[p] for p in pos.tolist()), np.int64, len(pos))
    dot = np.zeros((m, n))
    info = np.zeros((m, n))
    dot[r, c], info[r, c] = dot_p, info_p
    for j, p in enumerate(cols):  # the same position as another column: the same sums
        if col_of[p] != j:
            dot[:, j], info[:, j] = dot[:, col_of[p]], info[:, col_of[p]]
    workers = -1 if m * n > 100_000 else 1  # threads cost more than a small matrix
    ratio = process.cdist(
        v.forms[r_pos].tolist(), v.forms[c_pos].tolist(), scorer=fuzz.ratio, workers=workers, dtype=np.float64
    )
    sound = process.cdist(
        v.sounds[r_pos].tolist(),
        v.sounds[c_pos].tolist(),
        scorer=fuzz.ratio,
        workers=workers,
        dtype=np.float64,
    )
    q = np.repeat(r_pos, n)
    score = known._combine(
        q, np.tile(v.lengths[c_pos], m), dot.ravel(), ratio.ravel(), sound.ravel(), info.ravel()
    )
    return score.reshape(m, n)
