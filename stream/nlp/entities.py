"""Entities: NER mentions plus a KB gazetteer scan, linked to canonical actors.

Linking order for a mention: KB alias/metonym (context-aware for shared aliases), acronym
defined in the article ("National Union of Classroom Teachers (NUCT)"), surname or titled
form of a person named in full earlier ("Peskov", "Mr. Peskov"), else an unknown entity
with a stable id from its normalised name (``ent:<type>:<slug>``).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

from schemas import Entity, Mention
from stream.nlp.gazetteer import _gazetteer
from stream.nlp.kb import KB, Actor, key
from stream.nlp.text import slug

NER_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
TITLES = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Prof|Sir|Dame|Lord|Lady|President|Prime Minister|Chancellor|"
    r"Minister|Secretary|Judge|Justice|Premier|King|Queen|Prince|Princess|Pope|Ambassador|Commissioner|"
    r"Senator|Governor|General|Colonel|Mayor)\.?\s+)+"
)
ORG_WORDS = re.compile(
    r"\b(?:Association|Union|Council|Ministry|Department|Office|Institute|Alliance|Group|Forum|Bank|Agency|"
    r"Commission|Committee|Party|Federation|Confederation|Coalition|Organi[sz]ation|Authority|Court|Parliament|"
    r"Board|Body|Watch|Fund|Foundation|Society|League|Congress|Corporation|Company|Inc|Ltd|Digital|Advisory|"
    r"Capital|Commodities|Renewables|Network|Centre|Center|Trust|Service|Services|Club|Guild|Chamber|Syndicate|"
    r"Consortium|Cooperative|Secretariat|University|Academy|Assembly|Tribunal|Holdings|Industries|Airlines|"
    r"Shipping|Energy|Motors|Partners|Labs)\b"
)


@dataclass
class Ent:
    id: str
    name: str
    type: str                      # PERSON, GPE, ORG, NORP ...
    actor: Actor | None = None
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    #: "m" or "f" when the article tells it (:mod:`stream.nlp.gender`), else None
    gender: str | None = None

    @property
    def is_person(self) -> bool:
        return self.type == "PERSON"


class EntityIndex:
    """Entities of one article with a char-offset lookup."""

    def __init__(self, ents: list[Ent]):
        self.ents = ents
        spans = []
        for e in ents:
            for s, t, _ in e.mentions:
                spans.append((s, t, e))
        spans.sort(key=lambda x: (x[0], -x[1]))
        self.spans = spans
        self.starts = [s for s, _, _ in spans]

    def at(self, start: int, end: int) -> Ent | None:
        """The entity whose mention overlaps [start, end) (the longest one)."""
        i = bisect.bisect_right(self.starts, end) - 1
        best = None
        while i >= 0 and self.spans[i][0] > start - 300:
            s, t, e = self.spans[i]
            if s < end and t > start:
                if best is None or (t - s) > (best[1] - best[0]):
                    best = (s, t, e)
            i -= 1
        return best[2] if best else None

    def before(self, pos: int, pred) -> Ent | None:
        """The entity with the latest mention starting before ``pos`` that satisfies ``pred``."""
        i = bisect.bisect_left(self.starts, pos) - 1
        while i >= 0:
            e = self.spans[i][2]
            if pred(e):
                return e
            i -= 1
        return None

    def to_models(self) -> list[Entity]:
        out = []
        for e in self.ents:
            ms = sorted({(s, t, x) for s, t, x in e.mentions})
            aliases = sorted({x for _, _, x in ms if x != e.name})
            out.append(Entity(id=e.id, name=e.name, type=e.type, aliases=aliases,
                              mentions=[Mention(start=s, end=t, text=x) for s, t, x in ms]))
        return out


def _clean(text: str, start: int) -> tuple[str, int]:
    """Drop a leading article/possessive tail; return the new text and start offset."""
    t = text
    for art in ("the ", "The "):
        if t.startswith(art):
            t = t[len(art):]
            start += len(art)
    for suf in ("'s", "\u2019s"):
        if t.endswith(suf):
            t = t[: -len(suf)]
    if " (" in t:
        t = t[: t.index(" (")]
    t = t.rstrip(" ,.;:")
    return t, start


def build_entities(doc, kb: KB, on: date | None, text: str | None = None) -> EntityIndex:
    text = doc.text if text is None else text
    raw: list[tuple[int, int, str, str]] = []  # start, end, text, label
    # gazetteer scan for KB names (exact case, word boundaries); a KB name wins over a shorter NER span
    gaz = _gazetteer(kb).find(text)
    ner = []
    for ent in doc.ents:
        if ent.label_ not in NER_LABELS:
            continue
        t, s = _clean(ent.text, ent.start_char)
        t = t.strip()
        if not t or len(t) > 120 or not any(c.isalpha() for c in t):
            continue
        ner.append((s, s + len(t), t, ent.label_))
    for s, e, t in gaz:
        inside = [n for n in ner if n[0] <= s and e <= n[1] and (n[1] - n[0]) > (e - s)]
        if inside:
            continue  # part of a longer NER name ("Canada" in "Global Affairs Canada")
        raw.append((s, e, t, "KB"))
    covered = sorted((s, e) for s, e, _, _ in raw)
    for s, e, t, lab in ner:
        if any(a < e and s < b for a, b in covered):
            continue
        raw.append((s, e, t, lab))
        covered.append((s, e))
    # capitalised multi-word organisation names the model missed
    for m in _ORGNAME.finditer(text):
        s = m.start()
        # one sentence, one line: "... Review Body. Ministers" is a name and the next sentence
        name, s = _clean(re.split(r"\.\s|\s*\n", m.group(0))[0], s)
        e = s + len(name)
        if not ORG_WORDS.search(name):
            continue
        over = [r for r in raw if r[0] < e and s < r[1]]
        # a model span inside a longer organisation name ("North Sea" in "North Sea Port Operators
        # Association") gives way to the whole name; a KB name or a crossing span does not
        if any(r[3] == "KB" or r[0] < s or r[1] > e for r in over):
            continue
        for r in over:
            raw.remove(r)
        covered = [(a, b) for a, b in covered if not (s <= a and b <= e)]
        raw.append((s, e, name, "ORG"))
        covered.append((s, e))
    raw.sort()
    # a multi-word name the model typed ORG whose surname is later used alone as a person ("Mr. Hatvany")
    singles = set()
    for s_, e_, t_, lab_ in raw:
        m = TITLES.match(t_)
        t2 = t_[m.end():] if m and m.end() < len(t_) else t_
        if " " not in t2 and (lab_ == "PERSON" or (m and m.end() < len(t_))):
            singles.add(t2)
    for m in re.finditer(r"\b(?:Mr|Mrs|Ms|Dr)\.?\s+([A-Z][\w'-]+)", text):
        singles.add(m.group(1))
    for i, (s_, e_, t_, lab_) in enumerate(raw):
        words = t_.split()
        if lab_ in ("ORG", "GPE", "NORP") and 1 < len(words) <= 4 and not ORG_WORDS.search(t_) and kb.lookup(t_) is None \
                and (words[-1] in singles or _PARTICLE_NAME.fullmatch(t_) or _ROLE_BEFORE.search(text[max(0, s_ - 40):s_])):
            raw[i] = (s_, e_, t_, "PERSON")
    # country context for shared aliases
    context: dict[str, int] = {}
    for s, e, t, lab in raw:
        a = kb.lookup(t)
        if a is not None and a.type == "GOV" and a.country:
            context[a.country] = context.get(a.country, 0) + 1
    # acronyms defined in parentheses
    acronyms: dict[str, tuple[int, int, str]] = {}
    for i, (s, e, t, lab) in enumerate(raw):
        after = text[e:e + 16]
        m = re.match(r"\s*\(([A-Z][A-Za-z&]{1,9})\)", after)
        if m and lab in ("ORG", "KB", "GPE") and " " in t:
            acronyms[m.group(1)] = (s, e, t)

    ents: dict[str, Ent] = {}
    persons_full: dict[str, str] = {}  # surname -> entity id
    names_in_text = set()
    for _, _, t, _ in raw:
        names_in_text.add(key(t))

    def add(eid: str, name: str, typ: str, actor: Actor | None, s: int, e: int, surface: str) -> None:
        ent = ents.get(eid)
        if ent is None:
            ent = ents[eid] = Ent(eid, name, typ, actor)
        ent.mentions.append((s, e, surface))

    for s, e, t, lab in raw:
        surface = text[s:e]
        if lab == "PERSON":
            m = TITLES.match(t)
            if m and m.end() < len(t):
                t = t[m.end():]
        actor = kb.lookup(t, context)
        if actor is None and lab == "PERSON" and " " not in t:
            # weak KB alias (short surname) only when the full name is in the article
            cand = kb.lookup(t, context, allow_weak=True)
            if cand is not None and key(cand.name) in names_in_text:
                actor = cand
        if actor is None and lab == "NORP":
            c = kb.country_of_demonym(t)
            if c is not None:
                add(c.id, c.name, "GPE", c, s, e, surface)
            continue
        if actor is None and t in acronyms:
            _, _, a_t = acronyms[t]
            a_actor = kb.lookup(a_t, context)
            eid = a_actor.id if a_actor else "ent:org:" + slug(a_t)
            add(eid, a_actor.name if a_actor else a_t, "ORG", a_actor, s, e, surface)
            continue
        if actor is None and lab == "KB":
            actor = kb.lookup(t, context, allow_weak=True)
        if actor is not None:
            typ = "PERSON" if actor.is_person else ("GPE" if actor.type == "GOV" and actor.country == actor.id else "ORG")
            add(actor.id, actor.name, typ, actor, s, e, surface)
            if actor.is_person:
                persons_full[actor.name.split()[-1]] = actor.id
            continue
        if lab == "PERSON":
            words = t.split()
            if len(words) == 1 and words[0] in persons_full:
                eid = persons_full[words[0]]
                add(eid, ents[eid].name, "PERSON", ents[eid].actor, s, e, surface)
                continue
            eid = "ent:person:" + slug(t)
            if len(words) > 1:
                persons_full.setdefault(words[-1], eid)
            add(eid, t, "PERSON", None, s, e, surface)
            continue
        if lab in ("FAC", "LOC"):
            continue
        typ = {"GPE": "GPE", "NORP": "GROUP"}.get(lab, "ORG")
        add(f"ent:{typ.lower()}:" + slug(t), t, typ, None, s, e, surface)
    return EntityIndex(list(ents.values()))


_ORGNAME = re.compile(
    r"(?<![\w])(?:[A-Z][\w&'\u2019.-]*\s+)(?:(?:of|for|and|the|on|&)\s+)?(?:[A-Z][\w&'\u2019.-]*\s*)+(?<=\w)"
)
# "Pieter de Vries", "Ursula von der Leyen": a surname particle between capitalised words is a person's name
_PARTICLE_NAME = re.compile(r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?\s+(?:(?:de|van|von|der|den|da|di|du|del|della|le|la|bin|al|ter|ten)\s+)+[A-Z][\w'-]+")
# "its chief executive, Pieter de Vries", "spokeswoman Anna Berg": a name right after a role noun
_ROLE_BEFORE = re.compile(
    r"\b(?:spokes(?:man|woman|person)|minister|secretary|president|chair(?:man|woman)?|director|negotiator|envoy|"
    r"executive|ceo|governor|ambassador|adviser|advisor|mayor|senator|leader)\s*,?\s*$", re.IGNORECASE)
