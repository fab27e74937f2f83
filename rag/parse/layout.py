"""The marks of the reading text (``rag.ingest.reading``) that the reader reads: one grammar for both.

Converters write these marks and the structure reader finds them, so they are defined once, here, on
the reader's side: a footnote call ``[^1]`` and its note ``[^1]: ...``, heading marks ``## ``, table
rows ``| cell | cell |`` and the rule under a table's first row.
"""

from __future__ import annotations

import re

FOOTNOTE_CALL = re.compile(r"\[\^(?P<mark>[^\]\s]{1,12})\]")
FOOTNOTE_DEFINITION = re.compile(r"\[\^(?P<mark>[^\]\s]{1,12})\]:[ \t]*")
HEADING_MARKS = re.compile(r"(?P<marks>#{1,6})[ \t]+")
TABLE_ROW = re.compile(r"^\|.*\|$")
TABLE_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")
