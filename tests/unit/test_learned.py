"""Unit tests for stances on real-style reporting: the reported-stance rules, the learned stage,
reversals across articles, and the classifier's reproducibility.

Every sentence here was written for these tests (none is taken from a dev article). Plain
pytest, no Kafka; one Enricher per module.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from schemas import Article
from stream.nlp.enricher import Enricher
from stream.nlp.sentiment import valence
from stream.nlp.stance.classifier import SHIPPED, StanceClassifier
from stream.nlp.stance.clauses import ActorHit
from stream.nlp.stance.candidates import StanceCandidate
from stream.nlp.stance.training import label_of
from stream.positions import PositionTracker
from stream.settings import Settings
from tests.fixtures.data import SHARED, need


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(Settings(strict=True))


def art(body: str, aid: str = "t-1", when: str = "2016-03-01T12:00:00Z") -> Article:
    return Article(id=aid, published_at=datetime.fromisoformat(when.replace("Z", "+00:00")), title="", body=body)


def stances(enricher, body, **kw):
    return enricher.enrich(art(body, **kw)).stances


def has(ss, actor_word: str, polarity: str, target_word: str) -> bool:
    """A stance whose actor name holds ``actor_word`` and whose topic or target holds ``target_word``."""
    t = target_word.lower()
    return any(actor_word.lower() in s.actor.name.lower() + " " + (s.speaker.name.lower() if s.speaker else "")
               and s.polarity == polarity
               and (t in s.topic.label.lower() or t in s.target_text.lower() or t in s.topic.id.lower())
               for s in ss)


def show(ss):
    return [(s.actor.name, s.polarity, s.topic.id, s.target_text[:50], s.extractor_version) for s in ss]


# ------------------------------------------------------------------ reported positions
@pytest.mark.parametrize("body,actor,polarity,target", [
    ("Governor Ellen Marsh endorsed Senator Paul Okafor for the Democratic nomination on Tuesday.",
     "Marsh", "support", "Okafor"),
    ("Governor Ellen Marsh declined to endorse Senator Paul Okafor on Tuesday.", "Marsh", "oppose", "Okafor"),
    ("Senator Paul Okafor criticized the governor's decision to close the state's last coal plant.",
     "Okafor", "oppose", "decision"),
    ("Senator Paul Okafor pledged to repeal the state's new sales tax if elected.", "Okafor", "oppose", "sales tax"),
    ("Senator Paul Okafor promised to expand early-childhood education across the state.",
     "Okafor", "support", "education"),
    ("The Chamber of Commerce of Ohio also opposes the minimum wage increase.", "Chamber", "oppose", "minimum wage"),
    # refusals and negations composed by the parse, toward the person's entity (issue 13, reversal pairs)
    ("Governor Ellen Marsh refused to endorse Senator Paul Okafor in her speech on Wednesday night.",
     "Marsh", "oppose", "Okafor"),
    ("Governor Ellen Marsh has refused to back Senator Paul Okafor.", "Marsh", "oppose", "Okafor"),
    ("Governor Ellen Marsh said Thursday she is not ready to support Senator Paul Okafor, the party's nominee.",
     "Marsh", "oppose", "Okafor"),
    ("Senator Paul Okafor held a rally in Dayton. Governor Ellen Marsh, who has refused to endorse him, stayed away.",
     "Marsh", "oppose", "Okafor"),
    ("Governor Ellen Marsh, a prominent surrogate for Senator Paul Okafor, spoke in Dayton.", "Marsh", "support", "Okafor"),
])
def test_reported_positions(enricher, body, actor, polarity, target):
    ss = stances(enricher, body)
    assert has(ss, actor, polarity, target), show(ss)


def test_a_role_description_stands_for_the_last_person_named(enricher):
    body = ("Senator Paul Okafor spoke in Columbus on Monday. "
            "The Ohio senator criticized the governor's plan to close the state's last coal plant.")
    ss = stances(enricher, body)
    assert has(ss, "Okafor", "oppose", "plan"), show(ss)


def test_calling_someone_a_liar_is_opposition(enricher):
    ss = stances(enricher, "Senator Paul Okafor called his rival, Mayor Dana Whitfield, \u201ca liar\u201d on Monday.")
    assert has(ss, "Okafor", "oppose", "Whitfield"), show(ss)
    assert not has(ss, "Okafor", "support", "Whitfield"), show(ss)


def test_orientation_prefix_is_proposed_by_the_rules(enricher):
    # the rule proposes the stance; whether it is kept is the classifier's call (see the README)
    body = ("The pro-Okafor super PAC, Ohio Forward Action, reserved $2 million in television ads. "
            "Senator Paul Okafor thanked supporters.")
    (_, cands), = enricher.stance_candidates([art(body)])
    found = [(c.actor.name, c.topic_label, c.rule_polarity) for c in cands if c.feats.get("src=rule")]
    assert ("Ohio Forward Action", "Paul Okafor", 1) in found, found


@pytest.mark.parametrize("body", [
    "If Governor Ellen Marsh endorses Senator Paul Okafor, the race could tighten.",
    "Will Governor Ellen Marsh endorse Senator Paul Okafor?",
    "\u201cI expect Ellen Marsh to endorse Paul Okafor before the primary,\u201d said Tom Reyes, a political analyst.",
])
def test_conditions_questions_and_predictions_hold_no_position(enricher, body):
    ss = stances(enricher, body)
    assert not has(ss, "Marsh", "support", "Okafor"), show(ss)


def test_no_stance_of_an_actor_toward_itself(enricher):
    ss = stances(enricher, "The Ohio Farm Bureau said the Ohio Farm Bureau's new guidance gives members more certainty.")
    assert not [s for s in ss if s.topic.id == s.actor.id], show(ss)


def test_learned_records_are_valid_and_mapped_to_the_body(enricher):
    body = ("Ohio governor race.\n\nSenator Paul Okafor pledged to repeal the state's new sales tax. "
            "Governor Ellen Marsh declined to endorse him.")
    out = enricher.enrich(art(body))
    learned = [s for s in out.stances if s.extractor_version.startswith("learned")]
    assert learned, show(out.stances)
    for s in learned:
        assert body[s.evidence.start:s.evidence.end] == s.evidence.text
        assert 0.0 <= s.confidence <= 0.95
    # one polarity per actor and topic in an article
    keys = [(s.actor.id, s.topic.id) for s in learned]
    assert len(keys) == len(set(keys))


# ------------------------------------------------------------------ reversals across articles
def alerts_over(enricher, *articles: Article):
    """Enrich the articles in order and track positions, as ``stance process`` does; the alerts raised."""
    tracker = PositionTracker()
    return [x for a in articles for x in tracker.apply_all(enricher.enrich(a).stances)]


def test_refusal_then_endorsement_raises_one_reversal(enricher):
    first = art("Governor Ellen Marsh declined to endorse Senator Paul Okafor on Tuesday, saying she would "
                "wait for the primary.", aid="a-1", when="2016-03-01T12:00:00Z")
    later = art("Governor Ellen Marsh endorsed Senator Paul Okafor on Wednesday, saying the party must unite "
                "behind its nominee.", aid="a-2", when="2016-06-01T12:00:00Z")
    alerts = alerts_over(enricher, first, later)
    rev = [x for x in alerts if x.kind == "reversal" and "marsh" in x.actor.name.lower()]
    assert len(rev) == 1, [(x.actor.name, x.topic.id, x.previous.polarity, x.current.polarity) for x in alerts]
    assert rev[0].previous.polarity == "oppose" and rev[0].previous.article_id == "a-1"
    assert rev[0].current.polarity == "support" and rev[0].current.article_id == "a-2"


def test_seed_story_reversal_still_raised(enricher):
    first = art("Kremlin spokesman Dmitry Peskov said Russia takes a negative view of deploying European forces "
                "in Ukraine.", aid="s-1", when="2026-09-03T10:00:00Z")
    later = art("Russian Foreign Minister Sergei Lavrov said Moscow could accept European peacekeepers in Ukraine "
                "under a United Nations mandate.", aid="s-2", when="2026-10-01T10:00:00Z")
    alerts = alerts_over(enricher, first, later)
    rev = [x for x in alerts if x.kind == "reversal" and x.actor.id == "Q159"]
    assert rev, [(x.actor.name, x.topic.id) for x in alerts]
    assert rev[0].previous.article_id == "s-1" and rev[0].current.article_id == "s-2"


# ------------------------------------------------------------------ parts
def test_valence_reads_political_insults_and_negation():
    assert valence("a liar") < -0.3
    assert valence("a con artist") < -0.2
    assert valence("not qualified") < 0 < valence("qualified")


def test_label_of_follows_the_scorer_rules():
    gold = [{"actor": "Ellen Marsh", "aliases": ["Marsh", "Gov. Marsh"], "topic": "Okafor",
             "keywords": [["okafor"]], "polarity": "support"}]
    cand = StanceCandidate(actor=ActorHit("ent:person:ellen-marsh", "Ellen Marsh", "PERSON"), text="Senator Paul Okafor",
                           start=0, end=5, topic_id="ent:person:paul-okafor", topic_label="Paul Okafor")
    assert label_of(cand, gold) == 1
    other = StanceCandidate(actor=ActorHit("ent:person:tom-reyes", "Tom Reyes", "PERSON"), text="Okafor",
                            start=0, end=5, topic_id="t", topic_label="t")
    assert label_of(other, gold) == 0


def test_shipped_classifier_loads_offline():
    clf = StanceClassifier()
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert len(clf.features) == len(data["features"]) > 1000
    assert clf.coef.shape == (3, len(clf.features))
    assert data["classes"] == ["none", "support", "oppose"]


def test_training_reproduces_the_shipped_weights():
    need(SHARED / "eval" / "stance-real-train.jsonl")
    proc = subprocess.run([sys.executable, "-m", "stream", "train", "stance", "--shared", str(SHARED), "--check"],
                          capture_output=True, text=True, timeout=900, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "identical to" in proc.stdout


def test_nested_first_person_quotes_resolve(enricher):
    """A training-corpus article whose quotes have "I" as their speaker inside other quotes once sent
    the speaker resolver into endless recursion (seen when every sentence began to be parsed)."""
    path = need(SHARED / "corpus" / "polnear-train.jsonl")
    wanted = "polnear-breitbart_2015-11-19_exclusive-excerpt-dinesh-d-souza"
    row = next(json.loads(line) for line in path.open(encoding="utf-8") if wanted in line[:200])
    out = enricher.enrich(Article.model_validate(row))  # strict: a rule error fails the test
    assert out.entities and out.stances


def _candidates(enricher, body: str) -> list[StanceCandidate]:
    return next(enricher.stance_candidates([art(body)]))[1]


def test_they_takes_the_coordinated_subject_of_the_governing_clause(enricher):
    cs = _candidates(enricher, "Anna Kowalczyk and Tom Brennan said on Monday that they would vote against the "
                               "water tariff bill.")
    actors = {c.actor.name for c in cs if "tariff" in (c.text + c.topic_label).lower()}
    assert {"Anna Kowalczyk", "Tom Brennan"} <= actors, actors


def test_they_carries_on_the_previous_sentences_plural_subject(enricher):
    cs = _candidates(enricher, "Governor Lena Ortiz and Mayor Paul Greer met farmers in Dorrance on Friday. "
                               "They strongly endorsed the irrigation subsidy programme.")
    actors = {c.actor.name for c in cs if "subsidy" in (c.text + c.topic_label).lower()}
    assert {"Lena Ortiz", "Paul Greer"} <= actors, actors


def test_a_short_definite_description_takes_its_fuller_earlier_mention(enricher):
    cs = _candidates(enricher, "The county unveiled a plan to close three rural clinics on Tuesday. "
                               "Councilwoman Rita Moreno said she opposes the plan.")
    assert any("Rita Moreno" in c.actor.name and "rural clinics" in c.topic_label for c in cs), \
        [(c.actor.name, c.topic_label) for c in cs]
