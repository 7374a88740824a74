"""Stance extraction over the parsed candidate sentences (rules over the dependency parse).

A stance = (actor, target, polarity). Sources:
  * stance verbs ("rejected the offer", "backed joint borrowing", passive "was rejected by X",
    participles "a proposal backed by Denmark"), composed through control verbs
    ("refused to sign", "urged Berlin to support", "was ready to support") and negation
    ("would not accept" -> oppose);
  * reversal verbs over stance nouns ("dropped its objection to" -> support,
    "withdrew its support for" -> oppose) and stance nouns ("Russia's opposition to X");
  * stance adjectives ("remains opposed to", "unacceptable", "in favour of");
  * evaluative statements inside an attributed quote/content ("The duties are unjustified",
    "This is a strong offer", "Tariffs would hurt consumers").
Questions, hypotheticals ("if"/"whether" clauses), denied reports and speculation verbs
("expect", "predict", "could mark") produce nothing. Past positions ("had rejected", "last
month", "previously proposed") are kept with tense="past" and a ``stated_at`` when dated.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from schemas import ActorRef, Evidence, SpeakerRef, StanceRecord, TopicRef
from stream.nlp.entities import Ent, EntityIndex
from stream.nlp.errors import LENIENT, ErrorPolicy
from stream.nlp.kb import KB, Actor
from stream.nlp.text import STOPWORDS, norm, short_hash
from stream.nlp.topics import Catalogue, fallback_id

# ---------------------------------------------------------------- lexicons
SUPPORT_V = set("""support back endorse welcome praise accept sign join favour favor champion propose want seek defend
approve recommend hail applaud embrace advocate ratify adopt impose introduce launch pursue prefer demand
commend keep maintain file""".split())
OPPOSE_V = set("""oppose reject dismiss condemn criticise criticize attack block veto resist slam denounce decry
object lambast blast fight boycott scrap repeal lift abolish abandon protest rebuff""".split())
# control verbs/adjectives: pass polarity to their clause complement (sign), negating ones flip it
CONTROL_POS = set("""urge call ask press encourage push want hope plan intend prepare ready willing seek try aim agree
decide vote move promise pledge vow continue need recommend believe choose prefer able prepared eager keen
determined commit set go glad happy proud delighted pleased""".split())
CONTROL_NEG = set("""refuse decline fail reject oppose resist stop cease abandon end rule unwilling unable reluctant
hesitate""".split())
SPEECH = set("""say tell add note argue insist claim stress announce confirm explain state declare write reply respond
answer acknowledge admit concede suggest reveal indicate point mention remark observe comment emphasize emphasise
assert maintain contend warn caution repeat reiterate describe""".split())
SPECULATIVE = set("""expect predict speculate guess suspect bet anticipate forecast wonder doubt imagine suppose
report""".split())
STANCE_NOUNS_POS = {"support", "backing", "endorsement", "approval", "call", "push", "proposal", "demand", "commitment"}
STANCE_NOUNS_NEG = {"opposition", "objection", "rejection", "refusal", "veto", "resistance", "criticism", "complaint"}
REVERSAL_V = {"drop", "abandon", "withdraw", "reverse", "end", "lift", "soften", "give", "shelve", "overturn", "remove"}
POS_ADJ = set("""good strong fair right practical welcome constructive positive important essential necessary vital
helpful useful sensible balanced reasonable justified proportionate beneficial appropriate acceptable affordable
great excellent valuable crucial robust credible satisfied delighted pleased glad proud""".split())
NEG_ADJ = set("""wrong bad unacceptable unjustified unfair flawed disproportionate unnecessary harmful damaging
dangerous counterproductive misguided illegal unworkable excessive unjust reckless irresponsible unlawful
pointless ineffective disappointing regrettable absurd outrageous premature low""".split())
POS_NOUN_EVAL = {"tool", "step", "deal", "win", "success", "solution", "answer", "formula", "opportunity", "signal", "interest"}
NEG_NOUN_EVAL = {"mistake", "tax", "blow", "threat", "error", "disaster", "attack", "burden", "obstacle", "trap", "door"}
NEG_EFFECT_V = set("""hurt harm damage undermine destroy weaken punish penalise penalize cost raise force kill threaten
pile push""".split())
POS_EFFECT_V = set("""ensure help protect strengthen boost secure benefit support resolve improve address""".split())
HEDGES = {"may", "might", "could", "perhaps", "possibly", "likely", "reportedly", "consider", "study", "examine",
          "review", "open", "signal", "suggest", "appear", "seem"}
POLICY_NOUNS = set("""offer plan proposal deal agreement pledge levy tax tariff duty duties code law bill rule regulation
ban policy measure instrument scheme package sanction sanctions treaty accord declaration borrowing debt
troop troops force forces peacekeeper mission presence membership guarantee guarantees ceasefire truce
talks negotiation negotiations initiative effort efforts strike strikes action award rise increase cut
counter-tariffs retaliation challenge complaint farm turbine project development recommendation
decision move idea arrangement arrangements formula""".split())
EVENT_NOUNS = {"decision", "move", "announcement", "shift", "step", "change", "turnaround", "reversal",
               "recommendation", "vote", "result", "u-turn", "climbdown"}
ANAPHOR_NOUNS = {"idea", "proposal", "plan", "offer", "arrangement", "arrangements", "formula", "measure",
                 "measures", "scheme", "text", "deal", "code", "it", "this", "that", "them", "they", "such"}
ANALYST_ROLES = {"analyst", "economist", "fellow", "professor", "strategist", "researcher", "expert", "scholar",
                 "commentator", "lawyer", "attorney", "consultant", "partner"}
ROLE_WORDS = {"spokesman", "spokeswoman", "spokesperson", "minister", "secretary", "president", "chair", "chairman",
              "chairwoman", "director", "negotiator", "envoy", "commissioner", "head", "chief", "leader", "official",
              "executive", "member", "ambassador", "adviser", "advisor", "governor", "deputy", "representative",
              "delegate", "critic", "manager", "officer", "founder", "ceo", "chancellor", "premier", "councillor",
              "vice-president", "vice", "general", "mayor", "diplomat", "aide", "officials", "delegation"}
GOV_NOUNS = {"government", "ministry", "administration", "cabinet", "chancellery", "officials", "authorities",
             "delegation", "diplomats", "negotiators"}
ORG_ANAPHORA = {"union": ("union",), "company": ("COMPANY", ""), "group": ("group", "alliance", "association", ""),
                "department": ("department",), "ministry": ("ministry",), "association": ("association",),
                "alliance": ("alliance",), "commission": ("commission",), "council": ("council",),
                "bloc": ("Q458",), "party": ("party",), "coalition": ("coalition",), "firm": ("",),
                "organisation": ("",), "organization": ("",), "agency": ("agency",), "executive": ("",),
                "body": ("",), "carrier": ("",), "developer": ("",), "campaign": ("",), "committee": ("committee", "council")}
INSTITUTIONAL = ROLE_WORDS | GOV_NOUNS | set(ORG_ANAPHORA) | {
    "parliament", "lawmakers", "leaders", "members", "statement", "spokespeople", "team", "side", "office", "people",
    "bank", "board", "camp", "country", "state", "nation", "states", "countries", "governments", "campaigners"}
NOMINAL_ACTS = {"text", "document", "signature", "participation", "accession", "involvement", "acceptance", "decision", "move",
                "step", "approval", "endorsement"}
CALL_NOUNS = {"call", "demand", "push", "plea", "appeal", "request", "campaign", "bid"}
SPEECH_NOUNS = {"statement", "announcement", "decision", "pledge", "promise", "refusal", "threat", "vow", "insistence",
                "position", "view", "warning", "call", "demand", "commitment"}
# nouns that only ever refer back to a proposal named before ("an idea Kyiv has rejected")
PURE_ANAPHORS = {"idea", "arrangement", "arrangements", "proposition", "notion", "suggestion", "concept"}
ENABLING_NOUNS = {"way", "path", "door", "room", "chance", "opportunity", "possibility", "ground", "scope", "basis"}
MAX_SENTENCES = 400  # stance analysis bound for very long bodies (entities still cover the whole body)
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
IRREGULAR = {"said": "say", "told": "tell", "sought": "seek", "thought": "think", "felt": "feel", "chose": "choose",
             "fought": "fight", "led": "lead", "put": "put", "set": "set", "gave": "give", "withdrew": "withdraw",
             "withdrawn": "withdraw", "spoke": "speak", "made": "make", "took": "take", "stood": "stand"}


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


TRIGGER_FORMS = frozenset(
    _forms(SUPPORT_V | OPPOSE_V | SPEECH | REVERSAL_V | CONTROL_NEG | {"vote", "call", "push", "urge", "press", "stand"})
    | set(IRREGULAR)
    | STANCE_NOUNS_POS | STANCE_NOUNS_NEG | {"opposed", "against", "favour", "favor", "unacceptable", "welcome",
                                            "ready", "prepared", "willing", "accord", "according", "view"}
    | POS_ADJ | NEG_ADJ | {"mistake", "wants", "wanted"}
)


# ---------------------------------------------------------------- context
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
    attributions: list = field(default_factory=list)  # (content_start, content_end, speaker_root, cue_lemma, cue_root) in sub-doc offsets
    affil_cache: dict = field(default_factory=dict)
    countries: dict = field(default_factory=dict)
    lead_stance: dict = field(default_factory=dict)
    topic_mentions: list = field(default_factory=list)  # (body pos, topic, text, words, sentence, window start)
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
        self.attributions.append((raw.content[0], raw.content[1], raw.speaker_root, cue.lemma_.lower(), raw.cue_root))

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
        if low in ("which", "who", "that", "whose") and tok.head.dep_ == "relcl":
            return self.resolve(tok.head.head, depth + 1)
        if tok.dep_ == "relcl":
            return self.resolve(tok.head, depth + 1)
        if low in ("we", "us", "our", "i", "me", "my"):
            spk = self.quote_speaker(tok)
            return spk
        if low in ("he", "she", "him", "her", "his"):
            spk = self.cue_subject(tok, depth)
            if spk:
                return spk
            e = self.ents.before(self.bstart(tok), lambda x: x.is_person)
            # a preceding unnamed speaker ("A British government spokesman said ... he said")
            prev = [a for a in self.attributions if a[2] < tok.i and self.sub[a[2]].lower_ not in ("he", "she", "it", "they", "we", "i")]
            if prev:
                st = self.sub[prev[-1][2]]
                if (e is None or self.bstart(st) > max(m[0] for m in e.mentions if m[0] < self.bstart(tok))) and self.ent_of(st) is None:
                    r = self.resolve(st, depth + 1)
                    if r:
                        return r
            return [self.who_of_ent(e)] if e else []
        if low in ("it", "they", "them", "its", "their"):
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
                if c.dep_ == "prep" and c.lower_ in ("of", "for", "at", "from"):
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

    def quote_speaker(self, tok) -> list[Who]:
        p = tok.idx
        for cs, ce, spk_root, cue, _ in self.attributions:
            if cs <= p < ce:
                return self.resolve(self.sub[spk_root], 3)
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
                    if c.dep_ in ("nsubj",) and c.i != tok.i and c.lower_ not in ("it", "they", "he", "she", "we"):
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
            if a[0] <= p < a[1]:
                if best is None or (a[1] - a[0]) < (best[1] - best[0]):
                    best = a
        return best


# ---------------------------------------------------------------- extractor
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


class StanceExtractor:
    def __init__(self, kb: KB, cat: Catalogue, version: str, errors: ErrorPolicy = LENIENT):
        self.kb = kb
        self.cat = cat
        self.version = version
        self.errors = errors

    def context(self, article, body, sub, cmap, ents: EntityIndex, doc) -> Ctx:
        on = article.published_at.date() if article.published_at else None
        ctx = Ctx(article, body, sub, cmap, ents, self.kb, on)
        ctx.doc = doc
        for e in ents.ents:
            if e.actor is not None and e.actor.type == "GOV" and e.actor.country == e.actor.id:
                ctx.countries[e.actor.id] = ctx.countries.get(e.actor.id, 0) + len(e.mentions)
        return ctx

    # -- public
    def extract(self, ctx: Ctx) -> list[StanceRecord]:
        sub = ctx.sub
        if not len(sub) or not sub.has_annotation("DEP"):
            return []
        # topic mentions in order (for anaphora), over every sentence of the body
        ctx.topic_mentions = self.topic_mentions(ctx.doc)
        found: list[tuple] = []
        self._ctx = ctx
        self._subtext = sub.text
        ctx.sents = list(sub.sents)
        ctx.sent_starts = [x.start for x in ctx.sents]
        for sent in ctx.sents[:MAX_SENTENCES]:
            if sent.text.rstrip().rstrip('"\u201d\u2019\'').endswith("?"):
                continue
            for tok in sent:
                try:
                    found.extend(self._from_token(ctx, tok))
                except Exception as exc:
                    self.errors.failed("stance.trigger", ctx.article.id, exc)
            try:
                found.extend(self._evaluative(ctx, sent))
            except Exception as exc:
                self.errors.failed("stance.evaluative", ctx.article.id, exc)
        return self._records(ctx, found)

    def topic_mentions(self, doc) -> list[tuple]:
        """(body offset, topic, window text, window words) for catalogue topics named in the body."""
        out = []
        dtext = doc.text
        for si, sent in enumerate(doc.sents):
            if si >= MAX_SENTENCES:
                break
            cands = self.cat.candidates(norm(sent.text))
            if not cands:
                continue
            toks = [t for t in sent if not t.is_space]
            # windows without a token that can start a keyword cannot match (exact, just cheaper)
            fw = self.cat.first_word
            hot = [k for k, t in enumerate(toks) if fw is None or fw.search(norm(t.text))]
            if not hot:
                continue
            for i, t in enumerate(toks):
                if t.is_punct or t.lower_ in STOPWORDS:
                    continue
                lo, hi = max(0, i - 8), min(len(toks), i + 9)
                j = bisect.bisect_left(hot, lo)
                if j >= len(hot) or hot[j] >= hi:
                    continue
                text = dtext[toks[lo].idx: toks[hi - 1].idx + len(toks[hi - 1].text)]
                m = self.cat.match_among(text, cands)
                if m is not None:
                    out.append((t.idx, m, text, {x.lower_ for x in toks[lo:hi]}, si, toks[lo].idx))
        return out

    def _any(self, topic, text) -> bool:
        return self.cat.match_among(text, [topic]) is not None

    # -- triggers
    def _from_token(self, ctx: Ctx, tok) -> list[tuple]:
        lem = _lem(tok)
        pos = tok.pos_
        out = []
        if pos in ("VERB", "AUX") or (pos == "ADJ" and lem in ("ready", "prepared", "willing")):
            if lem in SUPPORT_V or lem in OPPOSE_V:
                base = 1 if lem in SUPPORT_V else -1
                # skip a trigger whose complement clause carries its own trigger ("refused to sign")
                if any(c.dep_ in ("xcomp", "ccomp") and _lem(c) in SUPPORT_V | OPPOSE_V for c in tok.children) and lem not in ("propose", "reject"):
                    return []
                if lem == "file" and not any(c.dep_ == "dobj" and c.lemma_.lower() in ("challenge", "complaint", "lawsuit", "case", "appeal") for c in tok.children):
                    return []
                if lem in ("keep", "maintain", "lift", "end", "launch", "introduce", "impose", "defend", "file", "pursue") and not self._has_topic_obj(ctx, tok):
                    return []
                if lem == "lift" and any(c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS_NEG | STANCE_NOUNS_POS for c in tok.children):
                    return []
                if lem in ("abandon", "end") and any(c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS_NEG | STANCE_NOUNS_POS for c in tok.children):
                    return []
                out += self._verb_stance(ctx, tok, base)
            elif lem in ("refuse", "decline") and not any(c.dep_ in ("xcomp", "ccomp", "dobj") for c in tok.children) and tok.dep_ in ("pcomp", "advcl", "conj"):
                gov = tok.head.head if tok.head.pos_ == "ADP" else tok.head
                tgt = next((c for c in gov.children if c.dep_ == "dobj"), None)
                subj = self._subject(gov)
                if tgt is not None and subj is not None:
                    out += self._emit(ctx, tok, -1, False, subj, tgt, tok)
            elif lem == "rule" and any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children):
                out += self._verb_stance(ctx, tok, -1)
            elif lem in ("agree", "commit", "sign") and self._prep_obj(tok, ("to", "up")) is not None:
                tgt = self._prep_obj(tok, ("to",)) or self._prep_obj(tok, ("up",))
                out += self._verb_stance(ctx, tok, 1, target=tgt)
            elif lem == "put" and (any(c.dep_ == "prt" and c.lower_ == "forward" for c in tok.children) or self._has_topic_obj(ctx, tok)):
                out += self._verb_stance(ctx, tok, 1)
            elif lem in REVERSAL_V:
                for c in tok.children:
                    if c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS_NEG | STANCE_NOUNS_POS:
                        base = 1 if c.lemma_.lower() in STANCE_NOUNS_NEG else -1
                        tgt = self._prep_obj(c, ("to", "for", "of", "on", "against")) or self._prep_obj(tok, ("to", "for", "on", "against"))
                        if tgt is not None:
                            out += self._verb_stance(ctx, tok, base, target=tgt, reversal=True)
            elif lem == "vote":
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ in ("against", "for"):
                        tgt = self._prep_obj(tok, (c.lower_,))
                        vp = 1 if c.lower_ == "for" else -1
                        if tgt is not None:
                            inner = next((a for a in tgt.children if a.dep_ in ("acl", "relcl") and _lem(a) in SUPPORT_V | OPPOSE_V), None)
                            if inner is not None and self._target(inner) is not None:
                                vp *= 1 if _lem(inner) in SUPPORT_V else -1
                                tgt = self._target(inner)
                        out += self._verb_stance(ctx, tok, vp, target=tgt)
            elif lem in ("call", "push", "press") and any(c.dep_ == "prep" and c.lower_ == "for" for c in tok.children):
                tgt = self._prep_obj(tok, ("for",))
                out += self._verb_stance(ctx, tok, 1, target=tgt)
            elif lem == "stand" and any(c.dep_ == "prep" and c.lower_ == "by" for c in tok.children):
                out += self._verb_stance(ctx, tok, 1, target=self._prep_obj(tok, ("by",)))
            elif lem == "call" and any(c.dep_ == "oprd" for c in tok.children):
                o = next(c for c in tok.children if c.dep_ == "oprd")
                p = self._eval_pol(o)
                if p:
                    out += self._verb_stance(ctx, tok, p, target=next((c for c in tok.children if c.dep_ == "dobj"), None))
        elif pos == "NOUN" and lem in STANCE_NOUNS_NEG | {"support", "backing"}:
            if tok.head.lemma_.lower() in REVERSAL_V:
                return []
            tgt = self._prep_obj(tok, ("to", "for", "of", "against"))
            if tgt is None:
                return []
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if poss is None:
                return []
            base = -1 if lem in STANCE_NOUNS_NEG else 1
            out += self._emit(ctx, tok, base, self._neg_chain(tok), poss, tgt, tok)
        elif lem in ("opposed", "against", "unacceptable") or (pos == "ADP" and lem == "against"):
            if lem == "against" and tok.head.lemma_.lower() in ("vote", "be", "remain", "stand", "come", "campaign", "fight", "argue", "warn"):
                h = tok.head
                tgt = next((c for c in tok.children if c.dep_ == "pobj"), None)
                if h.lemma_.lower() == "vote":
                    return []
                subj = self._subject(h)
                out += self._emit(ctx, h, -1, self._neg_chain(h), subj, tgt, h)
            elif lem == "opposed":
                h = tok.head if tok.dep_ in ("acomp", "amod", "xcomp") else tok
                tgt = self._prep_obj(tok, ("to",))
                subj = self._subject(h)
                out += self._emit(ctx, h, -1, self._neg_chain(h) ^ _neg(tok), subj, tgt, h)
        return out

    def _has_topic_obj(self, ctx, tok) -> bool:
        for c in tok.children:
            if c.dep_ in ("dobj", "nsubjpass"):
                txt = self._span_text(c)
                if self.cat.match(txt) is not None:
                    return True
        return False

    def _prep_obj(self, tok, preps):
        for c in tok.children:
            if c.dep_ in ("prep", "agent") and c.lower_ in preps:
                for g in c.children:
                    if g.dep_ in ("pobj", "pcomp"):
                        return g
        return None

    def _subject(self, verb):
        h = verb
        for _ in range(4):
            for c in h.children:
                if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                    return c
            if h.dep_ in ("xcomp", "conj", "acomp", "advcl") and h.head is not h:
                h = h.head
                continue
            if h.dep_ == "relcl":
                return h.head
            break
        return None

    def _neg_chain(self, tok) -> bool:
        return _neg(tok)

    def _verb_stance(self, ctx, tok, base: int, target=None, reversal=False) -> list[tuple]:
        neg = _neg(tok)
        pol = base * (-1 if neg else 1)
        # compose through control verbs/adjectives upward
        h = tok
        hops = 0
        while h.dep_ in ("xcomp", "ccomp", "acomp", "oprd", "acl", "pcomp", "pobj", "prep") and hops < 6:
            p = h.head
            pl = _lem(p)
            if h.dep_ == "ccomp" and pl in SPEECH | SPECULATIVE | {"deny", "say"}:
                break
            if pl in SPECULATIVE or pl in ("whether", "wonder"):
                return []
            if pl in CONTROL_NEG or (pl in OPPOSE_V and h.dep_ in ("xcomp",)):
                pol = -pol
            elif pl in CONTROL_POS or pl in SUPPORT_V or p.pos_ in ("AUX", "ADJ", "NOUN", "ADP") or pl == "be":
                pass
            else:
                break
            if _neg(p):
                pol = -pol
            h = p
            hops += 1
        subj = None
        # passive: "X was rejected by Y" / participle "a proposal backed by Y"
        agent = self._prep_obj(tok, ("by",)) if any(c.dep_ == "agent" for c in tok.children) else None
        if agent is None:
            for c in tok.children:
                if c.dep_ == "agent":
                    agent = next((g for g in c.children if g.dep_ == "pobj"), None)
        if agent is not None:
            subj = agent
            # "a coalition of 34 countries led by Britain, Colombia and Spain"
            for c in agent.subtree:
                if c.dep_ == "acl" and _lem(c) == "lead":
                    lb = self._prep_obj(c, ("by",)) or next((g for a in c.children if a.dep_ == "agent" for g in a.children if g.dep_ == "pobj"), None)
                    if lb is not None:
                        subj = lb
            if target is None:
                target = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
                if target is None and tok.dep_ in ("acl", "conj") and tok.head.pos_ in ("NOUN", "PROPN", "VERB"):
                    t = tok.head
                    while t.dep_ == "conj" and t.head is not t:
                        t = t.head
                    if t.dep_ == "acl":
                        t = t.head
                    target = t if t.pos_ in ("NOUN", "PROPN") else None
        else:
            if any(c.dep_ == "nsubjpass" for c in tok.children):
                return []  # agentless passive: no actor
            subj = self._subject(h) or self._subject(tok)
        if target is None:
            target = self._target(tok)
        if target is None and _lem(tok) in ("sign", "join", "accept", "reject", "ratify", "endorse", "support", "oppose", "back", "approve"):
            target = tok  # object-less: the article's dominant issue
        if target is None:
            return []
        # "its call for the administration to lift the duties": the caller is the actor
        a = tok
        for _ in range(5):
            if a.head is a:
                break
            a = a.head
            if a.pos_ == "NOUN" and a.lemma_.lower() in CALL_NOUNS:
                poss = next((c for c in a.children if c.dep_ == "poss"), None)
                subj = poss if poss is not None else (self._subject(a.head) if a.head is not a else subj)
                h = a
                break
        return self._emit(ctx, tok, pol, False, subj, target, h, reversal=reversal)

    def _target(self, tok):
        for c in tok.children:
            if c.dep_ in ("dobj",):
                if c.lower_ in ("that", "which", "what") and tok.dep_ == "relcl":
                    return tok.head
                return c
        if tok.dep_ == "relcl" and tok.head.pos_ in ("NOUN", "PROPN"):
            return tok.head
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("to", "for", "on", "with", "against", "of", "in", "ahead", "by"):
                g = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
                if g is None and c.lower_ == "ahead":
                    w = next((x for x in c.children if x.dep_ == "prep"), None)
                    g = next((x for x in w.children if x.dep_ == "pobj"), None) if w is not None else None
                if g is not None:
                    return g
        for c in tok.children:
            if c.dep_ in ("ccomp", "xcomp"):
                return c
        return None

    def _emit(self, ctx, tok, pol, negflip, subj, target, top, reversal=False) -> list[tuple]:
        if negflip:
            pol = -pol
        if target is None or subj is None:
            return []
        if target is not tok and target.pos_ == "NOUN" and target.lemma_.lower() in STANCE_NOUNS_NEG:
            inner = self._prep_obj(target, ("to", "against", "of"))
            pol = -pol
            target = inner if inner is not None else tok
        if self._hypothetical(tok) or self._hypothetical(top):
            return []
        attr = ctx.content_attr(top)
        prescriptive = any(c.dep_ == "aux" and c.lower_ in ("should", "must") for c in list(tok.children) + list(top.children))
        if attr is not None and prescriptive:
            whos = ctx.resolve(ctx.sub[attr[2]])
        elif prescriptive and (ctx.inside_quote(tok) or self._in_quote_marks(ctx, tok)):
            # a call addressed TO an actor inside a quote ("Ottawa should put tariffs on ...") is the
            # (unknown) speaker's stance, not the addressee's
            return []
        else:
            whos = ctx.resolve(subj)
        if not whos:
            return []
        # speculation about another actor by an analyst / media report is not that actor's stance
        if attr is not None:
            spk = ctx.resolve(ctx.sub[attr[2]])
            if attr[3] in SPECULATIVE:
                return []
            if spk and spk[0].speaker is not None and ctx.affiliation(spk[0].speaker)[1]:
                if not any(w.id == spk[0].id for w in whos):
                    return []
        return [(w, tok, pol, target, top, reversal) for w in whos]

    def _in_quote_marks(self, ctx: Ctx, tok) -> bool:
        """Inside a quotation in its sentence or a quotation running on from an earlier sentence."""
        text = self._subtext
        sent = ctx.sent_of(tok)
        before = text[sent.start_char:tok.idx]
        n = before.count('"') + before.count("\u201c") + before.count("\u201d")
        if n % 2 == 1:
            return True
        # the next quote mark after the token closes a quotation ('... to the table." Canadian ...')
        after = text[tok.idx:sent.end_char]
        m = re.search('["\u201c\u201d]', after)
        if m is not None:
            q, k = m.group(), m.start()
            if q == "\u201d" or (q == '"' and k > 0 and after[k - 1] in ".,!?;:" and (k + 1 >= len(after) or not after[k + 1].isalnum())):
                return True
        # a sentence-initial quote mark that closes later: a quoted sentence
        st = sent.text.lstrip()
        return st[:1] in ('"', "\u201c") and (sent.text.count('"') + sent.text.count("\u201c") + sent.text.count("\u201d")) >= 2

    def _hypothetical(self, tok) -> bool:
        h = tok
        for _ in range(6):
            for c in h.children:
                if c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless"):
                    return True
            if h.dep_ in ("advcl",) and any(c.lower_ in ("if", "whether", "unless") for c in h.children):
                return True
            # "for X to join" (purpose/enabling clause, "open the way for it to join"): not asserted
            if h.pos_ in ("VERB", "AUX") and any(c.dep_ == "mark" and c.lower_ == "for" for c in h.children) \
                    and any(c.dep_ == "aux" and c.lower_ == "to" for c in h.children) \
                    and h.head.lemma_.lower() in ENABLING_NOUNS:
                return True
            if h.head is h:
                break
            hl = _lem(h.head)
            if hl in ("deny", "dismiss") and h.dep_ in ("ccomp", "acl", "relcl", "pobj"):
                return True
            if h.head.lemma_.lower() in ("report", "suggestion", "speculation", "rumour", "rumor", "claim") and h.dep_ in ("acl", "ccomp", "relcl"):
                return True
            h = h.head
        return False

    # -- evaluative statements inside attributed content
    def _eval_pol(self, tok) -> int:
        lem = tok.lemma_.lower()
        pol = 0
        if lem in POS_ADJ or (lem in POS_NOUN_EVAL and any(c.lemma_.lower() in POS_ADJ for c in tok.children)):
            pol = 1
        elif lem in NEG_ADJ or lem in NEG_NOUN_EVAL:
            pol = -1
        elif lem in POS_NOUN_EVAL and any(c.lemma_.lower() in NEG_ADJ for c in tok.children):
            pol = -1
        if pol == 0:
            for c in tok.children:
                if c.dep_ == "amod" and c.lemma_.lower() in NEG_ADJ:
                    pol = -1
                elif c.dep_ == "amod" and c.lemma_.lower() in POS_ADJ and lem in POS_NOUN_EVAL:
                    pol = 1
        if any(c.lower_ in ("too",) for c in tok.children) and lem in ("low", "high", "little", "small"):
            pol = -1
        return pol

    def _evaluative(self, ctx: Ctx, sent) -> list[tuple]:
        out = []
        for tok in sent:
            if tok.dep_ not in ("ROOT", "ccomp", "conj") or tok.pos_ not in ("AUX", "VERB"):
                continue
            lem = _lem(tok)
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            pol = 0
            if lem in ("stay", "remain") and any(c.dep_ == "prep" and c.lower_ == "in" and any(g.lower_ == "place" for g in c.children) for c in tok.children):
                pol = -1 if _neg(tok) else 1
                target = subj
            elif lem in ("be", "remain", "stay", "seem", "look"):
                pred = next((c for c in tok.children if c.dep_ in ("attr", "acomp")), None)
                if pred is None:
                    continue
                pol = self._eval_pol(pred)
                if pol == 0:
                    continue
                if _neg(tok):
                    pol = -pol
                target = subj
                if subj.lower_ in ("this", "it", "that") and pred.lemma_.lower() in POLICY_NOUNS:
                    target = pred
            elif lem in NEG_EFFECT_V or lem in POS_EFFECT_V:
                pol = -1 if lem in NEG_EFFECT_V else 1
                if _neg(tok):
                    pol = -pol
                target = subj
            else:
                continue
            if target.lower_ in ("we", "i", "you", "they", "he", "she"):
                continue
            attr = ctx.content_attr(tok)
            speaker_tok = None
            if attr is not None:
                if attr[3] in SPECULATIVE:
                    continue
                speaker_tok = ctx.sub[attr[2]]
            elif tok.dep_ == "ccomp" and _lem(tok.head) in SPEECH | {"say"}:
                speaker_tok = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
            if speaker_tok is None:
                continue
            if self._hypothetical(tok):
                continue
            whos = ctx.resolve(speaker_tok)
            if not whos or (whos[0].speaker is not None and ctx.affiliation(whos[0].speaker)[1]):
                continue
            out += [(w, tok, pol, target, tok, False, True) for w in whos]
        return out

    # -- records
    def _span_text(self, tok, limit: int = 18) -> str:
        toks = [t for t in tok.subtree]
        # cut relative clauses and appositives
        cut = [t for t in tok.children if t.dep_ in ("relcl", "appos", "advcl") and t.i > tok.i]
        if cut:
            stop = min(t.left_edge.i for t in cut)
            toks = [t for t in toks if t.i < stop]
        toks = toks[:limit]
        if not toks:
            return tok.text
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        return self._subtext[s:e].strip(" ,;:\"\u201c\u201d")

    def _same_sentence(self, ctx: Ctx, a: int, b: int) -> bool:
        return "." not in ctx.body[a:b]

    def _dominant(self, ctx: Ctx, p: int):
        prev = [m for m in ctx.topic_mentions if m[0] < p] or ctx.topic_mentions
        if not prev:
            return None
        counts = {}
        for x in prev:
            counts.setdefault(x[1].id, set()).add(x[4])
        best = max(counts.values(), key=len)
        return max((x for x in prev if counts[x[1].id] is best), key=lambda x: x[0])

    def _topic_for(self, ctx: Ctx, target, who: Who, tok, pol):
        if target is tok and target.pos_ in ("VERB", "AUX"):
            m = self._dominant(ctx, ctx.bstart(tok))
            return (m[1].id, m[1].label, m[2], None) if m else None
        txt = self._span_text(target)
        mtxt = txt
        if target.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PRON" for c in target.children):
            mtxt = txt + " " + who.name
        t = self.cat.match(mtxt)
        if t is not None and mtxt != txt:
            txt = mtxt
        lem0 = target.lemma_.lower()
        if t is not None and t.priority <= 3 and target.pos_ in ("NOUN", "PROPN"):
            p0 = ctx.bstart(target)
            spec = [m for m in ctx.topic_mentions if m[0] < p0 and m[1].priority > t.priority
                    and (target.lower_ in m[3] or any(_same_word(lem0, w) for w in m[3]))]
            if spec:
                m = max(spec, key=lambda h: (h[1].priority, h[0]))
                return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
        if t is None and (lem0 in NOMINAL_ACTS - EVENT_NOUNS or (lem0 in POLICY_NOUNS and any(
                c.lower_ in ("this", "it", "that") and c.dep_ == "nsubj" for c in target.head.children))):
            m = self._dominant(ctx, ctx.bstart(target))
            if m:
                return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
        lem = target.lemma_.lower()
        if t is None and target.pos_ in ("NOUN", "PROPN") and lem not in EVENT_NOUNS:
            # definite description: "the duties" -> the latest fuller mention with the same head
            p = ctx.bstart(target)
            if any(c.lower_ in ("such", "this", "these", "that", "those") for c in target.children):
                cur = [m for m in ctx.topic_mentions if m[0] < p]
                if cur:
                    here = max(m[4] for m in cur)
                    # the current sentence's own earlier words, else the previous sentence with a topic
                    mine = [m for m in cur if m[4] == here and m[0] >= p - 200]
                    cand = mine if mine and self._same_sentence(ctx, mine[-1][0], p) else [m for m in cur if m[4] == here]
                    m = max(cand, key=lambda h: (h[1].priority, h[0]))
                    return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
            # an actor named as the object ("criticised India and Indonesia") is not a policy topic
            if target.pos_ == "PROPN" and ctx.ent_of_np(target) is not None:
                return None
            # ... nor is an actor's common noun ("the association supported ...")
            if lem in ORG_ANAPHORA or lem in ROLE_WORDS or lem in GOV_NOUNS:
                return None
            # the fuller mention must name its topic before the target, not in words that follow it
            hits = [] if lem in PURE_ANAPHORS else [
                m for m in ctx.topic_mentions if m[0] < p and (target.lower_ in m[3] or any(_same_word(lem, w) for w in m[3]))
                and self._any(m[1], ctx.body[m[5]:min(p, m[5] + len(m[2]))])]
            if hits:
                m = max(hits, key=lambda h: (h[1].priority, h[0]))
                return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
            if any(c.lower_ in ("such", "this", "that", "these", "those") for c in target.children):
                prev = [m for m in ctx.topic_mentions if m[0] < p]
                if prev:
                    m = prev[-1]
                    return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
        if t is None and (lem in ANAPHOR_NOUNS or target.pos_ == "PRON" or lem in EVENT_NOUNS):
            # event anaphora ("welcomed the decision") -> the article's lead stance
            if lem in EVENT_NOUNS and ctx.lead_stance:
                ls = ctx.lead_stance
                return ls["topic"], ls["label"], ls["target"] + " (" + txt + ")", ls["pol"]
            # most recent catalogued topic before this point
            p = ctx.bstart(target)
            prev = [m for m in ctx.topic_mentions if m[0] < p]
            if prev:
                m = prev[-1]
                if target.pos_ != "PRON":
                    # the most specific topic named in the latest sentence naming one
                    # ("a deal" after "the pay offer ... the threat of strikes" is the pay deal: a topic
                    # whose own keywords hold the noun beats a merely more specific one)
                    here = max(x[4] for x in prev)
                    m = max((x for x in prev if x[4] == here),
                            key=lambda h: (_topic_has_word(h[1], lem), h[1].priority, h[0]))
                if target.pos_ == "PRON":
                    counts = {}
                    for x in prev:
                        counts.setdefault(x[1].id, set()).add(x[4])
                    best = max(counts.values(), key=len)
                    m = max((x for x in prev if counts[x[1].id] is best), key=lambda x: x[0])
                return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
            if ctx.topic_mentions:
                m = ctx.topic_mentions[0]
                return m[1].id, m[1].label, f"{txt} ({m[2]})"[:200], None
        if t is None and target.pos_ in ("NOUN", "PROPN"):
            # the clause around the target may name the topic ("..., which represents lumber producers, welcomed the higher rates")
            t2 = self.cat.match(ctx.sent_of(tok).text) if lem in POLICY_NOUNS | {"rate", "rates", "measure"} else None
            if t2 is not None:
                return t2.id, t2.label, txt, None
        if t is None:
            if target.pos_ in ("PRON",) or lem in ("text", "document"):
                return None
            if lem not in POLICY_NOUNS:
                return None
            lemmas = [x.lemma_ for x in target.subtree if x.pos_ in ("NOUN", "PROPN", "ADJ") and x.lemma_.lower() not in STOPWORDS][:6]
            if not lemmas:
                return None
            fid = fallback_id(lemmas)
            return fid, txt[:120], txt, None
        return t.id, t.label, txt, None

    def _records(self, ctx: Ctx, found: list[tuple]) -> list[StanceRecord]:
        recs: dict[str, StanceRecord] = {}
        art = ctx.article
        # first pass to set the lead stance (first explicit current stance)
        for item in found:
            w, tok, pol, target, top = item[:5]
            if len(item) > 6:
                continue
            res = self._topic_for(ctx, target, w, tok, pol)
            if res and not res[0].startswith("t:") and not self._past(ctx, tok, top)[0]:
                ctx.lead_stance = {"topic": res[0], "label": res[1], "target": res[2], "pol": pol}
                break
        for item in found:
            w, tok, pol, target, top, reversal = item[:6]
            evaluative = len(item) > 6
            if w.type == "PERSON" and w.speaker is None and isinstance(w.actor, Ent) and w.actor.is_person:
                speaker = w.actor
            else:
                speaker = w.speaker
            if speaker is None:
                attr = ctx.content_attr(top)
                if attr is not None:
                    sw = ctx.resolve(ctx.sub[attr[2]])
                    if sw and sw[0].speaker is not None and sw[0].id == w.id:
                        speaker = sw[0].speaker
            res = self._topic_for(ctx, target, w, tok, pol)
            if res is None:
                continue
            topic_id, label, ttext, forced = res
            if forced is not None:
                pol = forced * pol
            if evaluative and topic_id.startswith("t:") and target.lemma_.lower() not in POLICY_NOUNS:
                continue
            if w.id == getattr(speaker, "id", None) and evaluative:
                pass
            past, stated = self._past(ctx, tok, top)
            # evidence: the clause of the top verb, trimmed
            ev_s, ev_e = self._evidence_span(tok, top)
            bs, be = ctx.cmap.start(ev_s), ctx.cmap.end(ev_e)
            if not (0 <= bs < be <= len(ctx.body)):
                continue
            conf = self._confidence(tok, top, evaluative, topic_id, w, ctx)
            cond = self._condition(ctx, top)
            if cond:
                conf = min(conf, 0.7)
            polarity = "support" if pol > 0 else "oppose"
            actor = w.actor
            atype = actor.type
            sid = short_hash(art.id, actor.id, topic_id, bs, be)
            if sid in recs:
                continue
            recs[sid] = StanceRecord(
                id=sid, article_id=art.id, published_at=art.published_at,
                actor=ActorRef(id=actor.id, name=actor.name, type=atype),
                speaker=SpeakerRef(id=speaker.id, name=speaker.name) if speaker is not None and speaker.id != actor.id else None,
                topic=TopicRef(id=topic_id, label=label), target_text=ttext[:300], polarity=polarity,
                confidence=round(conf, 3), evidence=Evidence(text=ctx.body[bs:be], start=bs, end=be),
                tense="past" if past else "current", stated_at=stated, condition=cond,
                extractor_version=self.version,
            )
        return list(recs.values())

    def _evidence_span(self, tok, top):
        h = top
        toks = list(h.subtree)
        s = min(t.idx for t in toks)
        e = max(t.idx + len(t.text) for t in toks)
        sent = self._ctx.sent_of(tok)
        s = max(s, sent.start_char)
        e = min(e, sent.end_char)
        txt = self._subtext
        while s < e and txt[s] in " ,;:\"\u201c\u201d\u2014-":
            s += 1
        while e > s and txt[e - 1] in " ,;:\u2014-":
            e -= 1
        return s, e

    def _confidence(self, tok, top, evaluative, topic_id, who, ctx) -> float:
        c = 0.8
        if evaluative:
            c = 0.65
        if topic_id.startswith("t:"):
            c -= 0.1
        toks = set(x.lower_ for x in top.subtree) | set(x.lemma_.lower() for x in tok.head.children)
        if toks & HEDGES:
            c -= 0.15
        if isinstance(who.actor, Ent) and who.actor.is_person:
            c -= 0.05
        return max(0.05, min(0.95, c))

    def _condition(self, ctx, top) -> str | None:
        for c in top.children:
            if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "provided", "unless") for m in c.children):
                s = min(t.idx for t in c.subtree)
                e = max(t.idx + len(t.text) for t in c.subtree)
                bs, be = ctx.cmap.start(s), ctx.cmap.end(e)
                return ctx.body[bs:be]
        return None

    def _cues(self, ctx: Ctx, top) -> list:
        """The attribution cue verbs governing ``top`` ("had said [that X would not sign]")."""
        out = []
        attr = ctx.content_attr(top)
        if attr is not None and len(attr) > 4 and attr[4] is not None:
            out.append(ctx.sub[attr[4]])
        h = top
        for _ in range(6):
            if h.head is h:
                break
            if h.dep_ == "ccomp" and _lem(h.head) in SPEECH | {"say"}:
                if h.head not in out:
                    out.append(h.head)
                break
            if h.dep_ not in ("conj", "ccomp", "xcomp", "advcl"):
                break
            h = h.head
        return [c for c in out if c.i != top.i]

    def _past(self, ctx: Ctx, tok, top) -> tuple[bool, datetime | None]:
        heads = [tok, top]
        words = set()
        aux_had = False
        # the tense of the attribution cue governs the stance in its content: "had said",
        # "On Sept. 2, X said", "At the start of the summit, X had said", "said last week"
        cue_past = False
        cue_words: set[str] = set()
        for cue in self._cues(ctx, top):
            if any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("had", "'d") for c in cue.children) and cue.tag_ == "VBN":
                cue_past = True
            for c in cue.children:
                if c.dep_ in ("advmod", "npadvmod", "prep", "obl", "tmod"):
                    sub = list(c.subtree)
                    if len(sub) <= 8:
                        ws = {t.lower_ for t in sub}
                        cue_words |= ws
                        if cue.tag_ == "VBD" and c.lower_ == "at" and ws & {"start", "beginning", "outset", "opening"}:
                            cue_past = True
                        if cue.tag_ == "VBD" and ws & {"previously", "initially", "originally", "formerly", "ago"}:
                            cue_past = True
                        if cue.tag_ == "VBD" and "earlier" in ws and not ws & {"today"}:
                            cue_past = True
                        if cue.tag_ == "VBD" and "last" in ws and ws & {"month", "week", "year"}:
                            cue_past = True
            if cue.tag_ == "VBD" or cue_past:
                d = self._date(ctx, cue_words)
                if d is not None and ctx.article.published_at is not None and (ctx.article.published_at - d) > timedelta(days=6):
                    cue_past = True
        if cue_past:
            stated = self._date(ctx, cue_words)
            return True, stated
        for h in heads:
            for c in h.children:
                if c.dep_ in ("aux", "auxpass") and c.lower_ == "had":
                    aux_had = True
                if c.dep_ in ("advmod", "npadvmod", "prep", "obl"):
                    sub = list(c.subtree)
                    if len(sub) <= 5:
                        for t in sub:
                            words.add(t.lower_)
            if h.dep_ in ("acl", "ccomp") and h.head.pos_ == "NOUN":
                for c in h.head.children:
                    if c.dep_ in ("npadvmod", "prep", "amod"):
                        for t in c.subtree:
                            words.add(t.lower_)
        # a relative clause or noun modifier: "which rejected the offer last month"
        past_tag = tok.tag_ == "VBD" or top.tag_ == "VBD"
        stated = self._date(ctx, words)
        is_past = aux_had or bool(words & {"previously", "initially", "originally", "formerly", "once", "ago"})
        if not is_past and "earlier" in words and past_tag:
            is_past = True
        if not is_past and stated is not None and ctx.article.published_at is not None:
            if (ctx.article.published_at - stated) > timedelta(days=6):
                is_past = True
        if not is_past and past_tag and "last" in words and words & {"month", "week", "year"}:
            is_past = True
        if not is_past and tok.lower_ in ("refusing", "rejecting") and tok.head.lower_ in ("after",):
            is_past = True
        for c in tok.children:
            if c.dep_ == "advmod" and c.lower_ in ("initially", "previously", "originally"):
                is_past = True
        return is_past, stated if is_past else None

    def _date(self, ctx, words: set[str]) -> datetime | None:
        pub = ctx.article.published_at
        if pub is None:
            return None
        if "last" in words and "month" in words:
            y, m = (pub.year, pub.month - 1) if pub.month > 1 else (pub.year - 1, 12)
            return datetime(y, m, 1, tzinfo=timezone.utc)
        if "ago" in words:
            n = next((int(w) for w in words if w.isdigit()), None)
            nums = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": 3, "a": 1}
            n = n or next((nums[w] for w in words if w in nums), 1)
            if "weeks" in words or "week" in words:
                return pub - timedelta(weeks=n)
            if "months" in words or "month" in words:
                return pub - timedelta(days=30 * n)
            if "years" in words or "year" in words:
                return pub - timedelta(days=365 * n)
        for w in words:
            wl = w.rstrip(".")
            if wl in MONTHS:
                mo = MONTHS[wl]
                y = pub.year if mo <= pub.month else pub.year - 1
                day = next((int(x) for x in words if x.isdigit() and 1 <= int(x) <= 31), 1)
                try:
                    return datetime(y, mo, day, tzinfo=timezone.utc)
                except ValueError:
                    return datetime(y, mo, 1, tzinfo=timezone.utc)
        return None
