"""Unit tests for enrichment: entity linking, stance polarity rules, offsets, robustness.

Plain pytest, no Kafka. One Enricher per module (spaCy loads once).
"""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from schemas import Article
from stream.nlp.enricher import EXTRACTOR_VERSION, PIPELINE_VERSION, Enricher
from stream.settings import Settings


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(Settings(strict=True))  # a rule error fails the test instead of being skipped


def art(body: str, aid: str = "t-1", when: str = "2026-10-15T12:00:00Z") -> Article:
    return Article(id=aid, published_at=datetime.fromisoformat(when.replace("Z", "+00:00")), title="t", body=body)


def stances(enricher, body, **kw):
    return enricher.enrich(art(body, **kw)).stances


def find(ss, actor_id=None, topic=None, polarity=None):
    return [s for s in ss if (actor_id is None or s.actor.id == actor_id)
            and (topic is None or s.topic.id == topic) and (polarity is None or s.polarity == polarity)]


def ent_by_mention(out, text):
    for e in out.entities:
        if any(m.text == text for m in e.mentions):
            return e
    return None


# ------------------------------------------------------------------ entities
def test_metonyms_link_to_government(enricher):
    out = enricher.enrich(art("The Kremlin said on Monday that talks would continue. Officials in Moscow and Kyiv "
                              "confirmed the schedule, and the White House welcomed it."))
    assert ent_by_mention(out, "Kremlin").id == "Q159"
    assert ent_by_mention(out, "Moscow").id == "Q159"
    assert ent_by_mention(out, "Kyiv").id == "Q212"
    assert ent_by_mention(out, "White House").id == "Q30"


def test_surname_and_title_coreference(enricher):
    body = ("Trade envoy Miroslav Hatvany said the talks had stalled. Hatvany added that a deal was possible. "
            "Mr. Hatvany declined to give details.")
    out = enricher.enrich(art(body))
    ids = {ent_by_mention(out, t).id for t in ("Miroslav Hatvany", "Hatvany")}
    assert len(ids) == 1
    e = ent_by_mention(out, "Miroslav Hatvany")
    assert e.type == "PERSON" and len(e.mentions) >= 2


def test_unknown_entity_ids_are_stable_across_articles(enricher):
    a = enricher.enrich(art("The Arvantis Workers Guild said its members backed the strike.", aid="a"))
    b = enricher.enrich(art("Leaders of the Arvantis Workers Guild met on Friday.", aid="b"))
    ea = [e.id for e in a.entities if "Arvantis" in e.name]
    eb = [e.id for e in b.entities if "Arvantis" in e.name]
    assert ea and ea == eb


def test_kb_person_role_gives_actor(enricher):
    ss = stances(enricher, "Kremlin spokesman Dmitry Peskov said Russia would not accept European troops in Ukraine.")
    hit = find(ss, "Q159", "european-troops-ukraine", "oppose")
    assert hit and hit[0].speaker is not None and hit[0].speaker.name == "Dmitry Peskov"


# ------------------------------------------------------------------ polarity rules
def test_negation_flips_to_oppose(enricher):
    ss = stances(enricher, "The Kremlin said on Wednesday it would not accept European troops in Ukraine.")
    assert find(ss, "Q159", "european-troops-ukraine", "oppose")
    assert not find(ss, "Q159", "european-troops-ukraine", "support")


def test_conditional_acceptance_is_support_with_condition(enricher):
    ss = stances(enricher, "Russian Foreign Minister Sergei Lavrov said that Moscow could accept European "
                           "peacekeepers in Ukraine if they were deployed under a United Nations mandate.")
    hit = find(ss, "Q159", "european-troops-ukraine", "support")
    assert hit
    assert hit[0].condition and hit[0].condition.startswith("if")
    assert hit[0].confidence > 0.5


