"""The reader of instruments on small texts in the layouts of the genre, in English, French and Spanish.

The development set (tests/ingest/test_answer_keys.py) holds one document per format; these texts
hold the layouts it lacks: ITU resolutions in French and Spanish, appendices and annexes named
"to Resolution ...", Council decisions, WTPF opinions, UN paragraphs whose number was lost, reports
with numbered provisions. Each expectation is what a delegate would cite.
"""

from __future__ import annotations

from rag.parse import parse_document
from rag.types import DocumentMeta, ParsedDocument, Passage


def read(text: str, *, short_title: str = "Doc", symbol: str = "") -> ParsedDocument:
    meta = DocumentMeta(
        id="d",
        file="d.txt",
        title="T",
        short_title=short_title,
        event="",
        date="",
        kind="auto",
        symbol=symbol,
    )
    return parse_document(meta, text)


def by_words(doc: ParsedDocument, words: str) -> Passage:
    found = [p for p in doc.passages if words in p.text]
    assert len(found) == 1, [(p.id, p.text[:60]) for p in found] or [p.id for p in doc.passages]
    return found[0]


FRENCH = """RÉSOLUTION 1 (Rév. Hammamet, 2016)

Règlement intérieur de l'Assemblée mondiale de normalisation des télécommunications

L'Assemblée mondiale de normalisation des télécommunications (Hammamet, 2016),

considérant

a)\tque la Constitution et la Convention fixent les règles générales;

b)\tque des règles complémentaires sont nécessaires,

considérant en outre

a)\tque les méthodes de travail évoluent,

décide

1\tque les commissions d'études se réunissent selon le présent règlement;

1.3.2\tque les rapports sont publiés en temps utile;

charge le Directeur du Bureau de la normalisation des télécommunications

1\tde faire rapport à la prochaine Assemblée.
"""


def test_a_french_resolution_is_split_and_cited_in_its_own_words():
    doc = read(FRENCH, short_title="Résolution 1 (Rév. Hammamet, 2016)")
    a = by_words(doc, "fixent les règles générales")
    assert (a.instrument, a.clause, a.label) == ("Résolution 1 (Rév. Hammamet, 2016)", "considering", "a)")
    assert a.citation == "Résolution 1 (Rév. Hammamet, 2016), considérant, a)"
    further = by_words(doc, "méthodes de travail")
    assert further.clause == "considering" and further.citation.endswith("considérant en outre, a)")
    nested = by_words(doc, "rapports sont publiés")
    assert (nested.clause, nested.label) == ("resolves", "1.3.2")
    assert nested.citation.endswith("décide, 1, 1.3.2") or nested.citation.endswith("décide, 1.3.2")
    instructed = by_words(doc, "faire rapport")
    assert instructed.clause == "instructs" and instructed.citation.endswith("charge le Directeur du TSB, 1")
    assert by_words(doc, "Règlement intérieur").kind == "title"


SPANISH = """RESOLUCIÓN 2 (Rev. Dubái, 2018)

Foro Mundial de Política de las Telecomunicaciones/TIC

La Conferencia de Plenipotenciarios de la Unión Internacional de Telecomunicaciones (Dubái, 2018),

considerando

a)\tque el Foro ofrece un lugar de intercambio de opiniones;

resuelve

1\tmantener el Foro como lugar de debate,

encarga al Director de la Oficina de Desarrollo de las Telecomunicaciones

1\tque preste asistencia a los países en desarrollo,

invita a los Estados Miembros

a participar activamente en el Foro.
"""


def test_a_spanish_resolution_has_its_roles_and_abbreviated_addressee():
    doc = read(SPANISH, short_title="Final Acts")
    assert by_words(doc, "lugar de intercambio").clause == "considering"
    assert (
        by_words(doc, "mantener el Foro").citation
        == "Final Acts, Resolución 2 (Rev. Dubái, 2018), resuelve, 1"
    )
    assisted = by_words(doc, "preste asistencia")
    assert assisted.clause == "instructs" and "encarga al Director de la BDT" in assisted.citation
    body = by_words(doc, "participar activamente")  # a block with one unnumbered body is the passage
    assert body.clause == "invites" and body.label is None and body.kind == "clause"
    assert by_words(doc, "La Conferencia de Plenipotenciarios").kind == "preamble"


