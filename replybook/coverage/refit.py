"""``Pipeline.fit`` again after an edit, equal to a fresh fit to the last bit, without its Python loops.

What one form contributes is computed once and remembered: its character 1–2-grams (ids in one
growing vocabulary, with their counts, in the order ``signals.grams`` counts them) and its sounds
(``pinyin_form``). What depends on every wording — the TF-IDF document frequencies, idf, the
weights and their norms, the postings per gram — is recomputed from those in a few numpy passes
(``bincount``, one stable ``argsort``), in the same floating-point order as ``Tfidf.fit``: the sum of
squares per wording is accumulated gram by gram as Python's ``sum`` does, idf is ``math.log`` of each
distinct document frequency. So the try box's matcher, brought up to date after an entry edit, scores
exactly as one built from nothing (``tests/test_live_matcher.py`` compares them after random edits).
"""

from __future__ import annotations

import math

import numpy as np

from replybook.coverage.signals import (
    SIGNALS,
    FittedPipeline,
    Pipeline,
    _FittedPinyin,
    _FittedRatio,
    _FittedTfidf,
    grams,
    pinyin_form,
)

_EMPTY_IDS = np.zeros(0, np.int64)


class Refitter:
    """``fit(forms)`` ≡ ``pipeline.fit(forms)``, remembering each form's grams and sounds."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._vocabulary: dict[str, int] = {}
        self._names: list[str] = []
        self._grams: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # form → (gram ids, counts)
        self._sounds: dict[str, str] = {}
        self.forms_seen = 0  # forms whose grams were counted (for tests and benchmarks)

    def fit(self, forms: list[str]) -> FittedPipeline:
        names = [name for name, w in self.pipeline.weights if w > 0]
        needs_sound = "pinyin" in names or self.pipeline.min_share > 0
        sounds = _FittedPinyin(self._sounds_of(forms)) if needs_sound else None
        fitted = []
        for name, w in self.pipeline.weights:
            if w <= 0:
                continue
            if name == "ratio":
                signal: object = _FittedRatio(forms)
            elif name == "tfidf":
                signal = self._tfidf(forms)
            elif name == "pinyin":
                signal = sounds
            else:  # a signal this module does not know: fitted as Pipeline.fit does
                signal = SIGNALS[name]().fit(forms)
            fitted.append((signal, w))
        lengths = np.array([len(f) for f in forms], np.float32)
        self._forget(forms)
        return FittedPipeline(
            self.pipeline, fitted, lengths, sounds if self.pipeline.min_share > 0 else None  # type: ignore[arg-type]
        )

    def _sounds_of(self, forms: list[str]) -> list[str]:
        known = self._sounds
        out = []
        for f in forms:
            code = known.get(f)
            if code is None:
                code = known[f] = pinyin_form(f)
            out.append(code)
        return out

    def _grams_of(self, form: str) -> tuple[np.ndarray, np.ndarray]:
        hit = self._grams.get(form)
        if hit is None:
            counted = grams(form)
            ids = []
            for g in counted:
                i = self._vocabulary.get(g)
                if i is None:
                    i = self._vocabulary[g] = len(self._names)
                    self._names.append(g)
                ids.append(i)
            hit = self._grams[form] = (
                np.array(ids, np.int64),
                np.array(list(counted.values()), np.float64),
            )
            self.forms_seen += 1
        return hit

    def _tfidf(self, forms: list[str]) -> _FittedTfidf:
        n = len(forms)
        parts = [self._grams_of(f) for f in forms]
        sizes = np.fromiter((len(p[0]) for p in parts), np.int64, n)
        gram = np.concatenate([p[0] for p in parts]) if n else _EMPTY_IDS
        count = np.concatenate([p[1] for p in parts]) if n else np.zeros(0)
        wording = np.repeat(np.arange(n, dtype=np.int64), sizes)
        df = np.bincount(gram, minlength=len(self._names))
        table = np.zeros(int(df.max()) + 1 if len(df) else 1, np.float64)
        for d in np.unique(df[df > 0]).tolist():
            table[d] = math.log((n + 1) / (d + 1)) + 1.0
        idf_of_gram = table[df]
        value = count * idf_of_gram[gram]  # c · idf, as Tfidf.fit
        norm = np.sqrt(np.bincount(wording, weights=value * value, minlength=n))  # in gram order
        norm[norm == 0] = 1.0
        weight = value / norm[wording]
        order = _stable_order(gram)  # wordings stay ascending within a gram
        gram, wording, weight = gram[order], wording[order], weight[order]
        cuts = np.flatnonzero(np.diff(gram)) + 1
        starts = np.r_[0, cuts].astype(np.int64) if len(gram) else _EMPTY_IDS
        ends = np.r_[cuts, len(gram)].astype(np.int64) if len(gram) else _EMPTY_IDS
        names = self._names
        postings = {
            names[g]: (wording[a:b], weight[a:b])
            for g, a, b in zip(gram[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)
        }
        present = np.flatnonzero(df)
        idf = dict(zip([names[g] for g in present.tolist()], idf_of_gram[present].tolist(), strict=True))
        return _FittedTfidf(n, idf, math.log(n + 1) + 1.0, postings)

    def _forget(self, forms: list[str]) -> None:
        """Drop what was remembered for forms no longer in the library, once they outnumber it."""
        if len(self._grams) > 2 * len(forms) + 1000:
            keep = set(forms)
            self._grams = {f: v for f, v in self._grams.items() if f in keep}
            self._sounds = {f: v for f, v in self._sounds.items() if f in keep}


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative ids, as 16-bit radix passes (numpy's
    radix sort; its stable sort of 64-bit keys is a merge sort, ten times slower here)."""
    if not len(keys) or int(keys.max()) < 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    order = low
    high = keys >> 16
    while True:
        order = order[np.argsort((high[order] & 0xFFFF).astype(np.uint16), kind="stable")]
        high = high >> 16
        if not high.any():
            return order
