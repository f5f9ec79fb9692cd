"""The scorer: a small pipeline of named signals with weights (issue 13).

Each signal scores a question against every wording of the library, 0–100, on the match form of both
sides (``forms.py``); the score is their weighted mean, then the content guard. A new signal (say a
licensed sentence encoder) is one more class with ``name``, ``fit`` and ``scores``; nothing else
changes.

- ``ratio``: ``fuzz.ratio`` = 200·LCS / (len(q) + len(w)), the characters in order.
- ``tfidf``: cosine of character 1–2-gram TF-IDF vectors (idf from the library's wordings): a shared
  rare pair of characters (破洞, 面料) counts for more than a common one (什么, 多少).
- ``pinyin``: ``fuzz.ratio`` on the toneless pinyin of each character, so a homophone typo
  (今天能法货吗) costs nothing.
- the content guard: a wording that shares less than ``min_share`` of the question's content
  characters (as a subsequence, by character or by sound) has its score scaled down in proportion,
  so a 2-character overlap like 单号 cannot cover a 12-character question.
- the information guard: the same on what the characters say, each weighted by idf² over the library's
  wordings (a character no wording has weighs most): a wording that holds less than ``min_information``
  of the question's weight (as a multiset) is scaled down the same way, so sharing the generic 寄到
  cannot cover 寄到国外 when 国外 is what it asks (benchmarks/README.md, "Matching evaluation").
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process


class Fitted(Protocol):
    def scores(self, forms: list[str]) -> np.ndarray: ...


class Signal(Protocol):
    name: str

    def fit(self, forms: list[str]) -> Fitted: ...


# ------------------------------------------------------------------ ratio


@dataclass
class _FittedRatio:
    forms: list[str]

    def scores(self, forms: list[str]) -> np.ndarray:
        return process.cdist(forms, self.forms, scorer=fuzz.ratio, workers=-1, dtype=np.float32)


class Ratio:
    name = "ratio"

    def fit(self, forms: list[str]) -> _FittedRatio:
        return _FittedRatio(forms)


# ------------------------------------------------------------------ pinyin


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Each Chinese character → one private-use character standing for its toneless pinyin (its
    first reading), so equal sounds compare equal and ``fuzz.ratio`` works on them unchanged."""
    codes: dict[str, str] = {}
    table: dict[int, str] = {}
    for point, readings in _pinyin_readings().items():
        first = readings.split(",", 1)[0]
        plain = "".join(c for c in unicodedata.normalize("NFKD", first) if not unicodedata.combining(c))
        table[point] = codes.setdefault(plain, chr(0xF0000 + len(codes)))
    return table


def _pinyin_readings() -> dict[int, str]:
    """pypinyin's character table (code point → readings), read from its JSON file without importing
    the package, whose phrase dictionary would cost a coverage run about 45 MB it never uses."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")  # finds the package without importing it
    path = Path(spec.origin).parent / "pinyin_dict.json" if spec and spec.origin else None
    if path is not None and path.is_file():
        return {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    from pypinyin.pinyin_dict import pinyin_dict  # another layout: the module itself

    return dict(pinyin_dict)


def pinyin_form(form: str) -> str:
    return form.translate(_pinyin_table())


class Pinyin:
    name = "pinyin"

    def fit(self, forms: list[str]) -> _FittedPinyin:
        return _FittedPinyin([pinyin_form(f) for f in forms])


@dataclass
class _FittedPinyin:
    codes: list[str]

    def scores(self, forms: list[str]) -> np.ndarray:
        codes = [pinyin_form(f) for f in forms]
        return process.cdist(codes, self.codes, scorer=fuzz.ratio, workers=-1, dtype=np.float32)


# ------------------------------------------------------------------ tf-idf


def grams(form: str) -> Counter[str]:
    """Characters and pairs of adjacent characters."""
    return Counter([*form, *(form[i : i + 2] for i in range(len(form) - 1))])


class Tfidf:
    name = "tfidf"

    def fit(self, forms: list[str]) -> _FittedTfidf:
        n = len(forms)
        df: Counter[str] = Counter()
        counted = [grams(f) for f in forms]
        for g in counted:
            df.update(g.keys())
        idf = {g: math.log((n + 1) / (d + 1)) + 1.0 for g, d in df.items()}
        unseen = math.log(n + 1) + 1.0
        ids: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        for w, g in enumerate(counted):
            vec = {t: c * idf[t] for t, c in g.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for t, v in vec.items():
                ids.setdefault(t, []).append(w)
                weights.setdefault(t, []).append(v / norm)
        postings = {t: (np.array(ids[t], np.int64), np.array(weights[t], np.float64)) for t in ids}
        return _FittedTfidf(n, idf, unseen, postings)


@dataclass
class _FittedTfidf:
    n: int
    idf: dict[str, float]
    unseen: float
    postings: dict[str, tuple[np.ndarray, np.ndarray]]

    def scores(self, forms: list[str]) -> np.ndarray:
        m, n = len(forms), self.n
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for r, form in enumerate(forms):
            vec = {t: c * self.idf.get(t, self.unseen) for t, c in grams(form).items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for t, v in vec.items():
                hit = self.postings.get(t)
                if hit is not None:
                    cols.append(hit[0])
                    vals.append(hit[1] * (100.0 * v / norm))
                    rows.append(np.full(len(hit[0]), r, np.int64))
        if not cols:
            return np.zeros((m, n), np.float32)
        keys = np.concatenate(rows) * n + np.concatenate(cols)
        out = np.bincount(keys, weights=np.concatenate(vals), minlength=m * n)
        return out.reshape(m, n).astype(np.float32)


# ------------------------------------------------------------------ the pipeline

SIGNALS: dict[str, type] = {"ratio": Ratio, "tfidf": Tfidf, "pinyin": Pinyin}


@dataclass(frozen=True)
class Pipeline:
    """Weighted signals and the content guard; ``fit`` on the library's wording forms."""

    weights: tuple[tuple[str, float], ...]
    min_share: float = 0.0
    min_information: float = 0.0

    def fit(self, forms: list[str]) -> FittedPipeline:
        fitted = [(SIGNALS[name]().fit(forms), w) for name, w in self.weights if w > 0]
        lengths = np.array([len(f) for f in forms], np.float32)
        return FittedPipeline(
            self,
            fitted,
            lengths,
            Pinyin().fit(forms) if self.min_share > 0 else None,
            Information.fit(forms) if self.min_information > 0 else None,
        )

    def describe(self) -> str:
        parts = " + ".join(f"{name} {w:g}" for name, w in self.weights if w > 0)
        if self.min_share:
            parts += f", content ≥ {self.min_share:.0%}"
        if self.min_information:
            parts += f", information ≥ {self.min_information:.0%}"
        return parts


