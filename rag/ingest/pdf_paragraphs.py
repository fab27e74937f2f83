"""Paragraphs, labels, footnotes and hyphenation for the PDF converter.

``rag.ingest.pdf_layout`` hands over each page's body blocks in reading order and its footnote
lines; this module writes them as reading text (``rag.ingest.reading``):

- **Paragraph boundaries from the geometry.** A line starts a new paragraph when it starts with a
  label ("1.", "(a)", "(iv)", "a)", a bullet); when it is indented past the block's left edge (UN
  preambular and operative paragraphs indent their first line) unless it continues a hanging label's
  text; when its font size or boldness changes; when the white space above it is larger than the
  document's usual line pitch; or when the previous line stopped short although this line's first
  word would have fitted after it (the last line of a paragraph, in justified or ragged text alike)
  -- unless this line starts in lower case in the same style (a title wrapped before a long word).
  A block that starts a page continues the previous page's last paragraph unless one of these says
  otherwise: that is how a paragraph continued over a page break (and over the footnotes between)
  becomes one line.
- **Labels** are the first word of a paragraph when it has a label's shape and the words after it
  follow with a space (a bare number, a bullet or "79/277." need a tab-sized gap); they are written
  with ``ReadingText.paragraph(text, label=...)``.
- **Footnote calls** are superscript words (smaller font, raised baseline) whose text is the mark of
  a note printed on the page (or elsewhere in the document), and asterisks glued to a word's end
  when a "*" note exists ("Iraq:*"); they are written ``[^mark]``. A note is a footnote-zone line
  starting with its mark; lines after it continue it; a page's first note line without a mark
  continues the previous page's last note. Each note is written right after the paragraph that first
  calls it; notes no paragraph calls are written at the end of the page's last paragraph.
- **Hyphenation** (dictionary-free, using the document's own words): a line ending in a hyphen
  after a letter, followed by a line starting in lower case, is joined without the hyphen when the
  joined word occurs elsewhere in the document, or the second part is a common suffix ("-tion",
  "-ment", "-ing" ...), and the hyphenated compound does not occur elsewhere; otherwise the hyphen
  stays and no space is put after it ("follow-up", "fixed-satellite", "20-year"). Word documents are
  rarely hyphenated automatically, so keeping the hyphen is the default.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rag.ingest.pdf_layout import Line, PageLayout
from rag.ingest.reading import ReadingText, footnote_call

# Labels that are labels whenever they open a paragraph and are followed by a space.
_STRONG_LABEL = re.compile(
    r"^(?:\(?\d{1,3}\)|\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}\.|\(?[a-z]{1,2}\)|\(?[ivxlcdm]{1,6}\)"
    r"|\(?[A-Z]\)|[IVXLC]{1,6}\.)$"
)
# Labels only when a tab-sized gap follows (0.9 em; a space is 0.25-0.6 em): a bare number, a letter
# with a period, a UN resolution number before its title, a bullet or dash.
_WEAK_LABEL = re.compile(r"^(?:\d{1,3}|[A-Z]\.|\d{1,3}/\d{1,4}\.|[•·▪‣◦○●■□–—\-])$")
_NOTE_MARK = re.compile(r"^(?:\d{1,3}|\*{1,3}|[†‡§¶]{1,2}|[a-z])$")
_TRAILING_STARS = re.compile(r"^(?P<word>.*?[^*\s])(?P<mark>\*{1,3})$")
# A table of contents entry ends in dot leaders and, usually, its page number.
_TOC_ENTRY = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})?$", re.IGNORECASE)
_ORDINAL = re.compile(r"^(?:st|nd|rd|th|er|re|e|o|a)$")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Second halves of a word split by automatic hyphenation (a syllable, never a word of its own).
_SUFFIXES = frozenset(
    "tion tions sion sions ment ments ness nesses ity ities ance ances ence ences ship ships ing ings "
    "ally ical ised ized ising izing isation ization isations izations able ible ous ive ives ure ures "
    "ated ating ation ations ist ists ism isms ogy ogies ency ancy ed es ly al ial ials ual ent ents "
    "ant ants ary ory ries tive tives ful less ence ious eous tory ture tures".split()
)


@dataclass(frozen=True, slots=True)
class Note:
    """One footnote as printed at a page's foot."""

    mark: str
    page: int
    lines: tuple[Line, ...]
    mark_words: int = 1  # how many words of the first line print the mark


@dataclass(slots=True)
class _Para:
    """A paragraph being assembled (mutable while lines are added)."""

    lines: list[Line]
    right: float  # the right edge of the block its last line came from
    label: str | None = None
    text_x0: float | None = None  # where the words after the label start
    hanging: bool = False  # continuation lines align with the text after the label
    calls: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Block:
    left: float
    right: float
    narrow: bool  # under 30 % of the page's width: a masthead column, an address block
    column: tuple[float, float]  # the page's text column (its usual left and right edges)


