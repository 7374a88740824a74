"""Trigger and polarity rules: stance verbs, control verbs, negation, stance nouns and adjectives."""
from __future__ import annotations

from stream.nlp.actors import Ctx
from stream.nlp.lexicons.grammar import STANCE_NOUN_PREPS, STANCE_PREPS, STANCE_PREPS_VERB
from stream.nlp.lexicons.speech import SPEECH
from stream.nlp.lexicons.stance import (
    AGAINST_HEADS,
    CALL_NOUNS,
    CALL_VERBS,
    COMMIT_VERBS,
    CONTROL_NEG,
    CONTROL_POS,
    FILED_NOUNS,
    IMPLICIT_OBJECT_VERBS,
    OPPOSED_WORDS,
    OPPOSE_V,
    READY_ADJ,
    REVERSAL_V,
    SPECULATIVE,
    STANCE_NOUNS_NEG,
    STANCE_NOUNS_POS,
    SUPPORT_V,
    TOPIC_OBJECT_VERBS,
)
from stream.nlp.stance.records import Candidate
from stream.nlp.stance.words import _lem, _neg


class TriggerRules:
    """Mixin of :class:`~stream.nlp.stance.StanceExtractor`."""

    def _from_token(self, ctx: Ctx, tok) -> list[Candidate]:
        lem = _lem(tok)
        pos = tok.pos_
        out = []
        if pos in ("VERB", "AUX") or (pos == "ADJ" and lem in READY_ADJ):
            if lem in SUPPORT_V or lem in OPPOSE_V:
                base = 1 if lem in SUPPORT_V else -1
                # skip a trigger whose complement clause carries its own trigger ("refused to sign")
                if any(c.dep_ in ("xcomp", "ccomp") and _lem(c) in SUPPORT_V | OPPOSE_V for c in tok.children) and lem not in ("propose", "reject"):
                    return []
                if lem == "file" and not any(c.dep_ == "dobj" and c.lemma_.lower() in FILED_NOUNS for c in tok.children):
                    return []
                if lem in TOPIC_OBJECT_VERBS and not self._has_topic_obj(ctx, tok):
                    return []
                if lem == "lift" and any(c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS_NEG | STANCE_NOUNS_POS for c in tok.children):
                    return []
                if lem in ("abandon", "end") and any(c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS_NEG | STANCE_NOUNS_POS for c in tok.children):
                    return []
                out += self._verb_stance(ctx, tok, base)
            elif lem in ("refuse", "decline") and not any(c.dep_ in ("xcomp", "ccomp", "dobj") for c in tok.children) and tok.dep_ in ("pcomp", "advcl", "conj"):
                gov = tok.head.head if tok.head.pos_ == "ADP" else tok.head
                tgt = next((c for c in gov.children if c.dep_ == "dobj"), None)
                subj = self._subject(gov)
                if tgt is not None and subj is not None:
                    out += self._emit(ctx, tok, -1, False, subj, tgt, tok)
            elif lem == "rule" and any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children):
                out += self._verb_stance(ctx, tok, -1)
            elif lem in COMMIT_VERBS and self._prep_obj(tok, ("to", "up")) is not None:
                tgt = self._prep_obj(tok, ("to",)) or self._prep_obj(tok, ("up",))
                out += self._verb_stance(ctx, tok, 1, target=tgt)
            elif lem == "put" and (any(c.dep_ == "prt" and c.lower_ == "forward" for c in tok.children) or self._has_topic_obj(ctx, tok)):
                out += self._verb_stance(ctx, tok, 1)
            elif lem in REVERSAL_V:
                for c in tok.children:
                    if c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS_NEG | STANCE_NOUNS_POS:
                        base = 1 if c.lemma_.lower() in STANCE_NOUNS_NEG else -1
                        tgt = self._prep_obj(c, STANCE_PREPS) or self._prep_obj(tok, STANCE_PREPS_VERB)
                        if tgt is not None:
                            out += self._verb_stance(ctx, tok, base, target=tgt, reversal=True)
            elif lem == "vote":
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ in ("against", "for"):
                        tgt = self._prep_obj(tok, (c.lower_,))
                        vp = 1 if c.lower_ == "for" else -1
                        if tgt is not None:
                            inner = next((a for a in tgt.children if a.dep_ in ("acl", "relcl") and _lem(a) in SUPPORT_V | OPPOSE_V), None)
                            if inner is not None and self._target(inner) is not None:
                                vp *= 1 if _lem(inner) in SUPPORT_V else -1
                                tgt = self._target(inner)
                        out += self._verb_stance(ctx, tok, vp, target=tgt)
            elif lem in CALL_VERBS and any(c.dep_ == "prep" and c.lower_ == "for" for c in tok.children):
                tgt = self._prep_obj(tok, ("for",))
                out += self._verb_stance(ctx, tok, 1, target=tgt)
            elif lem == "stand" and any(c.dep_ == "prep" and c.lower_ == "by" for c in tok.children):
                out += self._verb_stance(ctx, tok, 1, target=self._prep_obj(tok, ("by",)))
            elif lem == "call" and any(c.dep_ == "oprd" for c in tok.children):
                o = next(c for c in tok.children if c.dep_ == "oprd")
                p = self._eval_pol(o)
                if p:
                    out += self._verb_stance(ctx, tok, p, target=next((c for c in tok.children if c.dep_ == "dobj"), None))
        elif pos == "NOUN" and lem in STANCE_NOUNS_NEG | {"support", "backing"}:
            if tok.head.lemma_.lower() in REVERSAL_V:
                return []
            tgt = self._prep_obj(tok, STANCE_NOUN_PREPS)
            if tgt is None:
                return []
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is None:
                return []
            base = -1 if lem in STANCE_NOUNS_NEG else 1
            out += self._emit(ctx, tok, base, self._neg_chain(tok), poss, tgt, tok)
        elif lem in OPPOSED_WORDS or (pos == "ADP" and lem == "against"):
            if lem == "against" and tok.head.lemma_.lower() in AGAINST_HEADS:
                h = tok.head
                tgt = next((c for c in tok.children if c.dep_ == "pobj"), None)
                if h.lemma_.lower() == "vote":
                    return []
                subj = self._subject(h)
                out += self._emit(ctx, h, -1, self._neg_chain(h), subj, tgt, h)
            elif lem == "opposed":
                h = tok.head if tok.dep_ in ("acomp", "amod", "xcomp") else tok
                tgt = self._prep_obj(tok, ("to",))
                subj = self._subject(h)
                out += self._emit(ctx, h, -1, self._neg_chain(h) ^ _neg(tok), subj, tgt, h)
        return out

    def _has_topic_obj(self, ctx, tok) -> bool:
        for c in tok.children:
            if c.dep_ in ("dobj", "nsubjpass"):
                txt = self._span_text(c)
                if self.cat.match(txt) is not None:
                    return True
        return False

    def _prep_obj(self, tok, preps):
        for c in tok.children:
            if c.dep_ in ("prep", "agent") and c.lower_ in preps:
                for g in c.children:
                    if g.dep_ in ("pobj", "pcomp"):
                        return g
        return None

    def _subject(self, verb):
        h = verb
        for _ in range(4):
            for c in h.children:
                if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                    return c
            if h.dep_ in ("xcomp", "conj", "acomp", "advcl") and h.head is not h:
                h = h.head
                continue
            if h.dep_ == "relcl":
                return h.head
            break
        return None

    def _neg_chain(self, tok) -> bool:
        return _neg(tok)

    def _verb_stance(self, ctx, tok, base: int, target=None, reversal=False) -> list[Candidate]:
        neg = _neg(tok)
        pol = base * (-1 if neg else 1)
        # compose through control verbs/adjectives upward
        h = tok
        hops = 0
        while h.dep_ in ("xcomp", "ccomp", "acomp", "oprd", "acl", "pcomp", "pobj", "prep") and hops < 6:
            p = h.head
            pl = _lem(p)
            if h.dep_ == "ccomp" and pl in SPEECH | SPECULATIVE | {"deny", "say"}:
                break
            if pl in SPECULATIVE or pl in ("whether", "wonder"):
                return []
            if pl in CONTROL_NEG or (pl in OPPOSE_V and h.dep_ in ("xcomp",)):
                pol = -pol
            elif pl in CONTROL_POS or pl in SUPPORT_V or p.pos_ in ("AUX", "ADJ", "NOUN", "ADP") or pl == "be":
                pass
            else:
                break
            if _neg(p):
                pol = -pol
            h = p
            hops += 1
        subj = None
        # passive: "X was rejected by Y" / participle "a proposal backed by Y"
        agent = self._prep_obj(tok, ("by",)) if any(c.dep_ == "agent" for c in tok.children) else None
        if agent is None:
            for c in tok.children:
                if c.dep_ == "agent":
                    agent = next((g for g in c.children if g.dep_ == "pobj"), None)
        if agent is not None:
            subj = agent
            # "a coalition of 34 countries led by Britain, Colombia and Spain"
            for c in agent.subtree:
                if c.dep_ == "acl" and _lem(c) == "lead":
                    lb = self._prep_obj(c, ("by",)) or next((g for a in c.children if a.dep_ == "agent" for g in a.children if g.dep_ == "pobj"), None)
                    if lb is not None:
                        subj = lb
            if target is None:
                target = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
                if target is None and tok.dep_ in ("acl", "conj") and tok.head.pos_ in ("NOUN", "PROPN", "VERB"):
                    t = tok.head
                    while t.dep_ == "conj" and t.head is not t:
                        t = t.head
                    if t.dep_ == "acl":
                        t = t.head
                    target = t if t.pos_ in ("NOUN", "PROPN") else None
        else:
            if any(c.dep_ == "nsubjpass" for c in tok.children):
                return []  # agentless passive: no actor
            subj = self._subject(h) or self._subject(tok)
        if target is None:
            target = self._target(tok)
        if target is None and _lem(tok) in IMPLICIT_OBJECT_VERBS:
            target = tok  # object-less: the article's dominant issue
        if target is None:
            return []
        # "its call for the administration to lift the duties": the caller is the actor
        a = tok
        for _ in range(5):
            if a.head is a:
                break
            a = a.head
            if a.pos_ == "NOUN" and a.lemma_.lower() in CALL_NOUNS:
                poss = next((c for c in a.children if c.dep_ == "poss"), None)
                subj = poss if poss is not None else (self._subject(a.head) if a.head is not a else subj)
                h = a
                break
        return self._emit(ctx, tok, pol, False, subj, target, h, reversal=reversal)

    def _emit(self, ctx, tok, pol, negflip, subj, target, top, reversal=False) -> list[Candidate]:
        if negflip:
            pol = -pol
        if target is None or subj is None:
            return []
        if target is not tok and target.pos_ == "NOUN" and target.lemma_.lower() in STANCE_NOUNS_NEG:
            inner = self._prep_obj(target, ("to", "against", "of"))
            pol = -pol
            target = inner if inner is not None else tok
        if self._hypothetical(tok) or self._hypothetical(top):
            return []
        attr = ctx.content_attr(top)
        prescriptive = any(c.dep_ == "aux" and c.lower_ in ("should", "must") for c in list(tok.children) + list(top.children))
        if attr is not None and prescriptive:
            whos = ctx.resolve(ctx.sub[attr.speaker_root])
        elif prescriptive and (ctx.inside_quote(tok) or self._in_quote_marks(ctx, tok)):
            # a call addressed TO an actor inside a quote ("Ottawa should put tariffs on ...") is the
            # (unknown) speaker's stance, not the addressee's
            return []
        else:
            whos = ctx.resolve(subj)
        if not whos:
            return []
        # speculation about another actor by an analyst / media report is not that actor's stance
        if attr is not None:
            spk = ctx.resolve(ctx.sub[attr.speaker_root])
            if attr.cue_lemma in SPECULATIVE:
                return []
            if spk and spk[0].speaker is not None and ctx.affiliation(spk[0].speaker)[1]:
                if not any(w.id == spk[0].id for w in whos):
                    return []
        return [Candidate(w, tok, pol, target, top, reversal) for w in whos]
