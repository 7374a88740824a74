"""Word lists for reported stances: who takes a position toward what (language data only).

Read by :mod:`stream.nlp.stance.reported` (the dependency rules) and
:mod:`stream.nlp.stance.candidates` (features of the learned classifier). Multi-word
entries join the verb and its particle or preposition with ``_`` ("vote_for",
"shut_down", "lash_out_at"), as :func:`stream.nlp.stance.reported.phrasal_keys` builds them.
"""
from __future__ import annotations

# Verbs whose subject takes a position toward their object: +1 for, -1 against.
SUPPORT_VERBS: frozenset[str] = frozenset("""
support back endorse praise favor favour champion defend embrace welcome applaud hail laud commend
tout advocate promote sponsor cosponsor co-sponsor approve ratify sign like love admire thank congratulate
credit celebrate salute recommend prefer defend protect uphold vote_for rally_behind stand_with
side_with stand_by agree_with tout extol vouch_for campaign_for fight_for lobby_for push_for call_for
argue_for press_for clamor_for root_for vote_in_favor_of come_out_for
""".split())

OPPOSE_VERBS: frozenset[str] = frozenset("""
oppose reject criticize criticise slam attack blast condemn denounce fight block veto mock ridicule
accuse blame question challenge sue dismiss assail rebuke lambaste lambast decry deride disparage bash
knock target resist protest disavow boycott filibuster scold chide fault insult smear trash pan
savage skewer excoriate berate castigate contradict dispute denigrate belittle vilify demonize demonise
impugn jab needle taunt lash_out_at hit_out_at rail_against speak_out_against vote_against
campaign_against argue_against warn_against lobby_against push_back_against break_with distance_from
turn_on disagree_with rip pummel hammer go_after take_on vote_down
speak_out_against lash_out_against
""".split())

# Action verbs: taking the action is a position toward the object, when intended or promised.
ACTION_SUPPORT: frozenset[str] = frozenset("""
expand extend strengthen restore fund protect pass enact implement adopt create build raise increase boost
preserve keep save defend reform legalize legalise allow grant provide guarantee establish introduce
unveil propose offer accept continue renew pursue deliver secure approve sign
""".split())
ACTION_OPPOSE: frozenset[str] = frozenset("""
end stop ban repeal scrap abolish eliminate dismantle undo overturn reverse kill halt cancel revoke
rescind outlaw prohibit shut_down close defund deport gut roll_back strike_down tear_up withdraw_from
pull_out_of
""".split())

# Verbs of intent: "promised to end X" takes the embedded action's position; a neutral embedded
# action ("pledged to take executive action") is supported.
INTENT_VERBS: frozenset[str] = frozenset("""
promise pledge vow propose plan intend want seek aim hope commit vote move urge push press call
demand insist plead try work fight campaign threaten offer agree decide resolve swear
""".split())

# Verbs of saying whose content is the actor's position (the content is read for polarity).
SPEECH_VERBS: frozenset[str] = frozenset("""
say tell add argue insist claim stress declare write tweet post reply respond suggest contend maintain
assert warn charge complain lament
""".split())

# Nouns naming a position of their possessor ("Sanders' support for", "Trump's attack on").
SUPPORT_NOUNS: frozenset[str] = frozenset("""
support backing endorsement praise approval defense defence advocacy embrace championing
""".split())
OPPOSE_NOUNS: frozenset[str] = frozenset("""
opposition criticism attack rejection condemnation veto denunciation objection critique assault
broadside rebuke swipe jab
""".split())
INTENT_NOUNS: frozenset[str] = frozenset("""
plan proposal pledge promise call push bid vow commitment effort campaign plea demand
""".split())

# Role nouns for someone who holds a position: "a critic of X", "a supporter of Y".
SUPPORTER_NOUNS: frozenset[str] = frozenset("""
supporter backer proponent advocate champion ally fan defender booster cheerleader surrogate loyalist
admirer endorser
""".split())
OPPONENT_NOUNS: frozenset[str] = frozenset("""
opponent critic foe enemy detractor adversary skeptic sceptic
""".split())

# Adjectives taking a position with a preposition: "opposed to", "critical of", "supportive of".
ADJ_SUPPORT: dict[str, frozenset[str]] = {
    "supportive": frozenset({"of"}), "favorable": frozenset({"to", "toward", "towards"}),
    "open": frozenset({"to"}), "sympathetic": frozenset({"to", "toward", "towards"}),
    "enthusiastic": frozenset({"about"}), "committed": frozenset({"to"}),
}
ADJ_OPPOSE: dict[str, frozenset[str]] = {
    "opposed": frozenset({"to"}), "critical": frozenset({"of"}), "hostile": frozenset({"to", "toward", "towards"}),
    "skeptical": frozenset({"of", "about"}), "sceptical": frozenset({"of", "about"}),
    "dismissive": frozenset({"of"}), "wary": frozenset({"of"}),
}

# Nouns for people and bodies that can hold a position without being a named entity.
COLLECTIVE_HEADS: frozenset[str] = frozenset("""
candidate lawmaker legislator senator representative congressman congresswoman governor mayor official
leader voter activist critic supporter opponent democrat republican conservative liberal progressive
administration campaign committee group coalition union party caucus delegation government court judge
justice senate house congress council board agency department ministry police prosecutor advocate
organization organisation company corporation firm industry
""".split())

