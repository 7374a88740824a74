"""Stance words: what turns a clause into support or opposition."""
from __future__ import annotations

# ---------------------------------------------------------------- lexicons
SUPPORT_V = frozenset("""support back endorse welcome praise accept sign join favour favor champion propose want seek defend
approve recommend hail applaud embrace advocate ratify adopt impose introduce launch pursue prefer demand
commend keep maintain file""".split())
OPPOSE_V = frozenset("""oppose reject dismiss condemn criticise criticize attack block veto resist slam denounce decry
object lambast blast fight boycott scrap repeal lift abolish abandon protest rebuff""".split())
# control verbs/adjectives: pass polarity to their clause complement (sign), negating ones flip it
CONTROL_POS = frozenset("""urge call ask press encourage push want hope plan intend prepare ready willing seek try aim agree
decide vote move promise pledge vow continue need recommend believe choose prefer able prepared eager keen
determined commit set go glad happy proud delighted pleased""".split())
CONTROL_NEG = frozenset("""refuse decline fail reject oppose resist stop cease abandon end rule unwilling unable reluctant
hesitate""".split())
SPECULATIVE = frozenset("""expect predict speculate guess suspect bet anticipate forecast wonder doubt imagine suppose
report""".split())
STANCE_NOUNS_POS = frozenset({"support", "backing", "endorsement", "approval", "call", "push", "proposal", "demand", "commitment"})
STANCE_NOUNS_NEG = frozenset({"opposition", "objection", "rejection", "refusal", "veto", "resistance", "criticism", "complaint"})
REVERSAL_V = frozenset({"drop", "abandon", "withdraw", "reverse", "end", "lift", "soften", "give", "shelve", "overturn", "remove"})
POS_ADJ = frozenset("""good strong fair right practical welcome constructive positive important essential necessary vital
helpful useful sensible balanced reasonable justified proportionate beneficial appropriate acceptable affordable
great excellent valuable crucial robust credible satisfied delighted pleased glad proud""".split())
NEG_ADJ = frozenset("""wrong bad unacceptable unjustified unfair flawed disproportionate unnecessary harmful damaging
dangerous counterproductive misguided illegal unworkable excessive unjust reckless irresponsible unlawful
pointless ineffective disappointing regrettable absurd outrageous premature low""".split())
POS_NOUN_EVAL = frozenset({"tool", "step", "deal", "win", "success", "solution", "answer", "formula", "opportunity", "signal", "interest"})
NEG_NOUN_EVAL = frozenset({"mistake", "tax", "blow", "threat", "error", "disaster", "attack", "burden", "obstacle", "trap", "door"})
NEG_EFFECT_V = frozenset("""hurt harm damage undermine destroy weaken punish penalise penalize cost raise force kill threaten
pile push""".split())
POS_EFFECT_V = frozenset("""ensure help protect strengthen boost secure benefit support resolve improve address""".split())
HEDGES = frozenset({"may", "might", "could", "perhaps", "possibly", "likely", "reportedly", "consider", "study", "examine",
                    "review", "open", "signal", "suggest", "appear", "seem"})
POLICY_NOUNS = frozenset("""offer plan proposal deal agreement pledge levy tax tariff duty duties code law bill rule regulation
ban policy measure instrument scheme package sanction sanctions treaty accord declaration borrowing debt
troop troops force forces peacekeeper mission presence membership guarantee guarantees ceasefire truce
talks negotiation negotiations initiative effort efforts strike strikes action award rise increase cut
counter-tariffs retaliation challenge complaint farm turbine project development recommendation
decision move idea arrangement arrangements formula""".split())
EVENT_NOUNS = frozenset({"decision", "move", "announcement", "shift", "step", "change", "turnaround", "reversal",
                         "recommendation", "vote", "result", "u-turn", "climbdown"})
ANAPHOR_NOUNS = frozenset({"idea", "proposal", "plan", "offer", "arrangement", "arrangements", "formula", "measure",
                           "measures", "scheme", "text", "deal", "code", "it", "this", "that", "them", "they", "such"})
NOMINAL_ACTS = frozenset({"text", "document", "signature", "participation", "accession", "involvement", "acceptance", "decision", "move",
                          "step", "approval", "endorsement"})
CALL_NOUNS = frozenset({"call", "demand", "push", "plea", "appeal", "request", "campaign", "bid"})
# nouns that only ever refer back to a proposal named before ("an idea Kyiv has rejected")
PURE_ANAPHORS = frozenset({"idea", "arrangement", "arrangements", "proposition", "notion", "suggestion", "concept"})
ENABLING_NOUNS = frozenset({"way", "path", "door", "room", "chance", "opportunity", "possibility", "ground", "scope", "basis"})
IRREGULAR = {"said": "say", "told": "tell", "sought": "seek", "thought": "think", "felt": "feel", "chose": "choose",
             "fought": "fight", "led": "lead", "put": "put", "set": "set", "gave": "give", "withdrew": "withdraw",
             "withdrawn": "withdraw", "spoke": "speak", "made": "make", "took": "take", "stood": "stand"}

# --- word lists that were written inline in the rules
# stance verbs that still count with no target found (the object is the agreement under discussion)
IMPLICIT_OBJECT_VERBS = ("sign", "join", "accept", "reject", "ratify", "endorse", "support", "oppose", "back", "approve")
# verbs that are a stance only with a catalogue topic as their object ("keep the tariffs")
TOPIC_OBJECT_VERBS = ("keep", "maintain", "lift", "end", "launch", "introduce", "impose", "defend", "file", "pursue")
# what "file" must have as its object to be a stance
FILED_NOUNS = ("challenge", "complaint", "lawsuit", "case", "appeal")
# verbs through which "against" opposes ("voted against", "came out against")
AGAINST_HEADS = ("vote", "be", "remain", "stand", "come", "campaign", "fight", "argue", "warn")
# adjectives that pass their clause's polarity on ("ready to sign")
READY_ADJ = ("ready", "prepared", "willing")
# words that oppose on their own
OPPOSED_WORDS = ("opposed", "against", "unacceptable")
# verbs that support with "to"/"up" ("agreed to", "signed up to")
COMMIT_VERBS = ("agree", "commit", "sign")
# verbs that support with "for" ("called for")
CALL_VERBS = ("call", "push", "press")
# copulas of an evaluative statement ("The duties are unjustified")
COPULAS = ("be", "remain", "stay", "seem", "look")
# adjectives that evaluate after "too" ("too low")
EXCESS_ADJ = ("low", "high", "little", "small")
