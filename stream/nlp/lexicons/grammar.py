"""Function words the rules read: pronouns, determiners, prepositions."""
from __future__ import annotations

# --- word lists that were written inline in the rules
# personal pronouns as subjects (not a policy being evaluated)
PERSONAL_PRONOUNS = ("we", "i", "you", "they", "he", "she")
# determiners that point back to something named before
DEMONSTRATIVES = ("such", "this", "these", "that", "those")
# prepositions that introduce what a stance noun is about
TARGET_PREPS = ("to", "for", "on", "with", "against", "of", "in", "ahead", "by")
# prepositions of a stance's target ("support for", "opposition to")
STANCE_PREPS = ("to", "for", "of", "on", "against")
# the same for a verb's prepositional object (no "of")
STANCE_PREPS_VERB = ("to", "for", "on", "against")
# prepositions of a stance noun's target
STANCE_NOUN_PREPS = ("to", "for", "of", "against")
# relative pronouns
RELATIVE_PRONOUNS = ("which", "who", "that", "whose")
# first-person pronouns: the speaker
FIRST_PERSON = ("we", "us", "our", "i", "me", "my")
# pronouns of a person
PERSON_PRONOUNS = ("he", "she", "him", "her", "his")
# pronouns of an organisation or a country
NONPERSON_PRONOUNS = ("it", "they", "them", "its", "their")
# subject pronouns (an earlier speaker named by one is no antecedent)
SUBJECT_PRONOUNS = ("he", "she", "it", "they", "we", "i")
# subject pronouns that need an antecedent
ANAPHORIC_SUBJECTS = ("it", "they", "he", "she", "we")
# prepositions of an affiliation ("minister of", "spokesman for")
AFFILIATION_PREPS = ("of", "for", "at", "from")
