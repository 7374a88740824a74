"""Nominal, adjectival and evaluative rules of reported stances (a mixin of
:class:`~stream.nlp.stance.reported.ReportedStances`): "Sanders' support for X", "a critic of
X", "votes against the bill", "opposed to", "sick of", "called him a liar", "won the
endorsement of X", "a pro-Clinton super PAC", and judgements inside what an actor said.
"""
from __future__ import annotations

import re

from spacy.tokens import Token

from stream.nlp.lexicons import reported as lex
from stream.nlp.sentiment import valence
from stream.nlp.stance.clauses import (OPPOSE, SUPPORT, ActorHit, Reported, conjuncts, hedged, lemma_key, negated,
                                       phrase_of, subject_of)


def prep_objects(tok: Token, preps) -> list[Token]:
    """The objects of ``tok``'s prepositions in ``preps``: 'support [for] X', 'opposed [to] X'."""
    out: list[Token] = []
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            out += [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
    return out


class NominalRules:
    """Rules whose trigger is a noun, an adjective, a calling verb or an evaluation."""

    def _held(self, holder: Token, pol: int, targets: list[Token], cue: Token, conf: float,
              trigger: Token | None = None) -> list[Reported]:
        """Records of ``holder``'s actor (and of each actor coordinated with it: "Crapo and Risch
        endorsed") toward each target phrase; none when the holder is no actor, and none toward the
        actor itself."""
        out = []
        for actor in [a for h in conjuncts(holder) for a in self.actors_of(h)]:
            for t in targets:
                span = self._toward(actor, t)
                if span is not None:
                    out.append(self._record(actor, pol, span, cue, trigger or cue, conf))
        return out

    def _toward(self, actor: ActorHit, tok: Token):
        """The target phrase of ``tok``, unless there is none or it names the actor itself."""
        span = self._target_span(tok)
        if span is None:
            return None
        named = self.ctx.ent_at(span.root.idx, span.root.idx + len(span.root.text))
        return None if named is not None and named.id == actor.id else span

    def _calling(self, verb: Token) -> list[Reported]:
        """'called Cruz a liar', 'declared it a total disaster': the predicate's valence toward the object."""
        objs = [c for c in verb.children if c.dep_ in ("dobj", "nsubj") and c.i > verb.i]
        preds = [c for c in verb.children if c.dep_ in ("oprd", "ccomp", "xcomp", "attr", "acomp")]
        if not objs:
            return []
        if not preds:
            # "called him 'crazy'" is often parsed with the predicate inside the object's subtree
            o = objs[0]
            preds = [c for c in o.children if c.dep_ in ("appos", "amod", "acomp", "attr", "npadvmod") and c.i > o.i]
            for c in verb.children:
                if c.dep_ == "prep" and c.lower_ == "as":
                    preds += [g for g in c.children if g.dep_ == "pobj"]
        if not preds or hedged(verb):
            return []
        # words joined by spaces: the lexicon's tokens are words, and a quotation mark glued to one ("liar”")
        # would hide it
        ptext = " ".join(t.text for p in preds for t in phrase_of(p, cut_relcl=False))
        v = valence(ptext)
        if abs(v) < 0.25:
            return []
        pol = SUPPORT if v > 0 else OPPOSE
        subj = subject_of(verb)
        actor = self.actor_of(subj) if subj is not None else None
        if actor is None:
            return []
        out = []
        for o in [objs[0], *[c for c in objs[0].children if c.dep_ == "conj"]]:
            # "called his rival, Mayor Dana Whitfield, a liar": the named person in apposition is the target
            named = next((c for c in o.children if c.dep_ == "appos" and c.pos_ == "PROPN"
                          and self.ctx.ent_at(c.idx, c.idx + len(c.text)) is not None), None)
            o = named if named is not None else o
            span = self._target_span(o)
            if span is None:
                continue
            span = o.doc[o.i:o.i + 1] if o.pos_ == "PROPN" else span
            out.append(self._record(actor, pol, span, verb, verb, 0.6 + min(abs(v), 0.8) * 0.2))
        return out

    def _receiving(self, verb: Token) -> list[Reported]:
        """'Cruz won the endorsement of Vander Plaats': the of-phrase supports the subject."""
        out = []
        subj = subject_of(verb)
        if subj is None or negated(verb) or hedged(verb):
            return []
        for o in verb.children:
            if o.dep_ != "dobj" or lemma_key(o) not in lex.SUPPORT_NOUNS:
                continue
            givers = []
            for c in o.children:
                if c.dep_ == "prep" and c.lower_ in ("of", "from"):
                    givers += [g for g in c.children if g.dep_ == "pobj"]
                if c.dep_ == "poss":
                    givers.append(c)
            target = self._target_span(subj) if subj.pos_ != "PRON" else None
            if target is None:
                a = self.actor_of(subj)
                if a is None:
                    continue
                tid, label = a.id, a.name
            for g in givers:
                actor = self.actor_of(g)
                if actor is None:
                    continue
                if target is not None:
                    out.append(self._record(actor, SUPPORT, target, verb, o, 0.7))
                else:
                    lo, hi = min(subj.idx, g.idx), max(g.idx + len(g.text), verb.idx + len(verb.text))
                    out.append(Reported(actor=actor, polarity=SUPPORT, target=subj.doc[subj.i:subj.i + 1], target_text=label,
                                        topic_id=tid, topic_label=label, evidence=(lo, hi), trigger=o.lemma_, confidence=0.7))
        return out

    def evaluations(self) -> list[Reported]:
        """Copular judgements inside what an actor said: 'Ted Cruz is a liar', 'the actions were unacceptable'."""
        out = []
        for s, e, ent in self.ctx.quote_speakers:
            actor = self.hit(ent)
            span = self.doc.char_span(s, e, alignment_mode="expand")
            if span is None:
                continue
            for tok in span:
                if tok.lemma_ != "be" or tok.dep_ not in ("ROOT", "ccomp", "conj"):
                    continue
                subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
                preds = [c for c in tok.children if c.dep_ in ("attr", "acomp")]
                if subj is None or not preds or subj.lower_ in lex.PRONOUNS_SELF or subj.lower_ in ("it", "this", "that", "there", "what", "which", "who"):
                    continue
                if hedged(tok):
                    continue
                ptext = " ".join(phrase_of(p, cut_relcl=False).text for p in preds)
                if negated(tok):
                    ptext = "not " + ptext
                v = valence(ptext)
                if abs(v) < 0.4:
                    continue
                target = self._toward(actor, subj)
                if target is None:
                    continue
                out.append(self._record(actor, SUPPORT if v > 0 else OPPOSE, target, tok, tok, 0.55 + min(abs(v), 0.8) * 0.2))
        return out

    def _noun(self, noun: Token) -> list[Reported]:
        k = lemma_key(noun)
        preps = ("for", "of", "to", "on", "against", "behind", "at")
        if k in lex.VOTE_NOUNS:
            return self._vote_noun(noun)
        if k in lex.CONCERN_NOUNS and noun.dep_ == "dobj" and lemma_key(noun.head) in lex.VOICING_VERBS:
            pol, preps = OPPOSE, ("about", "over", "with", "regarding", "at", "to", "on")
        elif k in lex.CAMPAIGN_AGAINST_NOUNS and any(c.dep_ == "prep" and c.lower_ in ("against", "on") for c in noun.children) \
                and k not in lex.SUPPORT_NOUNS:
            pol, preps = OPPOSE, ("against", "on")
        elif k in lex.SUPPORT_NOUNS:
            pol = SUPPORT
        elif k in lex.OPPOSE_NOUNS:
            pol = OPPOSE
        elif k in lex.SUPPORTER_NOUNS or k in lex.OPPONENT_NOUNS:
            return self._role_noun(noun, SUPPORT if k in lex.SUPPORTER_NOUNS else OPPOSE)
        elif k in lex.VIEW_NOUNS:
            # "takes a negative view of X": the opinion's adjective gives the polarity
            tone = valence(" ".join(c.text for c in noun.children if c.dep_ in ("amod", "neg") or c.lower_ == "not"))
            if abs(tone) < 0.25:
                return []
            pol, preps = (SUPPORT if tone > 0 else OPPOSE), ("of", "on", "toward", "towards", "about")
        else:
            return []
        holder = self._holder(noun)
        if holder is None:
            for c in noun.children:
                if c.dep_ == "prep" and c.lower_ == "by":
                    holder = next((g for g in c.children if g.dep_ == "pobj"), None)
        if holder is None and noun.dep_ == "dobj" and lemma_key(noun.head) in lex.VOICING_VERBS:
            holder = subject_of(noun.head)
            if negated(noun.head):
                return []
        if holder is None:
            return []
        targets = prep_objects(noun, preps)
        if not targets or hedged(noun):
            return []
        return self._held(holder, pol, targets, noun, 0.65)

    def _holder(self, noun: Token) -> Token | None:
        """Whose position a noun names: its possessor, or a named modifier ('the GOP blockade')."""
        for c in noun.children:
            if c.dep_ == "poss":
                return c
        for c in noun.children:
            if c.dep_ == "compound" and c.pos_ == "PROPN" and self.ctx.ent_at(c.idx, c.idx + len(c.text)) is not None:
                return c
        return None

    def _vote_noun(self, noun: Token) -> list[Reported]:
        """'his votes against the Brady bill', 'her vote for the war'."""
        holder = self._holder(noun)
        if holder is None and noun.dep_ in ("dobj",) and lemma_key(noun.head) in ("cast", "take"):
            holder = subject_of(noun.head)
        if holder is None:
            return []
        actor = self.actor_of(holder)
        if actor is None:
            return []
        out = []
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ in ("for", "against"):
                pol = SUPPORT if c.lower_ == "for" else OPPOSE
                for g in c.children:
                    if g.dep_ in ("pobj", "pcomp"):
                        span = self._target_span(g)
                        if span is not None:
                            out.append(self._record(actor, pol, span, noun, noun, 0.7))
        return out

    def orientations(self) -> list[Reported]:
        """'the pro-Clinton super PAC, Priorities USA Action', 'anti-Trump protesters'."""
        out = []
        doc = self.doc
        for tok in doc[:-2]:
            pol = lex.ORIENTATION_PREFIXES.get(tok.lower_)
            if pol is None or doc[tok.i + 1].text not in ("-", "‐", "‑") or doc[tok.i + 1].whitespace_ or tok.whitespace_:
                continue
            tgt = doc[tok.i + 2]
            te = self.ctx.ent_at(tgt.idx, tgt.idx + len(tgt.text)) or self.ctx.by_name.get(tgt.text)
            if te is None:
                continue
            head = tok
            while head.dep_ in ("amod", "compound", "nmod", "punct") and head.head is not head and head.head.i > head.i:
                head = head.head
            if head.i <= tgt.i:
                continue
            actor = None
            for c in head.children:
                if c.dep_ == "appos":
                    e = self.ctx.ent_at(c.idx, c.idx + len(c.text))
                    if e is not None:
                        actor = self.hit(e)
            if actor is None:
                e = self.ctx.ent_at(head.idx, head.idx + len(head.text))
                if e is not None and e.id != te.id:
                    actor = self.hit(e)
            if actor is None and head.pos_ == "NOUN":
                words = [t for t in doc[tok.i:head.i + 1]]
                name = "".join(t.text_with_ws for t in words).strip()
                slugged = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                actor = ActorHit(id="group:" + slugged, name=name, type="GROUP")
            if actor is None:
                continue
            span = doc[tgt.i:tgt.i + 1]
            out.append(Reported(actor=actor, polarity=pol, target=span, target_text=te.name, topic_id=te.id, topic_label=te.name,
                                evidence=(tok.idx, head.idx + len(head.text)), trigger=tok.lower_, confidence=0.7))
        return out

    def _role_noun(self, noun: Token, pol: int) -> list[Reported]:
        """'X, a critic of Y', 'X is a supporter of Y', 'a Sanders supporter, X,' and 'Clinton ally X'
        (the role noun as a title before the holder's name)."""
        holder = None
        if noun.dep_ == "appos":
            holder = noun.head
        elif noun.dep_ == "attr" and noun.head.lemma_ == "be":
            holder = subject_of(noun.head)
            if negated(noun.head):
                return []
        elif noun.dep_ in ("compound", "amod") and noun.head.i > noun.i and self._person_at(noun.head):
            holder = noun.head
        else:
            holder = next((c for c in noun.children if c.dep_ == "appos" and self._person_at(c)), None)
        if holder is None:
            return []
        targets = []
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "for"):
                targets += [g for g in c.children if g.dep_ == "pobj"]
        for c in noun.children:
            if c.dep_ in ("poss", "compound") and self.ctx.ent_at(c.idx, c.idx + len(c.text)) is not None:
                targets.append(c)
        if not targets:
            return []
        actor = self.actor_of(holder)
        if actor is None:
            return []
        out = []
        for t in targets:
            span = self._target_span(t) if t.dep_ not in ("poss", "compound") else t.doc[t.i:t.i + 1]
            if span is not None:
                out.append(self._record(actor, pol, span, noun, noun, 0.6))
        return out

    def _person_at(self, tok: Token) -> bool:
        """Whether ``tok`` lies in a person's name (the holder a title or appositive names)."""
        e = self.ctx.ent_at(tok.idx, tok.idx + len(tok.text))
        return e is not None and e.type == "PERSON"

    def _adj(self, adj: Token) -> list[Reported]:
        lem = lemma_key(adj)
        if lem in lex.SUPPORTER_NOUNS or lem in lex.OPPONENT_NOUNS:
            # a role noun the tagger read as an adjective ("top Sanders surrogate Rep. Tulsi Gabbard")
            return self._role_noun(adj, SUPPORT if lem in lex.SUPPORTER_NOUNS else OPPOSE)
        k = adj.lower_ if adj.lower_ in lex.ADJ_FEELING else lemma_key(adj)
        preps = lex.ADJ_SUPPORT.get(k) or lex.ADJ_OPPOSE.get(k)
        pol = SUPPORT if k in lex.ADJ_SUPPORT else OPPOSE
        if k in lex.ADJ_FEELING:
            pol, preps = lex.ADJ_FEELING[k]
        if not preps or adj.dep_ not in ("acomp", "amod", "ROOT", "conj"):
            return []
        targets = prep_objects(adj, preps)
        if not targets:
            return []
        verb = adj.head if adj.dep_ == "acomp" else adj
        holder = subject_of(verb) if adj.dep_ != "amod" else adj.head
        if holder is None or hedged(adj) or negated(verb) or negated(adj):
            return []
        return self._held(holder, pol, targets, adj, 0.65)
