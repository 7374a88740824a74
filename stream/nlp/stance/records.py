"""From candidates to StanceRecords: speaker, topic, evidence span, confidence, condition."""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from schemas import ActorRef, Evidence, SpeakerRef, StanceRecord, TopicRef
from stream.ids import short_hash
from stream.nlp.actors import Ctx, Who
from stream.nlp.entities import Ent
from stream.nlp.lexicons.speech import SPEECH
from stream.nlp.lexicons.stance import HEDGES, POLICY_NOUNS
from stream.nlp.stance.words import _lem


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stance a rule found, before its topic, evidence span and confidence are worked out."""

    who: Who                 #: whose stance (the actor, and the person who spoke for it)
    tok: Token               #: the trigger token
    polarity: int            #: +1 support, -1 oppose (negation, reversal and stance nouns already applied)
    target: Token            #: the token naming what the stance is about
    top: Token               #: the clause head the evidence span is cut from
    reversal: bool = False   #: from a reversal verb over a stance noun ("dropped its objection to")
    evaluative: bool = False  #: from an evaluative statement ("The duties are unjustified")


class RecordBuilder:
    """Mixin of :class:`~stream.nlp.stance.StanceExtractor`."""

    def _records(self, ctx: Ctx, found: list[Candidate]) -> list[StanceRecord]:
        recs: dict[str, StanceRecord] = {}
        art = ctx.article
        # first pass to set the lead stance (first explicit current stance)
        for item in found:
            w, tok, pol, target, top = item.who, item.tok, item.polarity, item.target, item.top
            if item.evaluative:
                continue
            res = self._topic_for(ctx, target, w, tok, pol)
            if res and not res[0].startswith("t:") and not self._past(ctx, tok, top)[0]:
                ctx.lead_stance = {"topic": res[0], "label": res[1], "target": res[2], "pol": pol}
                break
        for item in found:
            w, tok, pol, target, top = item.who, item.tok, item.polarity, item.target, item.top
            evaluative = item.evaluative
            if w.type == "PERSON" and w.speaker is None and isinstance(w.actor, Ent) and w.actor.is_person:
                speaker = w.actor
            else:
                speaker = w.speaker
            if speaker is None:
                attr = ctx.content_attr(top)
                if attr is not None:
                    sw = ctx.resolve(ctx.sub[attr.speaker_root])
                    if sw and sw[0].speaker is not None and sw[0].id == w.id:
                        speaker = sw[0].speaker
            res = self._topic_for(ctx, target, w, tok, pol)
            if res is None:
                continue
            topic_id, label, ttext, forced = res
            if forced is not None:
                pol = forced * pol
            if evaluative and topic_id.startswith("t:") and target.lemma_.lower() not in POLICY_NOUNS:
                continue
            if w.id == getattr(speaker, "id", None) and evaluative:
                pass
            past, stated = self._past(ctx, tok, top)
            # evidence: the clause of the top verb, trimmed
            ev_s, ev_e = self._evidence_span(tok, top)
            bs, be = ctx.cmap.start(ev_s), ctx.cmap.end(ev_e)
            if not (0 <= bs < be <= len(ctx.body)):
                continue
            conf = self._confidence(tok, top, evaluative, topic_id, w, ctx)
            cond = self._condition(ctx, top)
            if cond:
                conf = min(conf, 0.7)
            polarity = "support" if pol > 0 else "oppose"
            actor = w.actor
            atype = actor.type
            sid = short_hash(art.id, actor.id, topic_id, bs, be)
            if sid in recs:
                continue
            recs[sid] = StanceRecord(
                id=sid, article_id=art.id, published_at=art.published_at,
                actor=ActorRef(id=actor.id, name=actor.name, type=atype),
                speaker=SpeakerRef(id=speaker.id, name=speaker.name) if speaker is not None and speaker.id != actor.id else None,
                topic=TopicRef(id=topic_id, label=label), target_text=ttext[:300], polarity=polarity,
                confidence=round(conf, 3), evidence=Evidence(text=ctx.body[bs:be], start=bs, end=be),
                tense="past" if past else "current", stated_at=stated, condition=cond,
                extractor_version=self.version,
            )
        return list(recs.values())

    def _evidence_span(self, tok, top):
        h = top
        toks = list(h.subtree)
        s = min(t.idx for t in toks)
        e = max(t.idx + len(t.text) for t in toks)
        sent = self._ctx.sent_of(tok)
        s = max(s, sent.start_char)
        e = min(e, sent.end_char)
        txt = self._subtext
        while s < e and txt[s] in " ,;:\"\u201c\u201d\u2014-":
            s += 1
        while e > s and txt[e - 1] in " ,;:\u2014-":
            e -= 1
        return s, e

    def _confidence(self, tok, top, evaluative, topic_id, who, ctx) -> float:
        c = 0.8
        if evaluative:
            c = 0.65
        if topic_id.startswith("t:"):
            c -= 0.1
        toks = set(x.lower_ for x in top.subtree) | set(x.lemma_.lower() for x in tok.head.children)
        if toks & HEDGES:
            c -= 0.15
        if isinstance(who.actor, Ent) and who.actor.is_person:
            c -= 0.05
        return max(0.05, min(0.95, c))

    def _condition(self, ctx, top) -> str | None:
        for c in top.children:
            if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "provided", "unless") for m in c.children):
                s = min(t.idx for t in c.subtree)
                e = max(t.idx + len(t.text) for t in c.subtree)
                bs, be = ctx.cmap.start(s), ctx.cmap.end(e)
                return ctx.body[bs:be]
        return None

    def _cues(self, ctx: Ctx, top) -> list:
        """The attribution cue verbs governing ``top`` ("had said [that X would not sign]")."""
        out = []
        attr = ctx.content_attr(top)
        if attr is not None and attr.cue_root is not None:
            out.append(ctx.sub[attr.cue_root])
        h = top
        for _ in range(6):
            if h.head is h:
                break
            if h.dep_ == "ccomp" and _lem(h.head) in SPEECH | {"say"}:
                if h.head not in out:
                    out.append(h.head)
                break
            if h.dep_ not in ("conj", "ccomp", "xcomp", "advcl"):
                break
            h = h.head
        return [c for c in out if c.i != top.i]
