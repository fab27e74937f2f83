"""Which parser reads which document kind (the ``kind`` field of ``corpus/documents.json``).

To add a document of a known kind, add its file and a metadata entry; to add a new kind, write a
function ``(ParseContext) -> Node`` and register it here.
"""

from __future__ import annotations

from rag.parse.generic import parse_generic
from rag.parse.plain import parse_plain
from rag.parse.reports import parse_sg_report
from rag.parse.tables import parse_roadmaps
from rag.parse.tree import DocumentParser
from rag.parse.wtdc import parse_conference_report

PARSERS: dict[str, DocumentParser] = {
    "sg-report": parse_sg_report,
    "conference-final-report": parse_conference_report,
    "wsis-roadmaps": parse_roadmaps,
    "plain": parse_plain,
    # documents added with `rag add`: one reader of instruments and reports, whatever the body
    "auto": parse_generic,
}
