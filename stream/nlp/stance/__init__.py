"""Stance extraction over the parsed candidate sentences (rules over the dependency parse).

A stance = (actor, target, polarity). Sources:
  * stance verbs ("rejected the offer", "backed joint borrowing", passive "was rejected by X",
    participles "a proposal backed by Denmark"), composed through control verbs
    ("refused to sign", "urged Berlin to support", "was ready to support") and negation
    ("would not accept" -> oppose);
  * reversal verbs over stance nouns ("dropped its objection to" -> support,
    "withdrew its support for" -> oppose) and stance nouns ("Russia's opposition to X");
  * stance adjectives ("remains opposed to", "unacceptable", "in favour of");
  * evaluative statements inside an attributed quote/content ("The duties are unjustified",
    "This is a strong offer", "Tariffs would hurt consumers").
Questions, hypotheticals ("if"/"whether" clauses), denied reports and speculation verbs
("expect", "predict", "could mark") produce nothing. Past positions ("had rejected", "last
month", "previously proposed") are kept with tense="past" and a ``stated_at`` when dated.

Layout (one concern per module; the rules are mixins of one class, so a new rule
is a method in the module of its concern, called from :meth:`StanceExtractor.extract`):

- :mod:`.extractor`: :class:`StanceExtractor`, the public entry (``context`` then ``extract``)
- :mod:`.config`: :class:`StanceConfig` (bounds and the error policy)
- :mod:`.triggers`: stance verbs, control verbs, negation, stance nouns and adjectives
- :mod:`.modality`: hypotheticals and quotations
- :mod:`.evaluative`: evaluative statements inside attributed content
- :mod:`.targets`: which catalogue topic a stance is about
- :mod:`.tense`: past positions and their dates
- :mod:`.records`: :class:`Candidate` (a typed candidate stance) -> ``StanceRecord``
- :mod:`.words`: token helpers and the trigger word forms
- word lists: :mod:`stream.nlp.lexicons`; who speaks for whom: :mod:`stream.nlp.actors`
"""
from stream.nlp.actors import Ctx, Who
from stream.nlp.stance.config import MAX_SENTENCES, StanceConfig
from stream.nlp.stance.extractor import StanceExtractor
from stream.nlp.stance.records import Candidate
from stream.nlp.stance.words import TRIGGER_FORMS

__all__ = ["Candidate", "Ctx", "MAX_SENTENCES", "StanceConfig", "StanceExtractor", "TRIGGER_FORMS", "Who"]
