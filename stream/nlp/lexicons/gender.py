"""Grammatical gender in English: the words that tell which people "he" and "she" can stand for.

Language data only (no names): pronouns, honorifics and role or kinship nouns that carry a
person's gender. :mod:`stream.nlp.gender` reads them from the article itself.
"""
from __future__ import annotations

#: third-person pronouns and the gender they agree with
PRONOUN_GENDER: dict[str, str] = {
    "he": "m", "him": "m", "his": "m", "himself": "m",
    "she": "f", "her": "f", "hers": "f", "herself": "f",
}

#: honorifics before a name ("Mr. Sanders", "Mrs. Clinton", "Ms. Warren")
#: (without the full stop, which is optional after each)
HONORIFICS: dict[str, str] = {
    "mr": "m", "messrs": "m", "sir": "m", "lord": "m",
    "mrs": "f", "ms": "f", "miss": "f", "madam": "f", "dame": "f", "lady": "f",
}

#: role and kinship nouns with a gender, as a title ("Congresswoman Jones") or in apposition
#: ("Jones, a spokeswoman for ...")
GENDERED_NOUNS: dict[str, str] = {
    **{w: "m" for w in (
        "spokesman congressman chairman councilman assemblyman alderman businessman committeeman "
        "statesman sportsman anchorman husband father son brother uncle nephew grandfather grandson "
        "widower boyfriend king prince duke emperor actor waiter gentleman man boy").split()},
    **{w: "f" for w in (
        "spokeswoman congresswoman chairwoman councilwoman assemblywoman alderwoman businesswoman "
        "committeewoman stateswoman sportswoman anchorwoman wife mother daughter sister aunt niece "
        "grandmother granddaughter widow girlfriend queen princess duchess empress actress waitress "
        "lady woman girl").split()},
}