def _block_geometry(lines: Sequence[Line], column: tuple[float, float], page_width: float) -> _Block:
    """The block's left edge (where most of its lines start) and right edge.

    A block of a few lines (a masthead column: "Distr.: General" over "27 March 2025") says little
    about the width its text was set in, so its right edge is at least the page's text edge: a short
    line there is a line that ended on purpose. In a narrow block every line is taken to end on
    purpose unless the next one goes on in lower case.
    """
    starts = Counter(round(ln.x0) for ln in lines)
    top = max(starts.values())
    left = min(x for x, n in starts.items() if n == top)
    right = max(ln.x1 for ln in lines)
    if len(lines) < 4:
        right = max(right, column[1])
    return _Block(left=float(left), right=right, narrow=right - left < 0.3 * page_width, column=column)


def _column(layout: PageLayout) -> tuple[float, float] | None:
    """The page's text column: where most lines start, and the 90th percentile of where they end."""
    lines = [ln for block in layout.blocks for ln in block]
    if len(lines) < 5:
        return None
    starts = Counter(round(ln.x0) for ln in lines)
    ends = sorted(ln.x1 for ln in lines)
    return float(starts.most_common(1)[0][0]), ends[int(0.9 * (len(ends) - 1))]


def _extent(lines: Sequence[Line]) -> tuple[float, float]:
    return min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)


# --- notes -----------------------------------------------------------------------------------------


def _mark_words(line: Line) -> int:
    """How many words open the line as its note mark: one, or a run of single symbols ("* *")."""
    words = line.words
    count = 1
    while (
        count < len(words) - 1
        and words[count].text in ("*", "†", "‡")
        and words[count].text == words[0].text
        and words[count].x0 - words[count - 1].x1 < 1.5 * line.size
    ):
        count += 1
    return count


def _note_mark(line: Line, text_left: float) -> tuple[str, int] | None:
    """The note mark opening a footnote line and how many words it takes, or None."""
    first = line.words[0]
    count = _mark_words(line)
    mark = "".join(w.text.strip() for w in line.words[:count])
    if not _NOTE_MARK.match(mark) or len(line.words) <= count:
        return None
    last = line.words[count - 1]
    hangs = first.x0 < text_left - 1.5
    gap = line.words[count].x0 - last.x1 >= 0.8 * line.size
    return (mark, count) if line.is_superscript(first) or hangs or gap else None


def parse_notes(layouts: Sequence[PageLayout]) -> list[Note]:
    """The footnotes of every page, in order; a page's unmarked first lines continue the last note."""
    notes: list[Note] = []
    for layout in layouts:
        if not layout.notes:
            continue
        text_left = Counter(
            round(ln.words[-1].x0 if len(ln.words) == 1 else _after_mark(ln)) for ln in layout.notes
        ).most_common(1)[0][0]
        for ln in layout.notes:
            found = _note_mark(ln, text_left)
            if found is not None:
                notes.append(Note(mark=found[0], page=layout.number, lines=(ln,), mark_words=found[1]))
            elif notes and notes[-1].page >= layout.number - 1:
                last = notes[-1]
                notes[-1] = Note(last.mark, last.page, (*last.lines, ln), last.mark_words)
    return notes


def _after_mark(line: Line) -> float:
    first = line.words[0]
    if line.is_superscript(first) or _NOTE_MARK.match(first.text):
        return line.words[min(_mark_words(line), len(line.words) - 1)].x0
    return first.x0


def note_text(note: Note, vocabulary: _Vocabulary) -> str:
    parts = [_plain_line(ln, skip=note.mark_words if i == 0 else 0) for i, ln in enumerate(note.lines)]
    return join_lines(parts, vocabulary)


def _plain_line(line: Line, *, skip: int = 0) -> str:
    out: list[str] = []
    for w in line.words[skip:]:
        out.append((" " if out and w.space_before else "") + w.text)
    return "".join(out)


# --- hyphenation -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    words: frozenset[str]
    compounds: frozenset[str]


def vocabulary(lines: Iterable[Line]) -> _Vocabulary:
    """The document's words and hyphenated compounds, from inside its lines (not their ends)."""
    words: set[str] = set()
    compounds: set[str] = set()
    for ln in lines:
        text = ln.text
        if text.endswith("-"):
            text = text[: text.rfind(" ") + 1] if " " in text else ""
        for token in _WORD.findall(text):
            token = token.casefold()
            if "-" in token:
                compounds.add(token)
                words.update(token.split("-"))
            else:
                words.add(token)
    return _Vocabulary(frozenset(words), frozenset(compounds))