@pytest.mark.parametrize("body,pol", [
    ("The German government dropped its objection to joint EU borrowing for defence on Monday.", "support"),
    ("The German government withdrew its support for joint EU borrowing for defence on Monday.", "oppose"),
])
def test_reversal_verbs(enricher, body, pol):
    ss = stances(enricher, body)
    assert find(ss, "Q183", "joint-eu-borrowing", pol), ss
    assert not find(ss, "Q183", "joint-eu-borrowing", "support" if pol == "oppose" else "oppose")


def test_passive_agent_is_actor(enricher):
    ss = stances(enricher, "The proposal for a levy on private-jet flights was rejected by the Irish government on Tuesday.")
    assert find(ss, "Q27", "aviation-levy", "oppose")


def test_past_position_is_marked_past(enricher):
    body = ("The teachers' union said on Monday it would now accept the government's pay offer for teachers. "
            "The National Education Union had rejected the pay offer for teachers in September.")
    ss = stances(enricher, body)
    past = [s for s in ss if s.polarity == "oppose"]
    assert past and all(s.tense == "past" for s in past)
    assert past[0].stated_at is not None and past[0].stated_at.month == 9


@pytest.mark.parametrize("body", [
    # an explicit earlier date on the cue verb
    "On Aug. 28, German finance ministry spokesman Tobias Krenz said Germany would not support joint EU borrowing for defence.",
    # a pluperfect cue: the position in its content is past
    "At the start of the talks, the German finance minister had said Berlin would not support joint EU borrowing for defence.",
    # "as recently as" + a month before publication
    "As recently as early September, the German government said it opposed joint EU borrowing for defence.",
])
def test_cue_tense_governs_content(enricher, body):
    ss = find(stances(enricher, body, when="2026-10-20T12:00:00Z"), "Q183", "joint-eu-borrowing")
    assert ss and all(s.tense == "past" for s in ss), [(s.polarity, s.tense, s.evidence.text) for s in ss]


def test_present_cue_stays_current(enricher):
    ss = find(stances(enricher, "Germany said on Tuesday it would not support joint EU borrowing for defence.",
                      when="2026-10-20T12:00:00Z"), "Q183", "joint-eu-borrowing", "oppose")
    assert ss and all(s.tense == "current" for s in ss)


def test_call_addressed_to_actor_in_quote_is_not_its_stance(enricher):
    body = ('"Our patience is gone," said Marta Kowalczyk, president of the Rhine Valley Farmers\' Union, which represents grain growers in the region. '
            '"Berlin should support joint EU borrowing for defence before the next summit." '
            'Farm incomes fell for a third year.')
    ss = stances(enricher, body)
    assert not find(ss, "Q183", "joint-eu-borrowing"), [(s.actor.id, s.polarity, s.evidence.text) for s in ss]
    assert all(s.actor.id.startswith("ent:org:") for s in ss), [(s.actor.id, s.polarity) for s in ss]


def test_enabling_for_to_clause_is_not_a_stance(enricher):
    body = ("Diplomats said Indonesia was in talks on a financing package for its power sector, "
            "which could open the way for it to join the coal phase-out pledge.")
    ss = stances(enricher, body)
    assert not find(ss, "Q252", polarity="support"), [(s.actor.id, s.polarity, s.evidence.text) for s in ss]


def test_criticising_an_actor_is_a_stance_toward_that_actor(enricher):
    # Issue 13 reversed an earlier choice: an actor criticised is a target (its own entity id is the
    # topic), never the catalogue topic of the sentence before, and the pledge stances stay.
    body = ("India and Indonesia declined to sign the coal phase-out pledge. "
            "The campaign group Coal Free Future criticised India and Indonesia.")
    ss = stances(enricher, body)
    got = [(s.actor.name, s.topic.id, s.polarity) for s in ss]
    group = [s for s in ss if "coal" in s.actor.name.lower()]
    assert group and all(s.polarity == "oppose" and s.topic.id in ("Q668", "Q252") for s in group), got
    assert find(ss, "Q668", "coal-phase-out", "oppose") and find(ss, "Q252", "coal-phase-out", "oppose"), got


