"""Find an actor by what people call it: "Kremlin", "russia", "Mauro Vieira", not only ``Q159``.

Analysts know names, the table knows ids. The index holds every name, alias and metonym of
the actor knowledge base (:mod:`stream.nlp.kb`, with ``STANCE_ACTORS_FILE`` merged over the
shipped one) and the actors and speakers seen in the positions table (entities outside the KB,
such as ``ent:org:international-dockworkers-union``, are known only there). Matching folds
accents and case and drops a leading "the" and a possessive, as the enrichment's own lookup does.

:meth:`NameIndex.resolve` answers one :class:`Resolution`: found (one actor), ambiguous (several
actors share the name; the one with statements wins when only one has any) or unknown, with
suggestions (prefix, word, substring, then close spellings) so a 404 can say what was meant.
A speaker's name resolves to the actor their statements count for, marked ``via="speaker"``.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from stream.nlp.kb import KB, key as kb_key

__all__ = ["Candidate", "Match", "NameIndex", "Resolution", "SeenActor", "normalise", "seen_from_values", "spoken_for"]

Via = Literal["id", "name", "alias", "metonym", "seen", "speaker"]
_QID = re.compile(r"q\d+", re.I)


def normalise(text: str) -> str:
    """The matching form of a name: the KB's key (accents folded, "the" and "'s" dropped), lower case."""
    return kb_key(text or "").lower()