UN = """United Nations

General Assembly

A/RES/70/99

Distr.: General

Resolution adopted by the General Assembly on 10 December 2015

70/99.\tInformation and communications technologies for development

The General Assembly,

Recalling its resolution 69/204,[^1]

[^1]: See also resolution 68/198.

Deeply concerned that the digital divide persists,

1.\tWelcomes the progress made;

2.\tAlso requests the Secretary-General to report on:

(a)\tthe implementation of the present resolution;

(b)\tthe digital divide;

Decides to include the item in the provisional agenda of its seventy-first session.

82nd plenary meeting
10 December 2015
"""


def test_un_paragraphs_are_numbered_even_when_a_number_was_lost():
    doc = read(UN, short_title="A/RES/70/99", symbol="A/RES/70/99")
    pp = by_words(doc, "Deeply concerned")
    assert (pp.clause, pp.citation, pp.label) == ("concerned", "A/RES/70/99, preambular paragraph 2", None)
    op2 = by_words(doc, "Also requests")
    assert (op2.id, op2.clause, op2.label) == ("d/op-2", "requests", "2")
    sub = by_words(doc, "the digital divide;")
    assert (sub.id, sub.label, sub.clause) == ("d/op-2/b", "(b)", "requests")
    assert sub.citation == "A/RES/70/99, operative paragraph 2, (b)"
    lost = by_words(doc, "Decides to include")
    assert (lost.id, lost.label, lost.clause) == ("d/op-3", "3", "decides")
    note = by_words(doc, "See also resolution 68/198")
    assert (note.kind, note.citation) == ("footnote", "A/RES/70/99, footnote 1")
    assert by_words(doc, "82nd plenary meeting").citation == "A/RES/70/99, adoption"
    assert {p.instrument for p in doc.passages} == {"A/RES/70/99"}
    assert any("operative paragraph without a number" in w for w in doc.warnings)


APPENDIX = """RESOLUTION 1 (Rev. Hammamet, 2016)

Rules of procedure

The World Telecommunication Standardization Assembly (Hammamet, 2016),

resolves

1\tthat the rules in Appendix I apply.

Appendix I (to Resolution 1 (Rev. Hammamet, 2016))

Working methods

1\tStudy groups meet as needed.

ANNEX TO RESOLUTION 1 (REV. HAMMAMET, 2016)

a)\tthe first annexed item;
"""


def test_appendix_and_annex_items_belong_to_their_resolution():
    doc = read(APPENDIX, short_title="WTSA-16 Proceedings")
    item = by_words(doc, "Study groups meet")
    assert item.instrument == "Resolution 1 (Rev. Hammamet, 2016)" and item.kind == "annex"
    assert "Appendix I" in item.citation and item.clause is None
    annexed = by_words(doc, "first annexed item")
    assert annexed.instrument == "Resolution 1 (Rev. Hammamet, 2016)" and "annex" in annexed.citation.lower()


COUNCIL = """DECISION 641

Allocation of resources

The Council,

decides

1\tthat the amounts in the annex are approved;

2\tthat the Secretary-General shall report.

OPINION 2

Promoting an enabling environment

The sixth World Telecommunication/ICT Policy Forum (Geneva, 2021),

is of the view

that digital transformation needs investment,

invites Member States

1\tto share experience.
"""


def test_council_decisions_and_wtpf_opinions_are_instruments_with_roles():
    doc = read(COUNCIL, short_title="Collected texts")
    approved = by_words(doc, "amounts in the annex")
    assert (approved.instrument, approved.clause, approved.label) == ("Decision 641", "decides", "1")
    assert approved.id == "d/dec-641/decides/1"
    view = by_words(doc, "digital transformation needs investment")
    assert (view.instrument, view.clause) == ("Opinion 2", "is of the view")
    shared = by_words(doc, "share experience")
    assert shared.citation == "Collected texts, Opinion 2, invites Member States, 1"


