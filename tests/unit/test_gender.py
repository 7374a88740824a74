"""He and she follow the genders the article tells (stream/nlp/gender.py), and role nouns as titles."""
from __future__ import annotations

from schemas import Article
from stream.nlp.entities import Ent
from stream.nlp.gender import agrees


def _enrich(text: str):
    from stream.nlp.enricher import Enricher
    from stream.settings import get_settings

    enr = Enricher(get_settings())
    return enr.enrich(Article.model_validate({"id": "g1", "published_at": "2016-05-01T00:00:00Z",
                                              "source": "test", "title": "Test", "body": text}))


def test_agrees_only_blocks_a_known_mismatch():
    e = Ent(id="p", name="A B", type="PERSON")
    assert agrees(e, "she") and agrees(e, "he")
    e.gender = "f"
    assert agrees(e, "she") and agrees(e, "her") and not agrees(e, "he") and not agrees(e, "his")
    assert agrees(e, "they") and agrees(None, "he")


def test_he_skips_the_woman_the_article_named_ms():
    out = _enrich("Gov. John Kasich met Sen. Maria Lopez on Tuesday. Ms. Lopez left early. "
                  "He said he opposes the tax plan.")
    assert [(s.actor.name, s.polarity) for s in out.stances] == [("John Kasich", "oppose")]


def test_role_noun_as_title_gives_the_holder_a_stance():
    out = _enrich("Donald Trump won Indiana. Longtime Trump critic Rick Wilson wrote a column.")
    got = {(s.actor.name, s.polarity, s.topic.id) for s in out.stances}
    trump = {e.id for e in out.entities if e.name == "Donald Trump"}
    assert any(a == "Rick Wilson" and p == "oppose" and t in trump for a, p, t in got), got