@dataclass(frozen=True)
class SeenActor:
    """An actor the table holds statements for, with the speakers who spoke for it there."""

    id: str
    name: str
    type: str = "ORG"
    speakers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One indexed name form of an actor."""

    actor_id: str
    name: str  # the actor's display name
    type: str
    form: str  # the name form as written (alias, metonym, speaker name ...)
    via: Via


@dataclass(frozen=True)
class Match:
    """A candidate that matched a query; ``rank`` 0 exact, 1 prefix, 2 word prefix, 3 substring, 4 close spelling."""

    actor_id: str
    name: str
    type: str
    matched: str
    via: Via
    rank: int
    has_statements: bool


@dataclass(frozen=True)
class Resolution:
    query: str
    actor_id: str | None
    name: str | None = None
    type: str | None = None
    via: Via | None = None
    matches: tuple[Match, ...] = ()  # the exact matches (more than one when ambiguous)
    suggestions: tuple[Match, ...] = ()  # near matches, for "did you mean"

    @property
    def status(self) -> Literal["found", "ambiguous", "unknown"]:
        if self.actor_id is not None:
            return "found"
        return "ambiguous" if self.matches else "unknown"

    def message(self) -> str:
        """One line for an error answer: what matched, or what to try."""
        if self.status == "found":
            return f"{self.query!r} is {self.name} ({self.actor_id})"
        if self.status == "ambiguous":
            names = ", ".join(f"{m.name} ({m.actor_id})" for m in self.matches[:6])
            return f"{self.query!r} names several actors: {names}; pass one id"
        if self.suggestions:
            names = ", ".join(f"{m.name} ({m.actor_id})" for m in self.suggestions[:5])
            return f"no actor matches {self.query!r}; did you mean {names}?"
        return f"no actor matches {self.query!r} (an id such as Q155, a name or an alias from the actor KB)"

    def as_json(self) -> dict[str, Any]:
        def m(x: Match) -> dict[str, Any]:
            return {"id": x.actor_id, "name": x.name, "type": x.type, "matched": x.matched, "via": x.via}

        return {"query": self.query, "status": self.status, "actor": self.actor_id, "via": self.via,
                "matches": [m(x) for x in self.matches], "suggestions": [m(x) for x in self.suggestions]}


@dataclass
class NameIndex:
    """Every name form of every known actor; build it with :meth:`build`."""

    forms: dict[str, list[Candidate]] = field(default_factory=dict)  # normalised form -> candidates
    ids: dict[str, Candidate] = field(default_factory=dict)  # actor id -> its main candidate
    with_statements: set[str] = field(default_factory=set)  # actor ids the table holds statements for
    speaks_for: dict[str, set[str]] = field(default_factory=dict)  # speaker name (normalised) -> actor ids

    def _add(self, c: Candidate) -> None:
        k = normalise(c.form)
        if not k:
            return
        bucket = self.forms.setdefault(k, [])
        if all((x.actor_id, x.via) != (c.actor_id, c.via) for x in bucket):
            bucket.append(c)

    @classmethod
    def build(cls, kb: KB | None, seen: Iterable[SeenActor] = ()) -> NameIndex:
        """The KB's actors (names, aliases, metonyms) and the seen actors (names, speakers)."""
        index = cls()
        if kb is not None:
            for a in kb.by_id.values():
                main = Candidate(a.id, a.name, a.type, a.name, "name")
                index.ids[a.id] = main
                index._add(main)
                for form in a.aliases:
                    index._add(Candidate(a.id, a.name, a.type, form, "alias"))
                for form in a.metonyms:
                    index._add(Candidate(a.id, a.name, a.type, form, "metonym"))
        for s in seen:
            index.with_statements.add(s.id)
            known = index.ids.get(s.id)
            name = known.name if known else s.name
            typ = known.type if known else s.type
            if known is None:
                index.ids[s.id] = Candidate(s.id, name, typ, s.name, "seen")
            if normalise(s.name) != normalise(name) or known is None:
                index._add(Candidate(s.id, name, typ, s.name, "seen"))
            for speaker in s.speakers:
                if normalise(speaker) == normalise(name):
                    continue
                index._add(Candidate(s.id, name, typ, speaker, "speaker"))
                index.speaks_for.setdefault(normalise(speaker), set()).add(s.id)
        return index

    def name_of(self, actor_id: str) -> str | None:
        c = self.ids.get(actor_id)
        return c.name if c else None

    def _match(self, c: Candidate, rank: int) -> Match:
        return Match(c.actor_id, c.name, c.type, c.form, c.via, rank, c.actor_id in self.with_statements)

    def _exact_id(self, query: str) -> str | None:
        q = query.strip()
        if q in self.ids:
            return q
        if _QID.fullmatch(q) and q.upper() in self.ids:
            return q.upper()
        return None

    def resolve(self, query: str, *, suggestions: int = 8) -> Resolution:
        """The actor a query names (see the module docstring for the rules)."""
        q = (query or "").strip()
        exact_id = self._exact_id(q)
        if exact_id is not None:
            c = self.ids[exact_id]
            return Resolution(q, exact_id, c.name, c.type, "id")
        found = self.forms.get(normalise(q), [])
        for pool in ([c for c in found if c.via != "speaker"], [c for c in found if c.via == "speaker"]):
            if not pool:
                continue
            by_actor: dict[str, Candidate] = {}
            for c in pool:
                by_actor.setdefault(c.actor_id, c)
            chosen = list(by_actor.values())
            if len(chosen) > 1:
                spoken = [c for c in chosen if c.actor_id in self.with_statements]
                if len(spoken) == 1:
                    chosen = spoken
            if len(chosen) == 1:
                c = chosen[0]
                return Resolution(q, c.actor_id, c.name, c.type, c.via, matches=(self._match(c, 0),))
            ranked = sorted((self._match(c, 0) for c in chosen), key=lambda m: (not m.has_statements, m.name))
            return Resolution(q, None, matches=tuple(ranked), suggestions=tuple(ranked))
        return Resolution(q, None, suggestions=tuple(self.search(q, limit=suggestions)))

    def search(self, query: str, *, limit: int = 20) -> list[Match]:
        """Actors whose names contain the query, best first: exact, prefix, word prefix, substring, close spelling."""
        q = normalise(query)
        if not q:
            return []
        best: dict[str, Match] = {}

        def offer(c: Candidate, rank: int) -> None:
            m = self._match(c, rank)
            old = best.get(c.actor_id)
            if old is None or (m.rank, m.via == "speaker") < (old.rank, old.via == "speaker"):
                best[c.actor_id] = m

        for form, cands in self.forms.items():
            if form == q:
                rank = 0
            elif form.startswith(q):
                rank = 1
            elif any(w.startswith(q) for w in form.split()):
                rank = 2
            elif q in form:
                rank = 3
            else:
                continue
            for c in cands:
                offer(c, rank)
        if len(best) < limit and len(q) >= 3:
            for form in difflib.get_close_matches(q, list(self.forms), n=limit, cutoff=0.75):
                for c in self.forms[form]:
                    offer(c, 4)
        ranked = sorted(best.values(), key=lambda m: (m.rank, not m.has_statements, m.name.lower()))
        return ranked[:limit]


def seen_from_values(values: Iterable[Mapping[str, Any] | None]) -> list[SeenActor]:
    """The actors and speakers of raw table values (no model validation: the index only needs names)."""
    actors: dict[str, dict[str, Any]] = {}
    for v in values:
        if not v:
            continue
        actor = v.get("actor") or {}
        aid = actor.get("id")
        if not aid:
            continue
        slot = actors.setdefault(aid, {"name": actor.get("name") or aid, "type": actor.get("type") or "ORG",
                                       "speakers": set()})
        for entry in v.get("history") or ():
            speaker = (entry or {}).get("speaker") or {}
            if speaker.get("name"):
                slot["speakers"].add(speaker["name"])
    return [SeenActor(aid, s["name"], s["type"], tuple(sorted(s["speakers"]))) for aid, s in sorted(actors.items())]


def spoken_for(index: NameIndex, kb: KB | None, actor_id: str) -> list[str]:
    """The actors a person's statements count for: their KB roles and where the table saw them speak."""
    ids: set[str] = set()
    name = index.name_of(actor_id)
    if name:
        ids |= index.speaks_for.get(normalise(name), set())
    person = kb.get(actor_id) if kb is not None else None
    if person is not None:
        ids |= {str(r.get("org")) for r in person.roles if r.get("org")}
    ids.discard(actor_id)
    return sorted(ids)
