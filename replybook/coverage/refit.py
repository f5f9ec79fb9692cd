"""``Pipeline.fit`` again after an edit, equal to a fresh fit to the last bit, touching only the edit.

The wording forms of the new fit are compared with the last fit's: the common head and tail are kept
and only the part between (an edited entry's wordings, usually) is new. What one form contributes is
computed once and remembered: its character 1–2-grams (ids in one growing vocabulary, with their
counts, in the order ``signals.grams`` counts them) and its sounds (``pinyin_form``). The TF-IDF
postings are one sorted array of ``gram · 2³² + wording`` keys with the counts: the changed middle
is cut out and the new one inserted (``searchsorted``), the tail's positions shifted. What depends
on every wording — the document frequencies (updated by the difference), idf, the norms — is
recomputed in a few numpy passes, in the same floating-point order as ``Tfidf.fit`` (the sum of
squares per wording accumulated gram by gram, as Python's ``sum``; idf by ``math.log`` of each
distinct frequency), and a weight is computed only when a question asks for its gram, as the same
``count · idf / norm``. So the try box's matcher after an edit scores exactly as one built from
nothing (``tests/test_live_updates.py`` compares every score after random edits).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np

from replybook.coverage.signals import (
    SIGNALS,
    FittedPipeline,
    Information,
    Pipeline,
    _FittedPinyin,
    _FittedRatio,
    grams,
    pinyin_form,
)

SHIFT = 32  # a posting's key: gram id << SHIFT | wording position
LOW = (1 << SHIFT) - 1


class Refitter:
    """``fit(forms)`` ≡ ``pipeline.fit(forms)``, reusing the last fit for the forms it shares."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.vocabulary: dict[str, int] = {}
        self._grams: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # form → (gram ids, counts)
        self._sounds: dict[str, str] = {}
        self._forms: list[str] = []
        self._codes: list[str] = []
        self._lengths = np.zeros(0, np.float32)
        self._tfidf = LiveTfidf(self)
        self._chars: set[str] = set()  # the 1-grams (characters) ever counted
        self._by_code: dict[str, list[str]] = {}  # their sounds (Information.common_by_sound)
        self._by_code_view: dict[str, list[str]] = {}  # a snapshot, never changed once handed out
        self._chars_in_view = 0
        self.forms_seen = 0  # forms whose grams were counted (for tests and benchmarks)
        self.last_changed = 0  # wordings between the common head and tail of the last fit

    def fit(self, forms: list[str]) -> FittedPipeline:
        head, tail = common_ends(self._forms, forms)
        old_end, new_end = len(self._forms) - tail, len(forms) - tail
        middle = forms[head:new_end]
        self.last_changed = len(middle)
        self._codes = self._codes[:head] + self._sounds_of(middle) + self._codes[old_end:]
        self._lengths = np.concatenate(
            [self._lengths[:head], np.array([len(f) for f in middle], np.float32), self._lengths[old_end:]]
        )
        needs_tfidf = any(name == "tfidf" and w > 0 for name, w in self.pipeline.weights)
        needs_information = self.pipeline.min_information > 0
        if needs_tfidf or needs_information:  # the information guard reads the same postings
            self._tfidf.splice(head, old_end, middle, len(forms))
        self._forms = list(forms)
        sounds = _FittedPinyin(self._codes)
        fitted = []
        for name, w in self.pipeline.weights:
            if w <= 0:
                continue
            if name == "ratio":
                signal: object = _FittedRatio(forms)
            elif name == "tfidf":
                signal = self._tfidf.fitted()
            elif name == "pinyin":
                signal = sounds
            else:  # a signal this module does not know: fitted as Pipeline.fit does
                signal = SIGNALS[name]().fit(forms)
            fitted.append((signal, w))
        self._forget(forms)
        guard = sounds if self.pipeline.min_share > 0 else None
        information = self._information() if needs_information else None
        return FittedPipeline(self.pipeline, fitted, self._lengths, guard, information)  # type: ignore[arg-type]

    def _information(self) -> Information:
        """``Information.fit(forms)`` from the spliced postings: its characters are the TF-IDF's
        1-grams (the same counts, the same document frequencies), read when a question asks."""
        t = self._tfidf
        if self._chars_in_view != len(self._chars):  # new characters: a new snapshot
            self._by_code_view = {code: list(chars) for code, chars in self._by_code.items()}
            self._chars_in_view = len(self._chars)
        information = Information(
            t.n,
            CharWeights(self.vocabulary, t.df, t.n),  # type: ignore[arg-type]
            (math.log(t.n + 1) + 1.0) ** 2,
            CharPostings(self.vocabulary, t.df, t.keys, t.key_count),  # type: ignore[arg-type]
        )
        information.__dict__["_by_code"] = self._by_code_view  # what common_by_sound would group
        return information

    def _sounds_of(self, forms: list[str]) -> list[str]:
        known = self._sounds
        out = []
        for f in forms:
            code = known.get(f)
            if code is None:
                code = known[f] = pinyin_form(f)
            out.append(code)
        return out

    def grams_of(self, form: str) -> tuple[np.ndarray, np.ndarray]:
        hit = self._grams.get(form)
        if hit is None:
            counted = grams(form)
            vocabulary = self.vocabulary
            ids = [vocabulary.setdefault(g, len(vocabulary)) for g in counted]
            for g in counted:
                if len(g) == 1 and g not in self._chars:
                    self._chars.add(g)
                    self._by_code.setdefault(pinyin_form(g), []).append(g)
            hit = self._grams[form] = (np.array(ids, np.int64), np.array(list(counted.values()), np.float64))
            self.forms_seen += 1
        return hit

    def _forget(self, forms: list[str]) -> None:
        """Drop what was remembered for forms no longer in the library, once they outnumber it."""
        if len(self._grams) > 2 * len(forms) + 1000:
            keep = set(forms)
            self._grams = {f: v for f, v in self._grams.items() if f in keep}
            self._sounds = {f: v for f, v in self._sounds.items() if f in keep}


