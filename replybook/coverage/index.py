"""A character index that finds, for each question, the only wordings that can reach a score.

``fuzz.ratio`` is 200·LCS / (len(q) + len(w)), and the longest common subsequence can use no more
characters than the two strings have in common (as multisets: the k-th 的 is its own token). So
200·shared / (len(q) + len(w)) bounds the score: a wording whose bound is below ``floor`` cannot
reach it and is not scored. Every status is decided by scores ≥ ``floor`` (the matcher's threshold
minus its margin), so the answers are the same as comparing with every wording
(tests/test_matching.py checks this on the sample shop; the benchmark on a million questions).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from rapidfuzz import fuzz, process

Token = tuple[str, int]  # (character, its k-th occurrence): multiset intersection as set intersection


def _tokens(form: str) -> list[Token]:
    """("的", 1), ("的", 2) … for each occurrence of each character."""
    return [(ch, k) for ch, count in Counter(form).items() for k in range(1, count + 1)]


class CandidateIndex:
    def __init__(self, forms: list[str]):
        self.forms = np.array(forms, dtype=object)
        self.lengths = np.array([len(f) for f in forms], np.float32)
        postings: dict[Token, list[int]] = defaultdict(list)
        for w, form in enumerate(forms):
            for token in _tokens(form):
                postings[token].append(w)
        self.postings = {t: np.array(ids, np.int32) for t, ids in postings.items()}

    SUB_CHUNK = 32  # questions whose shared-token counts are taken together

    def _candidates(self, forms: list[str], offset: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the pairs whose bound reaches ``floor``, for a few questions."""
        m, n = len(forms), len(self.forms)
        postings = self.postings
        lists: list[np.ndarray] = []
        owners: list[int] = []
        for r, form in enumerate(forms):
            seen: dict[str, int] = {}
            for ch in form:
                k = seen[ch] = seen.get(ch, 0) + 1
                ids = postings.get((ch, k))
                if ids is not None:
                    lists.append(ids)
                    owners.append(r)
        if not lists:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # Shared-token counts: one increment per posting touched, never a sort; the counts array
        # is small (SUB_CHUNK questions × wordings), so it stays in the CPU cache.
        sizes = np.fromiter((len(ids) for ids in lists), np.int64, len(lists))
        rows = np.repeat(np.array(owners, np.int64), sizes)
        cols = np.concatenate(lists)
        keys = rows * n + cols
        shared = np.bincount(keys, minlength=m * n)
        # fuzz.ratio = 200·LCS/(lq + lw) ≤ 200·shared/(lq + lw): skip pairs that cannot reach floor.
        q_len = np.array([len(f) for f in forms], np.float32)
        passing = 200.0 * shared[keys] >= floor * (q_len[rows] + self.lengths[cols]) - 1e-3
        marked = np.zeros(m * n, bool)
        marked[keys[passing]] = True
        r_all, c_all = np.divmod(np.flatnonzero(marked), n)
        return r_all + offset, c_all

    def scores(self, forms: list[str], *, floor: float) -> np.ndarray:
        """A questions × wordings matrix: exact ratios where the bound allows ``floor``, 0 elsewhere.

        The shared-character counts of a whole chunk come from its questions' postings, counted
        together; only pairs whose bound reaches ``floor`` are scored (``cpdist``).
        """
        m, n = len(forms), len(self.forms)
        if floor <= 0:
            return process.cdist(forms, self.forms, scorer=fuzz.ratio, workers=-1, dtype=np.float32)
        out = np.zeros((m, n), np.float32)
        found = [
            self._candidates(forms[start : start + self.SUB_CHUNK], start, floor)
            for start in range(0, m, self.SUB_CHUNK)
        ]
        r_all = np.concatenate([r for r, _ in found])
        c_all = np.concatenate([c for _, c in found])
        if len(r_all):
            questions = np.array(forms, dtype=object)[r_all]
            out[r_all, c_all] = process.cpdist(
                questions, self.forms[c_all], scorer=fuzz.ratio, workers=-1, dtype=np.float32
            )
        return out
