"""Token helpers shared by the stance rules, and the word forms that can trigger a stance."""
from __future__ import annotations

from stream.nlp.lexicons.speech import SPEECH
from stream.nlp.lexicons.stance import (
    CONTROL_NEG,
    IRREGULAR,
    NEG_ADJ,
    OPPOSE_V,
    POS_ADJ,
    REVERSAL_V,
    STANCE_NOUNS_NEG,
    STANCE_NOUNS_POS,
    SUPPORT_V,
)


def _same_word(lem: str, word: str) -> bool:
    """``word`` is an inflection of ``lem`` ("duty"/"duties", "troop"/"troops"; not "guarantee"/"guarantor")."""
    n = 0
    for a, b in zip(lem, word):
        if a != b:
            break
        n += 1
    return n >= max(3, len(lem) - 1) and len(word) - n <= 3


def _topic_has_word(topic, word: str) -> bool:
    return any(p.search(word) for group in topic.groups for p in group)


def _neg(tok) -> bool:
    for c in tok.children:
        if c.dep_ == "neg" or c.lower_ in ("never",):
            return True
        if c.dep_ in ("aux", "auxpass") and any(g.dep_ == "neg" for g in c.children):
            return True
    return False


def _lem(tok) -> str:
    l = tok.lemma_.lower()
    return IRREGULAR.get(tok.lower_, l)




def _forms(lemmas) -> set[str]:
    out = set()
    for l in lemmas:
        out.add(l)
        stem = l[:-1] if l.endswith("e") else l
        out.update({l + "s", l + "es", l + "d", l + "ed", stem + "ed", stem + "ing", l + "ing"})
        if l.endswith("y"):
            out.update({l[:-1] + "ies", l[:-1] + "ied"})
        if len(l) > 2 and l[-1] not in "aeiouwxy" and l[-2] in "aeiou" and l[-3] not in "aeiou":
            out.update({l + l[-1] + "ed", l + l[-1] + "ing"})
    return out


# every word form that can start a stance: the enricher parses only sentences holding one
TRIGGER_FORMS = frozenset(
    _forms(SUPPORT_V | OPPOSE_V | SPEECH | REVERSAL_V | CONTROL_NEG | {"vote", "call", "push", "urge", "press", "stand"})
    | set(IRREGULAR)
    | STANCE_NOUNS_POS | STANCE_NOUNS_NEG | {"opposed", "against", "favour", "favor", "unacceptable", "welcome",
                                            "ready", "prepared", "willing", "accord", "according", "view"}
    | POS_ADJ | NEG_ADJ | {"mistake", "wants", "wanted"}
)
