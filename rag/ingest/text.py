"""Markdown and plain text (``.md``, ``.txt``) to reading text; typed-label helpers for all converters.

Markdown here is mostly third-party text extracted from UN PDFs (YAML front matter, then one
paragraph per blank-line block, with the PDF's page furniture left in); plain text is the same
without the markup. Both become the reading text (``rag.ingest.reading``): the front matter becomes
metadata hints, headings keep their ``#`` marks, list items and typed labels become ``label<TAB>text``,
hard-wrapped lines are joined, and two conservative page-furniture repairs are made (see
``_repair_page_breaks``).

Encoding: a BOM decides; else strict UTF-8; else charset-normalizer's best guess; else cp1252 (which
decodes every byte), and the choice is said in a warning.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import charset_normalizer
import yaml
from markdown_it import MarkdownIt

from rag.errors import UnsupportedFormatError
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.reading import ReadingText, clean_inline, footnote_call
from rag.parse.layout import FOOTNOTE_CALL, TABLE_RULE

logger = logging.getLogger(__name__)

# --- typed labels ---------------------------------------------------------------------------------

# A label typed at the start of a paragraph, as the reader sees it printed before the words.
_LABEL = re.compile(
    r"""^(?P<label>
        \d{1,3}(?:\.\d{1,3})+\.?            # 1.1  1.1.1  9.1.4.
      | [A-Z](?:\.\d{1,3})+\.?              # A.1  A.1.1.
      | \d{1,3}[.)]                         # 1.  1)
      | \(\d{1,3}\)                         # (1)
      | \([a-z]{1,2}\) | [a-z]{1,2}\)       # (a)  a)  aa)
      | \([ivxlc]{1,7}\) | [ivxlc]{1,7}\)   # (iv)  iv)
      | \([A-Z]\) | [A-Z]\)                 # (A)  A)
      | [A-Z]\. | [IVXLC]{1,6}\.            # A.  II.
      | [•▪◦·‣●○■□–—-]                      # bullets and dashes
    )(?P<gap>[ \t\u00a0\u2002-\u2009]+)(?=\S)""",
    re.VERBOSE,
)
# A bare number before lowercase words, ITU's operative style ("1 to provide", "2 that ..."), taken
# as a label only where the caller knows one is expected or a TAB stands after it.
_BARE_NUMBER = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})*)(?P<gap>[ \t\u00a0]+)(?=[a-z])")
# Words that make a leading bare number a quantity, not a label ("2 billion people").
_QUANTITY_WORDS = frozenset(
    "per percent million millions billion billions thousand hundred years year months month days day "
    "hours weeks times km kg countries states members".split()
)


def split_typed_label(text: str, *, bare_numbers: bool = False) -> tuple[str | None, str]:
    """Split a label typed at the start of a paragraph off its words: ``"a) that"`` -> ``("a)", "that")``.

    Web pages and extracted text carry labels as typed characters, not as list numbering; the reading
    text wants them first with one TAB after them. Only clear labels are split (a number with a dot or
    bracket, a letter in brackets, a roman numeral with a dot or bracket, a bullet); a bare number
    (``"1 to provide"``) only when ``bare_numbers`` is set or a TAB follows it, and never before a word
    that makes it a quantity (``"2 billion"``).

    Returns:
        ``(label, rest)``, or ``(None, text)`` when the text does not open with a label.
    """
    stripped = text.lstrip(" \u00a0")
    match = _LABEL.match(stripped)
    if match is None:
        match = _BARE_NUMBER.match(stripped)
        if match is None or not (bare_numbers or "\t" in match.group("gap")):
            return None, text
        next_word = stripped[match.end() :].split(None, 1)[0].strip(",;:.").lower()
        if next_word in _QUANTITY_WORDS:
            return None, text
    return match.group("label"), stripped[match.end() :]


def starts_with_label(line: str) -> bool:
    """Whether a line opens with a clear typed label (``1.``, ``a)``, ``(i)``, ``1.2.3``, ``•``, ``–``)."""
    return _LABEL.match(line.lstrip(" \u00a0")) is not None


# --- language codes -------------------------------------------------------------------------------

# ISO 639-2 (bibliographic and terminology) codes of the languages the corpus meets, to ISO 639-1.
_ISO639_2 = {
    "eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "rus": "ru", "ara": "ar", "zho": "zh",
    "chi": "zh", "deu": "de", "ger": "de", "por": "pt", "ita": "it", "jpn": "ja", "kor": "ko",
    "nld": "nl", "dut": "nl", "swe": "sv", "pol": "pl", "tur": "tr", "ukr": "uk", "hin": "hi",
    "fas": "fa", "per": "fa", "swa": "sw", "ind": "id", "vie": "vi", "tha": "th", "ell": "el",
    "gre": "el", "ces": "cs", "cze": "cs", "fin": "fi", "dan": "da", "nor": "no", "heb": "he",
    "hun": "hu", "ron": "ro", "rum": "ro", "bul": "bg", "srp": "sr", "hrv": "hr", "slk": "sk",
    "slo": "sk", "slv": "sl", "est": "et", "lav": "lv", "lit": "lt", "msa": "ms", "may": "ms",
}  # fmt: skip
# English names, as metadata blocks sometimes write them ("language: English").
_LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "français": "fr", "spanish": "es", "español": "es",
    "russian": "ru", "arabic": "ar", "chinese": "zh", "german": "de", "portuguese": "pt",
}  # fmt: skip


def iso639_1(value: str | None) -> str | None:
    """A language tag as ISO 639-1 (``"en"``): from ``"en"``, ``"EN"``, ``"en-GB"``, ``"eng"``, ``"English"``.

    Returns None for what it does not know, so that a wrong hint is never given.
    """
    if not value:
        return None
    tag = value.strip().lower().replace("_", "-").split("-")[0]
    if re.fullmatch(r"[a-z]{2}", tag):
        return tag
    return _ISO639_2.get(tag) or _LANGUAGE_NAMES.get(tag)


# --- the converters -------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_ATX = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")
_THEMATIC = re.compile(r"^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^(```|~~~)")
_MD_ITEM = re.compile(r"^(?P<marker>[-*+]|\d{1,3}[.)])[ \t]+(?=\S)")
_TABLE_LINE = re.compile(r"^\|.*\|$")
_NOTE_DEFINITION = re.compile(r"^\[\^(?P<mark>[^\]\s]{1,12})\]:[ \t]*(?P<text>.*)$")
_SEPARATOR_LINE = re.compile(r"^_{5,}$")
_NOTE_MARK = re.compile(r"^(?P<mark>\d{1,3}|\*{1,3})[ \t]+(?=\S)")
# A label printed on a line of its own (a UN paragraph number in the margin): joined to the next line.
_LABEL_ONLY = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|\(?[a-z]{1,2}\)|\(?[ivxlc]{1,6}\)|[A-Z]\.|[IVXLC]{1,6}\.)$"
)
# Page furniture that never carries words: "2/18", "- 3 -", "Page 4", "Page 4 of 9".
_PAGE_NUMBER = re.compile(r"^(?:\d{1,4}/\d{1,4}|-\s*\d{1,4}\s*-|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?)$", re.I)
# The role word of an ITU clause block, alone on its line ("considering", "instructs the Secretary-General").
_ROLE_LINE = re.compile(
    r"^(?:further |also |having |bearing |taking )?(?:considering|recogni[sz]ing|noting|recalling|bearing|"
    r"aware|conscious|emphasi[sz]ing|taking|mindful|convinced|acknowledging|observing|stressing|"
    r"reaffirming|welcoming|expressing|concerned|resolves|decides|instructs|invites|requests|encourages|"
    r"urges|calls|recommends|endorses|adopts|approves|agrees|declares|affirms|charges|considers|notes|"
    r"in mind|in view)\b[^.;:,]{0,60}$"
)
_SENTENCE_END = re.compile(r"[.;:!?][\"'”’)\]]*$")


@dataclass(slots=True)
class _Para:
    """A paragraph being built (mutable while page-break repairs join paragraphs and attach notes)."""

    text: str
    label: str | None = None
    heading: int = 0
    rows: list[list[str]] | None = None
    role: bool = False
    separator: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def plain(self) -> bool:
        return self.rows is None and not self.heading and not self.role and not self.separator


def convert_markdown(data: bytes, *, name: str) -> Converted:
    """Read a markdown file (often text extracted from a PDF, with YAML front matter) as reading text.

    Front matter becomes metadata hints (``symbol``, ``title``, ``date``, ``language`` -> ``lang``);
    ATX and setext headings become ``#`` headings; list items and typed labels ``label<TAB>text``;
    emphasis and link markup go (link text stays); ``[^1]`` calls and ``[^1]:`` notes stay, each note
    after the paragraph that first calls it; tables stay pipe rows; wrapped lines are joined.

    Example:
        >>> md = b"---\\ntitle: Test\\n---\\n# Scope\\n\\n1. Decides *to* act\\n   now;\\n"
        >>> print(convert_markdown(md, name="x.md").text.replace("\\t", "<TAB>"), end="")
        # Scope
        <BLANKLINE>
        1.<TAB>Decides to act now;
    """
    return _convert(data, name=name, markdown=True)


def convert_text(data: bytes, *, name: str) -> Converted:
    """Read a plain-text file (often text extracted from a PDF) as reading text.

    Blank-line separated blocks are paragraphs; inside a block a line opening with a label (``1.``,
    ``a)``, ``(a)``, ``1.2.3``, ``•``, ``–``) or a role-word line starts a new paragraph, other lines are
    joined. Front matter, page furniture and footnotes after a ``_____`` separator are handled as for
    markdown.

    Example:
        >>> txt = b"considering\\na) that the text\\nwraps here;\\nb) that it ends.\\n"
        >>> print(convert_text(txt, name="x.txt").text.replace("\\t", "<TAB>"), end="")
        considering
        <BLANKLINE>
        a)<TAB>that the text wraps here;
        <BLANKLINE>
        b)<TAB>that it ends.
    """
    return _convert(data, name=name, markdown=False)


def _convert(data: bytes, *, name: str, markdown: bool) -> Converted:
    text, warnings = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    body, metadata, front_warnings = _front_matter(text, name)
    lines, definitions = _take_note_definitions(body.split("\n"))
    lines = _drop_furniture(lines, title=metadata.get("title"))
    paragraphs = _take_separator_notes(_paragraphs(lines, markdown=markdown))
    paragraphs = _split_run_in_paragraphs(_join_continuations(paragraphs))
    out = _write(paragraphs, definitions)
    fmt = SourceFormat.MARKDOWN if markdown else SourceFormat.TEXT
    return Converted(text=out.text(), format=fmt, metadata=metadata, warnings=(*warnings, *front_warnings))


# --- bytes to text --------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP container (Word .docx or similar)",
    b"\xd0\xcf\x11\xe0": "an OLE file (Word .doc or similar)",
    b"{\\rtf": "an RTF file",
}


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Text from bytes: the BOM's encoding, else UTF-8, else charset-normalizer's guess, else cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff"), []
    for magic, what in _BINARY_MAGIC.items():
        if data.lstrip()[:8].startswith(magic):
            raise UnsupportedFormatError(
                f"{name}: this is {what}, not text", hint="rename it with its real extension and add it again"
            )
    if b"\x00" in data[:8192]:
        raise UnsupportedFormatError(f"{name}: binary data, not text", hint="add text files saved as UTF-8")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding:
        encoding = best.encoding
        return str(best), [f"{name}: not UTF-8; read as {encoding} (charset-normalizer's guess)"]
    return data.decode("cp1252", errors="replace"), [f"{name}: not UTF-8; read as cp1252"]


def _front_matter(text: str, name: str) -> tuple[str, dict[str, str], list[str]]:
    """Remove YAML front matter; its symbol, title, date, language and author become metadata hints."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        return text, {}, []
    body = text.lstrip("\ufeff")[match.end() :]
    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError as exc:
        return body, {}, [f"{name}: front matter is not valid YAML ({exc.__class__.__name__}); ignored"]
    if not isinstance(data, dict):
        return body, {}, []
    fields = {str(k).lower(): v for k, v in data.items() if v is not None}
    meta: dict[str, str] = {}
    if fields.get("symbol"):
        meta["symbol"] = clean_inline(str(fields["symbol"]))
    if fields.get("title"):
        # Extractors of UN records end a title that the catalogue continues with " :".
        meta["title"] = clean_inline(str(fields["title"])).rstrip(" :;,/")
    date = fields.get("date")
    if isinstance(date, (dt.date, dt.datetime)):
        meta["date"] = date.isoformat()[:10]
    elif isinstance(date, str) and re.match(r"^\d{4}-\d{2}-\d{2}", date.strip()):
        meta["date"] = date.strip()[:10]
    lang = iso639_1(str(fields.get("language") or fields.get("lang") or ""))
    if lang:
        meta["lang"] = lang
    author = fields.get("author") or fields.get("authors")
    if isinstance(author, list):
        author = ", ".join(map(str, author))
    if author:
        meta["author"] = clean_inline(str(author))
    return body, meta, []


