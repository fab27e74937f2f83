"""Second stage: rerank the first stage's best ~50 passages with a small learned model.

The first stage (BM25 + dense, fused) finds the answer in its top 50 for about 98 % of the dev
questions but ranks it first for about 70 %: the near misses are passages of the right instrument or
block that lose to a sibling on one word. A second stage that sees more than two scores fixes most of
them. It is a LightGBM LambdaRank model (Burges, "From RankNet to LambdaRank to LambdaMART", 2010)
over few features, each a reason a reader could give for preferring one passage:

======================  ===========================================================================
feature                 why
======================  ===========================================================================
fused, fused_rank       the first stage's verdict (normalised weighted sum of the branches; for a
                        draft clause, the precedent score and order of ``rag.precedents.finder``)
bm25, bm25_rank         lexical match of the whole passage (score / best score of the query)
dense, dense_gap        cosine with the query, and its distance to the best cosine of the query
cov_text                idf-weighted share of the query's tokens in the passage's own words
cov_context             ... in its context (instrument title, headings, lead-in)
cov_citation            ... in its citation (document, instrument, role, addressee, label)
phrase                  longest run of query words the passage's text holds, over the query length
bigrams                 share of the query's word pairs the text holds
role_intent             the query asks what a text *resolves / instructs / recognizes / ...* and
                        the passage speaks in that role (1: its block, or its lead-in's verb, as in
                        "resolves to instruct"), in another role (-1), no role asked (0)
addressee               share of the passage's addressee words the query names ("Member States")
instrument              the passage belongs to an instrument the query names ("Res. 15 ...")
doc_intent              the passage's document is the one the query names (WTPF-21 report,
                        "roadmap"): 1, another document: -1, none named: 0
numbers                 share of the query's numbers ("2030", "7.9.6") the passage holds
fact_match              a when/how-many/how-much question and a passage holding dates or figures
kind                    passage kind (clause, paragraph, table row, title, ...), categorical
length                  log of the passage's length in characters
wording                 Dice of the word 3-gram sets of query and passage (``rag.precedents.finder``): the
                        drafter's "same wording"
draft_role              a draft clause opening with a role ("invites Member States to ...") and a
                        passage of that role, or a block whose heading carries the verb (1), of
                        another (-1); not a draft or no role (0)
draft_addressee         share of the draft's addressee words in the passage's addressee
======================  ===========================================================================

The last three are the precedent search's own signals, so one model orders draft clauses and
questions alike and ``Searcher.search`` and ``find_precedents`` agree on a draft's best precedent.

The model is trained on the dev split only by ``rag train-reranker`` (``eval/train_reranker.py``:
hyperparameters chosen by cross-validation over dev questions) and shipped as LightGBM's own text
format in ``rag/models/reranker.txt`` with ``reranker.json`` beside it (feature names, parameters,
training figures). It is loaded with ``lightgbm.Booster(model_file=...)``, never pickle. The final
score is the model's, so reranked hits carry it; pinned references and citing passages still come
first (``rag.rank.search``).

Example:
    >>> reranker = Reranker.load()                            # doctest: +SKIP
    >>> reranker.feature_names[:3]                            # doctest: +SKIP
    ('fused', 'fused_rank', 'bm25')
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.errors import ConfigError
from rag.index.textindex import normalize_text, tokenize
from rag.index.vocabulary import fold_spelling
from rag.types import Hit, Passage, PassageKind

if TYPE_CHECKING:
    from rag.precedents.finder import DraftRole
    from rag.query.analysis import ParsedQuery
    from rag.rank.search import Searcher

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
MODEL_FILE = MODEL_DIR / "reranker.txt"
META_FILE = MODEL_DIR / "reranker.json"
FEATURES: tuple[str, ...] = (
    "fused",
    "fused_rank",
    "bm25",
    "bm25_rank",
    "dense",
    "dense_gap",
    "cov_text",
    "cov_context",
    "cov_citation",
    "phrase",
    "bigrams",
    "role_intent",
    "addressee",
    "instrument",
    "doc_intent",
    "numbers",
    "fact_match",
    "kind",
    "length",
    "wording",
    "draft_role",
    "draft_addressee",
)
KINDS: tuple[str, ...] = tuple(PassageKind.values())
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d")
# "When", "what year", "how many", "how much", "what share/percentage", "which date": fact questions
_WHEN = re.compile(
    r"\b(?:when|what\s+(?:year|date|day|month)|which\s+(?:year|date|day|month)|dates?)\b", re.I
)
_HOW_MANY = re.compile(
    r"\b(?:how\s+(?:many|much|often|long|large|big|fast)|what\s+(?:share|percentage|proportion|number|amount)"
    r"|number\s+of|per\s*cent|percent|%)",
    re.I,
)
_MONTH = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"19\d\d|20\d\d)\b",
    re.I,
)
# A question's verb naming a clause role: "what did WTDC resolve", "which resolution instructs",
# "what are Member States invited to", "what does it recognise", "what does Resolution 15 recall" (a
# question about who recalls an instrument is a reference question: no role intent then). Role values
# from rag.types.ClauseRole.
_ROLE_INTENT: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), role)
    for pattern, role in (
        (r"\bresolv(?:e|es|ed|ing)\b", "resolves"),
        (r"\brecall(?:s|ed|ing)?\b", "recalling"),
        (r"\binstruct(?:s|ed|ing)?\b", "instructs"),
        (r"\binvit(?:e|es|ed|ing)\b", "invites"),
        (r"\bencourag(?:e|es|ed|ing)\b", "encourages"),
        (r"\brequest(?:s|ed|ing)?\b", "requests"),
        (r"\burg(?:e|es|ed|ing)\b", "urges"),
        (r"\bcall(?:s|ed|ing)?\s+(?:up)?on\b", "calls upon"),
        (r"\bdecid(?:e|es|ed|ing)\b", "decides"),
        (r"\brecommend(?:s|ed|ing)?\b", "recommends"),
        (r"\brecogni[sz](?:e|es|ed|ing)\b", "recognizing"),
        (r"\bconsider(?:s|ed|ing)?\b", "considering"),
        (r"\bnot(?:e|es|ed|ing)\b", "noting"),
        (r"\bemphasi[sz](?:e|es|ed|ing)\b", "emphasizing"),
        (r"\btak(?:e|es|ing|en)\s+into\s+account\b", "taking into account"),
        (r"\bbear(?:s|ing)?\s+in\s+mind\b", "bearing in mind"),
        (r"\bof\s+the\s+view\b", "is of the view"),
        (r"\bdeclar(?:e|es|ed|ing)\b", "declares"),
        (r"\backnowledg(?:e|es|ed|ing)\b", "acknowledging"),
    )
)


# A UN operative verb answers a question in the ITU preambular form the intents use: "What does the
# General Assembly recognize ..." asks for "recognizing" and is answered by a paragraph that
# "Recognizes ...". (The seed texts hold none of these roles, so their features do not change.)
_ROLE_FAMILY = {
    "recognizes": "recognizing",
    "notes": "noting",
    "takes note": "noting",
    "emphasizes": "emphasizing",
    "stresses": "emphasizing",
    "acknowledges": "acknowledging",
    "recalls": "recalling",
    "considers": "considering",
}


def role_intent(question: str) -> str | None:
    """The clause role a question asks about ("What did WTDC resolve ..." -> "resolves"), or None.

    Example:
        >>> role_intent("What are Member States invited to do on IXPs?"), role_intent("When was GSR-25?")
        ('invites', None)
    """
    found = [(m.start(), role) for pattern, role in _ROLE_INTENT for m in [pattern.search(question)] if m]
    return min(found)[1] if found else None


def block_roles(clause: str | None, lead_in: str | None) -> frozenset[str]:
    """The roles a clause block speaks in: its own, and those its lead-in's verbs add.

    "resolves to instruct the Director of BDT" is an instruction to BDT as much as a resolution, so a
    question about what WTDC *instructed* BDT to do matches its items too.

    Example:
        >>> sorted(block_roles("resolves", "resolves to instruct the Director of the Bureau"))
        ['instructs', 'resolves']
    """
    if not clause:
        return frozenset()
    verbs = (lead_in or "").split(",")[0]  # the operative phrase, before any qualification
    roles = {clause, *(role for pattern, role in _ROLE_INTENT if pattern.search(verbs))}
    return frozenset(roles | {_ROLE_FAMILY[r] for r in roles if r in _ROLE_FAMILY})


def fact_intent(question: str) -> tuple[bool, bool]:
    """(asks when, asks how many / how much)."""
    return bool(_WHEN.search(question)), bool(_HOW_MANY.search(question))


def _folded_words(text: str) -> list[str]:
    return [fold_spelling(w) for w in _WORD.findall(normalize_text(text))]


class PassageFeatures:
    """What the features need of every passage, computed once per searcher (about half a second)."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        cache: dict[str, frozenset[str]] = {}

        def tokens(text: str) -> frozenset[str]:
            found = cache.get(text)
            if found is None:
                found = cache[text] = frozenset(tokenize(text))
            return found

        self.text = [frozenset(tokenize(p.text)) for p in passages]
        self.context = [tokens(p.context) for p in passages]
        self.citation = [tokens(p.citation) for p in passages]
        self.addressee = [tokens(p.addressee) if p.addressee else frozenset() for p in passages]
        self.kind = np.array(
            [KINDS.index(p.kind) if p.kind in KINDS else -1 for p in passages], dtype=np.float64
        )
        self.length = np.log1p(np.array([len(p.text) for p in passages], dtype=np.float64))
        self.dated = np.array([bool(_MONTH.search(p.text)) for p in passages])
        self.figures = np.array([bool(_NUMBER.search(p.text)) for p in passages])
        self.clause = [p.clause or "" for p in passages]
        self.roles = [block_roles(p.clause, p.lead_in) for p in passages]
        self.doc = [p.doc for p in passages]
        # the same values as Python lists: ``features`` reads one item per candidate, and indexing a
        # list is several times cheaper than indexing an array and converting the numpy scalar
        self.kind_values: list[float] = self.kind.tolist()
        self.length_values: list[float] = self.length.tolist()
        self.dated_values: list[bool] = self.dated.tolist()
        self.figures_values: list[bool] = self.figures.tolist()
        self._words: dict[int, str] = {}
        self._word_sets: dict[int, frozenset[str]] = {}
        self._texts = [p.text for p in passages]

    def joined_words(self, row: int) -> str:
        """The passage text's folded words joined by spaces, with a space at each end (cached)."""
        found = self._words.get(row)
        if found is None:
            found = self._words[row] = " " + " ".join(_folded_words(self._texts[row])) + " "
        return found

    def word_set(self, row: int) -> frozenset[str]:
        """The words of ``joined_words(row)`` (cached): a word w is one of them iff " w " is in it."""
        found = self._word_sets.get(row)
        if found is None:
            found = self._word_sets[row] = frozenset(self.joined_words(row).split())
        return found