@dataclass
class Information:
    """Per wording, how much of a question's information (idf² of its characters) it holds."""

    n: int
    weight: dict[str, float]
    unseen: float
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # character → (wordings, counts)

    @classmethod
    def fit(cls, forms: list[str]) -> Information:
        n = len(forms)
        counted = [Counter(f) for f in forms]
        df: Counter[str] = Counter()
        for c in counted:
            df.update(c.keys())
        weight = {ch: (math.log((n + 1) / (d + 1)) + 1.0) ** 2 for ch, d in df.items()}
        ids: dict[str, list[int]] = {}
        counts: dict[str, list[float]] = {}
        for w, c in enumerate(counted):
            for ch, k in c.items():
                ids.setdefault(ch, []).append(w)
                counts.setdefault(ch, []).append(k)
        postings = {ch: (np.array(ids[ch], np.int64), np.array(counts[ch], np.float32)) for ch in ids}
        return cls(n, weight, (math.log(n + 1) + 1.0) ** 2, postings)

    def shares(self, forms: list[str]) -> np.ndarray:
        """(questions × wordings): the share of each question's weight the wording holds."""
        out = np.zeros((len(forms), self.n), np.float32)
        for r, form in enumerate(forms):
            counted = Counter(form)
            total = sum(k * self.weight.get(ch, self.unseen) for ch, k in counted.items())
            if not total:
                continue
            row = out[r]
            for ch, k in counted.items():
                hit = self.postings.get(ch)
                if hit is not None:
                    row[hit[0]] += np.minimum(hit[1], k) * np.float32(self.weight[ch] / total)
        return out

    def common(self, form: str) -> np.ndarray:
        """Per wording, how many of the question's characters it has (as a multiset): a bound on
        the longest common subsequence, so on ``fuzz.ratio``."""
        out = np.zeros(self.n, np.float32)
        for ch, k in Counter(form).items():
            hit = self.postings.get(ch)
            if hit is not None:
                out[hit[0]] += np.minimum(hit[1], k)
        return out

    def common_by_sound(self, form: str) -> np.ndarray:
        """The same by sound: how many of the question's characters the wording has a character of
        the same toneless pinyin for (a bound on the LCS of the pinyin codes)."""
        by_code: dict[str, list[str]] | None = self.__dict__.get("_by_code")
        if by_code is None:
            by_code = {}
            for ch in self.postings:
                by_code.setdefault(pinyin_form(ch), []).append(ch)
            self.__dict__["_by_code"] = by_code
        out = np.zeros(self.n, np.float32)
        for code, k in Counter(pinyin_form(form)).items():
            count = np.zeros(self.n, np.float32)
            for ch in by_code.get(code, ()):
                ids, counts = self.postings[ch]
                count[ids] += counts
            out += np.minimum(count, k)
        return out


