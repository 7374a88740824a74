"""Month names (full, three-letter and 'sept') -> month number."""
from __future__ import annotations

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

# --- word lists that were written inline in the rules
# words that put a position in the past
PAST_WORDS = frozenset({"previously", "initially", "originally", "formerly", "once", "ago"})
# the same without "once", next to a past-tense cue
PAST_WORDS_BY_CUE = frozenset({"previously", "initially", "originally", "formerly", "ago"})
# adverbs of a first position ("initially opposed")
INITIAL_ADVERBS = ("initially", "previously", "originally")
# "at the start" of something past
START_NOUNS = frozenset({"start", "beginning", "outset", "opening"})
