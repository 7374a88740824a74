"""Which people of an article "he" and "she" can stand for, read from the article itself.

News prose tells a person's gender in a few reliable ways: an honorific ("Mr. Kasich",
"Ms. Lange"), a gendered title or apposition ("Congresswoman Gabbard", "Walsh, a
spokeswoman"), and the pronouns that follow a person who is the only one named in a
sentence ("Kasich said he would stay in"). Without it, "he" went to the last person named,
even when that was a woman, and a man's stance landed on her. No list of first names is
used: the evidence is the article's own, so it works for any name.

:func:`assign_genders` sets :attr:`Ent.gender` to "m", "f" or leaves None (no or mixed
evidence); :func:`agrees` is the check every pronoun resolution applies.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from stream.nlp.entities import Ent, EntityIndex
from stream.nlp.lexicons.gender import GENDERED_NOUNS, HONORIFICS, PRONOUN_GENDER

if TYPE_CHECKING:
    from stream.nlp.packing import CharMap

#: weight of an honorific or gendered noun against one sentence's pronouns
_STRONG = 3
_HONORIFIC = re.compile(r"\b(" + "|".join(HONORIFICS) + r")\.?\s+$", re.IGNORECASE)


def agrees(ent: Ent | None, pronoun: str) -> bool:
    """Whether a pronoun may stand for ``ent``: yes unless both genders are known and differ."""
    g = PRONOUN_GENDER.get(pronoun.lower())
    return ent is None or g is None or ent.gender is None or ent.gender == g


def assign_genders(ents: EntityIndex, sub, cmap: "CharMap", body: str) -> None:
    """Set the gender of each person entity from the evidence in the article (see the module doc)."""
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])   # ent id -> [m, f]
    people = {e.id: e for e in ents.ents if e.is_person}
    if not people:
        return

    def vote(eid: str, g: str, w: int) -> None:
        votes[eid][0 if g == "m" else 1] += w

    for e in people.values():
        for s, _, _ in e.mentions:
            m = _HONORIFIC.search(body[max(0, s - 10):s])
            if m:
                vote(e.id, HONORIFICS[m.group(1).lower()], _STRONG)

    def person_of(tok) -> Ent | None:
        if not tok.text[:1].isupper():    # a name is capitalised: most tokens need no look-up
            return None
        e = ents.at(cmap.start(tok.idx), cmap.end(tok.idx + len(tok.text)))
        return e if e is not None and e.is_person else None

    prev_only: Ent | None = None
    for sent in sub.sents:
        named: dict[str, int] = {}     # ent id -> first token index in the sentence
        pronouns: list[tuple[int, str]] = []
        quoted = False
        for tok in sent:
            if tok.text in ('"', "\u201c", "\u201d"):
                quoted = tok.text == "\u201c" or (tok.text == '"' and not quoted)
                continue
            g = PRONOUN_GENDER.get(tok.lower_)
            if g and not quoted and (tok.pos_ == "PRON" or tok.dep_ == "poss"):
                pronouns.append((tok.i, g))   # a pronoun inside a quote is the speaker's, about someone else
            e = person_of(tok)
            if e is None:
                continue
            named.setdefault(e.id, tok.i)
            # a gendered title or apposition: "Congresswoman Gabbard", "Lange, a spokeswoman", "a spokeswoman, Lange"
            near = [c for c in tok.children if c.dep_ in ("compound", "appos")]
            if tok.dep_ == "appos":
                near.append(tok.head)
            for n in near:
                ng = GENDERED_NOUNS.get(n.lower_)
                if ng and person_of(n) is None:
                    vote(e.id, ng, _STRONG)
        if len(named) == 1:
            (eid, first), = named.items()
            after = {g for i, g in pronouns if i > first}
            if len(after) == 1:
                vote(eid, after.pop(), 1)
            prev_only = people[eid]
        elif not named and prev_only is not None:
            # "Kasich spoke in Ohio. He said ...": the sentence's first pronoun, when no one else is named
            if pronouns:
                vote(prev_only.id, pronouns[0][1], 1)
            prev_only = None
        else:
            prev_only = None
    for eid, (m, f) in votes.items():
        if m > 0 and m >= 3 * f:
            people[eid].gender = "m"
        elif f > 0 and f >= 3 * m:
            people[eid].gender = "f"
