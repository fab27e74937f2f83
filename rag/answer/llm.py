"""Answers composed by a language model from the retrieved passages, falling back to the extractive one.

Only the retrieved passages are sent, numbered, to an OpenAI-compatible ``/chat/completions``
endpoint (``rag.config.Settings.llm``), and the answer must cite them as ``[n]``: an answer that cites
nothing or a number it was not given is rejected. Any failure (that, an HTTP error, a timeout, a body
that is no chat completion) falls back to the extractive answer, whose ``notice`` says why.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.types import Answer, AnswerCitation, AnsweredBy, Answerer
from rag.config import LLMSettings
from rag.errors import LanguageModelError
from rag.rank.search import SearchHit, SearchResults

logger = logging.getLogger(__name__)

LLM_PASSAGES = 8  # passages sent to a language model
LLM_TIMEOUT_S = 30.0
_MARKER = re.compile(r"\[(\d{1,3})\]")
_SYSTEM = (
    "You answer questions about ITU policy texts using only the numbered passages given. "
    "Cite every statement with the passage number in square brackets, like [1] or [2]. "
    "Cite only the numbers given. If the passages do not answer the question, say so briefly. "
    "Answer in at most five sentences."
)


def llm_configured(llm: LLMSettings) -> bool:
    """Whether a language model is set up (an endpoint and a model name)."""
    return bool(llm.base_url and llm.model)


def prompt(question: str, hits: Sequence[SearchHit]) -> list[dict[str, str]]:
    """The chat messages: the rules, then the numbered passages and the question."""
    sources = "\n\n".join(
        f"[{i}] {h.passage.citation}\n{h.passage.text}" for i, h in enumerate(hits, start=1)
    )
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": f"Passages:\n\n{sources}\n\nQuestion: {question}"},
    ]


def chat_completion(llm: LLMSettings, messages: list[dict[str, str]]) -> str:
    """The content of the endpoint's first choice (temperature 0).

    Raises:
        LanguageModelError: the endpoint failed, timed out or sent no chat completion.
    """
    url = str(llm.base_url).rstrip("/") + "/chat/completions"
    body = json.dumps({"model": llm.model, "messages": messages, "temperature": 0}).encode()
    headers = {"Content-Type": "application/json"}
    if llm.api_key:
        headers["Authorization"] = f"Bearer {llm.api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=LLM_TIMEOUT_S) as response:  # noqa: S310 - configured URL
            data = json.loads(response.read())
        text = str(data["choices"][0]["message"]["content"]).strip()
    except urllib.error.HTTPError as exc:
        raise LanguageModelError(f"the language model endpoint answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LanguageModelError(f"the language model endpoint could not be reached ({exc})") from exc
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LanguageModelError(
            "the language model endpoint sent a response that is not a chat completion"
        ) from exc
    logger.info("language model answered in %.0f ms", 1000 * (time.perf_counter() - started))
    return text


def checked_citations(text: str, hits: Sequence[SearchHit]) -> tuple[AnswerCitation, ...]:
    """The passages a composed answer cites, in number order.

    Raises:
        LanguageModelError: the answer cites nothing, or a number it was not given.
    """
    cited = [int(n) for n in _MARKER.findall(text)]
    if not cited:
        raise LanguageModelError("the language model's answer cited no passage")
    wrong = sorted({n for n in cited if not 1 <= n <= len(hits)})
    if wrong:
        raise LanguageModelError(f"the language model cited passages it was not given: {wrong}")
    return tuple(
        AnswerCitation(n=n, id=hits[n - 1].passage.id, citation=hits[n - 1].passage.citation)
        for n in sorted(set(cited))
    )


@dataclass(frozen=True, slots=True)
class LLMAnswerer:
    """Asks the configured language model; on any failure answers with ``fallback`` and says why.

    Args:
        llm: the endpoint, key and model (``Settings.llm``).
        fallback: the answerer used when the model gives no usable answer (the extractive one).
    """

    llm: LLMSettings
    fallback: Answerer

    def compose(self, question: str, results: SearchResults) -> Answer:
        """The model's answer, without a fallback.

        Raises:
            LanguageModelError: the endpoint failed, timed out, or answered without valid citations.
        """
        hits = list(results.hits[:LLM_PASSAGES])
        if not hits:
            raise LanguageModelError("no passage matched, so there was nothing to send to the language model")
        text = chat_completion(self.llm, prompt(question, hits))
        return Answer(text, checked_citations(text, hits), results, AnsweredBy.LLM)

    def answer(self, question: str, results: SearchResults) -> Answer:
        try:
            return self.compose(question, results)
        except LanguageModelError as exc:
            logger.warning("language model answer failed, answering extractively: %s", exc)
            notice = f"The language model gave no usable answer ({exc}); this answer quotes the passages."
        return dataclasses.replace(self.fallback.answer(question, results), notice=notice)


def answerer_for(llm: LLMSettings, extractive: Answerer) -> Answerer:
    """The language model (falling back to ``extractive``) when one is configured, else ``extractive``."""
    if llm_configured(llm):
        return LLMAnswerer(llm, fallback=extractive)
    return extractive
