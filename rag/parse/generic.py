"""The reader of instruments: clause structure found in any document, with no per-document kind.

Documents added with ``rag add`` (kind ``auto``) are read here, whatever their body or format: ITU
resolutions, decisions, opinions and Recommendations, UN General Assembly resolutions and drafts,
declarations, reports. The reader walks the paragraphs of the reading text (``rag.parse.paragraphs``)
once, keeping what is open: the instrument (``rag.parse.names``), an annex, a numbered section, an
ITU clause block, a UN operative paragraph, and the stack of item lists under them. Each paragraph
either opens a structure or becomes a passage inside the innermost one that takes it:

=====================================  =========================================  ====================
paragraph                              becomes                                    id / cite
=====================================  =========================================  ====================
"RESOLUTION 2 (REV. DUBAI, 2018)"      an instrument (title case when cited)      ``res-2``
the lines after it                     its title passage                          ``res-2/title``
"The General Assembly,"                the preamble passage (enacting formula)    ``preamble``
"considering", "instructs the ..."     an ITU clause block (``rag.parse.roles``)  ``considering``
"a)\\tthat ...", "1.3.2\\t..."           an item of the block, nested by label      ``considering/a``
"Recalling also ...,"                  a UN preambular paragraph                  ``pp-3``, cite
                                                                                  "preambular
                                                                                  paragraph 3"
"4.\\tRequests the ..."                 a UN operative paragraph (a lost number    ``op-4``, cite
                                       is read from its place)                    "operative
                                                                                  paragraph 4"
"(a)\\t..." after it                    its sub-item                               ``op-4/a``
"2.\\tWe reaffirm ..."                  a declaration's paragraph, by its verb     ``annex/2``
"Annex A – ...", "ANNEX 1 TO ..."      an annex of the instrument                 ``annex-a``
"## 9.1.4\\tTitle", "1.1\\tFrequency"    a numbered section (outline and path)      (no segment)
"1.1.1\\tStudy groups meet ..."         a numbered paragraph                       ``1.1.1``, "§1.1.1"
an unlabelled paragraph                continues the item above as ``p2``, or is  ``9.1.4/p2``
                                       a paragraph of its section
"NOTE 1 – ..."                         a note of the instrument                   ``note-1``
"[^1]: ..."                            a footnote of the instrument calling it    ``fn-1``
"| a | b |" rows                       a table, a passage per row                 ``table-1/row-2``
=====================================  =========================================  ====================

A document of one instrument adds no instrument segment to its ids, and the instrument is left out
of citations that the document's short title already starts with ("A/RES/80/118, operative paragraph
4"). Lines before the first structure are front matter: runs of short lines (a UN masthead) become
one passage, longer paragraphs one each. ``rag.parse.structure`` reports what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.parse.blocks import ADDRESSEE_PURPOSE, BlockInfo, name_blocks
from rag.parse.labels import (
    FIRST_LABEL,
    INDENT_KINDS,
    KINDS_WITH_SEQUENCE,
    ListLevel,
    label_kinds,
    reader_value,
    successor,
)
from rag.parse.names import (
    InstrumentName,
    masthead_symbol,
    named_heading,
    numbered_heading,
    un_number_heading,
)
from rag.parse.paragraphs import Para, ends_sentence, heading_like, lone_label, read_paragraphs
from rag.parse.roles import RoleWords, declaration_verb, itu_block_heading, un_operative, un_preambular
from rag.parse.spans import clean_text, has_words
from rag.parse.tree import Node, ParseContext, footnote_node, slugify
from rag.types import PassageKind

_FORMULA = re.compile(
    r"(?:The|La|Le|L['’]|El|Los|Las)\s.{0,240}?\b(?:Assembly|Conference|Council|Forum|Summit|Committee"
    r"|Commission|Sector|Bureau|Board|Meeting|Assemblée|Conférence|Conseil|Sommet|Commission|Asamblea"
    r"|Conferencia|Consejo|Cumbre|Comisión|Reunión)\b.{0,200}[,:]",
    re.IGNORECASE | re.DOTALL,
)
_ANNEX = re.compile(
    r"(?P<word>annex|annexe|anexo|appendix|appendice|apéndice|attachment|supplement|addendum|enclosure)"
    r"(?:\s+(?P<n>[A-Z0-9]{1,4}|[ivxlIVXL]{1,5})\b)?"
    r"(?P<rest>\s*(?:\(?\s*(?:to|à|al|a la|de la|du|del)\s+.{3,160}\)?)?"
    r"\s*(?:(?:[–—:-]\s*|\s(?=[A-Z]))(?P<title>\S.{0,200}))?)\s*",
    re.IGNORECASE,
)
_DIVISION = re.compile(
    r"(?P<word>part|section|chapter|article|partie|chapitre|parte|capítulo|artículo)\s+"
    r"(?P<n>[0-9]{1,3}|[IVXLC]{1,6}|[A-Z])\b\.?(?:\s*[–—:.-]\s*(?P<title>\S.{0,200}))?",
    re.IGNORECASE,
)
# A heading line whose addressee runs on to the next line ends with a word that cannot end it.
_DANGLING = re.compile(r"(?:\b(?:and|or|of|the|with|in|for|on|by|to|et|de|du|des|y|con|avec)|[,/–-])\s*$")
_CALL = re.compile(r"\[\^([^\]\s]{1,12})\]")
_FIRST_PERSON = re.compile(r"(?:We|Nous|Nosotros)\b")
_ADOPTION = re.compile(
    r"\d{1,3}(?:st|nd|rd|th|e|re|a)\.?\s+(?:plenary\s+meeting|séance\s+plénière|sesión\s+plenaria)\b.{0,40}",
    re.IGNORECASE,
)
# A row whose first cell is a reference mark or number ("| [12] | Author ... |") is cited by it.
_ROW_LABEL = re.compile(r"\|\s*(\[\d{1,4}\]|\d{1,3}\.?|[a-z]\))\s*\|")
_SHORT_KINDS = (*INDENT_KINDS, "letter", "roman", "paren", "other")
# Labels that number headings: "1", "1.", "1.2.3", "A.", "A.1", "IV."; "1)", "a)", "(a)" number items.
_SECTION_LABEL = re.compile(r"(?:\d{1,3}|[A-Z]|[IVXL]{1,5})(?:\.\d{1,3})*\.?")
_SECTION_NUMBER = re.compile(r"(?:\d{1,3}|[A-Z]|[IVXL]{1,5})(?:\.\d{1,3})*")
_DATE_LINE = re.compile(r"\d{1,2}\s+[^\W\d]{3,12}\s+(?:19|20)\d\d")
_NOTE = re.compile(r"(?P<word>NOTE|Note|NOTA)(?:\s+(?P<n>\d{1,2}))?\s*(?:[–—−:-]|\.\s)\s*")
_UN_MASTHEAD = re.compile(r"(?:United Nations|Nations Unies|Naciones Unidas|General Assembly|Distr\.)", re.I)
_MAX_FRONT_RUN = 12
_FRONT_LINE = 90


@dataclass(slots=True)
class _Section:
    key: tuple[str, ...] | None  # the printed number's parts, None for an unnumbered heading
    level: int
    node: Node
    number: str | None
    cite: str  # "§9.1.4", "Article 5", or an unnumbered heading's words


@dataclass(slots=True)
class _Container:
    """An instrument or one of its annexes: where blocks, sections and paragraphs attach."""

    node: Node
    instrument: str | None
    slug_count: dict[str, int] = field(default_factory=dict)
    blocks: list[tuple[Node, RoleWords]] = field(default_factory=list)
    pp: int = 0
    op: int = 0
    declaration: bool = False


class _Reader:
    """The walk over one document's paragraphs; ``read`` returns the document's tree."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.text = ctx.text
        self.paras = read_paragraphs(ctx.text, ctx.lines)
        self.root = Node(kind="document", slug="", title=ctx.meta.title)
        self.doc_container = _Container(self.root, None)
        self.container = self.doc_container
        self.instrument: _Container | None = None
        self.instruments: dict[str, _Container] = {}
        self.annexes: list[_Container] = []
        self.sections: list[_Section] = []
        self.block: Node | None = None
        self.op: Node | None = None
        self.stack: list[ListLevel] = []
        self.last: Node | None = None
        self.title_due: Node | None = None
        self.pending_label: Para | None = None
        self.merge_into: Node | None = None
        self.skip: set[int] = set()  # paragraphs already read with the one before them
        self.base_titles: dict[int, str] = {}  # outline node -> its title before the instrument's title
        self.front: list[Para] = []
        self.counters: dict[int, int] = {}
        self.calls: dict[str, tuple[_Container, str]] = {}  # note mark -> where its latest call is
        self.symbol = ctx.meta.symbol or masthead_symbol(ctx.text)
        self.single = self._count_instruments() <= 1

    # -- the walk ---------------------------------------------------------------------------------

    def read(self) -> Node:
        for para in self.paras:
            self._dispatch(para)
        self._flush_front()
        self._finish_blocks()
        if len(self.instruments) == 1:
            # a document that is one instrument: its masthead and notes belong to it too
            self.root.instrument = next(iter(self.instruments))
        self._ensure_words()
        return self.root

    def _ensure_words(self) -> None:
        """No passage without words: a label alone ("[12]") is its own text; a node with nothing to
        read (an empty cell row, a lone footnote call) becomes a heading span instead."""
        for node in self.root.walk():
            if not node.passage or has_words(self.text[node.body_start or node.start : node.end]):
                continue
            node.body_start = None
            if not has_words(self.text[node.start : node.end]):
                node.passage = False

    def _dispatch(self, para: Para) -> None:
        if para.index in self.skip:
            return
        self._read(para)
        # a note that follows belongs where its call now stands (after a heading opened its instrument)
        for call in _CALL.findall(self.text, para.start, para.end) if para.note is None else ():
            self.calls[call] = (self.container, para.text)  # (para.text has the calls removed)

    def _read(self, para: Para) -> None:
        if para.table:
            self._flush_front()
            self._table(para)
            return
        if para.note is not None:
            self._flush_front()  # a note ends a run of front matter: passages never overlap
            self._footnote(para)
            return
        if self.pending_label is not None:
            para = self._join_lone_label(para)
        if para.label is None and lone_label(para.text) and para.level == 0:
            self.pending_label = para
            return
        if self._structure(para):
            return
        self._content(para)

    def _structure(self, para: Para) -> bool:
        """Open an instrument, annex, section, title, preamble or block; False if ``para`` is content."""
        name = self._instrument_heading(para)
        if name is not None:
            self._open_instrument(para, name)
            return True
        if para.index in self.skip:
            return True
        annex = _ANNEX.fullmatch(para.text) if para.label is None or para.level else None
        if annex and (annex.group("n") or annex.group("rest").strip() or para.level or len(para.text) < 12):
            self._open_annex(para, annex)
            return True
        if self.title_due is not None and self._title(para):
            return True
        if para.label is None and _FORMULA.fullmatch(para.text) and len(para.text) <= 300:
            self._preamble(para)
            return True
        if para.label is None or para.level:
            role = itu_block_heading(para.text) if not para.level else None
            if role is not None:
                self._open_block(self._wrapped_heading(para), role)
                return True
        return self._section_heading(para)

    def _content(self, para: Para) -> None:
        """A paragraph that is a passage: an item, a UN paragraph, a numbered paragraph or prose."""
        self.title_due = None
        if self.instrument is None and not self.sections and self._front_matter(para):
            return
        self._flush_front()
        if self._un_paragraph(para):
            return
        if para.label is not None:
            self._labelled(para)
            return
        self._unlabelled(para)

    # -- instruments and annexes -----------------------------------------------------------------

    def _count_instruments(self) -> int:
        names = {n.name for p in self.paras if (n := self._heading_name(p)) is not None}
        return len(names)

    def _heading_name(self, para: Para) -> InstrumentName | None:
        if para.table or para.note is not None:
            return None
        text = para.text if para.label is None else ""
        if not text:
            return None
        name = numbered_heading(text)
        if name is None:
            body = re.match(r"[A-Z]+/RES", self.symbol or "")
            name = un_number_heading(text, body.group(0) if body else "A/RES")
        if name is None and (heading := named_heading(text)) is not None and self._opens_instrument(para):
            name = heading
        return name

    def _opens_instrument(self, para: Para) -> bool:
        """A named heading opens an instrument only if clause-like paragraphs follow it."""
        following = self.paras[para.index + 1 : para.index + 6]
        return any(
            p.label is not None or declaration_verb(p.text) or _FORMULA.fullmatch(p.text) for p in following
        )

    def _instrument_heading(self, para: Para) -> InstrumentName | None:
        name = self._heading_name(para)
        if name is None:
            return None
        if self.instrument is not None and self.instrument.instrument == name.name:
            self._repeated_heading(para)  # the same instrument's heading again (cover page, then body)
            return None
        return name

    def _repeated_heading(self, para: Para) -> None:
        """An instrument's heading printed again (its cover, then its body): a heading, not a
        section, and so is its title when it follows again word for word."""
        assert self.instrument is not None
        self.instrument.node.extra_headings.append((para.start, para.end))
        self.skip.add(para.index)
        nxt = self.paras[para.index + 1] if para.index + 1 < len(self.paras) else None
        if nxt is not None and nxt.text == self.instrument.node.instrument_title:
            self.instrument.node.extra_headings.append((nxt.start, nxt.end))
            self.skip.add(nxt.index)

    def _open_instrument(self, para: Para, name: InstrumentName) -> None:
        self._flush_front()
        self._close_structures()
        annexed = self.instrument is not None and self.container is not self.instrument and name.named
        if annexed:
            # A named instrument inside an annex (a declaration annexed to a resolution).
            parent = self.instrument.instrument if self.instrument else None
            cited = f"{name.name} ({parent}, annex)" if parent else name.name
            self.container.instrument = cited
            self.container.node.instrument = cited
            self.container.node.instrument_title = name.name
            self.container.declaration = True
            self._heading_span(para)
            return
        known = self.instruments.get(name.name)
        if known is not None:
            self.instrument = self.container = known
            self._heading_span(para)
            return
        node = self.root.add(
            Node(
                kind="instrument",
                slug="" if self.single else self._unique(self.doc_container, name.slug),
                title=name.name,
                start=para.start,
                end=para.end,
                cite=None if self._cited_by_document(name.name) else name.name,
                instrument=name.name,
            )
        )
        frame = _Container(node, name.name, declaration=name.named)
        self.instruments[name.name] = frame
        self.instrument = self.container = frame
        self.title_due = node
        if name.title:
            # "80/16. Open-ended working group ...": the whole line is the title as printed;
            # "DRAFT OPINION 4: Space connectivity": the heading keeps the number, the title is the rest.
            offset = self.text.find(name.title[:20], para.start, para.end) if "/" not in name.name else -1
            self._title_passage(node, para, start=offset if offset >= 0 else para.start, title=name.title)

    def _cited_by_document(self, name: str) -> bool:
        short = self.ctx.meta.short_title
        return bool(short) and (short == name or short.startswith(name + " ") or name == self.symbol == short)

    def _open_annex(self, para: Para, m: re.Match[str]) -> None:
        self._flush_front()
        self._close_structures()
        word = m.group("word").lower()
        n = m.group("n")
        cite = f"{word.capitalize()} {n}" if n else word
        owner = self.instrument or self.doc_container
        node = owner.node.add(
            Node(
                kind="annex",
                slug=self._unique(owner, f"{slugify(word)}-{n.lower()}" if n else slugify(word)),
                title=clean_text(para.text),
                start=para.start,
                end=para.end,
                cite=cite,
            )
        )
        self.container = _Container(node, owner.instrument)
        self.annexes.append(self.container)
        title = m.group("title")
        if title:
            node.instrument_title = None
            self.title_due = None
        else:
            self.title_due = node

    def _heading_span(self, para: Para) -> None:
        self.container.node.extra_headings.append((para.start, para.end))

    # -- titles and preambles ---------------------------------------------------------------------

    def _title(self, para: Para) -> bool:
        """The title under an instrument or annex heading: up to four lines that read as one."""
        node = self.title_due
        assert node is not None
        title = next((c for c in node.children if c.slug == "title"), None)
        adjacent = title is None or self.paras[para.index - 1].end == title.end
        if not adjacent or not self._title_line(para, continuing=title is not None):
            self.title_due = None  # a title never reaches over a note or anything else
            return False
        if title is None:
            self._title_passage(node, para, start=para.start, title=para.text)
        else:
            title.end = para.end
            node.instrument_title = clean_text(self.text[title.start : title.end])
            self._name_with_title(node)
            if len(self.text[title.start : title.end].splitlines()) >= 4:
                self.title_due = None
        return True

    def _title_line(self, para: Para, *, continuing: bool) -> bool:
        if para.label is not None or para.level and continuing or len(para.text) > 300:
            return False
        if _FORMULA.fullmatch(para.text) or itu_block_heading(para.text) or _ANNEX.fullmatch(para.text):
            return False
        if un_preambular(para.text) or un_operative(para.text) or _NOTE.match(para.text):
            return False
        if not continuing:
            return not ends_sentence(para.text) or len(para.text) <= 200
        return para.text.startswith("(") or not ends_sentence(para.text) and len(para.text) <= 160

    def _title_passage(self, node: Node, para: Para, *, start: int, title: str) -> None:
        node.add(
            Node(kind=PassageKind.TITLE.value, slug="title", title="title", start=start, end=para.end,
                 passage=True)
        )  # fmt: skip
        node.instrument_title = clean_text(title)
        self._name_with_title(node)
        self.last = None

    def _name_with_title(self, node: Node) -> None:
        """ "Resolution 2 (Rev. Dubai, 2018) – World telecommunication/ICT policy forum": the title in the
        instrument's (or annex's) outline node, so every passage under it has it in its context."""
        base = self.base_titles.setdefault(id(node), node.title)
        node.title = f"{base} – {node.instrument_title}" if node.instrument_title else base

    def _preamble(self, para: Para) -> None:
        self.title_due = None
        owner = self.container if self.container is not self.doc_container else None
        title = (
            self.front.pop()
            if owner is None and self.front and heading_like(self.front[-1].text, max_chars=300)
            else None
        )
        self._flush_front()
        if owner is None:
            owner = self._implicit_instrument(para)
            if title is not None:
                # a UN draft: the title printed over "The General Assembly," is the instrument's
                self._title_passage(owner.node, title, start=title.start, title=title.text)
        self._close_structures()
        owner.node.add(
            self._passage(
                para, kind=PassageKind.PREAMBLE.value, slug="preamble", cite="preamble", label=False
            )
        )

    def _implicit_instrument(self, para: Para) -> _Container:
        """A formula with no heading before it (a UN draft): the document's own instrument."""
        name = self.symbol or self.ctx.meta.short_title or self.ctx.meta.title
        node = self.root.add(
            Node(
                kind="instrument",
                slug="",
                title=name,
                start=para.start,
                end=para.start,
                cite=None if self._cited_by_document(name) else name,
                instrument=name,
            )
        )
        frame = _Container(node, name)
        self.instruments[name] = frame
        self.instrument = self.container = frame
        return frame

    # -- ITU blocks and items ---------------------------------------------------------------------

    def _wrapped_heading(self, para: Para) -> Para:
        """A block heading whose addressee runs on to the next line ("..., in collaboration with" /
        "the Director of the Radiocommunication Bureau") read as one heading; the next line is skipped."""
        nxt = self.paras[para.index + 1] if para.index + 1 < len(self.paras) else None
        if nxt is None or nxt.label is not None or nxt.note is not None or nxt.table or nxt.level:
            return para
        if not _DANGLING.search(para.text) or not heading_like(nxt.text) or not nxt.text[:1].islower():
            return para
        joined = itu_block_heading(f"{para.text} {nxt.text}")
        if joined is None:
            return para
        self.skip.add(nxt.index)
        return Para(
            index=para.index, lines=para.lines + nxt.lines, start=para.start, end=nxt.end,
            text=f"{para.text} {nxt.text}", body_start=para.start, body=f"{para.text} {nxt.text}",
        )  # fmt: skip

    def _open_block(self, para: Para, role: RoleWords) -> None:
        role = itu_block_heading(para.text) or role
        self.title_due = None
        self._flush_front()
        if self.container is self.doc_container:
            self._implicit_instrument(para)
        self._close_structures()
        node = self.container.node.add(
            Node(
                kind="block",
                slug=slugify(role.phrase),
                title=para.text,
                start=para.start,
                end=para.end,
                clause=role.role.value,
                addressee=ADDRESSEE_PURPOSE.sub("", role.addressee) if role.addressee else None,
                lead_in=para.text,
            )
        )
        self.container.blocks.append((node, role))
        self.block = node

    def _finish_blocks(self) -> None:
        for container in [self.doc_container, *self.instruments.values(), *self.annexes]:
            if container.blocks:
                warnings: list[str] = []
                name_blocks([BlockInfo(n, r.phrase, r.addressee) for n, r in container.blocks], warnings)
                for w in warnings:
                    self.ctx.warn(self.ctx.line_at(container.node.start).no, w)

    def _labelled(self, para: Para) -> None:
        assert para.label is not None
        if self.block is None and self.op is None and self._numbered_paragraph(para):
            return
        kinds = label_kinds(para.label.strip("()").rstrip(".") + (")" if para.label.startswith("(") else ""))
        if not kinds:
            kinds = [("other", para.label)]
        level, value = self._place(kinds)
        slug, cite = self._item_name(level, value, para.label)
        section = self.sections[-1] if self.sections else None
        if section is not None and section.key and level.parent is section.node:
            slug = f"{section.number}/{slug}"  # the section's number is not in the path (its slug is "")
        node = self._passage(para, kind=self._kind(), slug=slug, cite=cite)
        self._attach(level.parent, node)
        level.node = node
        level.last = value if level.kind in KINDS_WITH_SEQUENCE else None

    def _place(self, kinds: list[tuple[str, str]]) -> tuple[ListLevel, str]:
        """The open list a label continues (closing deeper ones), or a new list under the last item."""
        for depth in range(len(self.stack) - 1, -1, -1):
            level = self.stack[depth]
            for kind, value in kinds:
                if kind != level.kind:
                    continue
                if kind not in KINDS_WITH_SEQUENCE:
                    del self.stack[depth + 1 :]
                    return level, value
                reader = reader_value(kind, value, successor(kind, level.last))
                if reader is not None:
                    del self.stack[depth + 1 :]
                    return level, reader
        open_kinds = {lv.kind for lv in self.stack}
        for kind, value in sorted(kinds, key=lambda kv: kv[1] != FIRST_LABEL.get(kv[0], kv[1])):
            if kind in open_kinds:
                continue
            if kind not in INDENT_KINDS:
                while self.stack and self.stack[-1].kind in INDENT_KINDS:
                    self.stack.pop()
            top = self.stack[-1].node if self.stack else None
            level = ListLevel(kind, top if top is not None else self._base())
            self.stack.append(level)
            return level, value
        kind, value = kinds[0]
        depth = max(i for i, lv in enumerate(self.stack) if lv.kind == kind)
        del self.stack[depth + 1 :]
        return self.stack[depth], value

    def _item_name(self, level: ListLevel, value: str, printed: str) -> tuple[str, str]:
        if level.kind in INDENT_KINDS or level.kind == "other" and not value.strip("()").isalnum():
            n = self._count(level.parent, "indent")
            return f"indent-{n}", f"indent {n}"
        bare = value.strip("().").lower()
        if self.op is not None or printed.startswith("("):
            return bare, f"({bare})"
        if level.kind in ("letter", "roman", "paren"):
            return bare, f"{bare})"
        return bare, bare

    def _base(self) -> Node:
        if self.op is not None:
            return self.op
        if self.sections:
            return self.sections[-1].node
        return self.block or self.container.node

    def _kind(self) -> str:
        if self.block is not None or self.op is not None or self.container.declaration:
            return PassageKind.CLAUSE.value
        if self.container.node.kind == "annex" and self.instrument is not None:
            return PassageKind.ANNEX.value
        return PassageKind.PARAGRAPH.value

    # -- UN paragraphs ----------------------------------------------------------------------------

    def _un_paragraph(self, para: Para) -> bool:
        """A UN preambular or operative paragraph, or a declaration's paragraph; False otherwise."""
        frame = self.container
        if self.block is not None or self.instrument is None:
            return False
        if self.sections and not (frame.declaration or frame.pp or frame.op):
            return False  # a report's section: "Noting that ..." there is prose, not a preambular paragraph
        if para.label is None and frame.op == 0 and not frame.declaration:
            role = un_preambular(para.text)
            if role is not None:
                frame.pp += 1
                self._un_passage(para, role, slug=f"pp-{frame.pp}", cite=f"preambular paragraph {frame.pp}")
                return True
        number = para.label.rstrip(".") if para.label and para.label.rstrip(".").isdigit() else None
        if not frame.declaration and frame.node.kind == "annex" and _FIRST_PERSON.match(para.body):
            self._annexed_declaration(frame)
        if frame.declaration and (
            number is not None or para.label is None and _FIRST_PERSON.match(para.text)
        ):
            return self._declaration_paragraph(para, number)
        role = un_operative(para.body if number else para.text) if number or para.label is None else None
        if role is None or (number is None and frame.op == 0):
            return False
        if number is None:
            number = str(frame.op + 1)
            self.ctx.warn(para.line_no, f"operative paragraph without a number; cited as {number}")
        frame.op = int(number)
        self._un_passage(para, role, slug=f"op-{number}", cite=f"operative paragraph {number}", label=number)
        return True

    def _un_passage(
        self, para: Para, role: RoleWords, *, slug: str, cite: str, label: str | None = None
    ) -> None:
        node = self._passage(para, kind=PassageKind.CLAUSE.value, slug=self._unique(self.container, slug),
                             cite=cite, label=label is not None)  # fmt: skip
        node.label = label
        node.clause = role.role.value
        self.container.node.add(node)
        self.stack.clear()
        self.op = node if label is not None else None

    def _annexed_declaration(self, frame: _Container) -> None:
        """An annex speaking in the first person ("1. We, the Heads of State ...") is a declaration,
        named by its own title or the endorsing resolution's ("80/3. Awaza Political Declaration")."""
        frame.declaration = True
        parent = self.instrument
        titles = [frame.node.instrument_title, parent.node.instrument_title if parent else None]
        name = next((t for t in titles if t and named_heading(t)), None)
        if name and parent is not None and parent.instrument:
            cited = f"{name} ({parent.instrument}, annex)"
            frame.instrument = frame.node.instrument = cited
            frame.node.instrument_title = name

    def _declaration_paragraph(self, para: Para, number: str | None) -> bool:
        frame = self.container
        n = int(number) if number else frame.op + 1
        frame.op = n
        role = declaration_verb(para.body)
        kind = PassageKind.CLAUSE.value if role else PassageKind.PARAGRAPH.value
        slug = self._unique(frame, str(n))
        node = self._passage(para, kind=kind, slug=slug, cite=f"paragraph {n}", label=number is not None)
        node.label = str(n) if number else None
        node.clause = role.role.value if role else None
        self._base_for_paragraphs().add(node)
        self.stack.clear()
        self.op = node
        return True

    def _base_for_paragraphs(self) -> Node:
        return self.sections[-1].node if self.sections else self.container.node

    # -- sections and numbered paragraphs ---------------------------------------------------------

    def _section_heading(self, para: Para) -> bool:
        """A heading: '#'-marked, "PART I", or a numbered line too short to be a sentence."""
        if self.block is not None and not para.level:
            return False
        division = _DIVISION.fullmatch(para.text) if para.label is None else None
        if division and (division.group("title") or len(para.text) <= 24):
            self._open_section(para, None, 1 if not self.sections else self.sections[-1].level, division)
            return True
        numbered = (
            para.label is not None
            and para.label.rstrip(".)")[-1:].isalnum()
            and heading_like(para.body)
            and len(para.body.split()) <= 16
            and not self._un_verb(para)
        )
        if numbered and not para.level:
            if self.op is not None and para.label.startswith("("):
                return False
            if self._item_with_body(para):
                return True
            if not _SECTION_LABEL.fullmatch(para.label or ""):
                return False  # "2)\tAnglais (recommandé ...)": a short item of a list, not a heading
        if para.level or numbered:
            self._open_section(para, para.label, para.level, None)
            return True
        return False

    def _item_with_body(self, para: Para) -> bool:
        """ "1.\tClarify the objectives" over one paragraph of text: an item whose words follow its name.

        A numbered line too short to be a sentence heads a section when numbered lines follow it
        ("1.1\tFrequency of meetings" over "1.1.1\t..."), but when prose follows, the two are one
        item, cited by the number ("A.1.1, 1"), as a heading and its text are one passage elsewhere.
        """
        nxt = self.paras[para.index + 1] if para.index + 1 < len(self.paras) else None
        if nxt is None or nxt.label is not None or nxt.level or nxt.note is not None or nxt.table:
            return False
        if heading_like(nxt.text) or not ends_sentence(nxt.text) or itu_block_heading(nxt.text):
            return False
        self._content(para)
        self.merge_into = self.last
        return True

    def _un_verb(self, para: Para) -> bool:
        return bool(un_operative(para.body) or declaration_verb(para.body))

    def _open_section(
        self, para: Para, label: str | None, level: int, division: re.Match[str] | None
    ) -> None:
        self._flush_front()
        self.title_due = None
        number = label.rstrip(".") if label else None
        key = tuple(number.split(".")) if number and _SECTION_NUMBER.fullmatch(number) else None
        depth = level or (len(key) if key else (self.sections[-1].level + 1 if self.sections else 1))
        while self.sections and self.sections[-1].level >= depth:
            self.sections.pop()
        if division is not None:
            word, n = division.group("word").lower(), division.group("n")
            slug, title, cite = (
                f"{slugify(word)}-{n.lower()}",
                clean_text(para.text),
                f"{word.capitalize()} {n}",
            )
        elif key:
            assert number is not None and label is not None
            digits = number[:1].isdigit()
            printed = number if digits else label
            slug, title = "", f"{printed} {para.body}".strip()
            cite = f"§{number}" if digits else f"section {number}"
        else:
            title = para.body or para.text
            parent = self._section_number()
            slug = f"{parent}/{slugify(title)}" if parent else slugify(title)
            cite = title if len(title) <= 80 else title[:77] + "..."
        node = self._base_for_sections().add(
            Node(kind="section", slug=slug, title=title, start=para.start, end=para.end)
        )
        self.sections.append(_Section(key, depth, node, number if key else None, cite))
        self.stack.clear()
        self.op = None
        self.last = None

    def _section_number(self) -> str | None:
        return next((s.number for s in reversed(self.sections) if s.number), None)

    def _section_cite(self) -> str:
        """How passages directly under the open sections are placed: "§9.1.4", "§6.3, Box 4"."""
        numbered = next((i for i in range(len(self.sections) - 1, -1, -1) if self.sections[i].number), None)
        if numbered is None:
            return self.sections[-1].cite if self.sections else ""
        inner = self.sections[-1].cite if numbered < len(self.sections) - 1 else None
        return ", ".join(c for c in (self.sections[numbered].cite, inner) if c)

    def _base_for_sections(self) -> Node:
        return self.sections[-1].node if self.sections else self.container.node

    def _numbered_paragraph(self, para: Para) -> bool:
        """ "1.1.1\\tStudy groups meet ..." or a report's "12. ...": a paragraph cited by its number."""
        assert para.label is not None
        number = para.label.rstrip(".")
        if not re.fullmatch(
            r"\d{1,3}(?:bis|ter)?(?:\.\d{1,3}(?:bis|ter)?)*|[A-Z]\.\d{1,3}(?:\.\d{1,3})*", number
        ):
            return False
        if "." not in number and self.stack and self.stack[0].kind == "number":
            return False
        section = self._section_number()
        if "." not in number and section and not re.fullmatch(r"[IVXL]{1,5}|[A-Z]", section):
            return False  # "1." inside section 9.4.4 is an item of a list, not the report's paragraph 1
        cite = f"§{number}" if "." in number else f"paragraph {number}"
        node = self._passage(para, kind=self._kind(), slug=self._unique(self.container, number), cite=cite)
        self._base_for_paragraphs().add(node)
        self.stack = [ListLevel("decimal", node, number, node)]
        return True

    # -- unlabelled paragraphs --------------------------------------------------------------------

    def _unlabelled(self, para: Para) -> None:
        if self.merge_into is not None:
            self.merge_into.end = para.end  # the words of an item named on the line above
            self.merge_into = None
            return
        if self.instrument is not None and _ADOPTION.fullmatch(para.text):
            # "52nd plenary meeting 1 December 2025": when the instrument was adopted.
            self.stack.clear()
            self.op = None
            slug = self._unique(self.container, "adoption")
            node = self._passage(
                para, kind=PassageKind.PARAGRAPH.value, slug=slug, cite="adoption", label=False
            )
            nxt = self.paras[para.index + 1] if para.index + 1 < len(self.paras) else None
            if nxt is not None and _DATE_LINE.fullmatch(nxt.text):  # "25 March 2025" on the next line
                node.end = nxt.end
                self.skip.add(nxt.index)
            self.container.node.add(node)
            return
        note = _NOTE.match(para.text)
        if note:
            n = note.group("n")
            label = f"NOTE {n}" if n else "NOTE"
            slug = self._unique(self.container, f"note-{n}" if n else "note")
            node = self._passage(para, kind=self._kind(), slug=slug, cite=label, label=False)
            node.label = label
            self._base_for_paragraphs().add(node)
            return
        if self.block is None and self.op is None and not self.stack and self._subheading(para):
            return
        holder = self._holder(para)
        if holder is not None:
            n = self._count(holder, "p", start=1)
            holder.add(
                self._passage(para, kind=self._kind(), slug=f"p{n}", cite=f"paragraph {n}", label=False)
            )
            return
        if self.block is not None and not self.block.passage and not self.block.children:
            self._block_body(para)
            return
        base = self._base()
        n = self._count(base, "p")
        numbered = bool(self.sections) and base is self.sections[-1].node and self.sections[-1].key
        slug = f"{self.sections[-1].number}/p{n}" if numbered else f"p{n}"
        self._attach(
            base, self._passage(para, kind=self._kind(), slug=slug, cite=f"paragraph {n}", label=False)
        )

    def _attach(self, parent: Node, node: Node) -> None:
        """Add ``node`` under ``parent``, its citation placed in the open sections ("§9.1.4, ...")."""
        if parent.kind == "section" and node.cite and not node.cite.startswith("§"):
            prefix = self._section_cite()
            node.cite = f"{prefix}, {node.cite}" if prefix else node.cite
        parent.add(node)

    def _holder(self, para: Para) -> Node | None:
        """The item an unlabelled paragraph continues: the last passage of the open list, if any.

        After a bullet or a lettered item a new sentence ends the list (the paragraph belongs to what
        holds the list), unless the item leads into it with ":" or the paragraph starts in lower case.
        """
        while self.stack and self.stack[-1].node is not None:
            top = self.stack[-1]
            item = top.node
            assert item is not None
            own = clean_text(self.text[item.body_start or item.start : item.end])
            if top.kind in _SHORT_KINDS and not para.text[:1].islower() and not own.endswith(":"):
                self.stack.pop()
                continue
            return item
        return self.op

    def _block_body(self, para: Para) -> None:
        block = self.block
        assert block is not None
        block.extra_headings.append((block.start, block.end))
        block.start, block.end = para.start, para.end
        block.body_start = None
        block.passage = True
        block.kind = PassageKind.CLAUSE.value
        self.last = block

    def _subheading(self, para: Para) -> bool:
        if not heading_like(para.text, max_chars=100) or len(para.text.split()) > 12:
            return False
        nxt = self.paras[para.index + 1] if para.index + 1 < len(self.paras) else None
        if nxt is None or nxt.table or heading_like(nxt.text, max_chars=100) and nxt.label is None:
            return False
        self._open_section(para, None, 0, None)
        return True

    # -- front matter, tables, footnotes ----------------------------------------------------------

    def _front_matter(self, para: Para) -> bool:
        """Collect lines before any structure; they become passages when structure begins."""
        if para.label is not None and not _UN_MASTHEAD.match(para.text):
            return False
        if self.front and not heading_like(para.text, max_chars=_FRONT_LINE) and len(self.front) >= 1:
            self._flush_front()
        self.front.append(para)
        if not heading_like(para.text, max_chars=_FRONT_LINE) or len(self.front) >= _MAX_FRONT_RUN:
            self._flush_front()
        return True

    def _flush_front(self) -> None:
        if not self.front:
            return
        run, self.front = self.front, []
        n = self._count(self.root, "front")
        node = Node(
            kind=PassageKind.PARAGRAPH.value,
            slug=f"front-{n}",
            title=f"front matter {n}",
            start=run[0].start,
            end=run[-1].end,
            cite=f"front matter, paragraph {n}" if n > 1 or len(run) == 1 else "front matter",
            passage=True,
        )
        self.root.add(node)
        self.last = node

    def _table(self, para: Para) -> None:
        base = self._base()
        n = self._count(base, "table")
        table = base.add(Node(kind="table", slug=f"table-{n}", title=f"Table {n}", cite=f"table {n}"))
        for m, row in enumerate(para.rows, start=1):
            inner = row.raw.strip()
            # from the first cell with words to the last: empty cells of merged columns are layout
            words = [i for i, ch in enumerate(row.raw) if ch not in "| \t\u00a0"]
            if not words:
                self.ctx.mark_layout(row)
                continue
            start, end = row.start + words[0], row.start + words[-1] + 1
            first = _ROW_LABEL.match(inner)
            label = first.group(1) if first else None
            row_node = Node(kind=PassageKind.TABLE_ROW.value, slug=f"row-{m}", title=f"row {m}", start=start)
            row_node.end, row_node.cite, row_node.passage, row_node.label = end, f"row {m}", True, label
            table.add(row_node)
        for row in para.lines:
            if row not in para.rows:
                self.ctx.mark_layout(row)
        self.last = None

    def _footnote(self, para: Para) -> None:
        """A note after the paragraph that calls it: a passage of the instrument holding the call."""
        mark = para.note or ""
        owner, caller = self.calls.get(mark) or (self.container, None)
        if owner.instrument != self.container.instrument:
            owner, caller = self.container, None  # a stale call of another instrument's note 1
        slug = "fn-" + ("star" * len(mark) if set(mark) == {"*"} else slugify(mark))
        node = footnote_node(
            mark,
            para.start,
            para.end,
            body_start=para.body_start,
            slug=self._unique(owner, slug),
            # what the note is a note to: its context for search ("Iraq: draft resolution")
            lead_in=(caller[:197] + "...") if caller and len(caller) > 200 else caller,
        )
        owner.node.add(node)

    # -- helpers ------------------------------------------------------------------------------------

    def _passage(self, para: Para, *, kind: str, slug: str, cite: str, label: bool = True) -> Node:
        node = Node(
            kind=kind,
            slug=slug,
            title=cite,
            start=para.start,
            end=para.end,
            cite=cite,
            passage=True,
            body_start=para.body_start if label else None,
            label=_cited_label(para.label) if label else None,
        )
        self.last = node
        return node

    def _join_lone_label(self, para: Para) -> Para:
        """A label printed alone ("I.") and the words on the next line: one labelled paragraph."""
        lone = self.pending_label
        assert lone is not None
        self.pending_label = None
        if para.label is not None or para.note is not None:
            self._content(lone)
            return para
        return Para(
            index=para.index, lines=lone.lines + para.lines, start=lone.start, end=para.end,
            text=f"{lone.text} {para.text}", body_start=para.start, body=para.text, level=para.level,
            label=lone.text,
        )  # fmt: skip

    def _close_structures(self) -> None:
        self.sections.clear()
        self.block = None
        self.op = None
        self.stack.clear()
        self.last = None

    def _count(self, node: Node, what: str, *, start: int = 0) -> int:
        key = hash((id(node), what))
        self.counters[key] = self.counters.get(key, start) + 1
        return self.counters[key]

    def _unique(self, frame: _Container, slug: str) -> str:
        n = frame.slug_count.get(slug, 0) + 1
        frame.slug_count[slug] = n
        return slug if n == 1 else f"{slug}-{n}"


def _cited_label(label: str | None) -> str | None:
    """The label as a reader cites it: "4" for a printed "4.", "1.3.2" for "1.3.2."; "a)" as printed."""
    if label is None:
        return None
    return label[:-1] if label.endswith(".") and len(label) > 1 else label


def parse_generic(ctx: ParseContext) -> Node:
    """Read any document's structure (see the module docstring); the ``auto`` kind's parser."""
    return _Reader(ctx).read()
