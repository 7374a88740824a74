"""Reported stances: who took which position toward what, read from the dependency parse.

These rules are written for any news, not for a catalogue of topics: a verb, noun or adjective
of position (:mod:`stream.nlp.lexicons.reported`) with its subject resolved to an actor and
its object as the target; intent verbs composed with the action they embed ("pledged to end
X" is against X); negation and refusal flip support ("refused to endorse"); conditional and
questioned clauses hold nothing. Evaluations inside what an actor said ("Cruz is a liar"),
calling verbs ("called the decision arbitrary") and orientation prefixes ("a pro-Clinton super
PAC") take their polarity from :mod:`stream.nlp.sentiment`. Every finding is a
:class:`Reported`; the learned classifier (:mod:`stream.nlp.stance.classifier`) uses them as
candidates and features, so the rules never decide alone.
"""
from __future__ import annotations

import re

from spacy.tokens import Span, Token

from stream.nlp.gender import agrees
from stream.nlp.lexicons import reported as lex
from stream.nlp.stance import anaphora
from stream.nlp.stance.clauses import (OPPOSE, SUPPORT, ActorHit, Context, Reported, conjuncts, governed_flip, hedged, lemma_key,
                                       negated, phrasal_keys, phrase_of, speculative, subject_of, topic_key)
from stream.nlp.stance.nominal import NominalRules


