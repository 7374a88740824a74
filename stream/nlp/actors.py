"""Who a statement belongs to: :class:`Who` (an actor, and the person who spoke for it) and :class:`Ctx`, the
per-article context that resolves tokens to actors (entities, affiliations, attributions, anaphora)."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from stream.nlp.entities import Ent, EntityIndex
from stream.nlp.gender import agrees
from stream.nlp.kb import KB, Actor
from stream.nlp.lexicons.grammar import (
    AFFILIATION_PREPS,
    ANAPHORIC_SUBJECTS,
    FIRST_PERSON,
    NONPERSON_PRONOUNS,
    PERSON_PRONOUNS,
    RELATIVE_PRONOUNS,
    SUBJECT_PRONOUNS,
)
from stream.nlp.lexicons.roles import ANALYST_ROLES, GOV_NOUNS, INSTITUTIONAL, ORG_ANAPHORA, ROLE_WORDS
from stream.nlp.lexicons.speech import SPEECH, SPEECH_NOUNS
from stream.nlp.topics import Topic



class ContentAttribution(NamedTuple):
    """An attribution's content span and cue, in the packed (parsed) doc's offsets."""

    start: int          #: content start (char offset)
    end: int            #: content end
    speaker_root: int   #: token index of the speaker's head
    cue_lemma: str      #: "say", "reject", "accord" ...
    cue_root: int | None  #: token index of the cue


class TopicMention(NamedTuple):
    """A catalogue topic named in the body (the targets' anaphora and the dominant topic read them)."""

    pos: int            #: body offset of the token the window is centred on
    topic: Topic        #: the catalogue topic matched in the window
    text: str           #: the window's text
    words: set[str]     #: the window's lower-cased words
    sentence: int       #: index of the sentence
    start: int          #: body offset of the window's start


@dataclass
class Who:
    actor: Actor | Ent
    speaker: Ent | None = None

    @property
    def id(self) -> str:
        return self.actor.id

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def type(self) -> str:
        return self.actor.type


@dataclass
class Ctx:
    article: object
    body: str
    sub: object
    cmap: object
    ents: EntityIndex
    kb: KB
    on: object
    attributions: list[ContentAttribution] = field(default_factory=list)
    affil_cache: dict = field(default_factory=dict)
    countries: dict = field(default_factory=dict)
    lead_stance: dict = field(default_factory=dict)
    topic_mentions: list[TopicMention] = field(default_factory=list)
    doc: object = None
    sents: list = field(default_factory=list)
    sent_starts: list = field(default_factory=list)

    def sent_of(self, tok):
        return self.sents[bisect.bisect_right(self.sent_starts, tok.i) - 1]

    def bstart(self, tok) -> int:
        return self.cmap.start(tok.idx)

    def bend(self, tok) -> int:
        return self.cmap.end(tok.idx + len(tok.text))

    def ent_of(self, tok) -> Ent | None:
        return self.ents.at(self.bstart(tok), self.bend(tok))

    def ent_of_np(self, tok) -> Ent | None:
        """Entity of a noun phrase headed by ``tok`` (the head itself or its compound/flat names)."""
        e = self.ent_of(tok)
        if e is not None:
            return e
        for c in tok.children:
            if c.dep_ in ("compound", "nmod") and c.i < tok.i:
                e = self.ent_of(c)
                if e is not None and not e.is_person:
                    return e
        return None

    def speaker_entity(self, tok) -> Ent | None:
        w = self.resolve(tok)
        if not w:
            return None
        return w[0].speaker or (w[0].actor if isinstance(w[0].actor, Ent) else self._ent_for_actor(w[0].actor))

    def _ent_for_actor(self, actor) -> Ent | None:
        for e in self.ents.ents:
            if e.id == actor.id:
                return e
        return None

    def add_attribution(self, raw) -> None:
        cue = self.sub[raw.cue_root]
        self.attributions.append(ContentAttribution(raw.content[0], raw.content[1], raw.speaker_root, cue.lemma_.lower(),
                                                    raw.cue_root))

    # --- affiliation of people ---------------------------------------
    def affiliation(self, person: Ent) -> tuple[Actor | Ent | None, bool]:
        """(organisation the person speaks for, is_analyst)."""
        if person.id in self.affil_cache:
            return self.affil_cache[person.id]
        res: tuple = (None, False)
        if person.actor is not None:
            ro = self.kb.role_org(person.actor.id, self.on)
            if ro is not None:
                res = (ro[0], False)
        if res[0] is None:
            res = self._text_affiliation(person)
        self.affil_cache[person.id] = res
        return res

    def role_words(self, person: Ent) -> set:
        words = set()
        if person.actor is not None:
            for r in person.actor.roles:
                words.update(str(r.get("role") or "").lower().split())
        body = self.body
        for s, e, _ in person.mentions[:3]:
            words.update(re.findall(r"[a-z][a-z-]+", body[max(0, s - 40):s].lower()))
            words.update(re.findall(r"[a-z][a-z-]+", body[e:e + 60].split(".")[0].lower()))
        if "spokeswoman" in words or "spokesman" in words:
            words.update({"spokesman", "spokeswoman", "spokesperson"})
        return words

    def _text_affiliation(self, person: Ent) -> tuple:
        body = self.body
        for s, e, _ in sorted(person.mentions):
            # before: "Kremlin spokesman Dmitry Peskov", "Indonesia's chief negotiator, Rizal Hartono"
            lo = max(0, s - 90)
            pre = body[lo:s]
            cut = max(pre.rfind(". "), pre.rfind("\n"), pre.rfind('"'), pre.rfind("\u201c"), pre.rfind("\u201d"))
            if cut >= 0:
                lo, pre = lo + cut + 1, pre[cut + 1:]
            post_full = body[e:e + 140]
            m = re.match(r"\s*,\s*([^,.;\"\u201c\u201d]{2,110})", post_full)
            post = m.group(1) if m else ""
            post_lo = e + (m.start(1) if m else 0)
            # the role phrase right before the name starts after the last comma ahead of its role word:
            # "..., Foreign Minister Mauro Vieira" is not the EU's minister for naming the EU earlier on
            rw = [m.start() for m in re.finditer(r"[a-z][a-z-]+", pre.lower()) if m.group(0) in ROLE_WORDS]
            if rw:
                c = max(pre.rfind(",", 0, rw[-1]), pre.rfind(";", 0, rw[-1]), pre.rfind(":", 0, rw[-1]))
                if c >= 0:
                    lo, pre = lo + c + 1, pre[c + 1:]
            for seg, seg_lo in ((post, post_lo), (pre, lo)):
                if not seg.strip():
                    continue
                words = set(re.findall(r"[a-z][a-z-]+", seg.lower()))
                if words & ANALYST_ROLES:
                    return (None, True)
                if not (words & ROLE_WORDS):
                    continue
                org = self._org_in(seg_lo, seg_lo + len(seg))
                if org is None:
                    for w in re.findall(r"[A-Z][a-z]+", seg):
                        c = self.kb.country_of_demonym(w)
                        if c is not None:
                            org = c
                            break
                if org is None:
                    low = seg.lower()
                    for noun, keys in ORG_ANAPHORA.items():
                        if re.search(r"\b(?:(?:the|its|our)\s+(?:\w+\s+)?)?" + noun + r"(?:'s|\u2019s)?\b", low) or (
                                noun in ("ministry", "department", "government") and noun in low):
                            org = self.anaphor_org(noun, s)
                            if org is not None:
                                break
                if org is None and re.search(r"\b(ministry|government|chancellery|minister)\b", seg.lower()):
                    org = self.main_country(s)
                if org is not None:
                    return (org, False)
        return (None, False)

    def _org_in(self, lo: int, hi: int):
        best = None
        for s, e, ent in self.ents.spans:
            if s >= lo and e <= hi and not ent.is_person:
                if best is None:
                    best = ent
        if best is not None and best.actor is not None:
            return best.actor
        return best

    def main_country(self, pos: int):
        e = self.ents.before(pos, lambda x: x.actor is not None and x.actor.type == "GOV" and x.actor.country == x.actor.id)
        if e is not None:
            return e.actor
        best = max(self.countries.items(), key=lambda kv: kv[1], default=None)
        return self.kb.get(best[0]) if best else None

    def anaphor_org(self, noun: str, pos: int):
        keys = ORG_ANAPHORA.get(noun, ("",))
        if keys and keys[0].startswith("Q"):
            return self.kb.get(keys[0])

        def ok(e: Ent) -> bool:
            if e.is_person:
                return False
            nm = e.name.lower()
            if e.actor is not None and e.actor.type == "GOV" and e.actor.country == e.actor.id and noun not in ("ministry", "department"):
                return False
            if "COMPANY" in keys:
                return (e.actor is not None and e.actor.type == "COMPANY") or e.type == "ORG"
            return any(k and k in nm for k in keys) or (keys == ("",) and e.type == "ORG")
        e = self.ents.before(pos, ok)
        if e is None:
            return None
        return e.actor if e.actor is not None else e

    # --- actor resolution ----------------------------------------------
    def who_of_ent(self, e: Ent) -> Who:
        if e.is_person:
            org, _ = self.affiliation(e)
            return Who(org if org is not None else e, e)
        return Who(e.actor if e.actor is not None else e, None)

    def resolve(self, tok, depth: int = 0) -> list[Who]:
        if tok is None or depth > 4:
            return []
        out = self._resolve_one(tok, depth)
        for c in tok.children:
            if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN"):
                out += self._resolve_one(c, depth)
                for cc in c.children:
                    if cc.dep_ == "conj":
                        out += self._resolve_one(cc, depth)
        seen, uniq = set(), []
        for w in out:
            if w.id not in seen:
                seen.add(w.id)
                uniq.append(w)
        return uniq

    def _resolve_one(self, tok, depth: int) -> list[Who]:
        low = tok.lower_
        if tok.pos_ == "NOUN" and tok.lemma_.lower() in ROLE_WORDS and self.ent_of(tok) is None:
            # "Its chief executive, Pieter de Vries, said": the named person in apposition speaks
            for c in tok.children:
                if c.dep_ == "appos":
                    pe = self.ent_of(c)
                    if pe is not None and pe.is_person:
                        return [self.who_of_ent(pe)]
        if tok.dep_ == "appos" and tok.pos_ == "NOUN" and self.ent_of(tok) is None:
            return self.resolve(tok.head, depth + 1)
        if tok.pos_ == "NOUN" and self.ent_of(tok) is None:
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in ("including", "like"):
                    g = next((g for g in c.children if g.dep_ == "pobj"), None)
                    if g is not None:
                        return self.resolve(g, depth + 1)
        if tok.pos_ == "NOUN" and tok.head.lower_ == "among" and tok.head.head.lemma_ == "be":
            subj = next((c for c in tok.head.head.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                return self.resolve(subj, depth + 1)
        if low in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl":
            return self.resolve(tok.head.head, depth + 1)
        if tok.dep_ == "relcl":
            return self.resolve(tok.head, depth + 1)
        if low in FIRST_PERSON:
            return self.quote_speaker(tok, depth)
        if low in PERSON_PRONOUNS:
            # "he" is a man and "she" a woman where the article tells (stream.nlp.gender)
            spk = [w for w in self.cue_subject(tok, depth) if agrees(w.speaker, low)]
            if spk:
                return spk
            e = self.ents.before(self.bstart(tok), lambda x: x.is_person and agrees(x, low))
            # a preceding unnamed speaker ("A British government spokesman said ... he said")
            prev = [a for a in self.attributions if a.speaker_root < tok.i and self.sub[a.speaker_root].lower_ not in SUBJECT_PRONOUNS]
            if prev:
                st = self.sub[prev[-1][2]]
                if (e is None or self.bstart(st) > max(m[0] for m in e.mentions if m[0] < self.bstart(tok))) and self.ent_of(st) is None:
                    r = self.resolve(st, depth + 1)
                    if r:
                        return r
            return [self.who_of_ent(e)] if e else []
        if low in NONPERSON_PRONOUNS:
            spk = self.cue_subject(tok, depth)
            if spk:
                return spk
            e = self.ents.before(self.bstart(tok), lambda x: not x.is_person)
            return [self.who_of_ent(e)] if e else []
        if tok.lemma_.lower() in GOV_NOUNS | {"parliament"}:
            for c in tok.children:
                if c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and c.i < tok.i):
                    d = self.kb.country_of_demonym(c.text)
                    ce = self.ent_of(c)
                    if d is None and ce is not None and ce.actor is not None and ce.actor.type == "GOV":
                        d = ce.actor
                    if d is not None and tok.lemma_.lower() != "parliament":
                        return [Who(d)]
        e = self.ent_of(tok)
        if e is not None:
            return [self.who_of_ent(e)]
        # common-noun heads: possessor / demonym / compound / "of X" / anaphora
        if tok.pos_ in ("NOUN", "PROPN") and (tok.lemma_.lower() in INSTITUTIONAL or tok.pos_ == "PROPN"):
            for c in tok.children:
                if c.dep_ == "poss":
                    r = self.resolve(c, depth + 1)
                    if r:
                        return [Who(r[0].actor, None)]
            for c in tok.children:
                if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i:
                    ce = self.ent_of(c)
                    if ce is not None and not ce.is_person:
                        return [self.who_of_ent(ce)]
                    d = self.kb.country_of_demonym(c.text)
                    if d is not None:
                        return [Who(d)]
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in AFFILIATION_PREPS:
                    for g in c.children:
                        if g.dep_ == "pobj":
                            r = self.resolve(g, depth + 1)
                            if r and (tok.lemma_.lower() in ROLE_WORDS | GOV_NOUNS | set(ORG_ANAPHORA) or tok.lemma_.lower() in ("executive", "members")):
                                return [Who(r[0].actor, None)]
            lem = tok.lemma_.lower()
            if lem in ROLE_WORDS:
                # "a department spokesperson", "a ministry official": the organisation named just before
                for c in tok.children:
                    if c.dep_ in ("compound", "amod") and c.i < tok.i and c.lemma_.lower() in ORG_ANAPHORA \
                            and not ORG_ANAPHORA[c.lemma_.lower()][0].startswith("Q"):
                        o = self.anaphor_org(c.lemma_.lower(), self.bstart(tok))
                        if o is not None:
                            return [Who(o)]
                e = self.ents.before(self.bstart(tok), lambda x: x.is_person and lem in self.role_words(x))
                if e is None:
                    e = self.ents.before(self.bstart(tok), lambda x: x.is_person)
                return [self.who_of_ent(e)] if e else []
            if lem in ORG_ANAPHORA and any(c.lower_ in ("the", "its", "this") for c in tok.children):
                o = self.anaphor_org(lem, self.bstart(tok))
                if o is not None:
                    return [Who(o)]
            if lem in GOV_NOUNS:
                c = self.main_country(self.bstart(tok))
                if c is not None:
                    return [Who(c)]
        return []

    def quote_speaker(self, tok, depth: int = 0) -> list[Who]:
        """Who speaks a quote holding ``tok``. The depth goes on growing: a quote whose speaker is "I"
        inside another quote would otherwise resolve forever."""
        p = tok.idx
        for cs, ce, spk_root, cue, _ in self.attributions:
            if cs <= p < ce:
                return self.resolve(self.sub[spk_root], max(depth + 1, 3))
        return []

    def cue_subject(self, tok, depth: int) -> list[Who]:
        """For a pronoun inside reported content: the subject of the governing speech verb."""
        h = tok.head
        hops = 0
        while h is not None and hops < 6:
            if h.pos_ == "NOUN" and h.lemma_.lower() in SPEECH_NOUNS:
                poss = next((c for c in h.children if c.dep_ == "poss"), None)
                if poss is not None and poss.i != tok.i:
                    r = self.resolve(poss, depth + 1)
                    if r:
                        return r
            if h.lemma_.lower() in SPEECH | {"say"} and h.pos_ in ("VERB", "AUX"):
                for c in h.children:
                    if c.dep_ in ("nsubj",) and c.i != tok.i and c.lower_ not in ANAPHORIC_SUBJECTS:
                        r = self.resolve(c, depth + 1)
                        if r:
                            return r
                break
            if h.head is h:
                break
            h = h.head
            hops += 1
        return []

    def inside_quote(self, tok) -> bool:
        p = tok.idx
        return any(cs <= p < ce for cs, ce, *_ in self.attributions)

    def content_attr(self, tok):
        p = tok.idx
        best = None
        for a in self.attributions:
            if a.start <= p < a.end:
                if best is None or (a.end - a.start) < (best.end - best.start):
                    best = a
        return best
