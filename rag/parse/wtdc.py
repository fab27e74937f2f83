"""The WTDC final report: split into its Parts, each read by the parser for its structure.

(before Part I)  conference overview      -> overview.parse_overview
Part I           Baku Declaration         -> overview.parse_declaration
Part II          Baku Action Plan         -> overview.parse_action_plan
Part III         Regional initiatives     -> initiatives.parse_initiatives
Part IV          Resolutions, Recommendations -> resolutions.parse_instruments
Part V           ITU-D study Questions    -> questions.parse_questions
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import rag.parse.initiatives as initiatives
import rag.parse.overview as overview
import rag.parse.questions as questions
import rag.parse.resolutions as resolutions
from rag.parse.spans import Line, normalize_ws
from rag.parse.tree import Node, ParseContext

_PART = re.compile(r"^\s*Part\s+(I|II|III|IV|V|VI|VII|VIII|IX|X)\s*[–—-]\s*(\S.*?)\s*$")

RegionParser = Callable[[ParseContext, Sequence[Line]], list[Node]]

# Part number -> (id slug, region parser). Part IV adds no slug: its instruments are cited and
# identified by their own numbers (``res-15``), which are unique within the report.
_PARTS: dict[str, tuple[str, RegionParser]] = {
    "I": ("declaration", resolutions.parse_declaration),
    "II": ("action-plan", overview.parse_action_plan),
    "III": ("", initiatives.parse_initiatives),
    "IV": ("", resolutions.parse_instruments),
    "V": ("", questions.parse_questions),
}


def parse_conference_report(ctx: ParseContext) -> Node:
    """Split the report at its ``Part N – Title`` headings and parse each region by its structure."""
    root = Node(kind="document", slug="", title=ctx.meta.title)
    starts = [(i, m) for i, line in enumerate(ctx.lines) if (m := _PART.match(line.raw))]
    first = starts[0][0] if starts else len(ctx.lines)
    intro = Node(kind="part", slug="overview", title="Conference overview and highlights")
    intro.children.extend(overview.parse_overview(ctx, ctx.lines[:first]))
    root.add(intro)
    for n, (i, m) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(ctx.lines)
        number, title = m.group(1), normalize_ws(m.group(2))
        line = ctx.lines[i]
        slug, parser = _PARTS.get(number, (f"part-{number.lower()}", overview.parse_overview))
        part = root.add(
            Node(
                kind="part",
                slug=slug,
                title=f"Part {number} – {title}",
                start=line.content_start,
                end=line.content_end,
            )
        )
        part.children.extend(parser(ctx, ctx.lines[i + 1 : end]))
    return root