class ReportedStances(NominalRules):
    """Finds reported stances in one parsed article."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.doc = ctx.doc

    # ---- actors -----------------------------------------------------------------------------
    def actors_of(self, tok: Token) -> list[ActorHit]:
        """Every actor a subject token stands for: one for a name or description, each coordinated actor of
        the antecedent for "they" ("Crapo and Risch ... they endorsed"); he/she as :meth:`actor_of` reads them.
        Before, "they" was no actor at all, so whatever a group or a pair of named people did as "they" was lost."""
        if tok.lower_ == anaphora.THEY:
            return self._pronoun_antecedent(tok, 0)
        a = self.actor_of(tok)
        return [a] if a is not None else []

    def _pronoun_antecedent(self, pron: Token, depth: int) -> list[ActorHit]:
        """The actors of the first antecedent slot (:func:`anaphora.antecedent_slots`) whose actors agree with
        the pronoun; a pronoun in the slot is resolved the same way (a paragraph carries "they" on)."""
        for head in anaphora.antecedent_slots(pron):
            if head.pos_ == "PRON":
                if head.lower_ == pron.lower_ and depth < 3:
                    hits = self._pronoun_antecedent(head, depth + 1)
                    if hits:
                        return hits
                continue
            hits = [a for a in (self.actor_of(h) for h in conjuncts(head)) if a is not None]
            if anaphora.compatible(pron.lower_, head, [a.type for a in hits]):
                return hits
        return []

    def actor_of(self, tok: Token) -> ActorHit | None:
        """Resolve a subject token to the actor it names or stands for."""
        low = tok.lower_
        if low in lex.PRONOUNS_SELF:
            sp = self.speaker_for(tok.idx)
            return self.hit(sp) if sp is not None else None
        if low in lex.PRONOUNS_PERSON:
            sp = self.speaker_for(tok.idx)
            if sp is not None and sp.type == "PERSON" and agrees(sp, low):
                return self.hit(sp)
            e = self.ctx.ent_before(tok.idx, lambda e: e.type == "PERSON" and agrees(e, low))
            return self.hit(e) if e is not None else None
        if tok.pos_ == "PRON":
            return None
        d = self._described(tok)
        if d is not None:
            return self.hit(d)
        # the head itself, or a compound/possessor for proxy heads ("Clinton's campaign", "Trump spokeswoman")
        e = self.ctx.ent_at(tok.idx, tok.idx + len(tok.text))
        if e is not None:
            return self.hit(e)
        if lemma_key(tok) in lex.PROXY_HEADS or tok.lower_ in lex.PROXY_HEADS:
            for c in tok.children:
                if c.dep_ in ("poss", "compound", "nmod"):
                    e = self.ctx.ent_at(c.idx, c.idx + len(c.text))
                    if e is not None:
                        return self.hit(e)
        for c in tok.children:
            if c.dep_ == "appos":
                e = self.ctx.ent_at(c.idx, c.idx + len(c.text))
                if e is not None and e.type == "PERSON":
                    return self.hit(e)
        # "leaders of the union", "members of Congress": the body named in the of-phrase
        if lemma_key(tok) in ("leader", "member", "head", "chairman", "chair", "president", "spokesman", "spokeswoman"):
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            e = self.ctx.ent_at(g.idx, g.idx + len(g.text))
                            if e is not None and e.type != "PERSON":
                                return self.hit(e)
        if lemma_key(tok) in lex.COLLECTIVE_HEADS and tok.pos_ == "NOUN":
            words = [t for t in tok.subtree if t.i <= tok.i and t.dep_ not in ("det", "predet", "case", "punct", "nummod", "quantmod")
                     and t.lower_ not in ("all", "some", "many", "most", "several", "both", "few", "other")]
            name = " ".join(t.text for t in words).replace(" 's", "'s")
            if len(words) >= 2 or tok.tag_ == "NNS":
                slugged = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                return ActorHit(id="group:" + slugged, name=name, type="GROUP")
        return None

    def person_antecedent(self, pron: Token, exclude: str | None = None):
        """The person an object pronoun ("endorsed him") stands for: a person who is a subject earlier in
        the same sentence (subjects are the preferred antecedents), else the last person named; never
        ``exclude`` (the clause's own actor: "him" is not the subject himself)."""
        for t in reversed(pron.sent[: pron.i - pron.sent.start]):
            if t.dep_ in ("nsubj", "nsubjpass"):
                e = self.ctx.ent_at(t.idx, t.idx + len(t.text))
                if e is not None and e.type == "PERSON" and e.id != exclude and agrees(e, pron.lower_):
                    return e
        return self.ctx.ent_before(pron.idx, lambda e: e.type == "PERSON" and e.id != exclude and agrees(e, pron.lower_))

    def speaker_for(self, char: int):
        for s, e, ent in self.ctx.quote_speakers:
            if s <= char < e:
                return ent
        return None

    @staticmethod
    def hit(e) -> ActorHit:
        return ActorHit(id=e.id, name=e.name, type=e.type)

    # ---- targets ----------------------------------------------------------------------------
    def topic_of(self, target: Span, actor_id: str | None = None) -> tuple[str, str, str]:
        """Topic id and label from the target: the linked entity, else its normalised head phrase."""
        head = target.root
        e = self.ctx.ent_at(head.idx, head.idx + len(head.text)) or self._described(head, actor_id)
        if e is not None:
            return e.id, e.name, target.text if e.name.lower() in target.text.lower() else f"{target.text} ({e.name})"
        text = target.text
        resolved = self._antecedent(target) or text
        tid = topic_key(head, self.ctx.ent_at) or "topic:" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
        return tid, resolved, resolved

    def _described(self, head: Token, exclude: str | None = None):
        """A bare definite description of an organisation ("the company", "the group") is the last one
        named; a definite description of a person by role ("the Texas senator", "the Republican
        front-runner") is the last person named (other than ``exclude``), as news style uses it."""
        if head.pos_ != "NOUN" or not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children):
            return None
        key = lemma_key(head)
        if key in lex.ORG_DESCRIPTIONS:
            if [c for c in head.children if c.dep_ not in ("det", "punct")]:
                return None
            return self.ctx.ent_before(head.idx, lambda e: e.type == "ORG")
        if key in lex.PERSON_DESCRIPTIONS or head.lower_ in lex.PERSON_DESCRIPTIONS:
            if head.tag_ == "NNS" or any(c.dep_ == "appos" for c in head.children):
                return None
            return self.ctx.ent_before(head.idx, lambda e: e.type == "PERSON" and e.id != exclude)
        return None

    def _antecedent(self, target: Span) -> str | None:
        """A pronoun or short definite description points to an earlier, fuller mention of its head."""
        span = self.antecedent_span(target)
        return span.text if span is not None else None

    def antecedent_span(self, target: Span) -> Span | None:
        """The earlier, fuller mention a short definite description ("the plan", "this deal") stands for:
        the latest longer phrase with the same head noun before it."""
        head = target.root
        if head.pos_ == "PRON":
            return None
        det = [c for c in head.children if c.dep_ in ("det", "poss") and c.lower_ in lex.ANAPHORIC_DETERMINERS]
        if not det or len(target) > 3:
            return None
        lemma = head.lemma_.lower()
        best = None
        for t in self.doc[: head.i]:
            if t.lemma_.lower() == lemma and t.pos_ == "NOUN" and t.i != head.i:
                span = phrase_of(t)
                if len(span) > len(target) and len(span) <= 20:
                    best = span
        return best

    def _objects(self, verb: Token, preps: tuple[str, ...] = ("for", "against", "on", "to", "with", "of", "behind", "at", "from")) -> list[Token]:
        out = [c for c in verb.children if c.dep_ in ("dobj", "obj", "attr")]
        # "legislation that she supported": the relative pronoun stands for the modified noun
        out = [verb.head if (c.lower_ in ("that", "which", "whom", "who") and verb.dep_ == "relcl") else c for c in out]
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "in":
                for g in c.children:
                    if g.lower_ in ("favor", "favour"):
                        for q in g.children:
                            if q.dep_ == "prep" and q.lower_ == "of":
                                out += [x for x in q.children if x.dep_ in ("pobj", "pcomp")]
        if not out:
            for c in verb.children:
                if c.dep_ == "prep" and c.lower_ in preps:
                    out += [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
                if c.dep_ == "prt":
                    for d in c.children:
                        if d.dep_ == "prep":
                            out += [g for g in d.children if g.dep_ == "pobj"]
        # a passive verb's subject is its target ("the deal was rejected by X")
        if not out:
            out = [c for c in verb.children if c.dep_ == "nsubjpass"]
        # a verb modifying a noun with no object of its own is about that noun ("the proposal championed
        # by Trump", "the deal he is pushing"), unless the noun is its subject ("Trump, speaking ...")
        if not out and verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN") \
                and not any(c.dep_ in ("ccomp", "xcomp") for c in verb.children) and subject_of(verb) is not verb.head:
            out = [verb.head]
        more = []
        for o in out:
            more += [c for c in o.children if c.dep_ == "conj"]
        return out + more

    # ---- rules ------------------------------------------------------------------------------
    def find(self) -> list[Reported]:
        out: list[Reported] = []
        for tok in self.doc:
            if tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"):
                out += self._guarded("reported.verb", self._verb, tok)
            elif tok.pos_ == "NOUN":
                out += self._guarded("reported.noun", self._noun, tok)
            elif tok.pos_ == "ADJ":
                out += self._guarded("reported.adjective", self._adj, tok)
        out += self._guarded("reported.evaluation", lambda _: self.evaluations(), None)
        out += self._guarded("reported.orientation", lambda _: self.orientations(), None)
        return [f for f in out if self.informative(f)]

    def _guarded(self, rule: str, fn, tok) -> list[Reported]:
        """Run one rule; an error is logged with the article id, counted, and raised when strict."""
        try:
            return fn(tok)
        except Exception as exc:
            self.ctx.errors.failed(rule, self.ctx.article_id, exc)
            return []

    @staticmethod
    def _listed(verb: Token, support: frozenset[str], oppose: frozenset[str]) -> int:
        """+1 or -1 when the verb (or its verb-particle form) is in one of the lists, else 0."""
        for k in phrasal_keys(verb):
            if k in oppose:
                return OPPOSE
            if k in support:
                return SUPPORT
        return 0

    def _verb_polarity(self, verb: Token) -> int:
        return self._listed(verb, lex.SUPPORT_VERBS, lex.OPPOSE_VERBS)

    def _action_polarity(self, verb: Token) -> int:
        return self._listed(verb, lex.ACTION_SUPPORT, lex.ACTION_OPPOSE)

    def _verb(self, verb: Token) -> list[Reported]:
        pol = self._verb_polarity(verb)
        conf = 0.75
        trigger = verb
        targets: list[Token] = []
        if pol == 0 and lemma_key(verb) in lex.CALLING_VERBS:
            return self._calling(verb)
        if pol == 0 and lemma_key(verb) in lex.RECEIVING_VERBS:
            return self._receiving(verb)
        if pol == 0 and lemma_key(verb) in lex.INTENT_VERBS:
            # "promised to end X": the embedded action carries the position
            emb = [c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
            if not emb:
                # "called for X", "pushed for X", "voted for X": intent verb + for
                if any(c.dep_ == "prep" and c.lower_ == "for" for c in verb.children):
                    pol, targets = SUPPORT, self._objects(verb, ("for",))
                else:
                    return []
            else:
                inner = emb[0]
                ip = self._verb_polarity(inner) or self._action_polarity(inner)
                if ip:
                    pol, targets, trigger = ip, self._objects(inner), inner
                    if negated(inner):
                        pol = -pol
                else:
                    if lemma_key(verb) not in lex.COMMITMENT_VERBS or not any(c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN") for c in inner.children):
                        return []
                    pol = SUPPORT
                    targets = [inner]
                conf = 0.7
        elif pol == 0:
            ap = self._action_polarity(verb)
            if ap and self._intended(verb):
                pol, conf = ap, 0.65
            else:
                return []
        if not targets:
            targets = self._objects(verb)
        if not targets:
            return []
        if negated(verb):
            if pol == SUPPORT:
                pol = OPPOSE
                conf -= 0.1
            else:
                return []
        if governed_flip(verb):
            if pol == SUPPORT:
                pol = OPPOSE
            else:
                return []
        if hedged(verb):
            return []
        if speculative(verb) and self.speaker_for(verb.idx) is None:
            conf -= 0.2
        subj = subject_of(verb)
        if subj is None:
            return []
        return self._held(subj, pol, targets, verb, conf, trigger)

    def _intended(self, verb: Token) -> bool:
        """An action verb states a position when it is promised, planned or called for."""
        for c in verb.children:
            if c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "should", "must", "shall"):
                return True
        return False

    def _target_span(self, t: Token) -> Span | None:
        if t.pos_ == "PRON" and t.lower_ not in ("him", "her", "them"):
            return None
        if t.lower_ in ("him", "her"):
            e = self.ctx.ent_before(t.idx, lambda e: e.type == "PERSON")
            if e is None:
                return None
        if t.ent_type_ in ("DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"):
            return None
        span = phrase_of(t)
        if not any(x.is_alpha for x in span):
            return None
        return span

    def informative(self, f: "Reported") -> bool:
        """A target a reader can identify: an entity, a phrase with content words beyond its head, or a
        description resolved to a fuller mention. 'the plan', 'its members', 'any provider' alone are not."""
        if not f.topic_id.startswith("topic:"):
            return True
        head = f.target.root
        if f.target_text != f.target.text:
            return True
        if head.pos_ == "PROPN":
            return True
        content = [t for t in f.target if t.i != head.i and not t.is_punct and not t.is_stop
                   and (t.dep_ not in ("det", "poss", "predet", "case", "nummod", "quantmod") or t.pos_ == "PROPN")]
        if content:
            return True
        # 'a wall', 'taxes': an indefinite or bare noun introduces its referent; 'the plan', 'its members' point back
        return not any(t.dep_ in ("det", "poss", "predet") and t.lower_ in lex.ANAPHORIC_DETERMINERS for t in head.children)

    def _record(self, actor: ActorHit, pol: int, span: Span, verb: Token, trigger: Token, conf: float) -> Reported:
        head = span.root
        if head.lower_ in ("him", "her"):
            e = self.person_antecedent(head, actor.id)
            tid, label, ttext = (e.id, e.name, e.name) if e is not None else self.topic_of(span, actor.id)
        else:
            tid, label, ttext = self.topic_of(span, actor.id)
        lo = min(verb.idx, span.start_char)
        hi = max(span.end_char, verb.idx + len(verb.text))
        return Reported(actor=actor, polarity=pol, target=span, target_text=ttext, topic_id=tid,
                        topic_label=label, evidence=(lo, hi), trigger=verb.lemma_, confidence=round(conf, 2))