# Heads of a subject phrase that stand for the entity they are attached to.
PROXY_HEADS: frozenset[str] = frozenset("""
campaign spokesman spokeswoman spokesperson aide adviser advisor administration office staff team
government press_secretary secretary representative
""".split())

PRONOUNS_PERSON: frozenset[str] = frozenset({"he", "she", "him", "her"})
PRONOUNS_SELF: frozenset[str] = frozenset({"i", "we", "me", "us"})
HEDGE_MARKS: frozenset[str] = frozenset({"if", "whether", "unless"})
# Verbs whose clause is a guess about someone else ("expects Meta to sign", "predicted the party would back").
PREDICTION_VERBS: frozenset[str] = frozenset(
    "expect predict speculate guess suspect bet anticipate forecast wonder imagine suppose".split())
SPECULATIVE_MODALS: frozenset[str] = frozenset({"might", "may", "could"})
NEGATIONS: frozenset[str] = frozenset({"not", "n't", "never", "no"})
# Words whose controlled clause is not done: "refused to endorse", "unwilling to back".
REFUSAL_VERBS: frozenset[str] = frozenset({"refuse", "decline", "fail", "reluctant", "hesitate", "unwilling", "hesitant",
                                           "balk", "resist"})

# Verbs that give their object a predicate: "called him a liar", "declared it a disaster".
CALLING_VERBS: frozenset[str] = frozenset(
    "call label brand dub deem declare term describe characterize characterise consider portray paint".split())
# "won the endorsement of X": the of-phrase supports the subject.
RECEIVING_VERBS: frozenset[str] = frozenset("win receive get earn secure land gain pick_up snag clinch have".split())
# Intent verbs strong enough that a promised action with an object is supported ("pledged to take
# executive action on immigration"); weaker ones ("want", "try") need a polar embedded verb.
COMMITMENT_VERBS: frozenset[str] = frozenset("promise pledge vow propose commit call push urge demand".split())

# Nouns of concern or approval that a holder voices: "expressed concern about X".
CONCERN_NOUNS: frozenset[str] = frozenset(
    "concern worry doubt objection reservation alarm outrage frustration anger disappointment skepticism "
    "scepticism opposition displeasure disapproval misgiving".split())
APPROVAL_NOUNS: frozenset[str] = frozenset("support approval enthusiasm appreciation admiration gratitude praise".split())
VOICING_VERBS: frozenset[str] = frozenset(
    "voice express signal offer give throw lend announce declare reiterate renew raise register air show "
    "have tweet pledge take hold".split())
# Nouns of an opinion whose adjective gives the polarity: "takes a negative view of X", "a dim view".
VIEW_NOUNS: frozenset[str] = frozenset("view opinion attitude stance assessment verdict".split())
# Nouns of a campaign against something: "the GOP blockade against his nominee".
CAMPAIGN_AGAINST_NOUNS: frozenset[str] = frozenset(
    "blockade boycott crusade war fight campaign push effort filibuster lawsuit suit challenge".split())
# "votes against the Brady bill", "his vote for the war".
VOTE_NOUNS: frozenset[str] = frozenset("vote ballot".split())
# Adjectives of feeling toward a prepositional object: "sick of", "proud of", "worried about".
ADJ_FEELING: dict[str, tuple[int, frozenset[str]]] = {
    "sick": (-1, frozenset({"of"})), "tired": (-1, frozenset({"of"})), "worried": (-1, frozenset({"about", "by"})),
    "concerned": (-1, frozenset({"about", "by", "with"})), "angry": (-1, frozenset({"at", "about", "with", "over"})),
    "furious": (-1, frozenset({"at", "about", "with", "over"})), "disappointed": (-1, frozenset({"in", "with", "by"})),
    "frustrated": (-1, frozenset({"with", "by"})), "upset": (-1, frozenset({"with", "about", "over", "by"})),
    "outraged": (-1, frozenset({"by", "at", "over"})), "troubled": (-1, frozenset({"by"})),
    "disgusted": (-1, frozenset({"by", "with"})), "ashamed": (-1, frozenset({"of"})),
    "proud": (1, frozenset({"of"})), "pleased": (1, frozenset({"with", "by"})), "happy": (1, frozenset({"with", "about", "for"})),
    "impressed": (1, frozenset({"by", "with"})), "grateful": (1, frozenset({"for", "to"})), "thankful": (1, frozenset({"for"})),
    "excited": (1, frozenset({"about", "by"})), "confident": (1, frozenset({"in"})),
}
# Definite descriptions that stand for the last organisation named: "the company has defended ...".
ORG_DESCRIPTIONS: frozenset[str] = frozenset(
    "company firm corporation group organization organisation union agency network chain bank".split())
# Definite descriptions that stand for the last person named: "the Texas senator", "the front-runner".
PERSON_DESCRIPTIONS: frozenset[str] = frozenset(
    "senator governor candidate nominee front-runner frontrunner billionaire businessman businesswoman congressman "
    "congresswoman mayor president secretary speaker chairman chairwoman mogul tycoon contender challenger incumbent "
    "hopeful lawmaker legislator senator-elect president-elect".split())
# Prefixes that state an orientation: "pro-Clinton super PAC", "anti-Trump protesters".
ORIENTATION_PREFIXES: dict[str, int] = {"pro": 1, "anti": -1}

# Determiners that point back to something named before: a target with nothing else is unidentified.
ANAPHORIC_DETERMINERS: frozenset[str] = frozenset(
    "the this that these those its their our his her my your any such same".split())
