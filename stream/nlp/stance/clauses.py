"""Clause-level helpers and the records of reported stances: subjects through control and
relative clauses, phrases cut at their relative clauses, negation, hedges, verb-particle keys.

Shared by :mod:`stream.nlp.stance.reported`, :mod:`stream.nlp.stance.nominal` and
:mod:`stream.nlp.stance.candidates`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from stream.nlp.entities import Ent
from stream.nlp.errors import LENIENT, ErrorPolicy
from stream.nlp.lexicons import reported as lex

SUPPORT, OPPOSE = 1, -1


@dataclass(frozen=True, slots=True)
class ActorHit:
    """Who holds a position: an entity of the article, or a described group ("GOP candidates")."""
    id: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Reported:
    """One reported stance before it becomes a StanceRecord."""
    actor: ActorHit
    polarity: int
    target: Span               # the syntactic target phrase
    target_text: str           # resolved phrase
    topic_id: str
    topic_label: str
    evidence: tuple[int, int]  # char offsets
    trigger: str
    confidence: float


@dataclass
class Context:
    """What the rules need from the rest of the pipeline, in the parsed Doc's character offsets."""
    doc: Doc
    ent_at: Callable[[int, int], Ent | None]                        #: the entity a span names
    ent_before: Callable[[int, Callable[[Ent], bool]], Ent | None]  #: the latest entity mentioned before a position
    quote_speakers: list[tuple[int, int, Ent]] = field(default_factory=list)  #: attributed contents and their speakers
    by_name: dict[str, Ent] = field(default_factory=dict)  #: surface form -> entity, for words the NER typed otherwise
    entities: list[Ent] = field(default_factory=list)      #: every entity of the article (for salience)
    article_id: str = ""
    errors: ErrorPolicy = LENIENT


def lemma_key(tok: Token) -> str:
    """The lower-case lemma the word lists are keyed by."""
    return tok.lemma_.lower()


def phrasal_keys(tok: Token) -> list[str]:
    """The verb's lemma and its particle/preposition forms: 'vote_for', 'shut_down', 'lash_out_at'."""
    base = lemma_key(tok)
    keys = [base]
    prt = [c for c in tok.children if c.dep_ == "prt"]
    preps = [c for c in tok.children if c.dep_ in ("prep", "agent") and c.i > tok.i]
    for p in prt:
        keys.append(f"{base}_{p.lower_}")
        for q in preps:
            keys.append(f"{base}_{p.lower_}_{q.lower_}")
    for q in preps:
        keys.append(f"{base}_{q.lower_}")
        for g in q.children:
            if g.dep_ == "pobj" and g.lower_ in ("favor", "favour"):
                keys.append(f"{base}_in_favor_of")
    return keys


def negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in lex.NEGATIONS and c.dep_ in ("neg", "advmod", "det") for c in tok.children)


def governed_flip(verb: Token) -> bool:
    """Whether the clauses that control ``verb`` turn its position around: an odd number of refusals and
    negations above it ("declined to endorse", "is not ready to support", "did not want to back",
    "won't refuse to back" twice). Only control (xcomp) chains count: "did not say he backs" reports no
    refusal, and an adjective's clause is negated on its copula ("is not ready to")."""
    flip = False
    t = verb
    for _ in range(4):
        if t.dep_ != "xcomp" or t.head is t:
            break
        h = t.head
        if lemma_key(h) in lex.REFUSAL_VERBS or h.lower_ in lex.REFUSAL_VERBS:
            flip = not flip
        if negated(h):
            flip = not flip
        if h.pos_ == "ADJ" and h.dep_ == "acomp" and h.head is not h:
            if negated(h.head):
                flip = not flip
            h = h.head
        t = h
    return flip


def hedged(tok: Token) -> bool:
    """Conditional, questioned or predicted clauses hold no stance ('if he wins', 'whether to back',
    'I expect Meta to sign'): a prediction is the speaker's guess, not the subject's position."""
    t = tok
    for _ in range(6):
        for c in t.children:
            if c.dep_ == "mark" and c.lower_ in lex.HEDGE_MARKS:
                return True
        if t.dep_ in ("ROOT",) or t.head is t:
            break
        if t.dep_ in ("xcomp", "ccomp") and t.head.lemma_.lower() in lex.PREDICTION_VERBS:
            return True
        t = t.head
    sent = tok.sent
    return sent.text.rstrip().rstrip("\u201d\"'").endswith("?")


