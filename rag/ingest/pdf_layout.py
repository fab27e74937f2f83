"""Page geometry for the PDF converter: words into lines, page furniture, footnote zones, reading order.

A born-digital PDF has no paragraphs, only glyphs at positions. ``rag.ingest.pdf`` reads the glyphs
with PDFium and groups them into :class:`Word` boxes; this module, which needs no PDF library, turns a
page's words into what a reader sees:

- **lines**: words whose x-height bands overlap share a line, so a superscript footnote call (a
  smaller font on a raised baseline) stays on the line it belongs to. A line is cut into *segments*
  where a gap is wider than a tab stop (the UN masthead prints "United Nations" and "A/RES/79/277" on
  one baseline, 280 pt apart);
- **furniture**: running headers and footers, page numbers, print job numbers and bar codes, found in
  the top and bottom bands of the page by pattern, by repetition across pages, and (for headers) by
  repeating the first page's words;
- **footnote zones**: everything under a short footnote rule (typed underscores or a drawn line);
- **reading order**: a recursive XY cut over the remaining segments: a clear vertical gutter splits
  columns (read left, then right), a wide horizontal gap splits blocks (read top to bottom). A gutter
  whose one side holds only labels ("79/277.", hanging numbers) is not a column and is not cut.

Coordinates are PDF points with y growing downwards (top of page = 0).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A gap wider than this many font sizes between two words on one baseline splits the line into
# segments (a tab to a paragraph's text is ~1.6 em in UN resolutions; masthead columns are 10+ em).
SEGMENT_GAP_EM = 2.5
# Headers live in the top band and footers in the bottom band of a page (fractions of its height).
TOP_BAND = 0.12
BOTTOM_BAND = 0.88
# A horizontal white band at least this many body font sizes high separates blocks for the XY cut
# (UN line spacing leaves ~0.4 em between lines and ~1 em between paragraphs; the masthead, the
# footnote rule and the signature block sit behind 2 em or more).
BLOCK_GAP_EM = 2.0
# A vertical gutter at least this many body font sizes wide may separate columns.
GUTTER_EM = 1.5

_LABEL_LIKE = re.compile(
    r"^(?:[(\[]?[0-9A-Za-z]{1,4}(?:[./-][0-9A-Za-z]{1,4}){0,3}[.)\]:]?|[•·▪‣◦○●■□–—\-*])$"
)
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:page\s+)?(?:\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[ivxlc]{1,7})(?:\s*[-–—])?$",
    re.IGNORECASE,
)
# A UN print job number ("25-20841 (E)", "25-16621 (E) 221025", "25-20841") and its Code 39 bar
# code ("*2520841*"): first-page and footer furniture of every UN document.
_JOB_NUMBER = re.compile(r"^\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?$")
_BAR_CODE = re.compile(r"^\*[0-9A-Z\-]{4,}\*$")
_RECYCLE = re.compile(r"^please\s+recycle\b", re.IGNORECASE)
_NOTE_MARK_TEXT = re.compile(r"^(?:\d{1,3}|\*{1,3}|[†‡§¶]{1,2}|[a-z])$")
_RULE_TEXT = re.compile(r"^[_\u2014\u2015\u2500]{5,}$")


@dataclass(frozen=True, slots=True)
class Word:
    """A run of glyphs without a space or gap inside, as printed.

    Args:
        text: the glyphs.
        x0, x1: left and right edge.
        baseline: the baseline's y; ``top``/``bottom`` are derived from it and the size so that every
            word of one font has the same vertical band whatever its letters.
        size: the font size in points.
        bold, italic: from the font's name and weight.
        space_before: a space (typed or a gap) separates it from the previous word on its line.
        barcode: set in a bar code font (the UN's Code 39 print job bar code).
    """

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    bold: bool = False
    italic: bool = False
    space_before: bool = True
    barcode: bool = False

    @property
    def top(self) -> float:
        return self.baseline - 0.75 * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + 0.2 * self.size

    @property
    def core(self) -> tuple[float, float]:
        """The x-height band: what two words on one line share even when one is a superscript."""
        return self.baseline - 0.6 * self.size, self.baseline


@dataclass(frozen=True, slots=True)
class Line:
    """Words on one baseline, left to right (a whole printed line or one segment of it).

    ``size`` and ``baseline`` are those of the line's main text (its most-printed font size), so a
    superscript call or a large initial letter does not move them. A ruled table stands in the
    reading order as one line whose ``cells`` hold its rows (``rag.ingest.pdf_tables``).
    """

    words: tuple[Word, ...]
    page: int
    size: float
    baseline: float
    cells: tuple[tuple[tuple[Line, ...], ...], ...] = ()

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def text(self) -> str:
        """The plain text (superscripts as printed), for pattern tests."""
        parts: list[str] = []
        for i, w in enumerate(self.words):
            parts.append((" " if i and w.space_before else "") + w.text)
        return "".join(parts)

    def is_superscript(self, word: Word) -> bool:
        """A word in a smaller font whose baseline is raised above the line's: a footnote call."""
        return word.size <= 0.85 * self.size and self.baseline - word.baseline >= 0.15 * self.size

    @property
    def all_bold(self) -> bool:
        return all(w.bold for w in self.words if not self.is_superscript(w))

    @property
    def all_italic(self) -> bool:
        return all(w.italic for w in self.words if not self.is_superscript(w))


@dataclass(frozen=True, slots=True)
class PageWords:
    """What the PDF reader found on one page."""

    number: int  # 0-based
    width: float
    height: float
    words: tuple[Word, ...]
    # Drawn rules (thin paths, rectangle edges): (x0, y0, x1, y1), y growing downwards.
    segments: tuple[tuple[float, float, float, float], ...] = ()
    images: int = 0  # images on a page without words (a scan has them, a blank page does not)


@dataclass(frozen=True, slots=True)
class PageLayout:
    """One page taken apart: its body blocks in reading order, its footnote lines, its furniture."""

    number: int
    width: float
    blocks: tuple[tuple[Line, ...], ...]
    notes: tuple[Line, ...]
    furniture: tuple[Line, ...]


def _letter_spaced(words: Sequence[Word]) -> list[Word]:
    """Words printed letter by letter ("I n t e r n a t i o n a l", a cover's spaced capitals) mended.

    A run of three or more one-letter words less than 0.6 em apart is one word (prose has no such
    runs); a gap half as wide again as the run's usual one separates two words inside the run.
    """
    out: list[Word] = []
    i = 0
    while i < len(words):
        j = i
        while (
            j + 1 < len(words)
            and len(words[j].text) == 1
            and len(words[j + 1].text) == 1
            and words[j].text.isalnum()
            and words[j + 1].text.isalnum()
            and words[j + 1].x0 - words[j].x1 <= 0.6 * words[j].size
        ):
            j += 1
        if j - i + 1 < 3:
            out.append(words[i])
            i += 1
            continue
        run = words[i : j + 1]
        gaps = sorted(b.x0 - a.x1 for a, b in zip(run, run[1:], strict=False))
        usual = gaps[len(gaps) // 2]
        piece = [run[0]]
        for a, b in zip(run, run[1:], strict=False):
            if b.x0 - a.x1 > 1.5 * usual + 0.5:
                out.append(_merge(piece))
                piece = []
            piece.append(b)
        out.append(_merge(piece))
        i = j + 1
    return out


def _merge(words: Sequence[Word]) -> Word:
    first = words[0]
    return Word(
        text="".join(w.text for w in words),
        x0=first.x0,
        x1=words[-1].x1,
        baseline=first.baseline,
        size=first.size,
        bold=first.bold,
        italic=first.italic,
        space_before=first.space_before,
        barcode=first.barcode,
    )


def make_line(words: Sequence[Word], page: int) -> Line:
    """A line from words already known to share a baseline; sorts them left to right."""
    ordered = tuple(_letter_spaced(sorted(words, key=lambda w: w.x0)))
    weight: Counter[float] = Counter()
    for w in ordered:
        weight[round(w.size, 1)] += len(w.text)
    size = max(weight, key=lambda s: (weight[s], s))
    main = [w for w in ordered if round(w.size, 1) == size]
    baseline = Counter(round(w.baseline, 1) for w in main).most_common(1)[0][0]
    return Line(words=ordered, page=page, size=size, baseline=baseline)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def group_lines(words: Iterable[Word], page: int) -> list[Line]:
    """Group a page's words into segments: one baseline, no gap wider than a tab stop.

    Words join a line when their x-height bands overlap by half of the smaller one; this keeps a
    superscript (raised by about a third of the font size) on its line and keeps lines 1.2 em apart
    separate.
    """
    groups: list[list[Word]] = []
    cores: list[tuple[float, float]] = []  # the core of each group's largest word
    sizes: list[float] = []
    for w in sorted(words, key=lambda w: (w.baseline, w.x0)):
        core = w.core
        home = None
        for i in range(len(groups) - 1, max(-1, len(groups) - 6), -1):
            other = cores[i]
            if _overlap(core, other) >= 0.5 * min(core[1] - core[0], other[1] - other[0]):
                home = i
                break
        if home is None:
            groups.append([w])
            cores.append(core)
            sizes.append(w.size)
            continue
        groups[home].append(w)
        if w.size > sizes[home]:
            cores[home], sizes[home] = core, w.size
    lines: list[Line] = []
    for group in groups:
        lines.extend(_split_segments(make_line(group, page)))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _split_segments(line: Line) -> list[Line]:
    pieces: list[list[Word]] = [[line.words[0]]]
    for prev, word in zip(line.words, line.words[1:], strict=False):
        if word.x0 - prev.x1 > SEGMENT_GAP_EM * max(min(prev.size, word.size), 1.0):
            pieces.append([word])
        else:
            pieces[-1].append(word)
    if len(pieces) == 1:
        return [line]
    return [make_line(p, line.page) for p in pieces]


def _core(line: Line) -> tuple[float, float]:
    return line.baseline - 0.6 * line.size, line.baseline


def _same_row(a: Line, b: Line) -> bool:
    ca, cb = _core(a), _core(b)
    return _overlap(ca, cb) >= 0.5 * min(ca[1] - ca[0], cb[1] - cb[0])


def rejoin(lines: Sequence[Line]) -> list[Line]:
    """Segments of one block that share a line (overlapping x-height bands) become one line again."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.baseline, ln.x0)):
        if rows and any(_same_row(other, ln) for other in rows[-1]):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    out = []
    for row in rows:
        if len(row) == 1:
            out.append(row[0])
        else:
            words = [w for seg in sorted(row, key=lambda s: s.x0) for w in seg.words]
            out.append(make_line(words, row[0].page))
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out


# --- furniture -------------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split())).casefold()


def _in_band(line: Line, height: float) -> str:
    if line.bottom <= TOP_BAND * height:
        return "top"
    if line.top >= BOTTOM_BAND * height:
        return "bottom"
    return ""


def _pattern_furniture(line: Line) -> bool:
    """A print job number, a bar code, a recycling note: furniture wherever it stands in a band."""
    text = " ".join(line.text.split())
    if any(w.barcode for w in line.words):
        return True
    return bool(_JOB_NUMBER.match(text) or _BAR_CODE.match(text) or _RECYCLE.match(text))


def _page_numbers(lines: Sequence[Line], height: float, furniture: set[int]) -> set[int]:
    """Page numbers ("2", "2/18", "Page 2 of 9") in a band whose line holds only furniture.

    A number alone at the top of a page may also be a paragraph's label ("2<tab>that the ..."):
    it is a page number only when nothing but furniture shares its line.
    """
    found = set()
    for ln in lines:
        if not _in_band(ln, height) or not _PAGE_NUMBER.match(" ".join(ln.text.split())):
            continue
        mates = [o for o in lines if o is not ln and _same_row(o, ln)]
        if all(id(o) in furniture or _PAGE_NUMBER.match(o.text.strip()) for o in mates):
            found.add(id(ln))
    return found


def _same_place(a: Line, b: Line) -> bool:
    return abs(a.x0 - b.x0) <= 3.0 and abs(a.baseline - b.baseline) <= 3.0


def _header_block(lines: Sequence[Line], height: float, body_size: float) -> list[Line]:
    """The lines above the widest white gap inside the top band: where a running header sits."""
    ordered = sorted(lines, key=lambda ln: ln.top)
    best, cut = 0.0, 0
    bottom = None
    for i, ln in enumerate(ordered):
        if bottom is not None and ln.top - bottom > best:
            best, cut = ln.top - bottom, i
        if ln.top > TOP_BAND * height:
            break
        bottom = ln.bottom if bottom is None else max(bottom, ln.bottom)
    return ordered[:cut] if best >= 0.5 * body_size else []


def find_furniture(pages: Sequence[Sequence[Line]], heights: Sequence[float], body_size: float) -> set[int]:
    """The ids (``id(line)``) of the lines that are page furniture, over the whole document.

    A line in a page's top or bottom band is furniture when it looks like a page number, a print
    job number or a bar code; when the same text (digits aside, three letters or digits at least)
    stands in the same band on two or more pages (running headers and footers; the first page's
    top band, the masthead, counts only where another page prints the same at the same place); or,
    for a header above the page's body on a later page, when the first page prints the same words
    (a two-page document's running title and symbol). A segment sharing its line with text that is
    not furniture is not furniture (a list dash or a clause number at the top of a page).
    """
    seen: dict[tuple[str, str], set[int]] = {}
    where: dict[tuple[str, str], list[Line]] = {}
    for number, lines in enumerate(pages):
        for ln in lines:
            band = _in_band(ln, heights[number])
            if band:
                key = (band, _normal(ln.text))
                where.setdefault(key, []).append(ln)
                if not (band == "top" and number == 0):
                    seen.setdefault(key, set()).add(number)
    first_text = " ".join(" ".join(ln.text for ln in pages[0]).split()) if pages else ""
    furniture: set[int] = set()
    for number, lines in enumerate(pages):
        header = {id(ln) for ln in _header_block(lines, heights[number], body_size)} if number else set()
        for ln in lines:
            band = _in_band(ln, heights[number])
            if not band or ln.cells or _RULE_TEXT.match(ln.text.replace(" ", "")):
                continue  # a footnote rule low on the page is not furniture: the notes hang on it
            key = (band, _normal(ln.text))
            starts_with_mark = ln.is_superscript(ln.words[0])
            if band == "top" and number == 0:
                # The masthead: only what another page prints at the very same place.
                repeated = any(o.page != 0 and _same_place(o, ln) for o in where[key])
            else:
                repeated = len(seen.get(key, ())) >= 2
            repeated = repeated and sum(ch.isalnum() for ch in ln.text) >= 3
            echoes_first = id(ln) in header and " ".join(ln.text.split()) in first_text
            if _pattern_furniture(ln) or (repeated and not starts_with_mark) or echoes_first:
                furniture.add(id(ln))
    for number, lines in enumerate(pages):
        furniture -= _with_text_mates(lines, furniture)
        furniture |= _page_numbers(lines, heights[number], furniture)
    return furniture


def _with_text_mates(lines: Sequence[Line], furniture: set[int]) -> set[int]:
    """Furniture candidates sharing their line with text that is not furniture (a label's words)."""
    return {
        id(ln)
        for ln in lines
        if id(ln) in furniture
        and any(
            id(o) not in furniture and _same_row(o, ln) and not _PAGE_NUMBER.match(o.text.strip())
            for o in lines
        )
    }


# --- footnote zone ---------------------------------------------------------------------------------


def footnote_rule_y(page: PageWords, lines: Sequence[Line], body_size: float) -> float | None:
    """Where the footnote rule sits on this page, or None.

    Word prints it as a run of underscores (UN documents) or draws it: a short horizontal line in the
    lower part of the page (a drawn one starting at the text's left edge). Either way the line right
    under it opens with a note mark and the notes are set smaller than the body: that keeps a
    table's rules and a form's blanks out.
    """
    if not lines:
        return None
    candidates = [ln.baseline for ln in lines if _RULE_TEXT.match(ln.text.replace(" ", ""))]
    left = min(ln.x0 for ln in lines)
    candidates += [
        y0
        for x0, y0, x1, y1 in page.segments
        if y1 - y0 <= 2.0 and abs(x0 - left) <= body_size and 20.0 <= x1 - x0 <= 0.5 * page.width
    ]
    for y in sorted(candidates):
        if not 0.25 * page.height < y < 0.97 * page.height:
            continue
        below = sorted((ln for ln in lines if ln.top > y), key=lambda ln: ln.top)
        if not below or below[0].top - y > 3 * body_size or not _opens_with_mark(below[0]):
            continue
        if sorted(ln.size for ln in below)[len(below) // 2] < 0.95 * body_size:
            return y
    return None


def _unruled_notes_y(lines: Sequence[Line], body_size: float) -> float | None:
    """Where notes printed without a rule begin: the page's last block, if it opens with a mark
    that the text above calls (a superscript, or an asterisk glued to a word)."""
    ordered = sorted(lines, key=lambda ln: ln.top)
    start = None
    for i in range(len(ordered) - 1, 0, -1):
        if ordered[i].top - max(ln.bottom for ln in ordered[:i]) >= 0.8 * body_size:
            start = i
            break
    if start is None or not _opens_with_mark(ordered[start]):
        return None
    mark = ordered[start].words[0].text.strip()
    for ln in ordered[:start]:
        for w in ln.words:
            if (ln.is_superscript(w) and w.text.strip() == mark) or (
                mark.startswith("*") and w.text.endswith(mark) and w.text.strip("*")
            ):
                return ordered[start].top - 0.1
    return None


def _opens_with_mark(line: Line) -> bool:
    first = line.words[0]
    return len(line.words) > 1 and (line.is_superscript(first) or bool(_NOTE_MARK_TEXT.match(first.text)))


# --- reading order ---------------------------------------------------------------------------------


def _is_label_side(lines: Sequence[Line]) -> bool:
    return all(_LABEL_LIKE.match(ln.text.strip()) for ln in lines)


def _vertical_cut(lines: Sequence[Line], body_size: float) -> tuple[list[Line], list[Line]] | None:
    spans = sorted((ln.x0, ln.x1) for ln in lines)
    best: tuple[float, float] | None = None
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        gap = x0 - reach
        if gap >= GUTTER_EM * body_size and (best is None or gap > best[1] - best[0]):
            best = (reach, x0)
        reach = max(reach, x1)
    if best is None:
        return None
    left = [ln for ln in lines if ln.x1 <= best[0]]
    right = [ln for ln in lines if ln.x0 >= best[1]]
    if not left or not right or _is_label_side(left) or _is_label_side(right):
        return None
    return left, right


def _horizontal_cut(lines: Sequence[Line], body_size: float) -> list[list[Line]]:
    ordered = sorted(lines, key=lambda ln: ln.top)
    blocks: list[list[Line]] = [[ordered[0]]]
    bottom = ordered[0].bottom
    for ln in ordered[1:]:
        if ln.top - bottom >= BLOCK_GAP_EM * body_size:
            blocks.append([ln])
        else:
            blocks[-1].append(ln)
        bottom = max(bottom, ln.bottom)
    return blocks


def reading_blocks(lines: Sequence[Line], body_size: float, depth: int = 0) -> list[list[Line]]:
    """Blocks of lines in reading order (a recursive XY cut; see the module docstring)."""
    if not lines:
        return []
    if depth < 12:
        cut = _vertical_cut(lines, body_size)
        if cut:
            return [b for side in cut for b in reading_blocks(side, body_size, depth + 1)]
        blocks = _horizontal_cut(lines, body_size)
        if len(blocks) > 1:
            return [b for block in blocks for b in reading_blocks(block, body_size, depth + 1)]
    return [rejoin(lines)]


def layout_page(page: PageWords, lines: Sequence[Line], furniture: set[int], body_size: float) -> PageLayout:
    """Split one page's lines into body blocks (reading order), footnote lines and furniture."""
    kept = [ln for ln in lines if id(ln) not in furniture]
    rule = footnote_rule_y(page, kept, body_size)
    if rule is None:
        rule = _unruled_notes_y(kept, body_size)
    notes: list[Line] = []
    body: list[Line] = []
    for ln in kept:
        if _RULE_TEXT.match(ln.text.replace(" ", "")):
            continue
        (notes if rule is not None and ln.top > rule else body).append(ln)
    return PageLayout(
        number=page.number,
        width=page.width,
        blocks=tuple(tuple(b) for b in reading_blocks(body, body_size)),
        notes=tuple(rejoin(notes)) if notes else (),
        furniture=tuple(ln for ln in lines if id(ln) in furniture),
    )


def body_font_size(pages: Iterable[Sequence[Line]]) -> float:
    """The size most characters are printed in: the body text's."""
    weight: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            for w in ln.words:
                weight[round(w.size, 1)] += len(w.text)
    return max(weight, key=lambda s: (weight[s], -s)) if weight else 10.0
