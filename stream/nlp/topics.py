"""Topic catalogue: canonical ids for the issues actors take positions on.

File format (JSON Lines; shipped ``stream/nlp/data/topics.jsonl`` first, then
``Settings.topics_file`` whose entries override shipped ones with the same id)::

    {"id": "coal-phase-out", "label": "Coal phase-out pledge / deadline",
     "keywords": [["coal"], ["phase out", "exit", "pledge", "deadline"]],
     "exclude": ["phase down"], "priority": 5}

A target matches a topic when every keyword group has a keyword that starts a word of
the normalised target text ("dut" matches "duties") and no ``exclude`` keyword does;
among matches the highest ``priority`` wins, then the most groups. Targets outside the
catalogue get a deterministic id from their content-word lemmas (``t:`` + sorted slug), so
the same wording in later articles lands on the same id.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from stream.nlp.text import STOPWORDS, norm, word_re

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "data" / "topics.jsonl"


@dataclass
class Topic:
    id: str
    label: str
    groups: list[list[re.Pattern]]
    exclude: list[re.Pattern]
    priority: int = 3


_WORD_START = re.compile(r"(?<![a-z0-9])[a-z0-9]")


class Catalogue:
    def __init__(self, paths: list[Path | None] | None = None):
        rows: dict[str, dict] = {}
        for p in paths if paths is not None else [SHIPPED]:
            if p is None:
                continue
            try:
                lines = Path(p).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                log.warning("topic catalogue %s unreadable: %s", p, exc)
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                try:
                    row = json.loads(line)
                    rows[str(row["id"])] = row
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("topic catalogue %s: bad line skipped: %s", p, exc)
        self.topics: list[Topic] = []
        literals: list[tuple[list[list[str]], list[str]]] = []  # each topic's keyword groups and excludes, normalised
        for row in rows.values():
            groups = [[norm(k) for k in g if norm(k)] for g in row.get("keywords") or []]
            groups = [g for g in groups if g]
            if not groups:
                continue
            exclude = [norm(x) for x in row.get("exclude") or [] if norm(x)]
            literals.append((groups, exclude))
            self.topics.append(Topic(
                id=str(row["id"]), label=str(row.get("label") or row["id"]),
                groups=[[word_re(k) for k in g] for g in groups], exclude=[word_re(x) for x in exclude],
                priority=int(row.get("priority", 3)),
            ))
        self.by_id = {t.id: t for t in self.topics}
        # the first word of every keyword: a token holding none of them cannot start a keyword hit
        firsts = sorted({re.escape(k.split(" ")[0]) for groups, _ in literals for g in groups for k in g})
        self.first_word = re.compile(r"(?<![a-z0-9])(?:" + "|".join(firsts) + ")") if firsts else None
        # every keyword is a literal at a word start, so the groups a text holds are found in one pass
        # over its word starts (a dict by first character) instead of a regex search per topic
        self._by_first: dict[str, list[tuple[str, int]]] = {}
        self._needs: list[tuple[Topic, list[int], int | None]] = []
        n_groups = 0
        for t, (groups, exclude) in zip(self.topics, literals):
            gids = []
            for lits in [*groups, exclude]:
                for lit in lits:
                    self._by_first.setdefault(lit[0], []).append((lit, n_groups))
                gids.append(n_groups)
                n_groups += 1
            self._needs.append((t, gids[:-1], gids[-1] if exclude else None))

    def _present(self, normed: str) -> set[int]:
        found: set[int] = set()
        by_first = self._by_first
        for m in _WORD_START.finditer(normed):
            p = m.start()
            for lit, gid in by_first.get(normed[p], ()):
                if gid not in found and normed.startswith(lit, p):
                    found.add(gid)
        return found

    def candidates(self, normed: str) -> list[Topic]:
        """The topics that ``normed`` (already normalised) matches on its own."""
        present = self._present(normed)
        if not present:
            return []
        return [t for t, gids, ex in self._needs if all(g in present for g in gids) and (ex is None or ex not in present)]

    @staticmethod
    def _fast(t: Topic) -> tuple:
        """One compiled alternation per keyword group (and for the excludes): same matches, fewer searches."""
        f = getattr(t, "_fast_res", None)
        if f is None:
            lb = "(?<![a-z0-9])"

            def alt(pats):
                return re.compile(lb + "(?:" + "|".join(p.pattern[len(lb):] for p in pats) + ")") if pats else None
            f = ([alt(g) for g in t.groups], alt(t.exclude))
            t._fast_res = f
        return f

    def _matches(self, t: Topic, n: str) -> bool:
        groups, excl = self._fast(t)
        if excl is not None and excl.search(n):
            return False
        return all(g.search(n) for g in groups)

    def match(self, text: str) -> Topic | None:
        n = norm(text)
        if not n:
            return None
        best = None
        for t in self.topics:
            if self._matches(t, n):
                rank = (t.priority, len(t.groups))
                if best is None or rank > best[0]:
                    best = (rank, t)
        return best[1] if best else None

    def match_among(self, text: str, topics: list[Topic], normed: bool = False) -> Topic | None:
        n = text if normed else norm(text)
        best = None
        for t in topics:
            if self._matches(t, n):
                rank = (t.priority, len(t.groups))
                if best is None or rank > best[0]:
                    best = (rank, t)
        return best[1] if best else None

    def __len__(self) -> int:
        return len(self.topics)


def fallback_id(lemmas: list[str]) -> str:
    words = sorted({norm(w) for w in lemmas if norm(w) and norm(w) not in STOPWORDS and not norm(w).isdigit()})
    return "t:" + "-".join(w.replace(" ", "-") for w in words[:6]) if words else "t:unspecified"
