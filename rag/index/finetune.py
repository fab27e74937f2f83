"""The encoder fine-tuned on the corpus's own structure (``rag train-encoder``; ``rag build`` when missing).

MiniLM-L6 ranks paraphrased answers low: a question in other words than the clause's lands near texts
that share its words. The corpus says by its structure what its passages are about, so pairs mined
from it teach the encoder this corpus's vocabulary without a single hand-labelled question (the gold
questions of ``eval/gold`` are never read; the dev split only chose the recipe):

- ``title``: an instrument's title <-> one of its substantive clauses, results, objectives or study
  Question items (not the recalling/noting preamble, which mostly cites other texts);
- ``lead-in``: a lead-in sentence (a parent item with sub-items, a roadmap row) <-> an item under it;
- ``heading``: a report section or study-Question heading <-> a paragraph under it;
- ``agreed``: a clause <-> the clause of another instrument sharing much of its wording (word 3-gram
  Dice 0.3-0.8): recurring agreed language, reworded.

Training is MultipleNegativesRankingLoss (Henderson et al. 2017; sentence-transformers' name): for a
batch of pairs, each anchor's positive must outscore every other positive of the batch (in-batch
negatives; batches never hold the same text twice). Seeded, on 2 CPU threads, a fixed number of steps:
the same recipe on the same corpus gives the same weights. The word-piece embeddings stay frozen (12 M
of the 22 M weights; cheaper, and less forgetting). The model is written as a sentence-transformers
folder with ``finetune.json`` (recipe, pair counts, time), outside the index folder so that index
rebuilds keep it.

The model's name carries a hash of the recipe and the base model, so vectors of another recipe can
never be taken from the embedding cache. A corpus change does not retrain the encoder (that would make
every edit re-embed the corpus); ``rag train-encoder --force`` does.

Example:
    >>> from rag.config import get_settings
    >>> ensure_encoder(get_settings())  # doctest: +SKIP
    PosixPath('.../.models/encoder')
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import random
import re
import shutil
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.index import progress
from rag.index.encoders import default_model_dir, model_fingerprint, progress_enabled
from rag.index.textindex import WORD
from rag.types import Passage

logger = logging.getLogger(__name__)

INFO_FILE = "finetune.json"
# Bump when pair mining or training changes in a way the Recipe's fields do not show.
RECIPE_VERSION = 1
_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[A-Z]|[a-z]\))\s*[.)]?\s+")
# Kinds whose instrument title says what they are about (a title passage *is* the title).
_TITLED = frozenset({"clause", "result", "objective", "question", "annex"})
_HEADED = frozenset({"paragraph", "box", "question"})
# Preamble roles that mostly cite other texts say little about the instrument's subject.
_GENERIC_ROLES = frozenset({"recalling", "taking into account", "noting"})
_CITES = re.compile(r"^(?:Resolution|Recommendation|Decision|Opinion|the outcomes?|Article)\b")


@dataclass(frozen=True, slots=True)
class Recipe:
    """Everything that decides the weights. Chosen on the dev split (README, Evaluation: levers)."""

    steps: int = 150
    batch_size: int = 32
    lr: float = 3e-5
    warmup: float = 0.1
    scale: float = 20.0  # cosine x 20 as logits (sentence-transformers' default for this loss)
    max_seq_length: int = 96  # training only; passages are embedded up to Settings.max_seq_length
    per_title: int = 10
    per_lead_in: int = 4
    per_heading: int = 6
    seed: int = 13
    threads: int = 2


@dataclass(frozen=True, slots=True)
class Pair:
    kind: str
    anchor: str
    positive: str


def _words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


# ------------------------------------------------------------------------------------------------
# Pairs


def _capped(groups: dict[str, list[str]], kind: str, cap: int, rng: random.Random) -> list[Pair]:
    pairs: list[Pair] = []
    for anchor in sorted(groups):
        positives = sorted(set(groups[anchor]) - {anchor})
        rng.shuffle(positives)
        pairs.extend(Pair(kind, anchor, p) for p in positives[:cap])
    return pairs


def agreed_pairs(passages: Sequence[Passage], *, low: float = 0.3, high: float = 0.8) -> list[Pair]:
    """Each clause with its best partner in another instrument by word 3-gram Dice in [low, high)."""
    clauses = [
        p
        for p in passages
        if p.kind == "clause" and p.instrument and len(_words(p.text)) >= 8 and not _CITES.match(p.text)
    ]
    shingles: list[set[tuple[str, ...]]] = []
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, p in enumerate(clauses):
        w = _words(p.text)
        keys = {tuple(w[j : j + 3]) for j in range(len(w) - 2)}
        shingles.append(keys)
        for key in keys:
            postings[key].append(i)
    pairs: list[Pair] = []
    seen: set[tuple[str, str]] = set()
    for i, p in enumerate(clauses):
        candidates: set[int] = set()
        for key in shingles[i]:
            if len(postings[key]) <= 50:  # stock phrases ("the Telecommunication Development Bureau")
                candidates.update(postings[key])  # find no partner by themselves
        best, best_dice = None, 0.0
        for j in sorted(candidates):
            if clauses[j].instrument == p.instrument or clauses[j].text == p.text:
                continue
            dice = 2 * len(shingles[i] & shingles[j]) / (len(shingles[i]) + len(shingles[j]))
            if low <= dice < high and dice > best_dice:
                best, best_dice = j, dice
        if best is not None:
            key2 = tuple(sorted((p.text, clauses[best].text)))
            if key2 not in seen:
                seen.add(key2)  # type: ignore[arg-type]
                pairs.append(Pair("agreed", p.text, clauses[best].text))
    return pairs


def mine_pairs(passages: Sequence[Passage], recipe: Recipe = Recipe()) -> list[Pair]:  # noqa: B008
    """(anchor, positive) pairs from the passages' structure; the same for the same passages and seed."""
    rng = random.Random(recipe.seed)
    lead_in_counts = Counter(p.lead_in for p in passages if p.lead_in)
    titles: dict[str, list[str]] = defaultdict(list)
    lead_ins: dict[str, list[str]] = defaultdict(list)
    headings: dict[str, list[str]] = defaultdict(list)
    for p in passages:
        if len(_words(p.text)) < 4:
            continue
        substantive = p.clause not in _GENERIC_ROLES and not _CITES.match(p.text)
        if p.kind in _TITLED and p.instrument_title and substantive:
            titles[p.instrument_title.rstrip("0123456789").strip()].append(p.text)  # footnote marks
        # a lead-in sentence, not a bare role heading ("resolves") shared by hundreds of items
        if p.lead_in and len(_words(p.lead_in)) >= 6 and lead_in_counts[p.lead_in] <= 30:
            if not p.lead_in.startswith(("Res. |", "Rec. |")):  # the status table's column headings
                lead_ins[p.lead_in].append(p.text)
        if p.kind in _HEADED and p.path:
            heading = _NUMBER.sub("", p.path[-1]).strip()
            if len(_words(heading)) >= 2:
                headings[heading].append(p.text)
    return (
        _capped(titles, "title", recipe.per_title, rng)
        + _capped(lead_ins, "lead-in", recipe.per_lead_in, rng)
        + _capped(headings, "heading", recipe.per_heading, rng)
        + agreed_pairs(passages)
    )


