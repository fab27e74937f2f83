"""convert_akn: the PP-18 Final Acts (64 instruments) and small Akoma Ntoso documents of other kinds."""

from __future__ import annotations

from functools import cache

import pytest

from rag.errors import UnsupportedFormatError
from rag.ingest.akn import convert_akn
from rag.ingest.base import SourceFormat
from tests.conftest import more_file

FINAL_ACTS = "itu-pp18-final-acts.akn.xml"
AKN = 'xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"'


@cache
def final_acts():  # type: ignore[no-untyped-def]
    return convert_akn(more_file(FINAL_ACTS).read_bytes(), name=FINAL_ACTS)


def lines() -> list[str]:
    return final_acts().text.split("\n\n")


def block_after(first: str, count: int) -> list[str]:
    at = lines().index(first)
    return lines()[at : at + count]


def test_instrument_heading_title_formula_and_role_word_as_printed():
    assert block_after("RESOLUTION 2 (REV. DUBAI, 2018)", 5) == [
        "RESOLUTION 2 (REV. DUBAI, 2018)",
        "World telecommunication/information and communication technology policy forum",
        "The Plenipotentiary Conference of the International Telecommunication Union (Dubai, 2018),",
        "considering",
        "a)\trelevant resolutions of the United Nations General Assembly (UNGA);",  # <num> was missing
    ]
    assert "DECISION 5 (REV. DUBAI, 2018)" in lines()
    assert sum(1 for x in lines() if x.startswith("RESOLUTION ")) == 61


def test_recitals_with_num_and_items_whose_num_was_missing():
    assert (
        "b)\tthe WSIS+10 statement on the implementation of World Summit on the Information"
        in final_acts().text
    )
    at = lines().index("conscious")
    assert lines()[at + 1].startswith("a)\tthat the purposes of the Union are, inter alia, to promote")
    assert lines()[at + 2].startswith("b)\tthat ITU remains uniquely positioned")
    # No item is left with its label run into the words.
    assert not any(x[:3] in ("a) ", "b) ") for x in lines())


def test_operative_blocks_and_items():
    at = lines().index("RESOLUTION 2 (REV. DUBAI, 2018)")
    part = lines()[at:]
    resolves = part.index("resolves")
    assert part[resolves + 1] == (
        "1\tto hold WTPF preferably back to back with the WSIS Forum 2021, taking account of the need to "
        "ensure adequate preparation by Member States;"
    )
    assert part[resolves + 2].startswith("2\tthat WTPF, as established by Resolution 2 (Kyoto, 1994)")
    assert "instructs the Secretary-General" in part
    assert "further instructs the ITU Council" in part


def test_run_in_items_are_split_at_the_next_expected_number():
    # Decision 5, decides 1: "...the following: 1.1 that ...; 1.2 that ..." in one <p>.
    assert (
        "1.1\tthat the amount of the contributory unit of Member States for the years 2020-2023 "
        "shall remain unchanged at CHF 318 000;" in lines()
    )
    assert any(x.startswith("1.4\tthat the Council shall each year review the revenue") for x in lines())
    # Resolution 2, resolves 9 with "...; 10 that broad participation ..." run into it.
    assert (
        "10\tthat broad participation in WTPF and operational efficiency during the forum shall "
        "be facilitated," in lines()
    )
    # A number that is not the next one stays in the words.
    assert any(
        "Resolution 2 (Kyoto, 1994) of the Plenipotentiary Conference, shall be maintained" in x
        for x in lines()
    )


def test_points_of_a_list_keep_their_num():
    assert (
        "4.1\tsalary scales, pension contributions and allowances, including post adjustments, "
        "established by the United Nations common system and applicable to the staff employed by the Union;"
        in lines()
    )


def test_inline_footnote_becomes_call_and_note_after_the_calling_paragraph():
    calling = next(
        i for i, x in enumerate(lines()) if "interests and needs of the developing countries[^1]," in x
    )
    assert lines()[calling].startswith("d)\tthat WTPF should continue to give special attention")
    assert lines()[calling + 1] == (
        "[^1]: These include the least developed countries, small island developing states, landlocked "
        "developing countries and countries with economies in transition."
    )
    assert "____" not in final_acts().text


def test_metadata_hints_from_frbr():
    converted = final_acts()
    assert converted.format is SourceFormat.AKN
    assert converted.metadata == {
        "date": "2018-11-15",
        "lang": "en",
        "author": "ITU Plenipotentiary Conference (Dubai, 2018)",
        "title": "FINAL ACTS of the Plenipotentiary Conference (Dubai, 2018)",
    }


# --- other Akoma Ntoso documents --------------------------------------------------------------------

