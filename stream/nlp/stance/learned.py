"""Learned stances: the dependency rules' findings and every actor clause, decided by the classifier.

This is the stage that reads real reporting (:mod:`stream.nlp.stance.reported` finds
candidates; :mod:`stream.nlp.stance.classifier` decides). It runs after the catalogue rules
of :class:`~stream.nlp.stance.StanceExtractor` and gives way to them: where those rules found
a stance of an actor in a sentence, nothing is added for that actor there. Offsets: the rules
work in the parsed Doc's characters; records carry body offsets through the
:class:`~stream.nlp.packing.CharMap`.
"""
from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from schemas import ActorRef, Evidence, SpeakerRef, StanceRecord, TopicRef
from stream.ids import short_hash
from stream.nlp.attribution import RawAttribution
from stream.nlp.entities import Ent, EntityIndex
from stream.nlp.errors import LENIENT, ErrorPolicy
from stream.nlp.gender import agrees
from stream.nlp.kb import KB, Actor
from stream.nlp.packing import CharMap
from stream.nlp.stance.candidates import CandidateFinder, StanceCandidate
from stream.nlp.stance.classifier import ClassifierConfig, StanceClassifier
from stream.nlp.stance.reported import Context, ReportedStances
from stream.nlp.topics import Catalogue

VERSION = "learned-1"

#: the institution a person speaks for, by the article's words, or None
SpeaksFor = Callable[[Ent], "Actor | Ent | None"]


@dataclass(frozen=True)
class LearnedConfig:
    """What a deployment may set on :class:`LearnedStances`."""

    enabled: bool = True
    classifier: ClassifierConfig = ClassifierConfig()
    errors: ErrorPolicy = LENIENT


