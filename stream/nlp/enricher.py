"""Enrichment: Article -> EnrichedArticle (entities, attributions, stances).

A rule sentencizer splits the body; spaCy's NER and the tagger/parser/ruler/lemmatizer run
over every sentence, packed into one Doc per article (``STANCE_NLP_PARSE_ALL=false`` parses
only the sentences with a stance or cue word or a quotation mark: faster, but real reporting
states positions without those words, and names there are then found by the gazetteer only).
Offsets from the parsed Doc are mapped back to the body. Stances come from two stages: the
catalogue rules (:class:`~stream.nlp.stance.StanceExtractor`), then the learned stage
(:class:`~stream.nlp.stance.learned.LearnedStances`), which adds what those rules did not find.
The ruler and lemmatizer are memoised (memo.py) and the models multiply with OpenBLAS (backend.py).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from schemas import Article, Attribution, EnrichedArticle, Span
from stream.nlp import backend
from stream.nlp import kb as kb_mod
from stream.nlp import topics as topics_mod
from stream.nlp.attribution import RawAttribution, extract_attributions
from stream.nlp.attribution.tagger import AttributionTagger, combine
from stream.nlp.entities import build_entities
from stream.nlp.errors import ErrorPolicy
from stream.nlp.gender import assign_genders
from stream.nlp.kb import KB
from stream.nlp.packing import CharMap, pack
from stream.nlp.stance import StanceConfig, StanceExtractor
from stream.nlp.stance.candidates import StanceCandidate
from stream.nlp.stance.classifier import ClassifierConfig
from stream.nlp.stance.learned import LearnedConfig, LearnedStances
from stream.nlp.topics import Catalogue
from stream.settings import Settings, get_settings

log = logging.getLogger(__name__)

PIPELINE_VERSION = "1.2.0"
EXTRACTOR_VERSION = "rules-1.1.0"

PARSE_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True, slots=True)
class ArticleAttributions:
    """An article's attributions, twice. ``published`` go out on the enriched record;
    ``for_stances`` are what the stance layer reads. They differ by default: the learned
    tagger's additions raise PolNeAR's figures, but fed to the stance layer (and its
    classifier refitted on them) they cost stance-real-dev 0.017 and the invented check 0.007
    (README, *The learned attribution tagger*), so the stance layer keeps the rules' until
    that is no longer so (``STANCE_STANCE_ATTRIBUTIONS=published`` to measure it)."""

    published: list[RawAttribution]
    for_stances: list[RawAttribution]


class Enricher:
    def __init__(self, settings: Settings | None = None):
        import spacy
        from spacy.pipeline import Sentencizer

        self.settings = settings or get_settings()
        backend.configure(self.settings)
        self.nlp = spacy.load(self.settings.spacy_model)
        self.sentencizer = Sentencizer()
        self.ner = self.nlp.get_pipe("ner")
        self.parse_pipes = [(n, self._memo(n, self.nlp.get_pipe(n))) for n in PARSE_PIPES if n in self.nlp.pipe_names]
        self.attribution_mode = self.settings.attribution
        self.tagger = AttributionTagger(self.settings.attribution_model) if self.attribution_mode != "rules" else None
        self.kb = KB([kb_mod.SHIPPED, self.settings.actors_file])
        self.catalogue = Catalogue([topics_mod.SHIPPED, self.settings.topics_file])
        self.errors = ErrorPolicy(strict=self.settings.strict)
        self.extractor = StanceExtractor(self.kb, self.catalogue, StanceConfig(version=EXTRACTOR_VERSION, errors=self.errors))
        cls = ClassifierConfig() if self.settings.stance_threshold is None else ClassifierConfig(threshold=self.settings.stance_threshold)
        self.learned = LearnedStances(self.kb, LearnedConfig(enabled=self.settings.stance_learned, classifier=cls,
                                                             errors=self.errors), self.catalogue)

    # ---- public -------------------------------------------------------
    def enrich(self, article: Article) -> EnrichedArticle:
        return next(self.enrich_many([article]))

    def enrich_many(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[EnrichedArticle]:
        batch: list[Article] = []
        for a in articles:
            batch.append(a)
            if len(batch) >= batch_size:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def stance_candidates(self, articles: Iterable[Article]) -> Iterator[tuple[Article, list[StanceCandidate]]]:
        """Every learned-stage candidate of each article, for training the classifier (same analysis as enrich)."""
        for a in articles:
            doc, sub, cmap = self._analyse([a])[0]
            ents, atts = self._entities_and_attributions(a, doc, sub, cmap)
            yield a, self.learned.candidates(self.learned.context(a.id, sub, cmap, ents, atts.for_stances))

    # ---- internals ----------------------------------------------------
    def _analyse(self, articles: list[Article]) -> list[tuple]:
        """(body Doc with entities, parsed Doc, offset map) per article."""
        docs = [self.nlp.make_doc(a.body or "") for a in articles]
        docs = [self.sentencizer(d) for d in docs]
        packed = [pack(d, self.nlp.vocab, every_sentence=self.settings.nlp_parse_all) for d in docs]
        subs = list(self.ner.pipe([p[0] for p in packed], batch_size=16))
        for d, sub, (_, cmap) in zip(docs, subs, packed):
            spans = [d.char_span(cmap.start(e.start_char), cmap.end(e.end_char), label=e.label_, alignment_mode="expand") for e in sub.ents]
            d.ents = [x for x in spans if x is not None]
        for _, pipe in self.parse_pipes:
            subs = list(pipe.pipe(subs, batch_size=16))
        return [(d, sub, cmap) for d, sub, (_, cmap) in zip(docs, subs, packed)]

    def _batch(self, articles: list[Article]) -> list[EnrichedArticle]:
        try:
            analysed = self._analyse(articles)
        except Exception as exc:
            if len(articles) == 1:
                self.errors.failed("analysis", articles[0].id, exc)
            log.exception("batch analysis failed; enriching one by one")
            if len(articles) > 1:
                out = []
                for a in articles:
                    out.extend(self._batch([a]))
                return out
            return [self._empty(articles[0])]
        out = []
        learned = self._learned_many([sub for _, sub, _ in analysed])
        for a, (d, sub, cmap), tagged in zip(articles, analysed, learned):
            try:
                out.append(self._one(a, d, sub, cmap, tagged))
            except Exception as exc:
                self.errors.failed("enrichment", a.id, exc)
                out.append(self._empty(a))
        return out

    @staticmethod
    def _memo(name: str, pipe):
        """The ruler and the lemmatizer memoised (same output, a fifth of the time), if the model allows it."""
        from stream.nlp.memo import MemoAttributeRuler, MemoLemmatizer

        kind = {"attribute_ruler": MemoAttributeRuler, "lemmatizer": MemoLemmatizer}.get(name)
        if kind is None:
            return pipe
        try:
            return kind(pipe)
        except ValueError as err:
            log.info("%s kept as is: %s", name, err)
            return pipe

    def _empty(self, a: Article) -> EnrichedArticle:
        return EnrichedArticle(article_id=a.id, article=a, pipeline_version=PIPELINE_VERSION)

    def _entities_and_attributions(self, a: Article, doc, sub, cmap: CharMap, learned: list | None = None) -> tuple:
        """The article's entities (body offsets, with the genders the article tells) and attributions
        (parsed-Doc offsets)."""
        ents = build_entities(doc, self.kb, a.published_at.date() if a.published_at else None, a.body or "")
        if len(sub):
            assign_genders(ents, sub, cmap, a.body or "")
        atts = self._attributions(a, sub, learned) if len(sub) else ArticleAttributions([], [])
        return ents, atts

    def _learned_many(self, subs: list) -> list[list | None]:
        """The tagger's attributions for a whole batch in one call (None: score that article alone)."""
        if self.tagger is None:
            return [None] * len(subs)
        try:
            return list(self.tagger.attributions_many(subs))
        except Exception:  # noqa: BLE001 - each article is retried alone, where its error is counted
            log.exception("batch attribution tagging failed; tagging one by one")
            return [None] * len(subs)

    def _attributions(self, a: Article, sub, learned: list | None = None) -> ArticleAttributions:
        """The attributions to publish (``STANCE_ATTRIBUTION``: the rules', the learned tagger's,
        or both) and those the stance layer reads (``STANCE_STANCE_ATTRIBUTIONS``)."""
        rules = extract_attributions(sub, article_id=a.id, errors=self.errors)
        if self.tagger is None:
            return ArticleAttributions(rules, rules)
        if learned is None:
            try:
                learned = self.tagger.attributions(sub)
            except Exception as exc:  # noqa: BLE001 - the rules' attributions still stand
                self.errors.failed("attribution.learned", a.id, exc)
                learned = []
        published = combine(rules, learned, self.attribution_mode)
        return ArticleAttributions(published, rules if self.settings.stance_attributions == "rules" else published)

    def _one(self, a: Article, doc, sub, cmap: CharMap, learned: list | None = None) -> EnrichedArticle:
        body = a.body or ""
        ents, atts = self._entities_and_attributions(a, doc, sub, cmap, learned)
        raws = atts.for_stances
        attributions = []
        ctx = self.extractor.context(a, body, sub, cmap, ents, doc)

        def body_spans(r):
            sp = (cmap.start(r.speaker[0]), cmap.end(r.speaker[1]))
            cu = (cmap.start(r.cue[0]), cmap.end(r.cue[1]))
            co = (cmap.start(r.content[0]), cmap.end(r.content[1]))
            ok = 0 <= sp[0] < sp[1] <= len(body) and 0 <= cu[0] < cu[1] <= len(body) and 0 <= co[0] < co[1] <= len(body)
            return (sp, cu, co) if ok else None

        for r in atts.published:
            try:
                spans = body_spans(r)
                if spans is None:
                    continue
                sp, cu, co = spans
                spk = ctx.speaker_entity(sub[r.speaker_root])
                attributions.append(Attribution(
                    speaker=Span(start=sp[0], end=sp[1], text=body[sp[0]:sp[1]]),
                    cue=Span(start=cu[0], end=cu[1], text=body[cu[0]:cu[1]]),
                    content=Span(start=co[0], end=co[1], text=body[co[0]:co[1]]),
                    speaker_entity_id=spk.id if spk is not None else None,
                    kind=r.kind if r.kind in ("direct", "indirect", "reported") else "indirect",
                ))
            except Exception as exc:
                self.errors.failed("attribution.offsets", a.id, exc)
        for r in raws:
            try:
                if body_spans(r) is not None:
                    ctx.add_attribution(r)
            except Exception as exc:
                self.errors.failed("attribution.offsets", a.id, exc)
        stances = []
        try:
            stances = self.extractor.extract(ctx)
        except Exception as exc:
            self.errors.failed("stance", a.id, exc)
        try:
            stances += self.learned.extract(a, body, sub, cmap, ents, raws, stances,
                                            speaks_for=lambda e: ctx.affiliation(e)[0])
        except Exception as exc:
            self.errors.failed("stance.learned", a.id, exc)
        return EnrichedArticle(
            article_id=a.id, article=a, entities=ents.to_models(), attributions=attributions,
            stances=stances, pipeline_version=PIPELINE_VERSION,
        )
