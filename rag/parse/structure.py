"""What the reader understood of a document: the structure report of ``rag add`` and ``passages --stats``.

A parse that read a resolution as plain paragraphs still covers every line, so coverage alone cannot
tell a user that their document was not understood. The report says what was found (instruments,
clause blocks per role, items, passages per kind), shows the longest passages and the paragraphs
that fell into no structure, and warns in plain words when the text looks like an instrument (role
words opening its lines, numbered operative paragraphs) but no clause came out of it, or when
passages are larger than a paragraph should be.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rag.parse.roles import itu_block_heading, un_operative, un_preambular
from rag.types import ParsedDocument, Passage

OVERSIZED_CHARS = 2000  # a passage longer than this is more than one paragraph of these texts
_SHOWN = 5
_NUMBERED_VERB = re.compile(r"\d{1,3}\.?\s+(?P<rest>[A-Z]\w+.*)")
_UNSTRUCTURED = re.compile(r"^[^/]+/(?:front-\d+|p\d+)$")


@dataclass(frozen=True, slots=True)
class StructureReport:
    """Counts and samples of one parsed document (see the module docstring)."""

    doc: str
    passages: int
    instruments: tuple[str, ...]
    roles: tuple[tuple[str, int], ...]  # clause passages per role, most first
    items: int  # labelled passages (footnotes aside)
    kinds: tuple[tuple[str, int], ...]
    longest: tuple[tuple[str, int], ...]  # (passage id, characters)
    oversized: tuple[tuple[str, int], ...]
    unstructured: tuple[tuple[str, str], ...]  # (passage id, first words) of paragraphs in no structure
    role_lines: int  # lines that open with a clause role, as an instrument's do
    warnings: tuple[str, ...]

    @classmethod
    def of(cls, parsed: ParsedDocument, text: str) -> StructureReport:
        passages = parsed.passages
        clauses = [p for p in passages if p.clause]
        lengths = sorted(((p.id, p.end - p.start) for p in passages), key=lambda x: -x[1])
        loose = [(p.id, p.text[:80]) for p in passages if _UNSTRUCTURED.match(p.id)]
        role_lines = _role_lines(text)
        report = cls(
            doc=parsed.meta.id,
            passages=len(passages),
            instruments=tuple(dict.fromkeys(p.instrument for p in passages if p.instrument)),
            roles=tuple(Counter(p.clause for p in clauses if p.clause).most_common()),
            items=sum(1 for p in passages if p.label and p.kind != "footnote"),
            kinds=tuple(Counter(p.kind for p in passages).most_common()),
            longest=tuple(lengths[:3]),
            oversized=tuple((pid, n) for pid, n in lengths if n > OVERSIZED_CHARS and not _one_paragraph(
                _by_id(passages, pid), text)),
            unstructured=tuple(loose),
            role_lines=role_lines,
            warnings=tuple(parsed.warnings),
        )  # fmt: skip
        return report

    @property
    def problems(self) -> list[str]:
        """Plain-words warnings about what the reader may have missed."""
        out = []
        if self.role_lines >= 3 and not self.roles:
            out.append(
                f"{self.role_lines} lines open with clause role words or numbered operative verbs, as an "
                "instrument's do, but no clause block was found: passages will not be cited to the "
                "clause. Check that the role words stand on their own lines or open their paragraphs."
            )
        if self.oversized:
            out.append(
                f"{len(self.oversized)} passages are longer than {OVERSIZED_CHARS:,} characters and span "
                f"more than one paragraph (longest: {self.oversized[0][0]}, {self.oversized[0][1]:,})."
            )
        if self.passages and len(self.unstructured) > 0.5 * self.passages:
            out.append(
                f"{len(self.unstructured)} of {self.passages} passages fell into no structure (no "
                "instrument, section or clause): they are cited by paragraph number only."
            )
        return out

    def lines(self) -> list[str]:
        """The report as printed by ``rag add`` and ``rag passages --stats``."""
        out = [f"{self.doc}: {self.passages} passages, {self.items} labelled items"]
        if self.instruments:
            shown = ", ".join(self.instruments[:_SHOWN]) + (" ..." if len(self.instruments) > _SHOWN else "")
            out.append(f"  instruments ({len(self.instruments)}): {shown}")
        if self.roles:
            out.append("  clauses by role: " + ", ".join(f"{r} {n}" for r, n in self.roles))
        out.append("  passages by kind: " + ", ".join(f"{k} {n}" for k, n in self.kinds))
        out.append("  longest: " + ", ".join(f"{pid} ({n:,} chars)" for pid, n in self.longest))
        if self.unstructured:
            out.append(f"  in no structure: {len(self.unstructured)} paragraphs, e.g.")
            out.extend(f"    {pid}: {words!r}" for pid, words in self.unstructured[:3])
        out.extend(f"  warning: {w}" for w in self.warnings)
        out.extend(f"  WARNING: {p}" for p in self.problems)
        return out

    def counts(self) -> dict[str, Any]:
        """The counts ``GET /documents`` shows for an added document."""
        return {
            "passages": self.passages,
            "instruments": len(self.instruments),
            "clauses": sum(n for _, n in self.roles),
            "items": self.items,
            "kinds": dict(self.kinds),
            "roles": dict(self.roles),
            "unstructured": len(self.unstructured),
            "oversized": len(self.oversized),
            "warnings": len(self.warnings) + len(self.problems),
        }


def _role_lines(text: str) -> int:
    count = 0
    for line in text.splitlines():
        words = line.strip().lstrip("#").strip()
        if not words or len(words) > 2000:
            continue
        numbered = _NUMBERED_VERB.match(words)
        if (
            itu_block_heading(words)
            or un_preambular(words)
            or numbered
            and un_operative(numbered.group("rest"))
        ):
            count += 1
    return count


def _by_id(passages: tuple[Passage, ...], pid: str) -> Passage:
    return next(p for p in passages if p.id == pid)


def _one_paragraph(passage: Passage, text: str) -> bool:
    """A passage that is one unbroken paragraph of the source (no blank line inside) is allowed."""
    return "\n" not in text[passage.start : passage.end].strip()
