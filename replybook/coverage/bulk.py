"""Many questions scored only where the score can change an answer (issue 14 goal 1).

``FittedPipeline.scores`` computes every signal for every pair. Here the cheap parts come first, as
sparse products of a chunk's questions with the library (scipy, imported lazily):

- TF-IDF: question × gram (its weights) times gram × wording — the same products summed in the same
  order as ``signals._FittedTfidf.scores``, so the same float64 sums, to the bit;
- the information guard's shares: question × (character, count) times (character, count) × wording,
  min(count in the wording, count in the question) · idf² / total, summed in float32 in the order
  ``signals.Information.shares`` sums them;
- the characters in common as multisets, the same product with ones: the LCS can use no more, so
  ``fuzz.ratio`` ≤ 200·common / (len q + len w).

A pair's score is at most (w_ratio·that bound + w_tfidf·TF-IDF) × the information factor (the content
guard is ≤ 1), slightly widened past float rounding. The best few bounds of each question are scored
exactly (``fuzz.ratio`` and the by-sound ratio of the content guard on those pairs only, ``cpdist``),
then every pair whose bound reaches that best score minus the margin: no pair left can be the best,
tie with it, be the runner-up or change the status. ``decide`` then takes the decisions of
``Matcher._decide`` from those pairs alone, the pairs left out counting as 0 (below all of them), so
the answers are those of the full matrix (tests/test_bulk.py compares every column but ``second``,
which is exact only where it is at least the best score minus the margin; calibration, which reads
it for every question, scores every pair).
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

import numpy as np
from rapidfuzz import fuzz, process

from replybook.coverage.outcomes import Outcomes
from replybook.coverage.signals import (
    FittedPipeline,
    Information,
    _FittedRatio,
    _FittedTfidf,
    grams,
    pinyin_form,
)

SLACK = 1.001  # the bound is widened past float rounding (as in signals.OneQuestion)


def _csr(
    postings: dict[str, tuple[np.ndarray, np.ndarray]], n: int, dtype: Any
) -> tuple[dict[str, int], Any]:
    from scipy.sparse import csr_matrix

    vocab = {t: i for i, t in enumerate(postings)}
    sizes = np.fromiter((len(ids) for ids, _ in postings.values()), np.int64, len(postings))
    indptr = np.r_[0, np.cumsum(sizes)]
    if len(postings):
        indices = np.concatenate([ids for ids, _ in postings.values()]).astype(np.int32)
        data = np.concatenate([v for _, v in postings.values()]).astype(dtype)
    else:
        indices, data = np.empty(0, np.int32), np.empty(0, dtype)
    return vocab, csr_matrix((data, indices, indptr), shape=(len(postings), n))


def _part(product: Any, data: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    return csr_matrix((np.ascontiguousarray(data), product.indices, product.indptr), shape=product.shape)


class Bulk:
    """The library side of the sparse products, built once per fitted pipeline."""

    def __init__(self, fitted: FittedPipeline, forms: list[str]) -> None:
        self.fitted = fitted
        n = len(forms)
        self.n = n
        self.forms = np.array(forms, dtype=object)
        self.total = sum(w for _, w in fitted.fitted)
        self.tfidf: _FittedTfidf | None = None
        self.w_ratio = self.w_tfidf = 0.0
        for signal, w in fitted.fitted:
            if isinstance(signal, _FittedRatio):
                self.w_ratio += w / self.total
            else:
                assert isinstance(signal, _FittedTfidf)
                self.tfidf = signal
                self.w_tfidf += w / self.total
        if self.tfidf is not None:
            self.gram_ids, self.grams = _csr(self.tfidf.postings, n, np.float64)
        # (character, k) → min(count in the wording, k) for every wording holding the character;
        # k up to the most any wording holds, so min(cw, cq) = min(cw, min(cq, kmax)).
        info = fitted.information or Information.fit(forms)
        self.info = info if fitted.information is not None else None
        self.weight = info.weight
        self.kmax: dict[str, int] = {}
        tokens: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for ch, (ids, counts) in info.postings.items():
            top = int(counts.max())
            self.kmax[ch] = top
            for k in range(1, top + 1):
                tokens[f"{ch}{k}"] = (ids, np.minimum(counts, np.float32(k)))
        self.token_ids, self.tokens = _csr(tokens, n, np.complex64)
        self.lengths = fitted.lengths
        self.codes = np.array([pinyin_form(f) for f in forms], dtype=object) if fitted.sounds else None

    # ------------------------------------------------------------ the cheap parts, for a chunk

    def _products(self, forms: list[str]) -> tuple[Any, Any, Any]:
        """TF-IDF (float64, as ``_FittedTfidf.scores`` sums it), information shares (float32, as
        ``Information.shares`` sums them) and the characters in common, as sparse questions × wordings."""
        from scipy.sparse import csr_matrix

        tfidf = self.tfidf
        idf, unseen = (tfidf.idf, tfidf.unseen) if tfidf is not None else ({}, 1.0)
        gram_ids = self.gram_ids if tfidf is not None else {}
        weight, token_ids, kmax = self.weight, self.token_ids, self.kmax
        info_unseen = (math.log(self.n + 1) + 1.0) ** 2
        # Per question: its grams' ids and TF-IDF weights (then 100·v/norm, vectorised: the same
        # float64 operations), its characters' tokens and idf² (then / total, cast to float32).
        g_ids: list[int] = []
        g_v: list[float] = []
        g_ptr, norms = [0], []
        t_ids: list[int] = []
        t_w: list[float] = []
        t_ptr, totals = [0], []
        for form in forms:
            counted = grams(form)
            if tfidf is not None:
                vs = [c * idf.get(t, unseen) for t, c in counted.items()]
                norms.append(math.sqrt(sum(v * v for v in vs)) or 1.0)
                g_ids += [gram_ids.get(t, -1) for t in counted]
                g_v += vs
                g_ptr.append(len(g_ids))
            chars = [(ch, k) for ch, k in counted.items() if len(ch) == 1]  # Counter(form)'s order
            total = sum(k * weight.get(ch, info_unseen) for ch, k in chars)
            if total:
                for ch, k in chars:
                    top = kmax.get(ch)
                    if top is not None:
                        t_ids.append(token_ids[f"{ch}{min(k, top)}"])
                        t_w.append(weight[ch])
            totals.append(total or 1.0)
            t_ptr.append(len(t_ids))
        t_cols = np.array(t_ids, np.int32)
        pointers = np.array(t_ptr, np.int64)
        t_counts = pointers[1:] - pointers[:-1]
        t_vals = (np.array(t_w, np.float64) / np.repeat(np.array(totals, np.float64), t_counts)).astype(
            np.float32
        )
        m = len(forms)
        shape = (m, len(token_ids))
        # One product for both: (share + 1j)·(min count + 0j) = share·count (exactly: a·b − 1·0)
        # + 1j·count, summed in float32 in the questions' order.
        both = csr_matrix((t_vals + np.complex64(1j), t_cols, pointers), shape=shape) @ self.tokens
        shares, common = _part(both, both.data.real), _part(both, both.data.imag)
        if tfidf is None:
            return None, shares, common
        ids = np.array(g_ids, np.int64)
        g_pointers = np.array(g_ptr, np.int64)
        per_row = g_pointers[1:] - g_pointers[:-1]
        vals = 100.0 * np.array(g_v, np.float64) / np.repeat(np.array(norms, np.float64), per_row)
        known = ids >= 0
        g_rows = np.repeat(np.arange(m), per_row)[known]
        q = csr_matrix(
            (vals[known], ids[known].astype(np.int32), np.searchsorted(g_rows, np.arange(m + 1))),
            shape=(m, len(gram_ids)),
        )
        return q @ self.grams, shares, common

    # ------------------------------------------------------------ exact scores of some pairs

    def _exact(
        self, q: np.ndarray, codes: np.ndarray | None, c: np.ndarray, tfidf: np.ndarray, shares: np.ndarray
    ) -> np.ndarray:
        """``FittedPipeline.scores`` at the pairs (questions ``q``, wordings ``c``), with their TF-IDF
        and information shares: the same float32 operations, element by element."""
        f = self.fitted
        out = np.zeros(len(c), np.float32)
        for signal, w in f.fitted:
            if isinstance(signal, _FittedRatio):
                part = process.cpdist(q, self.forms[c], scorer=fuzz.ratio, workers=-1, dtype=np.float32)
            else:
                part = tfidf
            out += part * np.float32(w / self.total)
        if codes is not None:
            assert self.codes is not None
            ratio = process.cpdist(codes, self.codes[c], scorer=fuzz.ratio, workers=-1, dtype=np.float32)
            q_len = np.array([len(s) for s in q], np.float32)
            shared = ratio * (q_len + self.lengths[c]) / 200.0
            share = shared / np.maximum(q_len, 1.0)
            out *= np.minimum(1.0, share / f.pipeline.min_share).astype(np.float32)
        if self.info is not None:
            out *= np.minimum(1.0, shares / np.float32(f.pipeline.min_information))
        return out

    def pairs(self, forms: list[str], margin: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(question, wording, exact score) wherever a score can decide the best wording, the
        runner-up or the status at ``margin``; every pair left out scores below them."""
        m, n = len(forms), self.n
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        empty = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
        if not m or not n:
            return empty
        tfidf, shares, common = self._products(forms)
        pattern = common.indptr, common.indices
        for product in (tfidf, shares):  # the same pairs (those sharing a character), the same order
            if product is not None and not (
                np.array_equal(product.indptr, pattern[0]) and np.array_equal(product.indices, pattern[1])
            ):
                dense = self.fitted.scores(forms)  # never seen; kept exact rather than fast
                r, c = np.nonzero(dense)
                return r, c, dense[r, c]
        per_row = np.diff(common.indptr)
        rows = np.repeat(np.arange(m), per_row)
        cols = common.indices
        t = tfidf.data if tfidf is not None else np.zeros(len(cols), np.float64)  # cast where scored
        q_len = np.array([len(s) for s in forms], np.float32)
        # The bound, in place (its own rounding does not matter: the slack covers it).
        bound = np.zeros(len(cols), np.float32)
        spare = np.empty(len(cols), np.float32)
        if self.w_ratio:
            np.take(self.lengths, cols, out=bound)
            bound += np.repeat(q_len, per_row)
            np.maximum(bound, 1.0, out=bound)
            np.divide(common.data, bound, out=bound)
            bound *= np.float32(200.0)
            np.minimum(bound, 100.0, out=bound)
            bound *= np.float32(self.w_ratio)
        if self.w_tfidf:
            np.multiply(t, self.w_tfidf, out=spare, casting="same_kind")
            bound += spare
        if self.info is not None:
            np.multiply(
                shares.data, 1.0 / self.fitted.pipeline.min_information, out=spare, casting="same_kind"
            )
            np.minimum(spare, 1.0, out=spare)
            bound *= spare
        bound *= np.float32(SLACK)
        bound += np.float32(0.01)
        # A pair sharing no character scores 0 (no LCS, no gram) and is not in the pattern: exact as
        # it stands. An empty question against an empty wording is the exception (ratio 100).
        q = np.array(forms, dtype=object)
        codes = np.array([pinyin_form(s) for s in forms], dtype=object) if self.codes is not None else None
        empty_q, empty_w = np.flatnonzero(q_len == 0), np.flatnonzero(self.lengths == 0)
        if len(empty_q) and len(empty_w):
            r, c = np.repeat(empty_q, len(empty_w)), np.tile(empty_w, len(empty_q))
            zero = np.zeros(len(r), np.float32)
            found.append((r, c, self._exact(q[r], None if codes is None else codes[r], c, zero, zero)))
        if not len(cols):
            return _joined(found, empty)
        # The best bound of each question first, then every pair that can reach its score minus the margin.
        starts = common.indptr[:-1][np.diff(common.indptr) > 0]
        top = np.maximum.reduceat(bound, starts)
        at_top = np.flatnonzero(bound == np.repeat(top, np.diff(np.r_[starts, len(bound)])))
        first = at_top[np.r_[True, rows[at_top[1:]] != rows[at_top[:-1]]]]

        def score(pick: np.ndarray) -> np.ndarray:
            r, c = rows[pick], cols[pick]
            tfidf_pick = t[pick].astype(np.float32)
            share = shares.data[pick] if self.info is not None else tfidf_pick
            exact = self._exact(q[r], None if codes is None else codes[r], c, tfidf_pick, share)
            found.append((r, c, exact))
            return exact

        cutoff = np.full(m, np.inf, np.float32)
        cutoff[rows[first]] = score(first) - np.float32(margin) - np.float32(1e-3)
        bound[first] = -np.inf  # done
        score(np.flatnonzero(bound >= np.repeat(cutoff, per_row)))
        return _joined(found, empty)