@pytest.mark.parametrize("body", [
    "Will Germany support joint EU borrowing for defence?",
    "If Germany backs joint EU borrowing for defence, the Netherlands will be isolated.",
    "The German government denied a newspaper report that it was ready to support joint EU borrowing for defence.",
    "\"I expect Meta to sign the AI code of practice before Christmas,\" said Tomas Ferreira, a technology analyst.",
])
def test_questions_hypotheticals_denials_speculation_give_nothing(enricher, body):
    ss = stances(enricher, body)
    assert not [s for s in ss if s.polarity == "support"], [(s.actor.name, s.topic.id, s.polarity) for s in ss]


def test_unseen_target_gets_stable_fallback_topic(enricher):
    a = stances(enricher, "The Ruritanian government rejected the proposal for a lighthouse tax.", aid="x1")
    b = stances(enricher, "Ruritania's government again rejected the lighthouse tax proposal.", aid="x2")
    ta = {s.topic.id for s in a}
    tb = {s.topic.id for s in b}
    assert ta and ta & tb or not ta  # when found, the same target wording lands on the same id


# ------------------------------------------------------------------ offsets, ids, versions
BODY = ("The Kremlin said on Wednesday it would not accept European troops in Ukraine.\n"
        "Kremlin spokesman Dmitry Peskov told reporters: \u201cThe presence of NATO in Ukraine is unacceptable.\u201d\n"
        "Poland's finance ministry urged Berlin to support joint borrowing. \"It is the right step,\" it said.")


def test_offsets_equal_body_slices(enricher):
    out = enricher.enrich(art(BODY))
    body = out.article.body
    for e in out.entities:
        for m in e.mentions:
            assert body[m.start:m.end] == m.text
    for a in out.attributions:
        for sp in (a.speaker, a.cue, a.content):
            assert body[sp.start:sp.end] == sp.text
    assert out.stances
    for s in out.stances:
        assert body[s.evidence.start:s.evidence.end] == s.evidence.text
        assert 0.0 <= s.confidence <= 1.0
        assert s.extractor_version == EXTRACTOR_VERSION
    assert out.pipeline_version == PIPELINE_VERSION


def test_ids_are_deterministic_and_batching_is_equivalent(enricher):
    a1 = enricher.enrich(art(BODY))
    a2 = enricher.enrich(art(BODY))
    assert [s.id for s in a1.stances] == [s.id for s in a2.stances]
    many = list(enricher.enrich_many([art(BODY, aid="t-1"), art("Nothing here.", aid="t-2")]))
    assert [s.model_dump(exclude={"processed_at"}) for s in many[0].stances] == \
        [s.model_dump(exclude={"processed_at"}) for s in a1.stances]
    assert len({s.id for s in a1.stances}) == len(a1.stances)


# ------------------------------------------------------------------ robustness
ADVERSARIAL = [
    "", " ", "\n\n\n", "\"", "\u201c unbalanced quote with no end", "He said \"yes. She said \u201cno",
    "<html><body><p>The Kremlin <b>rejected</b> the plan.</p><script>x=1</script></body></html>",
    "THE KREMLIN SAID IT WOULD NOT ACCEPT EUROPEAN TROOPS IN UKRAINE. PESKOV SAID SO.",
    "Le Kremlin a rejet\u00e9 le plan. Die Bundesregierung lehnt gemeinsame Schulden ab. \u041a\u0440\u0435\u043c\u043b\u044c.",
    "\u0000\u0001\u0002 junk \ufffd\ufffd \U0001F600\U0001F600 ;;;; ,,,, ''''",
    "said said said said rejected rejected support oppose \" \" \" ' ' '",
    "a" * 5000,
    ("The Kremlin said it would not accept European troops. " * 40 + "\n") * 90,  # ~200 KB
]


