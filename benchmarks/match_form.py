"""µs per match form (issue 13: ``match_form`` runs once per distinct question of a run).

    .venv/bin/python benchmarks/match_form.py
    git show main:replybook/coverage/forms.py > /tmp/forms_before.py
    git show main:replybook/coverage/synonyms.py > /tmp/synonyms_before.py
    .venv/bin/python benchmarks/match_form.py --before /tmp/forms_before.py --before-map /tmp/synonyms_before.py

The texts: the sample shop's questions (questions.txt, questions_labelled.csv, campaign_questions.csv)
and its library's wordings, each made distinct by a counter so no cache helps. Rounds interleave the
variants and the fastest round counts (the machine is shared). ``--before`` times another forms.py (the
code before a change) in the same run, with the synonym map its own synonyms.py builds.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from replybook.coverage.forms import match_form, match_forms  # noqa: E402
from replybook.coverage.synonyms import as_map, starter_lexicon  # noqa: E402

SAMPLE = HERE.parent / "sample_data"


def texts() -> list[str]:
    import yaml

    out = [line for line in (SAMPLE / "questions.txt").read_text(encoding="utf-8").splitlines() if line]
    for name in ("questions_labelled.csv", "campaign_questions.csv"):
        out += [line.split(",")[0] for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines()[1:]]
    for e in yaml.safe_load((SAMPLE / "library.yaml").read_text(encoding="utf-8"))["entries"]:
        out += [e["question"], *e.get("similar", [])]
    return [t for t in out if t.strip()]


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, help="another forms.py to time in the same run")
    parser.add_argument("--before-map", type=Path, help="the synonyms.py of that code (its as_map)")
    parser.add_argument("--copies", type=int, default=20, help="distinct copies of each text")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    base = texts()
    corpus = [f"{t}{k}" for k in range(args.copies) for t in base]  # distinct, same shape
    lexicon = as_map(starter_lexicon())
    variants: dict[str, Callable[[str], object]] = {
        "match_form, no synonyms": match_form,
        "match_form, starter synonyms": lambda t: match_form(t, lexicon),
        "match_forms (form + keyword form), starter synonyms": lambda t: match_forms(t, lexicon),
    }
    if args.before:
        old = load(args.before, "replybook.coverage.forms")  # the old module under its own name
        old_map = (
            load(args.before_map, "synonyms_before").as_map(starter_lexicon()) if args.before_map else {}
        )
        variants = {
            "before: match_form, no synonyms": old.match_form,
            "before: match_form, starter synonyms": lambda t: old.match_form(t, old_map),
            **variants,
        }
    for fn in variants.values():
        for t in base:
            fn(t)  # warm: the segmenter's dictionary, the map's pattern
    best: dict[str, float] = {}
    order = list(variants.items())
    for round_ in range(args.rounds):
        random.Random(round_).shuffle(order)  # no variant always runs first
        for name, fn in order:
            start = time.perf_counter()
            for t in corpus:
                fn(t)
            best[name] = min(best.get(name, 1e9), time.perf_counter() - start)
    print(
        f"{len(corpus):,} distinct texts ({len(base)} × {args.copies}), best of {args.rounds} rounds; "
        f"{platform.machine()}, Python {platform.python_version()}"
    )
    print("\n| variant | µs per form |\n| --- | ---: |")
    for name in variants:
        seconds = best[name]
        print(f"| {name} | {seconds / len(corpus) * 1e6:.1f} |")


if __name__ == "__main__":
    main()
