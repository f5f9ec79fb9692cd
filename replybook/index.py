"""A character index that finds, for each question, the only wordings that can reach a score.

``fuzz.ratio`` is 200·LCS / (len(q) + len(w)), and the longest common subsequence can share no
more characters than the two strings have in common (as multisets). So a wording reaching ``floor``
must share at least ``need = ceil(floor·len(q) / (200 − floor))`` characters with the question, and
therefore (prefix filtering) at least one of the question's ``len(q) − need + 1`` rarest characters.
Only those wordings are scored; every other score is certainly below ``floor``, so the answers are
the same as comparing with every wording (tests/test_matching.py checks this on the sample shop).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
from rapidfuzz import fuzz, process

Token = tuple[str, int]  # (character, its k-th occurrence): multiset intersection as set intersection


def _tokens(form: str) -> list[Token]:
    return [(ch, k) for ch, count in Counter(form).items() for k in range(1, count + 1)]


class CandidateIndex:
    def __init__(self, forms: list[str]):
        self.forms = np.array(forms, dtype=object)
        self.lengths = np.array([len(f) for f in forms], np.int32)
        postings: dict[Token, list[int]] = defaultdict(list)
        for w, form in enumerate(forms):
            for token in _tokens(form):
                postings[token].append(w)
        self.postings = {t: np.array(ids, np.int32) for t, ids in postings.items()}
        self._everything = np.arange(len(forms), dtype=np.int32)

    def candidates(self, form: str, *, floor: float) -> np.ndarray:
        """Indexes (ascending) of the wordings whose ratio with ``form`` can be ≥ ``floor``."""
        lq = len(form)
        if lq == 0:
            return self._everything[:0]
        if floor <= 0:
            return self._everything
        need = max(1, math.ceil(floor * lq / (200.0 - floor) - 1e-9)) if floor < 200 else lq + 1
        if need > lq:
            return self._everything[:0]
        tokens = sorted(_tokens(form), key=lambda t: len(self.postings.get(t, ())))
        lists = [self.postings[t] for t in tokens[: lq - need + 1] if t in self.postings]
        if not lists:
            return self._everything[:0]
        found = np.unique(np.concatenate(lists))
        # Length filter: ratio ≤ 200·min(lq, lw) / (lq + lw).
        lw = self.lengths[found]
        keep = 200.0 * np.minimum(lq, lw) >= floor * (lq + lw) - 1e-6
        return found[keep]

    def scores(self, forms: list[str], *, floor: float) -> np.ndarray:
        """A questions × wordings matrix: exact ratios for candidates, 0 elsewhere."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for r, form in enumerate(forms):
            found = self.candidates(form, floor=floor)
            rows.append(np.full(len(found), r, np.int32))
            cols.append(found)
        out = np.zeros((len(forms), len(self.forms)), np.float32)
        if not rows:
            return out
        r_all = np.concatenate(rows)
        c_all = np.concatenate(cols)
        if len(r_all):
            questions = np.array(forms, dtype=object)[r_all]
            out[r_all, c_all] = process.cpdist(
                questions, self.forms[c_all], scorer=fuzz.ratio, workers=-1, dtype=np.float32
            )
        return out