@pytest.mark.parametrize("body", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_enrich_never_raises_on_adversarial_text(enricher, body):
    out = enricher.enrich(art(body))
    assert out.article_id == "t-1"
    for s in out.stances:
        assert body[s.evidence.start:s.evidence.end] == s.evidence.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
       | st.lists(st.sampled_from(["The", "Kremlin", "said", "it", "would", "not", "accept", "\"", "\u201c", "\u201d",
                                   "Peskov", "rejected", "the", "plan", ".", ",", "if", "?", "\n", "Germany", "backed",
                                   "joint", "borrowing", "Mr.", "NATO", "troops", "by", "was"]), max_size=80).map(" ".join))
def test_enrich_never_raises_hypothesis(enricher, body):
    out = enricher.enrich(art(body))
    for e in out.entities:
        for m in e.mentions:
            assert body[m.start:m.end] == m.text
    for s in out.stances:
        assert body[s.evidence.start:s.evidence.end] == s.evidence.text


def test_named_person_in_apposition_speaks_for_the_named_organisation(enricher):
    body = ("The Federation of Metal Workers on Monday rejected a 3 percent wage offer from the Baltic Shipbuilders "
            "Association, saying it did not match inflation.\n"
            "The shipbuilders' association said the offer was final. Its chief executive, Johan van Dijk, said the "
            "association wanted further talks but warned that strike action would hurt exports.")
    out = enricher.enrich(art(body))
    assert ent_by_mention(out, "Johan van Dijk").type == "PERSON"
    assert ent_by_mention(out, "Baltic Shipbuilders Association") is not None  # not cut to the place name
    unions = [s for s in out.stances if "federation" in s.actor.id]
    assert unions and all(body.index("Its chief") > s.evidence.start for s in unions), \
        [(s.actor.id, s.evidence.text) for s in unions]
    assert all(s.speaker is None or s.speaker.name != "Johan van Dijk" for s in unions)


def test_minister_without_country_speaks_for_the_article_country_not_an_earlier_bloc(enricher):
    body = ("Portugal could accept the European Union's fisheries quota plan if Brussels raises compensation for "
            "fishing towns, Foreign Minister Rui Almeida said on Tuesday.\n"
            "\"If the European side pays for the transition, we can accept the plan,\" Almeida told reporters.")
    out = enricher.enrich(art(body))
    by_almeida = [s for s in out.stances if s.speaker is not None and s.speaker.name == "Rui Almeida"]
    assert by_almeida and {s.actor.name for s in by_almeida} == {"Portugal"}, [(s.actor.name, s.evidence.text) for s in out.stances]


def test_a_deal_refers_to_the_pay_offer_not_the_strikes_it_ends(enricher):
    body = ("The Nurses Union said on Thursday it accepts the revised pay offer from the hospital trust, ending the "
            "threat of strikes at hospitals across the region.\n"
            "Union president Ana Silva said the improved offer was \"a deal our members can support\".")
    ss = enricher.enrich(art(body)).stances
    assert ss and not find(ss, topic="strike-action", polarity="support"), [(s.topic.id, s.polarity) for s in ss]
    assert find(ss, topic="pay-offer", polarity="support")


def test_rule_errors_are_counted_and_raised_when_strict(monkeypatch):
    """A rule error is logged and counted (lenient) or raised (strict), never silently skipped."""
    from stream.nlp import errors
    from stream.nlp.stance import StanceExtractor

    def boom(self, ctx, tok):
        raise RuntimeError("rule bug")

    lenient = Enricher(Settings(strict=False))
    body = "The minister said the government rejects the plan."
    monkeypatch.setattr(StanceExtractor, "_from_token", boom)
    before = errors.count()
    before_metric = errors.RULE_ERRORS.labels("stance.trigger")._value.get()
    out = lenient.enrich(art(body))
    assert out.article_id == "t-1" and errors.count() > before
    assert errors.RULE_ERRORS.labels("stance.trigger")._value.get() > before_metric
    strict = Enricher(Settings(strict=True))
    with pytest.raises(RuntimeError, match="rule bug"):
        strict.enrich(art(body))