@dataclass(frozen=True, slots=True)
class QueryView:
    """What the features need of one query."""

    terms: Mapping[str, float]  # BM25 tokens with weights (expansions included)
    idf: Mapping[str, float]
    words: tuple[str, ...]  # folded words of the ranking text
    numbers: frozenset[str]
    role: str | None
    when: bool
    how_many: bool
    instrument_rows: frozenset[int]
    doc_hints: frozenset[str]
    shingles: frozenset[tuple[str, ...]] = frozenset()
    draft_role: DraftRole | None = None  # the role a draft clause opens with (or the caller names)
    draft_addressee: frozenset[str] = frozenset()


def query_view(
    searcher: Searcher,
    parsed: ParsedQuery,
    terms: Mapping[str, float],
    *,
    draft_role: DraftRole | None = None,
) -> QueryView:
    """Gather the query-side inputs of the features (``draft_role``: the query is a draft clause)."""
    from rag.precedents.finder import Words, addressee_words

    bm25 = searcher.index.bm25
    idf = {t: float(bm25.idf[bm25.term_ids[t]]) for t in terms if t in bm25.term_ids}
    text = parsed.ranking_text
    instrument_rows: set[int] = set()
    for ref in parsed.references:
        if ref.instrument is not None:
            instrument_rows.update(searcher.resolver.instrument_rows(ref, parsed.doc_hints))
    when, how_many = fact_intent(parsed.raw)
    return QueryView(
        terms=terms,
        idf=idf,
        words=tuple(_folded_words(text)),
        numbers=frozenset(t for t in tokenize(text) if _NUMBER.search(t)),
        role=role_intent(parsed.raw) if not parsed.cited else None,
        when=when,
        how_many=how_many,
        instrument_rows=frozenset(instrument_rows),
        doc_hints=frozenset(parsed.doc_hints) | frozenset(searcher.resolver.document_intent(parsed.raw)),
        shingles=frozenset(Words.of(text).shingles()),
        draft_role=draft_role,
        draft_addressee=(
            addressee_words(" ".join(draft_role.addressee), searcher.vocabulary)
            if draft_role is not None
            else frozenset()
        ),
    )