REPORT = """# 1\tScope

This Recommendation describes working methods.

# 2\tStudy groups

## 2.1\tMeetings

2.1.1\tStudy groups meet to approve Recommendations.

The timetable is set a year in advance.

2.1.2\tMeetings are announced by collective letter:

–\tthe agenda;

–\tthe draft work plan.

NOTE – Remote participation is offered where possible.

| Edition | Approved |
| --- | --- |
| 1.0 | 1996-10-18 |
"""


def test_report_sections_numbered_paragraphs_indents_notes_and_tables():
    doc = read(REPORT, short_title="Recommendation ITU-T A.1")
    scope = by_words(doc, "describes working methods")
    assert scope.citation == "Recommendation ITU-T A.1, §1, paragraph 1" and scope.id == "d/1/p1"
    provision = by_words(doc, "meet to approve")
    assert (provision.id, provision.label, provision.citation) == (
        "d/2.1.1",
        "2.1.1",
        "Recommendation ITU-T A.1, §2.1.1",
    )
    assert provision.path[-2:] == ("2 Study groups", "2.1 Meetings")
    second = by_words(doc, "timetable is set")
    assert (second.id, second.label) == ("d/2.1.1/p2", None)
    assert second.citation == "Recommendation ITU-T A.1, §2.1.1, paragraph 2"
    indent = by_words(doc, "draft work plan")
    assert indent.citation == "Recommendation ITU-T A.1, §2.1.2, indent 2"
    assert by_words(doc, "Remote participation").label == "NOTE"
    row = by_words(doc, "1996-10-18")
    assert row.kind == "table-row" and row.text == "1.0 | 1996-10-18"


def test_every_passage_span_holds_its_text_and_no_two_overlap():
    for text in (FRENCH, SPANISH, UN, APPENDIX, COUNCIL, REPORT):
        doc = read(text)
        spans = sorted((p.start, p.end) for p in doc.passages)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
        assert len({p.id for p in doc.passages}) == len(doc.passages)


WSIS = """# Declaration of Principles

Building the Information Society: a global challenge in the new Millennium

## A. Our Common Vision of the Information Society

1.\tWe, the representatives of the peoples of the world, assembled in Geneva, declare our common desire \
to build a people-centred Information Society.

2.\tOur challenge is to harness the potential of information and communication technology.

## B. An Information Society for All: Key Principles

19.\tWe are resolute in our quest to ensure that everyone can benefit from the opportunities.

20.\tWe reaffirm the universality of human rights.
"""


def test_a_wsis_declaration_numbers_its_paragraphs_across_sections():
    doc = read(WSIS, short_title="WSIS Geneva Declaration")
    first = by_words(doc, "declare our common desire")
    assert (first.instrument, first.id, first.label) == ("Declaration of Principles", "d/1", "1")
    assert first.citation == "WSIS Geneva Declaration, Declaration of Principles, paragraph 1"
    assert first.clause == "declares" and "A. Our Common Vision of the Information Society" in " ".join(
        first.path
    )
    assert by_words(doc, "universality of human rights").clause == "reaffirms"
    assert by_words(doc, "harness the potential").clause is None
    assert by_words(doc, "global challenge in the new Millennium").kind == "title"


WRAPPED = """RESOLUTION 9 (Rev. Kigali, 2022)

Participation of countries

The World Telecommunication Development Conference (Kigali, 2022),

instructs the Director of the Telecommunication Development Bureau, in collaboration with

the Director of the Radiocommunication Bureau

1\tto assist developing countries;

1bis\tto report annually;

resolves to instruct the Director of the Radiocommunication Bureau

a)\tto publish the studies;

b)bis\tto keep them current.
"""


def test_a_role_heading_wrapped_over_two_lines_and_bis_items():
    doc = read(WRAPPED, short_title="WTDC-22 Final Report")
    assisted = by_words(doc, "assist developing countries")
    assert assisted.clause == "instructs" and assisted.citation.endswith("instructs the Director of BDT, 1")
    assert "in collaboration with the Director of the Radiocommunication Bureau" in (assisted.lead_in or "")
    bis = by_words(doc, "report annually")
    assert (bis.label, bis.clause) == ("1bis", "instructs")
    published = by_words(doc, "publish the studies")
    assert published.clause == "resolves" and "resolves to instruct the Director of BR" in published.citation
    assert by_words(doc, "keep them current").label == "b)bis"