def corpus_passages(corpus_dir: Path) -> list[Passage]:
    """Every passage of the corpus, parsed afresh (no index needed)."""
    from rag.corpus import load_corpus
    from rag.parse import parse_document

    corpus = load_corpus(corpus_dir)
    passages: list[Passage] = []
    for meta in corpus.documents:
        passages.extend(parse_document(meta, corpus.text(meta)).passages)
    return passages


def batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> list[list[Pair]]:
    """One epoch of batches in which no text occurs twice (a repeat would be a false negative).

    Pairs are shuffled, then sorted by length within windows of 8 batches so that a batch pads to a
    similar length (on CPU a step costs its padded token count), and the batches are shuffled.
    """
    order = list(pairs)
    rng.shuffle(order)
    window = 8 * batch_size
    order = [
        pair
        for i in range(0, len(order), window)
        for pair in sorted(order[i : i + window], key=lambda q: len(q.anchor) + len(q.positive))
    ]
    out: list[list[Pair]] = []
    pending = order
    while pending:
        batch: list[Pair] = []
        texts: set[str] = set()
        rest: list[Pair] = []
        for pair in pending:
            if len(batch) < batch_size and pair.anchor not in texts and pair.positive not in texts:
                batch.append(pair)
                texts.update((pair.anchor, pair.positive))
            else:
                rest.append(pair)
        if len(batch) < 2:
            break
        out.append(batch)
        pending = rest
    rng.shuffle(out)
    return out


