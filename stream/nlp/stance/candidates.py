"""Stance candidates and their features, for the learned stance classifier.

A candidate is an actor with something it may hold a position on: every clause whose subject
resolves to an actor (its complement is the target), every attributed content with its
speaker, and every finding of the dependency rules (:mod:`stream.nlp.stance.reported`).
Features are linguistic, never topical: the verb's lemma and class, negation, modality,
embedded verbs, the object's entity type, the valence of the words (VADER plus
:mod:`stream.nlp.lexicons.evaluative`), lemmas of verbs, adjectives and adverbs (not nouns,
so no storyline is learned), the actor's salience in the article, and what the rules found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from stream.nlp.lexicons import reported as lex
from stream.nlp.sentiment import scores
from stream.nlp.stance import clauses
from stream.nlp.stance.reported import ReportedStances


@dataclass
class StanceCandidate:
    """An actor and what it may hold a position on, with the features the classifier reads."""
    actor: clauses.ActorHit
    text: str                    #: the target phrase (what the position would be about)
    start: int                   #: evidence span, character offsets into the parsed Doc
    end: int
    topic_id: str
    topic_label: str
    feats: dict[str, float] = field(default_factory=dict)
    rule_polarity: int = 0       #: +1/-1 when a dependency rule found it, else 0


def _lexclass(lemma: str) -> str:
    for name, words in (("sup", lex.SUPPORT_VERBS), ("opp", lex.OPPOSE_VERBS), ("asup", lex.ACTION_SUPPORT),
                        ("aopp", lex.ACTION_OPPOSE), ("intent", lex.INTENT_VERBS), ("speech", lex.SPEECH_VERBS),
                        ("call", lex.CALLING_VERBS), ("refuse", lex.REFUSAL_VERBS)):
        if lemma in words:
            return name
    return "other"


def _polarity(v: Token) -> int:
    """+1 or -1 for a verb of position (or its verb-particle form, "vote_for"), else 0."""
    for k in clauses.phrasal_keys(v):
        if k in lex.OPPOSE_VERBS:
            return -1
        if k in lex.SUPPORT_VERBS:
            return 1
    return 0


def composed(v: Token) -> int:
    """The position a clause states once negation and refusal are composed: +1, -1 or 0. A verb of position
    counts itself ("won't support" is against); a verb without one takes the position verb it controls
    ("declined to endorse", "is not ready to back" are against), so the candidate of the governing
    clause and of the embedded one carry the same fact."""
    pol = _polarity(v)
    if pol:
        return -pol if clauses.negated(v) != clauses.governed_flip(v) else pol
    heads = [v, *[c for c in v.children if c.dep_ == "acomp" and c.pos_ == "ADJ"]]
    for h in heads:
        for ch in h.children:
            if ch.dep_ == "xcomp" and ch.pos_ in ("VERB", "AUX"):
                p = _polarity(ch)
                if p:
                    return -p if clauses.negated(ch) != clauses.governed_flip(ch) else p
    return 0


def _bin(v: float) -> str:
    if v <= -0.5:
        return "vneg2"
    if v <= -0.15:
        return "vneg1"
    if v < 0.15:
        return "v0"
    if v < 0.5:
        return "vpos1"
    return "vpos2"


POLAR_WORDS = {**{w: 1 for w in lex.SUPPORT_VERBS | lex.SUPPORT_NOUNS | lex.SUPPORTER_NOUNS | lex.APPROVAL_NOUNS},
               **{w: -1 for w in lex.OPPOSE_VERBS | lex.OPPOSE_NOUNS | lex.OPPONENT_NOUNS | lex.CONCERN_NOUNS}}


def in_denial(t: Token) -> bool:
    """Whether a word is said under an odd number of negations and refusals ("refused to [endorse]", "did
    not [back]", "is not ready to [support]"): the negation scope of sentiment analysis, read from the
    parse (the word's own verb and every verb above it in its sentence)."""
    flip = False
    x = t
    for _ in range(8):
        if x.pos_ in ("VERB", "AUX", "ADJ") and clauses.negated(x):
            flip = not flip
        if x.dep_ == "xcomp" and x.head is not x and x.head.lemma_.lower() in lex.REFUSAL_VERBS:
            flip = not flip
        if x.head is x:
            break
        x = x.head
    return flip


def _text_feats(tokens: list[Token], f: dict[str, float]) -> None:
    txt = " ".join(t.text for t in tokens)
    sc = scores(txt)
    v = sc["compound"]
    f["val"] = v
    f["vneg"] = sc["neg"]
    f["vpos"] = sc["pos"]
    f["vbin=" + _bin(v)] = 1
    denied: set[int] = set()
    nsup = sum(1 for t in tokens if POLAR_WORDS.get(t.lemma_.lower()) == (-1 if t.i in denied else 1))
    nopp = sum(1 for t in tokens if POLAR_WORDS.get(t.lemma_.lower()) == (1 if t.i in denied else -1))
    if nsup:
        f["lex_sup"] = min(nsup, 3)
    if nopp:
        f["lex_opp"] = min(nopp, 3)
    nneg = sum(1 for t in tokens if t.dep_ == "neg" or t.lower_ in ("never", "cannot"))
    if nneg:
        f["negs"] = min(nneg, 3)
    if any(t.lower_ in ("if", "whether", "might", "may", "maybe", "perhaps", "?") for t in tokens):
        f["hedge_in"] = 1
    if any(t.lower_ in ("will", "would", "'ll", "must", "should") for t in tokens):
        f["modal_in"] = 1
    for t in tokens:
        if t.pos_ in ("VERB", "ADJ", "ADV") and t.is_alpha and not t.is_stop:
            f[("w~=" if t.i in denied else "w=") + t.lemma_.lower()] = 1
        if t.dep_ == "neg":
            f["neg_in"] = 1
    f["len=" + str(min(len(tokens) // 5, 6))] = 1


class CandidateFinder:
    """Every stance candidate of one parsed article."""

    def __init__(self, rs: ReportedStances):
        self.rs = rs
        self.doc: Doc = rs.doc

    def find(self) -> list[StanceCandidate]:
        out: list[StanceCandidate] = []
        rules = self.rs.find()
        rule_by_sent: dict[tuple[int, str], int] = {}
        for r in rules:
            sent = self.doc.char_span(r.evidence[0], r.evidence[1], alignment_mode="expand")
            s0 = sent.sent.start if sent is not None else -1
            rule_by_sent[(s0, r.actor.id)] = r.polarity
            c = StanceCandidate(actor=r.actor, text=r.target_text, start=r.evidence[0], end=r.evidence[1],
                          topic_id=r.topic_id, topic_label=r.topic_label, rule_polarity=r.polarity)
            f = c.feats
            f["src=rule"] = 1
            f["rule=" + ("sup" if r.polarity > 0 else "opp")] = 1
            f["trig=" + r.trigger.lower()] = 1
            f["conf"] = r.confidence
            _text_feats(list(r.target), f)
            out.append(c)
        for v in self.doc:
            if v.pos_ not in ("VERB", "AUX"):
                continue
            if v.lemma_ == "be" and not any(c.dep_ in ("attr", "acomp") for c in v.children):
                continue
            subj = clauses.subject_of(v)
            if subj is None:
                continue
            for holder in clauses.conjuncts(subj):
                for actor in self.rs.actors_of(holder):
                    c = self._clause(v, subj, actor, rule_by_sent)
                    if c is not None:
                        out.append(c)
        for s, e, ent in self.rs.ctx.quote_speakers:
            span = self.doc.char_span(s, e, alignment_mode="expand")
            if span is None:
                continue
            toks = [t for t in span if not t.is_punct]
            c = StanceCandidate(actor=self.rs.hit(ent), text=span.text, start=s, end=e, topic_id="", topic_label="")
            root = span.root
            arg = next((a for a in root.children if a.dep_ in ("dobj", "attr", "nsubj", "nsubjpass")
                        and a.pos_ in ("NOUN", "PROPN")), root)
            topic = self._topic(arg, span.text, ent.id)
            if topic is None:
                continue
            if arg is root and any(a.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in lex.HEDGE_MARKS for m in a.children)
                                   for a in root.children):
                continue  # a quote that is all condition ("I would be ... if X did not ...") names no position of its own
            c.topic_id, c.topic_label = topic
            f = c.feats
            f["src=quote"] = 1
            pol = composed(root)
            if pol:
                f["eff=" + ("sup" if pol > 0 else "opp")] = 1
            f["root=" + root.lemma_.lower()] = 1
            f["rootc=" + _lexclass(root.lemma_.lower())] = 1
            _text_feats(toks, f)
            out.append(c)
        counts: dict[str, int] = {}
        for e in getattr(self.rs.ctx, "entities", []) or []:
            counts[e.id] = len(e.mentions)
        top = sorted(counts.values(), reverse=True)
        # an actor's stance toward itself says nothing ("the Commission says its code reduces ...")
        out = [c for c in out if c.topic_id != c.actor.id]
        for c in out:
            c.feats["bias"] = 1
            if c.topic_id.startswith("clause:"):
                c.feats["tgt_clause"] = 1
            n = counts.get(c.actor.id, 0)
            c.feats["sal=" + ("0" if n == 0 else "1" if n == 1 else "2-3" if n <= 3 else "4+")] = 1
            if top and n >= top[min(2, len(top) - 1)]:
                c.feats["sal_top3"] = 1
            if c.topic_id.startswith("ent:") or c.topic_id.startswith("Q") or c.topic_id.startswith("kb:"):
                c.feats["tgt_entity"] = 1
        return out

    def _clause(self, v: Token, subj: Token, actor: clauses.ActorHit,
                rule_by_sent: dict[tuple[int, str], int]) -> StanceCandidate | None:
        """The candidate of one clause for one of its subject's actors: the verb's complement is the target."""
        sub_ids = {t.i for t in subj.subtree}
        comp = [t for t in v.subtree if t.i > v.i and t.i not in sub_ids and t.sent == v.sent and not t.is_punct]
        if not comp:
            return None
        ctoks = [t for t in comp]
        text = " ".join(t.text for t in ctoks)
        if not re.search(r"[A-Za-z]", text):
            return None
        obj = next((c for c in v.children if c.dep_ in ("dobj", "attr", "acomp", "xcomp", "ccomp", "prep") and c.i > v.i), None)
        topic = self._topic(obj, text, actor.id)
        if topic is None:
            return None
        tid, tlabel = topic
        c = StanceCandidate(actor=actor, text=text, start=min(v.idx, ctoks[0].idx), end=ctoks[-1].idx + len(ctoks[-1].text),
                      topic_id=tid, topic_label=tlabel)
        f = c.feats
        f["src=verb"] = 1
        lem = v.lemma_.lower()
        f["v=" + lem] = 1
        f["vc=" + _lexclass(lem)] = 1
        for k in clauses.phrasal_keys(v)[1:]:
            f["vp=" + k] = 1
            f["vc=" + _lexclass(k)] = 1
        if v.dep_ in ("xcomp", "ccomp", "conj") and v.head is not v:
            # what governs the clause: "declined to [endorse]", "promised to [end]", "did not [say he backs]"
            gl = v.head.lemma_.lower()
            f["govc=" + _lexclass(gl)] = 1
            f["gov_vc=" + _lexclass(gl) + "+" + _lexclass(lem)] = 1
            if clauses.negated(v.head):
                f["gov_neg"] = 1
        # the composed polarity of a position verb: "declined to endorse", "is not ready to back", "won't
        # support" are one fact to learn (against), not three rare combinations of verb and governor
        pol = composed(v)
        if pol:
            f["eff=" + ("sup" if pol > 0 else "opp")] = 1
        if clauses.negated(v):
            f["neg"] = 1
            f["vneg=" + _lexclass(lem)] = 1
            f["v_neg=" + lem] = 1
        for ch in v.children:
            if ch.dep_ == "aux" and ch.lower_ in ("will", "would", "'ll", "should", "must", "could", "might", "may"):
                f["aux=" + ch.lower_] = 1
            if ch.dep_ == "xcomp" and ch.pos_ in ("VERB", "AUX"):
                xl = ch.lemma_.lower()
                f["x=" + xl] = 1
                f["xc=" + _lexclass(xl)] = 1
                f["vx=" + _lexclass(lem) + "+" + _lexclass(xl)] = 1
                if clauses.negated(ch):
                    f["xneg"] = 1
            if ch.dep_ in ("dobj",):
                e = self.rs.ctx.ent_at(ch.idx, ch.idx + len(ch.text))
                f["obj=" + (e.type if e is not None else ch.pos_)] = 1
                f["v_obj=" + lem + "+" + (e.type if e is not None else ch.pos_)] = 1
        if clauses.hedged(v):
            return None  # a question, a condition or someone's prediction holds no position
        if v.dep_ in ("ROOT",):
            f["root"] = 1
        f["dep=" + v.dep_] = 1
        f["subj=" + ("pron" if subj.pos_ == "PRON" else actor.type)] = 1
        if self.rs.speaker_for(v.idx) is not None:
            f["inquote"] = 1
        s0 = v.sent.start
        rp = rule_by_sent.get((s0, actor.id))
        if rp:
            f["rule_sent=" + ("sup" if rp > 0 else "opp")] = 1
        _text_feats(ctoks, f)
        return c

    def _topic(self, obj: Token | None, text: str, actor_id: str) -> tuple[str, str] | None:
        """Topic id and label of a candidate's target; None when the target is an unresolved pointer."""
        if obj is not None:
            head = obj
            if head.dep_ == "prep":
                head = next((g for g in head.children if g.dep_ == "pobj"), head)
            if head.dep_ in ("xcomp", "ccomp"):
                # a clause is about its object, else its subject ("said the deal was a mistake")
                head = next((g for g in head.children if g.dep_ == "dobj"),
                            next((g for g in head.children if g.dep_ in ("nsubj", "nsubjpass") and g.pos_ in ("NOUN", "PROPN")), head))
            e = self.rs.ctx.ent_at(head.idx, head.idx + len(head.text)) or self.rs._described(head, actor_id)
            if e is None and head.lower_ in ("him", "her"):
                e = self.rs.person_antecedent(head, actor_id)
            if e is not None:
                return e.id, e.name
            if clauses.anaphoric_only(head):
                # "the plan", "this deal": the fuller mention earlier in the article with the same head noun;
                # a description of an actor is not ("the government", "the senator": someone, resolved as an entity)
                if clauses.lemma_key(head) in lex.COLLECTIVE_HEADS | lex.ORG_DESCRIPTIONS | lex.PERSON_DESCRIPTIONS:
                    return None
                ante = self.rs.antecedent_span(clauses.phrase_of(head))
                if ante is None:
                    return None
                e = self.rs.ctx.ent_at(ante.root.idx, ante.root.idx + len(ante.root.text))
                if e is not None and e.id != actor_id:
                    return e.id, e.name
                key = clauses.topic_key(ante.root, self.rs.ctx.ent_at)
                return (key, ante.text) if key is not None else None
            key = clauses.topic_key(head, self.rs.ctx.ent_at)
            if key is not None:
                return key, text
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
        return "clause:" + slug, text