# --- lines to paragraphs --------------------------------------------------------------------------


def _take_note_definitions(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Take out markdown footnote definitions (``[^1]: text`` and their indented continuation lines)."""
    kept: list[str] = []
    notes: dict[str, str] = {}
    current: str | None = None
    for line in lines:
        match = _NOTE_DEFINITION.match(line.strip()) if not line.startswith((" ", "\t")) else None
        if match:
            current = match.group("mark")
            notes[current] = match.group("text")
        elif current is not None and line.startswith((" ", "\t")) and line.strip():
            notes[current] += " " + line.strip()
        else:
            current = None if line.strip() or current is None else current
            kept.append(line)
    return kept, notes


def _drop_furniture(lines: list[str], *, title: str | None) -> list[str]:
    """Drop page furniture left in extracted text, conservatively.

    - A bare page number (``2/18``, ``- 3 -``, ``Page 4``) is dropped wherever it stands.
    - A short line (12 words or fewer) that repeats as a whole line, or that is the start of the title
      (three words or more), is a running header where it stands between two parts of one sentence
      (the text before it does not end a sentence, the text after it starts lowercase): it is dropped
      there (the paragraphs are joined later). Its second and later occurrences are dropped anywhere,
      and so is a first one printed next to other dropped furniture (a page's header group).
    Any other line that occurs once stays.
    """
    stripped = [line.strip() for line in lines]
    counts: dict[str, int] = {}
    for s in stripped:
        if s:
            counts[s] = counts.get(s, 0) + 1
    title_key = _key(title or "")
    header_like = [bool(s) and _is_header_like(s, counts, title_key) for s in stripped]
    seen: set[str] = set()
    dropped = [False] * len(lines)
    kept: list[str] = []
    for index, s in enumerate(stripped):
        if _PAGE_NUMBER.match(s):
            dropped[index] = True
        elif header_like[index]:
            dropped[index] = s in seen or _splits_sentence(stripped, kept, index)
            seen.add(s)
        if not dropped[index]:
            kept.append(lines[index])
    # A header line printed next to dropped furniture (the page number, the repeated symbol) is part of
    # the same running header or footer.
    for index in range(len(lines)):
        if header_like[index] and not dropped[index] and _next_to_dropped(stripped, dropped, index):
            dropped[index] = True
    return [line for line, gone in zip(lines, dropped, strict=True) if not gone]


def _next_to_dropped(stripped: list[str], dropped: list[bool], index: int) -> bool:
    for step in (-1, 1):
        at = index + step
        while 0 <= at < len(stripped) and not stripped[at]:
            at += step
        if 0 <= at < len(stripped) and dropped[at]:
            return True
    return False


def _key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def _is_header_like(line: str, counts: dict[str, int], title_key: str) -> bool:
    if len(line.split()) > 12 or len(line) > 100 or starts_with_label(line) or _LABEL_ONLY.match(line):
        return False
    if _TABLE_LINE.match(line) or _SEPARATOR_LINE.match(line) or _NOTE_DEFINITION.match(line):
        return False
    key = _key(line)
    is_title_start = len(key.split()) >= 3 and bool(title_key) and title_key.startswith(key)
    return counts.get(line, 0) >= 2 or is_title_start


def _splits_sentence(stripped: list[str], kept: list[str], index: int) -> bool:
    before = next((line.strip() for line in reversed(kept) if line.strip()), "")
    after = next((s for s in stripped[index + 1 :] if s and not _PAGE_NUMBER.match(s)), "")
    return bool(before) and not _SENTENCE_END.search(before) and after[:1].islower()


def _paragraphs(lines: list[str], *, markdown: bool) -> list[_Para]:
    """Blocks of lines to paragraphs: new paragraph at a blank line, a label, a heading, a list item."""
    paragraphs: list[_Para] = []
    current: list[str] = []
    pending: list[str | None] = [None]  # a label printed alone on its line, for the next line
    in_fence = False

    def flush() -> None:
        if current:
            paragraphs.append(_make_paragraph(current, markdown=markdown, label=pending[0]))
            pending[0] = None
            current.clear()

    for raw in lines:
        line = raw.strip()
        if markdown and line.startswith(">"):
            line = line.lstrip("> ").strip()
        if markdown and _FENCE.match(line):
            in_fence = not in_fence
            flush()
            continue
        if not line:
            flush()
            continue
        if _TABLE_LINE.match(line) and not in_fence:
            flush()
            _add_table_row(paragraphs, line)
            continue
        if markdown and not in_fence:
            if _SETEXT.match(line) and len(current) == 1:
                paragraphs.append(_make_paragraph(current, markdown=True, label=pending[0]))
                paragraphs[-1].heading = 1 if line.startswith("=") else 2
                current.clear()
                continue
            if _THEMATIC.match(line):
                flush()
                continue
            heading = _ATX.match(line)
            if heading:
                flush()
                paragraphs.append(_make_paragraph([heading.group("text")], markdown=True, label=None))
                paragraphs[-1].heading = len(heading.group("marks"))
                continue
        if _SEPARATOR_LINE.match(line):
            flush()
            paragraphs.append(_Para("", separator=True))
            continue
        if _LABEL_ONLY.match(line):
            flush()
            pending[0] = line
            continue
        # A role word stands alone after a clause's end ("...(Dubai, 2018)," then "considering").
        role = bool(_ROLE_LINE.match(line)) and (not current or current[-1][-1:] in ",;:.")
        if role or starts_with_label(line) or (markdown and _MD_ITEM.match(line)):
            flush()
        current.append(line)
        if role:
            flush()
            paragraphs[-1].role = paragraphs[-1].label is None
    flush()
    return paragraphs


def _make_paragraph(lines: list[str], *, markdown: bool, label: str | None) -> _Para:
    text = lines[0]
    for line in lines[1:]:
        # A word broken at a line end keeps its hyphen ("non-" + "governmental"); others get a space.
        text = text + line if re.search(r"[^\W\d_]-$", text) and line[:1].islower() else f"{text} {line}"
    marker = _MD_ITEM.match(text) if markdown else None
    if marker:
        mark = marker.group("marker")
        label, text = ("•" if mark in "-*+" else mark), text[marker.end() :]
    if markdown:
        text = _md_inline(text)
    if label is None:
        label, text = split_typed_label(text, bare_numbers=True)
    return _Para(clean_inline(text).replace("\t", " "), label=label)


def _add_table_row(paragraphs: list[_Para], line: str) -> None:
    if TABLE_RULE.match(line):
        return
    cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
    if paragraphs and paragraphs[-1].rows is not None:
        paragraphs[-1].rows.append(cells)
    else:
        paragraphs.append(_Para("", rows=[cells]))


def _md_inline(text: str) -> str:
    """Markdown inline markup removed: emphasis, code marks, link targets, images, raw HTML; text kept."""
    tokens = _MARKDOWN.parseInline(text)
    parts: list[str] = []
    for token in tokens[0].children or [] if tokens else []:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


_MARKDOWN = MarkdownIt("commonmark")


# --- page-break repairs and notes -----------------------------------------------------------------


def _take_separator_notes(paragraphs: list[_Para]) -> list[_Para]:
    """Footnotes printed after a ``_____`` separator (text from PDFs) become notes of the text above.

    The paragraphs after the separator that open with a mark (``1 See resolution ...``, ``* Note``)
    are the notes; each is attached to the paragraph (among the twelve before the separator) where its
    mark is glued to a word (``Child4``, ``respectively,13``), which gets the ``[^mark]`` call, else to
    the paragraph just before the separator.
    """
    out: list[_Para] = []
    index = 0
    while index < len(paragraphs):
        para = paragraphs[index]
        index += 1
        if not para.separator:
            out.append(para)
            continue
        while index < len(paragraphs) and _note_of(paragraphs[index]) is not None:
            mark, text = _note_of(paragraphs[index])
            _attach_note(out, mark, text)
            index += 1
    return out


def _note_of(para: _Para) -> tuple[str, str] | None:
    if not para.plain:
        return None
    if para.label and re.fullmatch(r"\d{1,3}|\*{1,3}", para.label):
        return para.label, para.text
    match = _NOTE_MARK.match(para.text) if para.label is None else None
    return (match.group("mark"), para.text[match.end() :]) if match else None


def _attach_note(out: list[_Para], mark: str, text: str) -> None:
    glued = re.compile(rf"(?<=[^\W\d_]|[\)”\",;])({re.escape(mark)})(?=[\s,;.:)]|$)")
    body = [p for p in out if p.plain]
    for para in reversed(body[-12:]):
        matches = list(glued.finditer(para.text))
        if matches:
            last = matches[-1]
            para.text = para.text[: last.start()] + footnote_call(mark) + para.text[last.end() :]
            para.notes.append((mark, text))
            return
    if body:
        body[-1].notes.append((mark, text))
    else:
        out.append(_Para(text, label=mark))


def _join_continuations(paragraphs: list[_Para]) -> list[_Para]:
    """Join a paragraph split at a page break.

    A paragraph continues the one before when it has no label and that one does not end a sentence,
    and it starts lowercase, or (a capitalised word broken off a long paragraph, "...Convention on
    Biological" + "Diversity and ...") the one before has 20 words or more and ends in a word.
    """
    out: list[_Para] = []
    for para in paragraphs:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.plain
            and para.plain
            and para.label is None
            and not _SENTENCE_END.search(prev.text)
            and (
                para.text[:1].islower()
                or (para.text[:1].isupper() and len(prev.text.split()) >= 20 and prev.text[-1:].isalpha())
            )
        ):
            prev.text = f"{prev.text} {para.text}"
            prev.notes.extend(para.notes)
            continue
        out.append(para)
    return out


_REFERENCE_WORDS = re.compile(
    r"(?:paragraphs?|paras?\.?|resolutions?|sections?|articles?|annex(?:es)?|chapters?|no\.?|items?|rules?|and|to)$",
    re.I,
)


def _split_run_in_paragraphs(paragraphs: list[_Para]) -> list[_Para]:
    """Split numbered paragraphs that extraction ran into the text before them.

    UN paragraphs are numbered in sequence; where a paragraph holds `` 13. We ...`` and the last
    numbered paragraph was 12 (or 11, when one number was lost), the text from ``13.`` on is paragraph
    13. Only the next expected numbers, followed by a capitalised word, and not after a word that
    cites a number ("paragraph 13. We"), split a paragraph.
    """
    out: list[_Para] = []
    last = 0
    for para in paragraphs:
        if para.label and re.fullmatch(r"\d{1,3}\.", para.label):
            last = int(para.label[:-1])
        pieces = [para]
        while pieces[-1].plain:
            current = pieces[-1]
            found = None
            for expected in (last + 1, last + 2) if last else ():
                for match in re.finditer(rf"(?<=\S) {expected}\.\s+(?=[A-Z])", current.text):
                    before = current.text[: match.start()]
                    if not _REFERENCE_WORDS.search(before):
                        found = found if found and found[1].start() < match.start() else (expected, match)
                        break
            if found is None:
                break
            expected, match = found
            tail = _Para(current.text[match.end() :], label=f"{expected}.")
            current.text = current.text[: match.start()]
            tail.notes, current.notes = current.notes, []
            pieces.append(tail)
            last = expected
        out.extend(pieces)
    return out


def _write(paragraphs: list[_Para], definitions: dict[str, str]) -> ReadingText:
    """The reading text; markdown notes follow the first paragraph that calls them, uncalled ones end it."""
    out = ReadingText()
    written: set[str] = set()
    for para in paragraphs:
        if para.rows is not None:
            out.table(para.rows)
        else:
            out.paragraph(para.text, label=para.label, heading=para.heading)
        for mark, text in para.notes:
            out.footnote(mark, text)
        calls = FOOTNOTE_CALL.finditer(para.text + " " + " ".join(" ".join(r) for r in para.rows or []))
        for call in calls:
            mark = call.group("mark")
            if mark in definitions and mark not in written:
                written.add(mark)
                out.footnote(mark, definitions[mark])
    for mark, text in definitions.items():
        if mark not in written:
            out.footnote(mark, text)
    return out