def common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """The lengths of the longest common head and then the longest common tail (list comparisons run
    in C and compare the same string objects by identity first)."""
    lo, hi = 0, min(len(old), len(new))
    while lo < hi:  # the largest head with old[:head] == new[:head]
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    head = lo
    lo, hi = 0, min(len(old), len(new)) - head
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid : len(old) - lo] == new[len(new) - mid : len(new) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return head, lo


class LiveTfidf:
    """The TF-IDF signal's state, spliced at each fit (see the module's docstring)."""

    def __init__(self, owner: Refitter) -> None:
        self.owner = owner
        self.n = 0
        self.sizes = np.zeros(0, np.int64)  # grams per wording
        self.gram = np.zeros(0, np.int64)  # wording by wording, each in signals.grams's order
        self.count = np.zeros(0, np.float64)
        self.df = np.zeros(0, np.int64)
        self.keys = np.zeros(0, np.int64)  # sorted: gram << SHIFT | wording
        self.key_count = np.zeros(0, np.float64)
        self.idf_of_gram = np.zeros(0, np.float64)
        self.norm = np.zeros(0, np.float64)

    def splice(self, head: int, old_end: int, middle: list[str], n: int) -> None:
        parts = [self.owner.grams_of(f) for f in middle]
        sizes = np.fromiter((len(p[0]) for p in parts), np.int64, len(parts))
        mid_gram = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        mid_count = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.float64)
        offsets = np.r_[0, np.cumsum(self.sizes)]
        a, b = int(offsets[head]), int(offsets[old_end])
        vocabulary = len(self.owner.vocabulary)
        df = np.zeros(vocabulary, np.int64)
        df[: len(self.df)] = self.df
        df -= np.bincount(self.gram[a:b], minlength=vocabulary)
        df += np.bincount(mid_gram, minlength=vocabulary)
        # The postings: the old middle out, the tail shifted, the new middle in (keys stay sorted).
        position = self.keys & LOW
        keep = (position < head) | (position >= old_end)
        keys, key_count = self.keys[keep], self.key_count[keep]
        keys[(keys & LOW) >= old_end] += n - self.n
        local = np.repeat(np.arange(head, head + len(middle), dtype=np.int64), sizes)
        new_keys = (mid_gram << SHIFT) | local
        order = np.argsort(new_keys, kind="stable")
        new_keys = new_keys[order]
        at = np.searchsorted(keys, new_keys)
        self.keys = np.insert(keys, at, new_keys)
        self.key_count = np.insert(key_count, at, mid_count[order])
        self.sizes = np.concatenate([self.sizes[:head], sizes, self.sizes[old_end:]])
        self.gram = np.concatenate([self.gram[:a], mid_gram, self.gram[b:]])
        self.count = np.concatenate([self.count[:a], mid_count, self.count[b:]])
        self.n, self.df = n, df
        table = np.zeros(int(df.max()) + 1 if vocabulary else 1, np.float64)
        for d in np.unique(df[df > 0]).tolist():
            table[d] = math.log((n + 1) / (d + 1)) + 1.0
        self.idf_of_gram = table[df]
        value = self.count * self.idf_of_gram[self.gram]  # c · idf, as Tfidf.fit
        wording = np.repeat(np.arange(n, dtype=np.int64), self.sizes)
        norm = np.sqrt(np.bincount(wording, weights=value * value, minlength=n))  # in gram order
        norm[norm == 0] = 1.0
        self.norm = norm

    def fitted(self) -> LiveFittedTfidf:
        return LiveFittedTfidf(
            self.owner.vocabulary, self.df, self.idf_of_gram, self.keys, self.key_count, self.norm, self.n
        )


