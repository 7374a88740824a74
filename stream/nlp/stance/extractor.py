"""The public entry of stance extraction: :class:`StanceExtractor`."""
from __future__ import annotations

from schemas import StanceRecord
from stream.nlp.actors import Ctx
from stream.nlp.entities import EntityIndex
from stream.nlp.kb import KB
from stream.nlp.stance.config import StanceConfig
from stream.nlp.stance.evaluative import EvaluativeRules
from stream.nlp.stance.modality import ModalityRules
from stream.nlp.stance.records import Candidate, RecordBuilder
from stream.nlp.stance.targets import TargetRules
from stream.nlp.stance.tense import TenseRules
from stream.nlp.stance.triggers import TriggerRules
from stream.nlp.topics import Catalogue


class StanceExtractor(TriggerRules, ModalityRules, EvaluativeRules, TargetRules, TenseRules, RecordBuilder):
    """Stances of one article: ``extract(context(...))`` -> StanceRecords. The rules live in the mixins."""

    def __init__(self, kb: KB, cat: Catalogue, config: StanceConfig | None = None):
        self.kb = kb
        self.cat = cat
        self.config = config or StanceConfig()
        self.version = self.config.version
        self.errors = self.config.errors

    def context(self, article, body, sub, cmap, ents: EntityIndex, doc) -> Ctx:
        on = article.published_at.date() if article.published_at else None
        ctx = Ctx(article, body, sub, cmap, ents, self.kb, on)
        ctx.doc = doc
        for e in ents.ents:
            if e.actor is not None and e.actor.type == "GOV" and e.actor.country == e.actor.id:
                ctx.countries[e.actor.id] = ctx.countries.get(e.actor.id, 0) + len(e.mentions)
        return ctx

    def extract(self, ctx: Ctx) -> list[StanceRecord]:
        sub = ctx.sub
        if not len(sub) or not sub.has_annotation("DEP"):
            return []
        # topic mentions in order (for anaphora), over every sentence of the body
        ctx.topic_mentions = self.topic_mentions(ctx.doc)
        found: list[Candidate] = []
        self._ctx = ctx
        self._subtext = sub.text
        ctx.sents = list(sub.sents)
        ctx.sent_starts = [x.start for x in ctx.sents]
        for sent in ctx.sents[:self.config.max_sentences]:
            if sent.text.rstrip().rstrip('"\u201d\u2019\'').endswith("?"):
                continue
            for tok in sent:
                try:
                    found.extend(self._from_token(ctx, tok))
                except Exception as exc:
                    self.errors.failed("stance.trigger", ctx.article.id, exc)
            try:
                found.extend(self._evaluative(ctx, sent))
            except Exception as exc:
                self.errors.failed("stance.evaluative", ctx.article.id, exc)
        return self._records(ctx, found)