def _weighted_terms(q: QueryView) -> list[tuple[str, float]]:
    """Each query term with idf x weight, in the terms' order: what ``_coverage`` sums, once a query."""
    return [(t, q.idf.get(t, 0.0) * w) for t, w in q.terms.items()]


def _coverage(weighted: Sequence[tuple[str, float]], tokens: frozenset[str], total: float) -> float:
    if total <= 0:
        return 0.0
    # the same products added in the same order as summing idf x weight term by term: same floats
    return sum([value for t, value in weighted if t in tokens]) / total


class _Runs:
    """Runs of consecutive query words, joined with a space at each end, built once a query as needed."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.built: list[dict[int, str]] = [{} for _ in words]  # built[i][length]: words i..i+length-1
        self.spaced = [" " in w for w in words]  # never from _WORD, but then only a substring test tells

    def longest_in(self, joined: str, word_set: frozenset[str]) -> int:
        """Longest run of consecutive query words that occurs in the passage's joined words.

        A run can only occur where each of its words does, so runs are tried only within the
        stretches of query words that the passage has (``word_set``), in the same order as trying
        every start and length: the same answer with far fewer substring searches.
        """
        words, built = self.words, self.built
        present = [
            f" {w} " in joined if spaced else w in word_set
            for w, spaced in zip(words, self.spaced, strict=True)
        ]
        n = len(words)
        best = 0
        i = 0
        while i < n:
            if not present[i]:
                i += 1
                continue
            end = i  # the stretch of present words i..end-1
            while end < n and present[end]:
                end += 1
            for start in range(i, end - best):
                runs = built[start]
                # only try runs that could beat the best so far
                length = best + 1
                while start + length <= end:
                    run = runs.get(length)
                    if run is None:
                        run = runs[length] = " " + " ".join(words[start : start + length]) + " "
                    if run not in joined:
                        break
                    best = length
                    length += 1
            i = end
        return best


def features(
    searcher: Searcher,
    q: QueryView,
    hits: Sequence[Hit],
    bm25_scores: Mapping[str, float],
    cosines: np.ndarray,
) -> np.ndarray:
    """The feature matrix (rows: ``hits`` in order, columns: ``FEATURES``)."""
    from rag.precedents.finder import addressee_overlap, role_mask

    pf: PassageFeatures = searcher.passage_features
    rows = [searcher.row_of[h.passage_id] for h in hits]
    n = len(rows)
    if not n:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    top_fused = max(h.score for h in hits) or 1.0
    top_bm25 = max(bm25_scores.values(), default=0.0) or 1.0
    bm25_order = {pid: r for r, pid in enumerate(sorted(bm25_scores, key=lambda p: -bm25_scores[p]), start=1)}
    top_cos = float(cosines.max()) if n else 0.0
    total = sum(q.idf.get(t, 0.0) * w for t, w in q.terms.items())
    weighted = _weighted_terms(q)
    qwords = q.words
    runs = _Runs(qwords)
    bigrams = {f" {a} {b} " for a, b in zip(qwords, qwords[1:], strict=False)}
    shingles = searcher.shingles
    same_role = role_mask(searcher, q.draft_role) if q.draft_role is not None else None
    wording = np.zeros(n)
    if q.shingles:
        rows_a = np.asarray(rows, dtype=np.int64)
        shared = shingles.shared_counts(set(q.shingles))[rows_a].astype(np.float64)
        wording = 2 * shared / (len(q.shingles) + shingles.shingle_counts[rows_a])
    # Python floats of the same values (float() of each item, as the columns held before)
    cosine_values: list[float] = cosines.tolist()
    wording_values: list[float] = wording.tolist()
    table: list[tuple[float, ...]] = []
    for i, (hit, row) in enumerate(zip(hits, rows, strict=True)):
        joined = pf.joined_words(row)
        bm = bm25_scores.get(hit.passage_id, 0.0)
        clause = pf.clause[row]
        if q.role is None:
            role = 0.0
        else:
            role = 1.0 if q.role in pf.roles[row] else (-1.0 if clause else -0.5)
        addressee = pf.addressee[row]
        if q.doc_hints:
            doc = 1.0 if pf.doc[row] in q.doc_hints else -1.0
        else:
            doc = 0.0
        numbers = (sum(1 for t in q.numbers if t in pf.text[row]) / len(q.numbers)) if q.numbers else 0.0
        draft_role = draft_addressee = 0.0
        if q.draft_role is not None and same_role is not None:
            passage = searcher.passages[row]
            draft_role = 1.0 if same_role[row] else -1.0
            theirs = shingles.addressee(passage.addressee, searcher.vocabulary)
            draft_addressee = addressee_overlap(q.draft_addressee, theirs)
        fact = 0.0
        if q.when:
            fact += 1.0 if pf.dated_values[row] else -1.0
        if q.how_many:
            fact += 1.0 if pf.figures_values[row] else -1.0
        cosine = cosine_values[i]
        table.append(
            (
                hit.score / top_fused,
                math.log1p(i),
                bm / top_bm25,
                math.log1p(bm25_order.get(hit.passage_id, 200)),
                cosine,
                cosine - top_cos,
                _coverage(weighted, pf.text[row], total),
                _coverage(weighted, pf.context[row], total),
                _coverage(weighted, pf.citation[row], total),
                runs.longest_in(joined, pf.word_set(row)) / len(qwords) if qwords else 0.0,
                (sum(1 for b in bigrams if b in joined) / len(bigrams)) if bigrams else 0.0,
                role,
                (len(addressee & q.terms.keys()) / len(addressee)) if addressee else 0.0,
                1.0 if row in q.instrument_rows else 0.0,
                doc,
                numbers,
                fact,
                pf.kind_values[row],
                pf.length_values[row],
                wording_values[i],
                draft_role,
                draft_addressee,
            )
        )
    return np.array(table, dtype=np.float64)


class Reranker:
    """A LightGBM ranking model over ``FEATURES``, loaded from its text file.

    Raises (``load``):
        ConfigError: the model file is missing or was trained on other features.
    """

    def __init__(self, booster: Any, meta: Mapping[str, Any]) -> None:
        self.booster = booster
        self.meta = dict(meta)
        self.feature_names = tuple(meta.get("features", FEATURES))
        # a model may use a subset of the features (ablation models of ``rag eval``): its columns
        self.columns = np.array([FEATURES.index(name) for name in self.feature_names], dtype=np.int64)

    @classmethod
    def load(cls, model_file: Path = MODEL_FILE, meta_file: Path | None = None) -> Reranker:
        try:
            import lightgbm
        except ImportError as exc:  # pragma: no cover - lightgbm is a dependency
            raise ConfigError("the reranker needs lightgbm", hint="pip install lightgbm") from exc
        meta_file = meta_file or model_file.with_suffix(".json")
        if not model_file.is_file():
            raise ConfigError(
                f"no reranker model at {model_file}", hint="run `rag train-reranker` or set RAG_RERANK=false"
            )
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        names = list(meta.get("features", FEATURES))
        if not set(names) <= set(FEATURES) or names != [f for f in FEATURES if f in names]:
            raise ConfigError(
                f"the reranker at {model_file} was trained on other features than this code computes",
                hint="run `rag train-reranker`",
            )
        booster = lightgbm.Booster(model_file=str(model_file))
        return cls(booster, meta)

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """Model scores of feature rows (higher: better)."""
        if not len(matrix):
            return np.zeros(0)
        if len(self.columns) != matrix.shape[1]:
            matrix = matrix[:, self.columns]
        return np.asarray(self.booster.predict(matrix, num_threads=1), dtype=np.float64)


def rerank(hits: Sequence[Hit], scores: np.ndarray, *, first: np.ndarray | None = None) -> list[Hit]:
    """``hits`` reordered by ``scores`` (ties keep the first stage's order), with the model's scores.

    ``first``: a mask of hits that go before all others whatever their scores (a draft's precedents
    of its own clause role); each group is in score order.
    """
    ahead = first if first is not None else np.zeros(len(hits), dtype=bool)
    order = sorted(range(len(hits)), key=lambda i: (not ahead[i], -scores[i], i))
    return [
        Hit(hits[i].passage_id, float(scores[i]), rank, ranks=hits[i].ranks)
        for rank, i in enumerate(order, start=1)
    ]
