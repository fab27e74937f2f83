"""Search filters: every passage's filter fields, and how filter values resolve to the rows they allow.

``doc``, ``instrument``, ``clause`` and ``kind`` match the passages' fields (an instrument by its full
name or its name before the parenthesis, case and spacing ignored); ``cites`` keeps the passages
citing an instrument, by its canonical key (``rag.citator.references``), so "Resolution 70/1",
"UNGA 70/1" and "un/ga/res/70/1" filter alike. An unknown value raises ``ConfigError`` listing the
valid ones. Built once per loaded index (``rag.query.context``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.citator.citator import Citator, resolve_target
from rag.errors import ConfigError
from rag.query.analysis import instrument_key
from rag.types import FILTER_FIELDS, ClauseRole, DocumentMeta, Passage, PassageKind, SearchFilters

_FIELDS = ("doc", "instrument", "clause", "kind")


class PassageFields:
    """The passages' filter fields as arrays (row order), and the filters' resolution to a row mask."""

    def __init__(
        self, passages: Sequence[Passage], documents: Sequence[DocumentMeta], citator: Citator
    ) -> None:
        self.size = len(passages)
        self.doc = np.array([p.doc for p in passages], dtype=object)
        self.instrument = np.array([p.instrument or "" for p in passages], dtype=object)
        self.clause = np.array([p.clause or "" for p in passages], dtype=object)
        self.kind = np.array([p.kind for p in passages], dtype=object)
        # instrument type words ("resolution", "opinion"), for "which draft opinions recall ..."
        self.instrument_type = np.array(
            [(instrument_key(p.instrument) or ("",))[0] if p.instrument else "" for p in passages],
            dtype=object,
        )
        self._documents = [d.id for d in documents]
        self._citator = citator
        self._instrument_names = self._instrument_aliases()

    def _instrument_aliases(self) -> dict[str, set[str]]:
        """Lower-cased instrument names (full, and before the parenthesis) -> instrument values."""
        names: dict[str, set[str]] = {}
        for value in set(self.instrument.tolist()) - {""}:
            for alias in (value, value.split(" (", 1)[0]):
                names.setdefault(" ".join(alias.lower().split()), set()).add(value)
        return names

    def valid_values(self, name: str) -> list[str]:
        """The values a filter field accepts (for error messages and the API's documentation)."""
        if name == "clause":
            return ClauseRole.values()
        if name == "kind":
            return PassageKind.values()
        if name == "doc":
            return list(self._documents)
        if name == "instrument":
            return sorted(set(self.instrument.tolist()) - {""})
        if name == "cites":
            return sorted(self._citator.data.cited_by)
        raise ConfigError(f"unknown filter {name!r}; choose one of: {', '.join(FILTER_FIELDS)}")

    def allowed_rows(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask of the rows the filters allow (None: no filter); unknown values raise ConfigError."""
        if filters is None or filters.empty:
            return None
        mask = np.ones(self.size, dtype=bool)
        for name in _FIELDS:
            values = getattr(filters, name)
            if not values:
                continue
            accepted: set[str] = set()
            for value in values:
                accepted |= self._resolve(name, value)
            mask &= np.isin(getattr(self, name), sorted(accepted))
        if filters.cites:
            # canonical keys, so "Resolution 70/1", "UNGA 70/1" and "un/ga/res/70/1" filter alike;
            # a known instrument no passage cites leaves no passage (no error)
            mask &= self._citator.citing_mask([resolve_target(value) for value in filters.cites])
        return mask

    def _resolve(self, name: str, value: str) -> set[str]:
        if name == "clause":
            return {ClauseRole.from_str(value).value}
        if name == "kind":
            return {PassageKind.from_str(value).value}
        if name == "doc":
            if value in set(self._documents):
                return {value}
        if name == "instrument":
            found = self._instrument_names.get(" ".join(value.lower().split()))
            if found:
                return found
        valid = self.valid_values(name)
        shown = ", ".join(valid[:40]) + (f", ... ({len(valid)} in all)" if len(valid) > 40 else "")
        raise ConfigError(f"unknown {name} {value!r}; choose one of: {shown}")