# ------------------------------------------------------------------------------------------------
# Training


class StepProgress:
    """Called once a training step with its loss: moves a tqdm bar (steps done/total, rate, time left)
    and shows the mean loss of the last ``window`` steps, so a first build's minutes of fine-tuning
    say how far along they are. With the bar disabled (``-q``, TQDM_DISABLE, logging above INFO) it
    logs the running loss every ``window`` steps instead.
    """

    def __init__(self, bar: Any, steps: int, *, window: int = 25) -> None:
        self.bar = bar
        self.steps = steps
        self.done = 0  # a disabled tqdm bar does not count
        self.window = window
        self.recent: deque[float] = deque(maxlen=window)

    @property
    def running_loss(self) -> float:
        return sum(self.recent) / len(self.recent) if self.recent else float("nan")

    def __call__(self, loss: float) -> None:
        self.recent.append(loss)
        self.done += 1
        progress.report("fine-tuning", self.done, self.steps)
        if not self.bar.disable:
            self.bar.set_postfix_str(f"loss {self.running_loss:.3f}", refresh=False)
            self.bar.update(1)
        elif self.done % self.window == 0:
            logger.info("step %d/%d: loss %.3f", self.done, self.steps, self.running_loss)


@contextlib.contextmanager
def step_progress(steps: int, show_progress: bool | None = None) -> Iterator[StepProgress]:
    """A ``StepProgress`` over a fine-tuning bar of ``steps`` steps (``progress_enabled`` decides the bar)."""
    from tqdm.auto import tqdm

    disable = not progress_enabled(show_progress, logger)
    progress.report("fine-tuning", 0, steps)
    with tqdm(total=steps, desc="fine-tuning", unit="step", disable=disable) as bar:
        yield StepProgress(bar, steps)