class LearnedStances:
    """Stances of one article from candidates and the shipped classifier."""

    def __init__(self, kb: KB, config: LearnedConfig | None = None, catalogue: Catalogue | None = None):
        self.kb = kb
        self.catalogue = catalogue
        self.config = config or LearnedConfig()
        self._classifier: StanceClassifier | None = None

    @property
    def classifier(self) -> StanceClassifier | None:
        """The shipped classifier, loaded on first use (training needs only the candidates)."""
        if self._classifier is None and self.config.enabled:
            self._classifier = StanceClassifier(self.config.classifier)
        return self._classifier

    def context(self, article_id: str, sub, cmap: CharMap, ents: EntityIndex, raws: list[RawAttribution]) -> Context:
        """The rules' view of the article, in the parsed Doc's offsets."""
        def ent_at(s: int, e: int) -> Ent | None:
            return ents.at(cmap.start(s), cmap.end(e))

        def ent_before(pos: int, pred) -> Ent | None:
            return ents.before(cmap.start(pos), pred)

        quotes: list[tuple[int, int, Ent]] = []
        for r in raws:
            spk = ent_at(*r.speaker)
            tok = sub[r.speaker_root]
            if spk is None and tok.lower_ in ("he", "she"):
                spk = ent_before(tok.idx, lambda x: x.type == "PERSON" and agrees(x, tok.lower_))
            if spk is not None:
                quotes.append((r.content[0], r.content[1], spk))
        by_name: dict[str, Ent] = {}
        for e in ents.ents:
            for _, _, surface in e.mentions:
                by_name.setdefault(surface, e)
            by_name.setdefault(e.name.split()[-1], e)
        return Context(doc=sub, ent_at=ent_at, ent_before=ent_before, quote_speakers=quotes, by_name=by_name,
                       entities=ents.ents, article_id=article_id, errors=self.config.errors)

    def candidates(self, ctx: Context) -> list[StanceCandidate]:
        return CandidateFinder(ReportedStances(ctx)).find()

    def extract(self, article, body: str, sub, cmap: CharMap, ents: EntityIndex, raws: list[RawAttribution],
                existing: list[StanceRecord], speaks_for: SpeaksFor | None = None) -> list[StanceRecord]:
        """New records for ``article``, none where ``existing`` already has the actor in that sentence.
        ``speaks_for`` gives the institution a person speaks for by the article's own words (the
        rules' :meth:`~stream.nlp.actors.Ctx.affiliation`), so both stages file an official under
        the same actor."""
        if self.classifier is None or not len(sub) or not sub.has_annotation("DEP"):
            return []
        ctx = self.context(article.id, sub, cmap, ents, raws)
        decisions = self.classifier.decide(self.candidates(ctx))
        starts = [cmap.start(s.start_char) for s in sub.sents]

        def sentence(pos: int) -> int:
            return bisect.bisect_right(starts, pos) - 1

        by_id = {e.id: e for e in ents.ents}
        taken = {(sentence(r.evidence.start), r.actor.id) for r in existing}
        taken |= {(sentence(r.evidence.start), r.speaker.id) for r in existing if r.speaker is not None}
        # one polarity per actor and topic in an article: the more probable one (a reversal within one
        # article is reported as two articles would report it, by the tracker, not by this stage)
        best: dict[tuple[str, str], tuple[float, StanceRecord]] = {}
        for d in decisions:
            c = d.candidate
            bs, be = cmap.start(c.start), cmap.end(c.end)
            if not (0 <= bs < be <= len(body)):
                continue
            actor, speaker = self._actor(c, article, by_id.get(c.actor.id), speaks_for)
            if (sentence(bs), actor.id) in taken:
                continue
            topic_id, label = self._topic(c)
            if topic_id in (actor.id, c.actor.id):
                continue  # toward itself, once a spokesperson stands for the institution
            key = (actor.id, topic_id)
            if key in best and best[key][0] >= d.probability:
                continue
            rec = StanceRecord(
                id=short_hash(article.id, actor.id, topic_id, bs, be), article_id=article.id,
                published_at=article.published_at, actor=actor, speaker=speaker,
                topic=TopicRef(id=topic_id[:200], label=label[:200] or c.text[:200]),
                target_text=c.text[:300], polarity="support" if d.polarity > 0 else "oppose",
                confidence=round(min(0.95, d.probability), 3), evidence=Evidence(text=body[bs:be], start=bs, end=be),
                extractor_version=VERSION,
            )
            best[key] = (d.probability, rec)
        return [rec for _, rec in sorted(best.values(), key=lambda x: x[1].evidence.start)]

    def _topic(self, c: StanceCandidate) -> tuple[str, str]:
        """An entity target keeps the entity's id; another target takes the catalogue topic whose every
        keyword group it matches at word starts (the catalogue is an alias list, so "European forces" and
        "European peacekeepers" meet on one key), else its own head-phrase id. Only topics of two or more
        keyword groups qualify: one loose word ("challenge") would file any target under a catalogue topic."""
        if self.catalogue is not None and c.topic_id.startswith(("topic:", "clause:")):
            t = self.catalogue.match(c.text)
            if t is not None and len(t.groups) >= 2:
                return t.id, t.label
        return c.topic_id, c.topic_label

    def _actor(self, c: StanceCandidate, article, ent: Ent | None = None,
               speaks_for: SpeaksFor | None = None) -> tuple[ActorRef, SpeakerRef | None]:
        """A person with a role in the KB speaks for their institution ("Peskov" -> Russia), and so does
        one the article names as its official ("Teresa Bautista, executive director of the association")."""
        a = c.actor
        on = article.published_at.date() if article.published_at else None
        if a.type == "PERSON":
            ro = self.kb.role_org(a.id, on)
            org = ro[0] if ro is not None else None
            if org is None and ent is not None and speaks_for is not None:
                org = speaks_for(ent)
            if org is not None and org.id != a.id:
                return ActorRef(id=org.id, name=org.name, type=org.type), SpeakerRef(id=a.id, name=a.name)
        return ActorRef(id=a.id, name=a.name, type=a.type), None
