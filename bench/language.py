"""Query language detection (``rag.query.language``): accuracy on the gold questions and latency per call.

    .venv/bin/python bench/language.py [--repeat 5]

Questions: every lang-dev question (eval/gold/lang-dev.jsonl, with its ``lang``) and every English dev
question; a probe of short queries: the English train questions of <= 5 words, every question above
cut to its first three words (a run of Han characters counts one word per two characters), and
reference-only queries that must stay English. Printed: accuracy per language and on the probe, the
probe's misses, the first call's time (lingua loads its models then) and the p50 / p99 per call after.

Never run on eval/gold/lang.jsonl: it is the test set of issue 18.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from rag.query.language import LANGUAGES, detect_language  # noqa: E402

GOLD = REPO_ROOT / "eval" / "gold"
WORD = re.compile(r"[\u4e00-\u9fff]+|[^\W\d_]+|\d+")
HAN = re.compile(r"[\u4e00-\u9fff]+")
# Codes, numbers and acronyms: the default (English) pipeline reads them.
REFERENCE_ONLY = ("Res. 66", "AMS4 Q2/1", "7.9.6", "WSIS C7", "CMDT-25", "ITU-D", "PP Res. 214", "Annex 2")


def read(name: str) -> list[dict[str, str]]:
    lines = (GOLD / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def words(text: str) -> int:
    return sum((len(m) + 1) // 2 if HAN.fullmatch(m) else 1 for m in WORD.findall(text))


def prefix(text: str, n: int) -> str:
    """The start of ``text`` up to its ``n``-th word (as ``words`` counts them)."""
    count = 0
    for m in WORD.finditer(text):
        if HAN.fullmatch(m.group()):
            need = 2 * (n - count)
            if len(m.group()) >= need:
                return text[: m.start() + need]
            count += (len(m.group()) + 1) // 2
        else:
            count += 1
            if count >= n:
                return text[: m.end()]
    return text


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over all the queries")
    args = parser.parse_args()
    gold = [(r["question"], r["lang"]) for r in read("lang-dev.jsonl")]
    gold += [(r["question"], "en") for r in read("dev.jsonl")]
    probe = [(r["question"], "en") for r in read("train.jsonl") if words(r["question"]) <= 5]
    probe += [(prefix(q, 3), lang) for q, lang in gold] + [(q, "en") for q in REFERENCE_ONLY]
    started = time.perf_counter()
    detect_language(gold[0][0])
    first_ms = (time.perf_counter() - started) * 1000
    right: dict[str, list[bool]] = defaultdict(list)
    for q, lang in gold:
        right[lang].append(detect_language(q) == lang)
    misses = [(q, lang, got) for q, lang in probe if (got := detect_language(q)) != lang]
    print(f"{len(gold)} gold questions, {len(probe)} probe queries")
    for lang in LANGUAGES:
        print(f"  {lang}: {sum(right[lang]) / len(right[lang]):.3f} of {len(right[lang])}")
    lang_dev = [ok for lang, oks in right.items() if lang != "en" for ok in oks]
    english = right["en"]
    print(f"  lang-dev {sum(lang_dev) / len(lang_dev):.3f}, English dev {sum(english) / len(english):.3f}")
    print(f"  probe {1 - len(misses) / len(probe):.3f}; misses: {misses}")
    texts = [q for q, _ in gold + probe]
    times = []
    for _ in range(args.repeat):
        for q in texts:
            t = time.perf_counter()
            detect_language(q)
            times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(0.99 * len(times))]
    print(f"latency: first call {first_ms:.0f} ms (models load), then p50 {p50:.0f} us, p99 {p99:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
