"""Where a subject pronoun's antecedent is, by the preferences of news prose (pure functions over the parse).

A subject pronoun ("they", "it", "he", "she") refers, first, to the subject of a clause that governs it
in its own sentence ("Crapo and Risch said they would back Nye": reported speech keeps its holder), then
to the subject of the previous sentence's main clause (the topic a paragraph carries on with: "Valeant
has become a punching bag. Clinton called it predatory"); a sentence without a subject ("Take Sens.
Crapo and Risch.") offers its object. Which of these fits is decided by the caller from the actor it
names (:func:`compatible`): a person for he/she, a coordination, group or organisation for they, an
organisation or government for it. The learned stage resolves "they" with these (subject "it" was measured
too and lowered stance-dev and the invented check: an organisation's "it" is as often its product or plan).
"""
from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Token

SUBJECT_DEPS = ("nsubj", "nsubjpass")
PLURAL_TAGS = ("NNS", "NNPS")
#: pronouns whose antecedent is resolved here, and the actor kinds each may stand for
THEY, IT, PERSONAL = "they", "it", ("he", "she")


def _subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)


def antecedent_slots(pron: Token) -> list[Token]:
    """Candidate antecedent heads of a subject pronoun, best first: the subject of a governing clause before
    it in its sentence, then the previous sentence's main subject (or, when it has none, its object)."""
    out: list[Token] = []
    t = pron.head
    for _ in range(6):
        if t.head is t:
            break
        t = t.head
        s = _subject(t)
        if s is not None and s.i < pron.i:
            out.append(s)
            break
    sent = pron.sent
    if sent.start > 0:
        prev = pron.doc[sent.start - 1].sent
        root = prev.root
        s = _subject(root)
        if s is None:
            s = next((c for c in root.children if c.dep_ in ("dobj", "attr")), None)
        if s is not None:
            out.append(s)
    return out


def compatible(pron: str, head: Token, kinds: Sequence[str]) -> bool:
    """Whether an antecedent head naming actors of ``kinds`` (entity types, one per coordinated actor) agrees
    with the pronoun: he/she one person; they a coordination, a plural noun or a collective body; it one
    organisation or government named in the singular."""
    if not kinds:
        return False
    plural = len(kinds) > 1 or head.tag_ in PLURAL_TAGS
    if pron in PERSONAL:
        return not plural and kinds[0] == "PERSON"
    if pron == THEY:
        return plural or kinds[0] in ("GROUP", "NORP")
    if pron == IT:
        return not plural and kinds[0] in ("ORG", "GPE")
    return False
