"""Evaluative statements inside attributed content ("The duties are unjustified")."""
from __future__ import annotations

from stream.nlp.actors import Ctx
from stream.nlp.lexicons.grammar import PERSONAL_PRONOUNS
from stream.nlp.lexicons.speech import SPEECH
from stream.nlp.lexicons.stance import (
    COPULAS,
    EXCESS_ADJ,
    NEG_ADJ,
    NEG_EFFECT_V,
    NEG_NOUN_EVAL,
    POLICY_NOUNS,
    POS_ADJ,
    POS_EFFECT_V,
    POS_NOUN_EVAL,
    SPECULATIVE,
)
from stream.nlp.stance.records import Candidate
from stream.nlp.stance.words import _lem, _neg


class EvaluativeRules:
    """Mixin of :class:`~stream.nlp.stance.StanceExtractor`."""

    def _eval_pol(self, tok) -> int:
        lem = tok.lemma_.lower()
        pol = 0
        if lem in POS_ADJ or (lem in POS_NOUN_EVAL and any(c.lemma_.lower() in POS_ADJ for c in tok.children)):
            pol = 1
        elif lem in NEG_ADJ or lem in NEG_NOUN_EVAL:
            pol = -1
        elif lem in POS_NOUN_EVAL and any(c.lemma_.lower() in NEG_ADJ for c in tok.children):
            pol = -1
        if pol == 0:
            for c in tok.children:
                if c.dep_ == "amod" and c.lemma_.lower() in NEG_ADJ:
                    pol = -1
                elif c.dep_ == "amod" and c.lemma_.lower() in POS_ADJ and lem in POS_NOUN_EVAL:
                    pol = 1
        if any(c.lower_ in ("too",) for c in tok.children) and lem in EXCESS_ADJ:
            pol = -1
        return pol

    def _evaluative(self, ctx: Ctx, sent) -> list[Candidate]:
        out = []
        for tok in sent:
            if tok.dep_ not in ("ROOT", "ccomp", "conj") or tok.pos_ not in ("AUX", "VERB"):
                continue
            lem = _lem(tok)
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            pol = 0
            if lem in ("stay", "remain") and any(c.dep_ == "prep" and c.lower_ == "in" and any(g.lower_ == "place" for g in c.children) for c in tok.children):
                pol = -1 if _neg(tok) else 1
                target = subj
            elif lem in COPULAS:
                pred = next((c for c in tok.children if c.dep_ in ("attr", "acomp")), None)
                if pred is None:
                    continue
                pol = self._eval_pol(pred)
                if pol == 0:
                    continue
                if _neg(tok):
                    pol = -pol
                target = subj
                if subj.lower_ in ("this", "it", "that") and pred.lemma_.lower() in POLICY_NOUNS:
                    target = pred
            elif lem in NEG_EFFECT_V or lem in POS_EFFECT_V:
                pol = -1 if lem in NEG_EFFECT_V else 1
                if _neg(tok):
                    pol = -pol
                target = subj
            else:
                continue
            if target.lower_ in PERSONAL_PRONOUNS:
                continue
            attr = ctx.content_attr(tok)
            speaker_tok = None
            if attr is not None:
                if attr.cue_lemma in SPECULATIVE:
                    continue
                speaker_tok = ctx.sub[attr.speaker_root]
            elif tok.dep_ == "ccomp" and _lem(tok.head) in SPEECH | {"say"}:
                speaker_tok = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
            if speaker_tok is None:
                continue
            if self._hypothetical(tok):
                continue
            whos = ctx.resolve(speaker_tok)
            if not whos or (whos[0].speaker is not None and ctx.affiliation(whos[0].speaker)[1]):
                continue
            out += [Candidate(w, tok, pol, target, tok, evaluative=True) for w in whos]
        return out