UN_RESOLUTION = f"""<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso {AKN}><statement name="resolution">
 <meta><identification source="#un"><FRBRWork><FRBRthis value="/akn/un/x"/><FRBRuri value="/akn/un"/>
  <FRBRdate date="2025-12-15" name="adoption"/><FRBRauthor href="#ga"/><FRBRcountry value="un"/>
  <FRBRnumber value="80-118" showAs="80/118"/></FRBRWork>
  <FRBRExpression><FRBRthis value="/x"/><FRBRuri value="/x"/><FRBRdate date="2025-12-15" name="adoption"/>
  <FRBRauthor href="#ga"/><FRBRlanguage language="fra"/></FRBRExpression></identification>
  <references source="#un"><TLCOrganization eId="ga" href="/ga" showAs="General Assembly"/></references>
   </meta>
 <preface><p><docNumber>A/RES/80/118</docNumber></p>
  <longTitle><p>
   <docTitle>Information and communications technologies for sustainable development</docTitle></p>
    </longTitle></preface>
 <preamble><formula name="enactingFormula"><p>The General Assembly,</p></formula>
  <recitals><recital eId="pp_1"><p>
   <i>Recalling</i> its resolution 79/194,<authorialNote marker="1" placement="bottom">
    <p>See A/79/1.</p></authorialNote> and</p></recital></recitals></preamble>
 <mainBody><paragraph eId="op_1"><num>1.</num><content><p><i>Decides</i> to act:</p></content>
   <list><point><num>(a)</num><content><p>first;</p></content></point><point><num>(b)</num><content><p>second;</p></content></point></list>
  </paragraph><paragraph eId="op_2"><num>2.</num><content><p><i>Requests</i> a report.</p></content>
   </paragraph></mainBody>
</statement></akomaNtoso>""".encode()


def test_un_resolution_preambular_and_operative_paragraphs_and_notes():
    converted = convert_akn(UN_RESOLUTION, name="a-res-80-118.xml")
    assert converted.text.split("\n\n") == [
        "A/RES/80/118",
        "Information and communications technologies for sustainable development",
        "The General Assembly,",
        "Recalling its resolution 79/194,[^1] and",
        "[^1]: See A/79/1.",
        "1.\tDecides to act:",
        "(a)\tfirst;",
        "(b)\tsecond;",
        "2.\tRequests a report.\n",
    ]
    assert converted.metadata == {
        "date": "2025-12-15", "lang": "fr", "author": "General Assembly", "symbol": "A/RES/80/118",
        "title": "Information and communications technologies for sustainable development",
    }  # fmt: skip


ACT = f"""<akomaNtoso {AKN}><act name="act"><meta/><body>
 <chapter eId="chp_1"><num>Chapter I</num><heading>General provisions</heading>
  <article eId="art_1"><num>Article 1</num><heading>Definitions</heading>
   <paragraph><num>1.</num><content><p>For the purposes of this Act:</p></content></paragraph>
   <paragraph><num>2.</num><intro><p>The Authority shall:</p></intro>
    <point><num>(a)</num><content><p>regulate<eol/>spectrum;</p></content></point>
    <wrapUp><p>as the Minister directs.</p></wrapUp></paragraph>
   <paragraph><content><table><tr><th><p>Band</p></th><th><p>Use</p></th></tr><tr><td><p>C</p></td><td><p>satellite</p></td></tr></table></content></paragraph>
  </article></chapter></body>
 <attachments><attachment><doc name="annex"><preface><p>ANNEX</p></preface><mainBody><p>Annex text.</p>
  </mainBody></doc></attachment></attachments>
</act></akomaNtoso>""".encode()


def test_generic_act_hierarchy_headings_points_tables_and_attachments():
    assert convert_akn(ACT, name="act.xml").text.split("\n\n") == [
        "# Chapter I\tGeneral provisions",
        "## Article 1\tDefinitions",
        "1.\tFor the purposes of this Act:",
        "2.\tThe Authority shall:",
        "(a)\tregulate spectrum;",
        "as the Minister directs.",
        "| Band | Use |\n| --- | --- |\n| C | satellite |",
        "ANNEX",
        "Annex text.\n",
    ]


def test_entities_that_read_files_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE akomaNtoso [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f"<akomaNtoso {AKN}><doc name='x'><mainBody><p>before &xxe; after</p></mainBody></doc></akomaNtoso>"
    ).encode()
    text = convert_akn(xml, name="xxe.xml").text
    assert "TOP-SECRET-CONTENT" not in text
    assert text.startswith("before")


def test_entity_expansion_bomb_is_not_expanded():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE akomaNtoso [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        f"<akomaNtoso {AKN}><doc name='x'><mainBody><p>x &d; y</p></mainBody></doc></akomaNtoso>"
    ).encode()
    assert len(convert_akn(xml, name="bomb.xml").text) < 100


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not xml", "not well-formed XML"),
        (b"<html><body><p>x</p></body></html>", "not Akoma Ntoso"),
        (b"<?xml version='1.0'?><TEI xmlns='http://www.tei-c.org/ns/1.0'><text/></TEI>", "not Akoma Ntoso"),
    ],
)
def test_not_akoma_ntoso_raises_unsupported_format(data, message):
    with pytest.raises(UnsupportedFormatError, match=message):
        convert_akn(data, name="x.xml")