class LiveFittedTfidf:
    """Scores as ``signals._FittedTfidf.scores``, to the last bit, from one splice's arrays."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        df: np.ndarray,
        idf_of_gram: np.ndarray,
        keys: np.ndarray,
        key_count: np.ndarray,
        norm: np.ndarray,
        n: int,
    ) -> None:
        self.vocabulary, self.df, self.idf_of_gram = vocabulary, df, idf_of_gram
        self.keys, self.key_count, self.norm, self.n = keys, key_count, norm, n
        self.unseen = math.log(n + 1) + 1.0

    def _idf(self, gram: str) -> tuple[int, float]:
        g = self.vocabulary.get(gram, -1)
        if 0 <= g < len(self.df) and self.df[g] > 0:
            return g, float(self.idf_of_gram[g])
        return -1, self.unseen

    def scores(self, forms: list[str]) -> np.ndarray:
        m, n = len(forms), self.n
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for r, form in enumerate(forms):
            found = {t: (self._idf(t), c) for t, c in grams(form).items()}
            vec = {t: c * idf for t, ((_, idf), c) in found.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for t, v in vec.items():
                (g, idf), _ = found[t]
                if g < 0:
                    continue
                lo, hi = np.searchsorted(self.keys, [g << SHIFT, (g + 1) << SHIFT]).tolist()
                where = self.keys[lo:hi] & LOW
                weight = self.key_count[lo:hi] * idf / self.norm[where]  # v / norm, as Tfidf.fit
                cols.append(where)
                vals.append(weight * (100.0 * v / norm))
                rows.append(np.full(hi - lo, r, np.int64))
        if not cols:
            return np.zeros((m, n), np.float32)
        keys = np.concatenate(rows) * n + np.concatenate(cols)
        out = np.bincount(keys, weights=np.concatenate(vals), minlength=m * n)
        return out.reshape(m, n).astype(np.float32)


class CharPostings(Mapping[str, tuple[np.ndarray, np.ndarray]]):
    """``Information.postings`` (character → its wordings, its counts) read off the spliced TF-IDF
    postings: a character is a 1-gram, with the same counts, in wording order."""

    def __init__(
        self, vocabulary: dict[str, int], df: np.ndarray, keys: np.ndarray, counts: np.ndarray
    ) -> None:
        self.vocabulary, self.df, self.sorted_keys, self.counts = vocabulary, df, keys, counts

    def _id(self, ch: str) -> int:
        g = self.vocabulary.get(ch, -1) if len(ch) == 1 else -1
        return g if 0 <= g < len(self.df) else -1

    def __getitem__(self, ch: str) -> tuple[np.ndarray, np.ndarray]:
        g = self._id(ch)
        if g < 0:
            raise KeyError(ch)
        lo, hi = np.searchsorted(self.sorted_keys, [g << SHIFT, (g + 1) << SHIFT]).tolist()
        return self.sorted_keys[lo:hi] & LOW, self.counts[lo:hi].astype(np.float32)

    def get(self, ch: str, default: object = None) -> object:  # type: ignore[override]
        g = self._id(ch)
        return self[ch] if g >= 0 and self.df[g] > 0 else default

    def __iter__(self) -> Iterator[str]:
        return (c for c, g in self.vocabulary.items() if len(c) == 1 and 0 <= g < len(self.df) and self.df[g])

    def __len__(self) -> int:
        return sum(1 for _ in self)


class CharWeights(Mapping[str, float]):
    """``Information.weight``: idf² of each character present, as ``Information.fit`` computes it."""

    def __init__(self, vocabulary: dict[str, int], df: np.ndarray, n: int) -> None:
        self.vocabulary, self.df, self.n = vocabulary, df, n

    def __getitem__(self, ch: str) -> float:
        g = self.vocabulary.get(ch, -1) if len(ch) == 1 else -1
        d = int(self.df[g]) if 0 <= g < len(self.df) else 0
        if d <= 0:
            raise KeyError(ch)
        return (math.log((self.n + 1) / (d + 1)) + 1.0) ** 2

    def get(self, ch: str, default: object = None) -> object:  # type: ignore[override]
        try:
            return self[ch]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(CharPostings(self.vocabulary, self.df, np.zeros(0, np.int64), np.zeros(0)))

    def __len__(self) -> int:
        return sum(1 for _ in self)