def _joined(found: list[tuple[np.ndarray, np.ndarray, np.ndarray]], empty: Any) -> Any:
    if not found:
        return empty
    return tuple(np.concatenate([part[i] for part in found]) for i in range(3))


def bulk_for(fitted: FittedPipeline, forms: list[str]) -> Bulk | None:
    """The bulk scorer for ``fitted``, or None where it has no exact bound (a signal other than
    ratio and TF-IDF, e.g. the pinyin ratio): then every pair is scored."""
    if not fitted.fitted or any(not isinstance(s, _FittedRatio | _FittedTfidf) for s, _ in fitted.fitted):
        return None
    held = fitted.__dict__.get("_bulk")
    if held is None:
        held = fitted.__dict__["_bulk"] = Bulk(fitted, forms)
    return held


class Matcher(Protocol):
    """What ``decide`` reads of ``matching.Matcher`` (a protocol: matching imports this module)."""

    n_fuzzy: int
    owner: np.ndarray
    group_of: np.ndarray
    group_wording_start: np.ndarray
    group_wording_end: np.ndarray
    _keyword_re: re.Pattern[str] | None

    def _decide_with_keywords(self, row: np.ndarray, form: str) -> tuple[int, int, float, float, int]: ...

    def _record(self, out: Outcomes, at: np.ndarray, *columns: np.ndarray) -> None: ...