def speculative(tok: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in lex.SPECULATIVE_MODALS for c in tok.children)


def subject_of(verb: Token) -> Token | None:
    """The grammatical subject of a verb, climbing through control, coordination and relative clauses."""
    t = verb
    for _ in range(5):
        for c in t.children:
            if c.dep_ in ("nsubj", "csubj"):
                if c.tag_ == "WDT" or c.lower_ in ("who", "which", "that"):
                    if t.dep_ == "relcl":
                        return t.head
                    return None
                return c
        for c in t.children:
            if c.dep_ == "agent":
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if objs:
                    return objs[0]
        # "X is ready to support Y": the adjective's clause has the copula's subject
        if (t.dep_ in ("xcomp", "conj", "advcl") or (t.dep_ == "acomp" and t.pos_ == "ADJ")) and t.head is not t:
            t = t.head
            continue
        if t.dep_ in ("acl", "relcl") and t.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return t.head
        return None
    return None


def conjuncts(tok: Token) -> list[Token]:
    """A phrase's head and the heads coordinated with it: "Crapo and Risch endorsed" has two holders."""
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN"):
            out += conjuncts(c)
    return out


def phrase_of(tok: Token, cut_relcl: bool = True) -> Span:
    """A token's phrase within its sentence; its own relative and appositive clauses are left out unless asked for."""
    doc = tok.doc
    skip: set[int] = set()
    if cut_relcl:
        for c in tok.children:
            if c.dep_ in ("relcl", "appos"):
                skip.update(t.i for t in c.subtree)
                # the comma before an appositive goes too
                if c.i > 0 and doc[c.i - 1].is_punct:
                    skip.add(c.i - 1)
    idx = [t.i for t in tok.subtree if t.i not in skip]
    lo, hi = min(idx), max(idx) + 1
    # a cut clause in the middle ends the phrase there
    for j in range(tok.i + 1, hi):
        if j in skip:
            hi = j
            break
    sent = tok.sent
    lo, hi = max(lo, sent.start), min(hi, sent.end)
    while hi > lo + 1 and (doc[hi - 1].is_punct or doc[hi - 1].dep_ == "cc"):
        hi -= 1
    while lo < hi - 1 and (doc[lo].is_punct or doc[lo].dep_ == "cc"):
        lo += 1
    return doc[lo:hi]




def topic_key(head: Token, ent_at: Callable[[int, int], Ent | None]) -> str | None:
    """A topic id from a target's head noun: its lemma with the modifiers that matter, and the entity
    that owns it ("Obama's executive actions" and "Trump's executive actions" are two topics; "European
    forces" in two articles is one). None when the head is not a noun."""
    if head.pos_ not in ("NOUN", "PROPN"):
        return None
    mods = [t for t in head.children if t.dep_ in ("compound", "amod", "nmod") and t.i < head.i]
    owner = None
    for t in head.children:
        if t.dep_ in ("poss", "compound", "nmod") and t.pos_ == "PROPN":
            owner = ent_at(t.idx, t.idx + len(t.text))
            if owner is not None:
                mods = [m for m in mods if m.i != t.i and not (m.dep_ == "compound" and m.head.i == t.i)]
                break
    words = [t.lemma_.lower() for t in sorted([*mods, head], key=lambda t: t.i) if t.is_alpha]
    if not words:
        return None
    return "topic:" + (owner.id + ":" if owner is not None else "") + "-".join(words)


def anaphoric_only(head: Token) -> bool:
    """'the plan', 'such meetings', 'its members': a noun whose only dependents point back to something
    named before. Unresolved, it names nothing a reader can identify."""
    if head.pos_ != "NOUN":
        return False
    kids = [c for c in head.children if not c.is_punct]
    return bool(kids) and all(c.dep_ in ("det", "poss", "predet", "amod") and c.lower_ in lex.ANAPHORIC_DETERMINERS for c in kids)