def _join(left: str, right: str, vocab: _Vocabulary) -> str:
    if not left:
        return right
    if not right:
        return left
    if not left.endswith("-") or len(left) < 2 or left[-2].isspace():
        return f"{left} {right}"
    head = re.search(r"([^\W\d_]+)-$", left)
    tail = re.match(r"[^\W\d_]+", right)
    if head and tail and right[0].islower():
        first, second = head.group(1).casefold(), tail.group(0).casefold()
        compound = f"{first}-{second}"
        if compound not in vocab.compounds and (first + second in vocab.words or second in _SUFFIXES):
            return left[:-1] + right
    return left + right


def join_lines(parts: Sequence[str], vocab: _Vocabulary) -> str:
    """One paragraph from its printed lines: wraps become spaces, split words are mended."""
    text = ""
    for part in parts:
        text = _join(text, part.strip(), vocab)
    return text


# --- labels ----------------------------------------------------------------------------------------


def _label(line: Line) -> tuple[str, float | None] | None:
    """The line's opening label and where its words start, if it opens with one."""
    first = line.words[0]
    text = first.text.strip()
    if line.is_superscript(first):
        return None
    rest = line.words[1] if len(line.words) > 1 else None
    gap = rest.x0 - first.x1 if rest is not None else None
    if _STRONG_LABEL.match(text) and (rest is None or rest.space_before):
        return text, rest.x0 if rest is not None else None
    if _WEAK_LABEL.match(text) and (gap is None or gap >= 0.9 * line.size):
        return text, rest.x0 if rest is not None else None
    return None


# --- paragraph boundaries --------------------------------------------------------------------------


def line_pitch(layouts: Iterable[PageLayout]) -> dict[float, float]:
    """The usual baseline-to-baseline distance for each font size (lines inside one block)."""
    steps: dict[float, Counter[float]] = {}
    for layout in layouts:
        for block in layout.blocks:
            for a, b in zip(block, block[1:], strict=False):
                if a.size == b.size and b.baseline > a.baseline:
                    steps.setdefault(a.size, Counter())[round(b.baseline - a.baseline, 0)] += 1
    return {size: float(c.most_common(1)[0][0]) for size, c in steps.items()}


def _centred(line: Line, block: _Block) -> bool:
    """Set in the middle of the page's text column without filling it (a title, a heading)."""
    left, right = block.column
    middle = (left + right) / 2
    return line.x0 > left + line.size and abs((line.x0 + line.x1) / 2 - middle) <= 0.04 * (right - left) + 2


def _same_style_start(prev: Line, line: Line) -> bool:
    a, b = prev.words[-1], line.words[0]
    return b.text[:1].islower() and a.italic == b.italic and a.bold == b.bold


def _starts_new(
    para: _Para, line: Line, block: _Block, pitch: dict[float, float], *, page_break: bool
) -> bool:
    prev = para.lines[-1]
    if prev.cells or line.cells:
        return True  # a table stands alone
    label = _label(line)
    if para.label is not None and len(para.lines) == 1 and len(prev.words) == 1:
        return label is not None  # a label printed on its own line: its words follow
    if label is not None:
        return True
    if abs(line.size - prev.size) > 0.6 or line.all_bold != prev.all_bold:
        return True
    usual = pitch.get(prev.size, 1.2 * prev.size)
    if not page_break and line.baseline - prev.baseline > 1.35 * usual:
        return True
    if line.x0 > block.left + 0.6 * line.size:
        if para.text_x0 is not None and abs(line.x0 - para.text_x0) <= 2.0:
            para.hanging = True
        elif not (_centred(prev, block) and _centred(line, block)):
            return True
    elif para.hanging:
        return True
    if prev.text.endswith("-") or (_centred(prev, block) and _centred(line, block)):
        return False
    first = line.words[0]
    room = para.right - prev.x1
    fits = block.narrow or room > 0.25 * line.size + (first.x1 - first.x0) + 1.0
    return fits and not _same_style_start(prev, line)