def train(
    pairs: Sequence[Pair],
    base_dir: Path,
    out_dir: Path,
    recipe: Recipe = Recipe(),  # noqa: B008
    *,
    max_seq_length: int = 256,
    show_progress: bool | None = None,
) -> dict[str, Any]:
    """Train a copy of the model in ``base_dir`` on ``pairs`` for ``recipe.steps`` steps; save to ``out_dir``.

    ``show_progress``: a bar of steps with the running loss and time left; None shows it at INFO.

    Returns:
        What ``finetune.json`` holds: the recipe, pair counts by kind, losses and seconds.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    if len(pairs) < 2:
        raise ValueError(f"{len(pairs)} training pairs: at least 2 are needed for in-batch negatives")
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    model = SentenceTransformer(str(base_dir), device="cpu")
    for param in model[0].auto_model.embeddings.parameters():
        param.requires_grad = False
    model.max_seq_length = recipe.max_seq_length
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.lr)
    steps, warm = recipe.steps, max(1, int(recipe.steps * recipe.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )

    def embed(texts: list[str]) -> Any:
        return torch.nn.functional.normalize(model(model.preprocess(texts))["sentence_embedding"], dim=-1)

    rng = random.Random(recipe.seed)
    queue: list[list[Pair]] = []
    losses: list[float] = []
    epochs = 0
    started = time.perf_counter()
    with step_progress(steps, show_progress) as progress:
        for _ in range(steps):
            if not queue:
                queue = batches(pairs, recipe.batch_size, rng)
                epochs += 1
            batch = queue.pop()
            scores = recipe.scale * embed([p.anchor for p in batch]) @ embed([p.positive for p in batch]).T
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(float(loss.detach()))
            progress(losses[-1])
    seconds = time.perf_counter() - started
    model.eval()
    model.max_seq_length = max_seq_length
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    window = min(25, len(losses))
    return {
        "recipe": asdict(recipe),
        "pairs": dict(sorted(Counter(p.kind for p in pairs).items())),
        "epochs": epochs,
        "loss_first": round(sum(losses[:window]) / window, 4),
        "loss_last": round(sum(losses[-window:]) / window, 4),
        "train_seconds": round(seconds, 1),
    }


# ------------------------------------------------------------------------------------------------
# The model folder


def recipe_id(recipe: Recipe, base_dir: Path) -> str:
    """sha256 of the recipe, its version and the base model: what names the fine-tuned model."""
    data = {"version": RECIPE_VERSION, "recipe": asdict(recipe), "base": model_fingerprint(base_dir)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def finetuned_name(settings: Settings, recipe: Recipe = Recipe()) -> str:  # noqa: B008
    """The fine-tuned model's name (embedding cache keys and the manifest carry it)."""
    base = settings.index.model_dir or default_model_dir()
    return f"{settings.index.model_name}+itu-ft-{recipe_id(recipe, base)[:12]}"


def read_info(folder: Path) -> dict[str, Any] | None:
    """``finetune.json`` of a model folder, or None when there is no complete model there."""
    try:
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if (folder / "model.safetensors").is_file() else None


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{folder.name}.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # a second caller waits for the first one's model
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def train_encoder(
    settings: Settings,
    *,
    recipe: Recipe = Recipe(),  # noqa: B008
    out_dir: Path | None = None,
    force: bool = False,
    show_progress: bool | None = None,
) -> dict[str, Any]:
    """Mine pairs from the corpus, train, and put the model at ``out_dir`` (default: the encoder folder).

    Written into a temporary folder and renamed into place, so a crash never leaves half a model.
    Nothing is done when the folder already holds a model of this recipe (unless ``force``).

    Returns:
        The model's ``finetune.json`` (``"status"``: ``"trained"`` or ``"unchanged"``).
    """
    folder = out_dir or settings.index.encoder_dir
    base = settings.index.model_dir or default_model_dir()
    name = finetuned_name(settings, recipe)
    with _lock(folder):
        info = read_info(folder)
        if info is not None and info.get("name") == name and not force:
            return {**info, "status": "unchanged"}
        started = time.perf_counter()
        passages = corpus_passages(settings.index.corpus_dir)
        pairs = mine_pairs(passages, recipe)
        logger.info(
            "fine-tuning %s on %d pairs from %d passages (%d steps; a few minutes on 2 cores, once)",
            settings.index.model_name,
            len(pairs),
            len(passages),
            recipe.steps,
        )
        tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            info = train(
                pairs,
                base,
                tmp,
                recipe,
                max_seq_length=settings.index.max_seq_length,
                show_progress=show_progress,
            )
            info = {"name": name, "base": model_fingerprint(base), **info}
            info["seconds"] = round(time.perf_counter() - started, 1)
            (tmp / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            os.rename(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    logger.info("fine-tuned encoder written to %s in %.0f s", folder, info["seconds"])
    return {**info, "status": "trained"}


def ensure_encoder(settings: Settings) -> Path | None:
    """The fine-tuned model's folder, trained first if missing; None when settings ask for the stock one."""
    if settings.index.encoder != "finetuned":
        return None
    train_encoder(settings)
    return settings.index.encoder_dir
