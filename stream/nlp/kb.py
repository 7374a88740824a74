"""Curated actor knowledge base.

File format (JSON Lines, one actor a line; the shipped ``stream/nlp/data/actors.jsonl`` is
read first, then ``Settings.actors_file`` whose entries override shipped ones with the
same ``id`` and add new ones)::

    {"id": "Q159", "name": "Russia", "type": "GOV",
     "aliases": ["Russian Federation", "Russian government"],     # other names of the actor
     "metonyms": ["Moscow", "Kremlin", "the Kremlin"],           # places/buildings standing for it
     "demonyms": ["Russian"],                                    # "Russian government/officials" -> it
     "country": "Q159", "parent": null}
    {"id": "Q7747", "name": "Vladimir Putin", "type": "PERSON", "aliases": ["Putin"],
     "roles": [{"org": "Q159", "role": "president", "from": "2012-05-07", "to": null}]}

``id`` is a Wikidata QID where one is known, else a stable slug (``kb:...``). ``type`` is one
of PERSON, GOV, ORG, PARTY, IGO, COMPANY, UNION, GROUP, CENTRAL_BANK, LEGISLATURE.
A person's statements are attributed to the ``org`` of the role valid on the article's date.
Aliases are matched case-sensitively (after accent folding), with a leading "the" ignored.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from stream.nlp.text import fold

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "data" / "actors.jsonl"
AMBIGUOUS_SHORT = 4  # single-token person aliases this short need the full name in the article


@dataclass
class Actor:
    id: str
    name: str
    type: str = "ORG"
    aliases: list[str] = field(default_factory=list)
    metonyms: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    country: str | None = None
    parent: str | None = None
    roles: list[dict] = field(default_factory=list)

    @property
    def is_person(self) -> bool:
        return self.type == "PERSON"


def key(text: str) -> str:
    """Lookup key: accent-folded, case kept, leading article and possessive removed, spaces squeezed."""
    t = fold_keep_case(text).strip()
    for art in ("the ", "The "):
        if t.startswith(art):
            t = t[len(art):]
    for suf in ("'s", "\u2019s", "'", "\u2019"):
        if t.endswith(suf):
            t = t[: -len(suf)]
    return " ".join(t.replace("\u2019", "'").split()).strip(" ,.;:")


def fold_keep_case(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()


class KB:
    def __init__(self, paths: list[Path | None] | None = None):
        self.by_id: dict[str, Actor] = {}
        for p in paths if paths is not None else [SHIPPED]:
            if p is None:
                continue
            self._load(Path(p))
        self._index()

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            log.warning("actor KB %s unreadable: %s", path, exc)
            return
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                row = json.loads(line)
                a = Actor(
                    id=str(row["id"]), name=str(row.get("name") or row["id"]), type=str(row.get("type") or "ORG"),
                    aliases=list(row.get("aliases") or []), metonyms=list(row.get("metonyms") or []),
                    demonyms=list(row.get("demonyms") or []), country=row.get("country"), parent=row.get("parent"),
                    roles=list(row.get("roles") or []),
                )
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("actor KB %s:%d skipped: %s", path, n, exc)
                continue
            self.by_id[a.id] = a

    def _index(self) -> None:
        self.alias: dict[str, list[str]] = {}
        self.lower_alias: dict[str, list[str]] = {}
        self.demonym: dict[str, str] = {}
        self.weak: set[tuple[str, str]] = set()
        for a in self.by_id.values():
            for form in [a.name, *a.aliases, *a.metonyms]:
                k = key(form)
                if not k:
                    continue
                if a.is_person and " " not in k and len(k) <= AMBIGUOUS_SHORT:
                    self.weak.add((k, a.id))
                self.alias.setdefault(k, [])
                if a.id not in self.alias[k]:
                    self.alias[k].append(a.id)
                if " " in k or len(k) > 5:
                    self.lower_alias.setdefault(k.lower(), [])
                    if a.id not in self.lower_alias[k.lower()]:
                        self.lower_alias[k.lower()].append(a.id)
            for d in a.demonyms:
                self.demonym.setdefault(fold(d), a.id)
        # surface forms for the gazetteer scan: capitalised, not too generic
        self.gazetteer = sorted(
            (k for k in self.alias if k[:1].isupper() and len(k) >= 2), key=len, reverse=True
        )

    def get(self, actor_id: str | None) -> Actor | None:
        return self.by_id.get(actor_id) if actor_id else None

    def lookup(self, text: str, context: dict[str, int] | None = None, allow_weak: bool = False) -> Actor | None:
        """The actor a surface form names. ``context`` counts country ids mentioned in the article and
        breaks ties between actors sharing an alias (e.g. "Conservatives")."""
        k = key(text)
        ids = self.alias.get(k) or self.lower_alias.get(k.lower())
        if not ids and k.lower().startswith(("government of ", "the government of ")):
            ids = self.alias.get(key(k.split(" of ", 1)[1]))
        if not ids:
            return None
        if len(ids) > 1 and context:
            ids = sorted(ids, key=lambda i: -context.get(self.by_id[i].country or i, 0))
        a = self.by_id[ids[0]]
        if (k, a.id) in self.weak and not allow_weak:
            return None
        return a

    def country_of_demonym(self, word: str) -> Actor | None:
        i = self.demonym.get(fold(word))
        return self.by_id.get(i) if i else None

    def role_org(self, person_id: str, on: date | None = None) -> tuple[Actor, str] | None:
        """The organisation a person speaks for on a date, with the role name."""
        p = self.by_id.get(person_id)
        if p is None:
            return None
        best = None
        for r in p.roles:
            org = self.by_id.get(str(r.get("org") or ""))
            if org is None:
                continue
            if on is not None:
                f, t = r.get("from"), r.get("to")
                try:
                    if f and date.fromisoformat(str(f)[:10]) > on:
                        continue
                    if t and date.fromisoformat(str(t)[:10]) < on:
                        continue
                except ValueError:
                    pass
            best = (org, str(r.get("role") or ""))
        return best

    def __len__(self) -> int:
        return len(self.by_id)