def assemble(layouts: Sequence[PageLayout], pitch: dict[float, float]) -> list[_Para]:
    """Group the body lines of all pages into paragraphs (see the module docstring)."""
    paras: list[_Para] = []
    columns = [c for c in map(_column, layouts) if c is not None]
    usual = sorted(columns)[len(columns) // 2] if columns else None
    for layout in layouts:
        column = _column(layout) or usual
        for bi, lines in enumerate(layout.blocks):
            block = _block_geometry(lines, column or _extent(lines), layout.width)
            for li, line in enumerate(lines):
                cur = paras[-1] if paras else None
                if cur is not None and li == 0:
                    continues_page = bi == 0 and cur.lines[-1].page == layout.number - 1
                    new = not continues_page or _starts_new(cur, line, block, pitch, page_break=True)
                elif cur is not None:
                    new = _starts_new(cur, line, block, pitch, page_break=False)
                else:
                    new = True
                if new:
                    label = _label(line)
                    paras.append(
                        _Para(
                            lines=[line],
                            right=block.right,
                            label=label[0] if label else None,
                            text_x0=label[1] if label else None,
                        )
                    )
                else:
                    cur.lines.append(line)
                    cur.right = block.right
    return paras


# --- writing ---------------------------------------------------------------------------------------


def _line_text(line: Line, marks: set[str], calls: list[str], *, skip_label: bool) -> str:
    """A body line's text with its footnote calls written ``[^mark]`` (collected in ``calls``)."""
    out: list[str] = []
    words = line.words[1:] if skip_label else line.words
    i = 0
    while i < len(words):
        w = words[i]
        text = w.text.strip()
        if line.is_superscript(w):
            j = i + 1  # a call printed in pieces ("*" "*", "1" "," "2") is one run
            while (
                j < len(words)
                and line.is_superscript(words[j])
                and words[j].x0 - words[j - 1].x1 < 0.3 * w.size
            ):
                text += words[j].text.strip()
                j += 1
            i = j
            found = [m.strip() for m in text.split(",") if m.strip()]
            if found and all(m in marks for m in found):
                calls.extend(found)
                out.append("".join(footnote_call(m) for m in found))
            else:
                out.append(text)  # an ordinal suffix, an exponent: printed small, read as is
            continue
        i += 1
        star = _TRAILING_STARS.match(text)
        if star and star.group("mark") in marks:
            calls.append(star.group("mark"))
            text = star.group("word") + footnote_call(star.group("mark"))
        out.append((" " if out and w.space_before else "") + text)
    return "".join(out)


def write(layouts: Sequence[PageLayout], out: ReadingText) -> None:
    """Write every page's paragraphs and footnotes into ``out``."""
    notes = parse_notes(layouts)
    vocab = vocabulary([ln for layout in layouts for block in layout.blocks for ln in block])
    by_page: dict[int, dict[str, Note]] = {}
    for note in notes:
        by_page.setdefault(note.page, {}).setdefault(note.mark, note)
    all_marks = {n.mark for n in notes}
    written: set[int] = set()
    paras = assemble(layouts, line_pitch(layouts))

    def marks(page: int) -> set[str]:
        return set(by_page.get(page, {})) or all_marks

    for index, para in enumerate(paras):
        calls: list[tuple[str, int]] = []
        if para.lines[0].cells:
            out.table(_table_rows(para.lines[0], marks(para.lines[0].page), calls, vocab))
        else:
            parts = []
            for i, ln in enumerate(para.lines):
                found: list[str] = []
                parts.append(
                    _line_text(ln, marks(ln.page), found, skip_label=(i == 0 and para.label is not None))
                )
                calls.extend((m, ln.page) for m in found)
            text = join_lines(parts, vocab)
            if _TOC_ENTRY.search(text):
                continue  # a table of contents entry: the reading text leaves tables of contents out
            out.paragraph(text, label=para.label)
        for mark, page in calls:
            note = _find_note(by_page, notes, mark, page)
            if note is not None and id(note) not in written:
                written.add(id(note))
                out.footnote(note.mark, note_text(note, vocab))
        last_on_page = index + 1 == len(paras) or paras[index + 1].lines[0].page != para.lines[-1].page
        if last_on_page:
            _write_orphans(notes, para.lines[-1].page, written, vocab, out)
    for note in notes:  # notes on pages without body text
        if id(note) not in written:
            written.add(id(note))
            out.footnote(note.mark, note_text(note, vocab))


def _table_rows(
    table: Line, marks: set[str], calls: list[tuple[str, int]], vocab: _Vocabulary
) -> list[list[str]]:
    """A ruled table's cell texts, row by row; footnote calls in cells are collected in ``calls``."""
    rows = []
    for row in table.cells:
        texts = []
        for cell in row:
            found: list[str] = []
            texts.append(join_lines([_line_text(ln, marks, found, skip_label=False) for ln in cell], vocab))
            calls.extend((m, table.page) for m in found)
        rows.append(texts)
    return rows


def _find_note(
    by_page: dict[int, dict[str, Note]], notes: Sequence[Note], mark: str, page: int
) -> Note | None:
    for p in (page, page + 1):
        if mark in by_page.get(p, {}):
            return by_page[p][mark]
    return next((n for n in notes if n.mark == mark), None)


def _write_orphans(
    notes: Sequence[Note], page: int, written: set[int], vocab: _Vocabulary, out: ReadingText
) -> None:
    for note in notes:
        if note.page <= page and id(note) not in written:
            written.add(id(note))
            out.footnote(note.mark, note_text(note, vocab))
