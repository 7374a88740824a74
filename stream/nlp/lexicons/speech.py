"""The one speech vocabulary, for attribution and for the stance rules.

:data:`SPEECH` are the plain verbs of saying (the stance rules read a clause under
one as the speaker's); :data:`SPEECH_LEMMAS` adds verbs of reporting and cognition
and is what attribution takes as a cue, with the position verbs and the cue nouns.
"""
from __future__ import annotations

# Verbs of saying.
SPEECH = frozenset("""say tell add note argue insist claim stress announce confirm explain state declare write reply respond
answer acknowledge admit concede suggest reveal indicate point mention remark observe comment emphasize emphasise
assert maintain contend warn caution repeat reiterate describe""".split())

# Nouns that report what an actor said or holds ("its statement", "the refusal") (stance rules).
SPEECH_NOUNS = frozenset({"statement", "announcement", "decision", "pledge", "promise", "refusal", "threat", "vow", "insistence",
                          "position", "view", "warning", "call", "demand", "commitment"})

# Every verb that takes a clause or a quote as content, for attribution: the verbs of saying
# above and verbs of reporting and cognition ("predict", "believe", "fear" ...).
SPEECH_LEMMAS: frozenset[str] = SPEECH | frozenset(
    """
    accuse advise agree allege ask assume assure believe blame boast brag calculate chant charge cite
    complain conclude consider continue convince counter demand deny disclose doubt echo estimate expect
    fear feel find forecast guess hear hint hope imply inform instruct joke know lament learn order pledge
    post predict proclaim project promise propose protest question quote read recall reckon recommend
    remind report retort scream shout show signal speculate summarise summarize testify think threaten
    tout tweet urge vow wonder worry yell
    """.split()
)

# Verbs expressing a held position toward an object (reported stances).
POSITION_LEMMAS: frozenset[str] = frozenset(
    """
    reject oppose back support welcome criticise criticize condemn endorse
    praise slam blast dismiss denounce attack defend favor favour resist
    applaud hail approve veto block decry lambaste want refuse
    decline plan seek push champion embrace advocate call
    propose promote sponsor liken compare chastise thank accept resent vote
    impose recommend articulate label brand dub portray paint characterize
    characterise credit prefer choose rate regard deem commit encourage
    discourage appeal challenge dispute contest downplay mock ridicule
    justify apologize apologise congratulate express voice discuss talk
    speak address reference document detail outline unveil publish offer
    blame question urge demand threaten decide view
    """.split()
)

# Nouns of saying / position: "Trump's claim that ...", "the senator's call for ...".
NOUN_CUE_LEMMAS: frozenset[str] = frozenset(
    """
    claim statement comment remark warning promise pledge demand criticism
    accusation assertion argument allegation suggestion proposal decision
    refusal insistence view belief opinion position stance estimate prediction
    forecast announcement denial admission threat vow support opposition
    endorsement rejection objection concern fear hope reluctance determination
    commitment eagerness call plea appeal charge complaint contention
    """.split()
)

VERB_CUES = SPEECH_LEMMAS | POSITION_LEMMAS

# Everything that can introduce an attribution: verbs, nouns, and "accord" (the
# lemma of "according" in "according to X").
CUE_LEMMAS: frozenset[str] = VERB_CUES | NOUN_CUE_LEMMAS | frozenset({"accord"})

# cue lemmas that can carry a direct quotation
QUOTE_CUES = SPEECH_LEMMAS | frozenset({"call"})

# verbs whose object is the addressee, not the content ("told reporters")
ADDRESSEE_VERBS = frozenset("tell ask inform assure remind urge warn advise instruct convince persuade".split())

# nouns of a document or a medium that can "say" something ("the statement said")
DOCUMENT_NOUNS = frozenset(
    """
    statement letter report release ad advertisement video post tweet memo email
    note study survey poll paper document filing brief complaint lawsuit suit
    ruling order speech interview editorial column article message sign banner
    petition resolution motion bill proposal analysis review
    """.split()
)

# --- word lists that were written inline in the rules
# nouns of hearsay: a clause under one is not the actor's statement
HEARSAY_NOUNS = ("report", "suggestion", "speculation", "rumour", "rumor", "claim")