def decide(
    matcher: Matcher,
    forms: list[str],
    r: np.ndarray,
    c: np.ndarray,
    v: np.ndarray,
    out: Outcomes,
    at: np.ndarray,
    *,
    literal: list[str] | None = None,
) -> None:
    """``Matcher._decide`` on a chunk whose scores are ``v`` at (r, c) and 0 everywhere else, without
    the matrix: per question the first wording of the best score, the first wording of the best
    score outside that entry's answer group (the group's wordings are contiguous), as ``argmax`` on
    the full row gives them."""
    m, n = len(forms), matcher.n_fuzzy
    keep = v > 0
    r, c, v = r[keep], c[keep], v[keep]
    order = np.lexsort((c, -v, r))  # by question, best score first, then the first wording
    r, c, v = r[order], c[order], v[order]
    s1 = np.zeros(m, np.float32)
    wording = np.zeros(m, np.int64)  # argmax of a row of zeros: the first wording
    head = np.r_[True, r[1:] != r[:-1]] if len(r) else np.empty(0, bool)
    s1[r[head]], wording[r[head]] = v[head], c[head]
    best = matcher.owner[wording]
    group = matcher.group_of[best]
    lo, hi = matcher.group_wording_start[group], matcher.group_wording_end[group]
    outside = (c < lo[r]) | (c >= hi[r])
    ro, co, vo = r[outside], c[outside], v[outside]
    # With no other answer scoring above 0, the first wording outside the group (argmax of zeros
    # beside the group's -1s), or the first wording when the group holds them all.
    runner_wording = np.where(lo > 0, 0, np.where(hi < n, hi, 0)).astype(np.int64)
    s2 = np.zeros(m, np.float32)
    head = np.r_[True, ro[1:] != ro[:-1]] if len(ro) else np.empty(0, bool)
    s2[ro[head]], runner_wording[ro[head]] = vo[head], co[head]
    runner = matcher.owner[runner_wording]
    if matcher._keyword_re is not None:
        starts = np.searchsorted(r, np.arange(m + 1))
        for i, form in enumerate(forms if literal is None else literal):  # keywords: the keyword forms
            if matcher._keyword_re.search(form):
                row = np.zeros(n, np.float32)
                row[c[starts[i] : starts[i + 1]]] = v[starts[i] : starts[i + 1]]
                best[i], wording[i], s1[i], s2[i], runner[i] = matcher._decide_with_keywords(row, form)
    matcher._record(out, at, best, wording, s1, s2, runner)