@dataclass
class FittedPipeline:
    pipeline: Pipeline
    fitted: list[tuple[Fitted, float]]
    lengths: np.ndarray
    sounds: _FittedPinyin | None
    information: Information | None = None

    def scores(self, forms: list[str]) -> np.ndarray:
        total = sum(w for _, w in self.fitted)
        out = np.zeros((len(forms), len(self.lengths)), np.float32)
        by_sound: np.ndarray | None = None
        for signal, w in self.fitted:
            part = signal.scores(forms)
            if isinstance(signal, _FittedPinyin):
                by_sound = part
            out += part * np.float32(w / total)
        if self.sounds is not None and len(forms):
            out *= self._guard(forms, by_sound)
        if self.information is not None and len(forms):
            out *= np.minimum(1.0, self.information.shares(forms) / np.float32(self.pipeline.min_information))
        return out

    def _guard(self, forms: list[str], by_sound: np.ndarray | None) -> np.ndarray:
        """1 where the wording shares at least ``min_share`` of the question's characters (in order,
        by sound, which includes by character), proportionally less below."""
        assert self.sounds is not None
        q_len = np.array([len(f) for f in forms], np.float32)[:, None]
        ratio = self.sounds.scores(forms) if by_sound is None else by_sound
        shared = ratio * (q_len + self.lengths[None, :]) / 200.0  # LCS from fuzz.ratio
        share = shared / np.maximum(q_len, 1.0)
        return np.minimum(1.0, share / self.pipeline.min_share).astype(np.float32)

    def strings(self, texts: list[str]) -> np.ndarray:
        """``texts`` as an object array (made once per list), so a subset is one fancy index."""
        held = self.__dict__.setdefault("_strings", {})
        if id(texts) not in held:
            held[id(texts)] = (texts, np.array(texts, dtype=object))
        return held[id(texts)][1]

    def one(self, form: str) -> OneQuestion | None:
        """One question's scores computed only where asked (None: no bound without the information guard)."""
        return OneQuestion(self, form) if self.information is not None else None


class OneQuestion:
    """One question against the library: the cheap signals (TF-IDF, the information guard) for every
    wording, an upper bound on every wording's score (0 exactly where the score is 0: a wording
    sharing no character with the question holds none of its information), and ``exact(idx)``, the
    scores of those wordings as ``FittedPipeline.scores`` gives them, to the last bit, with the two
    ``fuzz.ratio`` passes over those wordings alone."""

    SLACK = 1.001  # the bound is widened past float rounding

    def __init__(self, fitted: FittedPipeline, form: str) -> None:
        assert fitted.information is not None
        self.fitted, self.form = fitted, form
        self.total = sum(w for _, w in fitted.fitted)
        self.share = fitted.information.shares([form])[0]
        self.parts: dict[int, np.ndarray] = {}  # the signals computed for every wording
        lengths = fitted.lengths.astype(np.float64)
        q = float(len(form))
        sums = np.maximum(q + lengths, 1.0)
        sound = fitted.information.common_by_sound(form).astype(np.float64)
        bound = np.zeros(len(lengths), np.float64)
        for i, (signal, w) in enumerate(fitted.fitted):
            if isinstance(signal, _FittedRatio):  # LCS ≤ the characters in common
                top = 200.0 * fitted.information.common(form) / sums
            elif isinstance(signal, _FittedPinyin):  # LCS ≤ the sounds in common
                top = 200.0 * sound / sums
            else:
                self.parts[i] = signal.scores([form])[0]
                top = self.parts[i].astype(np.float64)
            bound += top * (w / self.total)
        factor = np.minimum(1.0, self.share / fitted.pipeline.min_information)
        if fitted.sounds is not None:  # the content guard, with the sounds in common for the LCS
            factor *= np.minimum(1.0, sound / max(q, 1.0) / fitted.pipeline.min_share)
        self.bound = np.where(self.share > 0, bound * factor * self.SLACK + 0.01, 0.0)
        self._code: str | None = None

    def _sounds(self, signal: _FittedPinyin, idx: np.ndarray) -> np.ndarray:
        if self._code is None:
            self._code = pinyin_form(self.form)
        codes = self.fitted.strings(signal.codes)[idx].tolist()
        return process.cdist([self._code], codes, scorer=fuzz.ratio, workers=1, dtype=np.float32)

    def exact(self, idx: np.ndarray) -> np.ndarray:
        """The scores of wordings ``idx`` (1 × len(idx)), the same operations as ``FittedPipeline.scores``."""
        f = self.fitted
        out = np.zeros((1, len(idx)), np.float32)
        by_sound: np.ndarray | None = None
        for i, (signal, w) in enumerate(f.fitted):
            if i in self.parts:
                part = self.parts[i][None, idx]
            elif isinstance(signal, _FittedRatio):
                wordings = f.strings(signal.forms)[idx].tolist()
                part = process.cdist([self.form], wordings, scorer=fuzz.ratio, workers=1, dtype=np.float32)
            else:
                assert isinstance(signal, _FittedPinyin)
                part = by_sound = self._sounds(signal, idx)
            out += part * np.float32(w / self.total)
        if f.sounds is not None:
            ratio = self._sounds(f.sounds, idx) if by_sound is None else by_sound
            q_len = np.array([[len(self.form)]], np.float32)
            shared = ratio * (q_len + f.lengths[None, idx]) / 200.0
            share = shared / np.maximum(q_len, 1.0)
            out *= np.minimum(1.0, share / f.pipeline.min_share).astype(np.float32)
        out *= np.minimum(1.0, self.share[None, idx] / np.float32(f.pipeline.min_information))
        return out[0]
