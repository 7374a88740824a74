"""Word lists of the NLP rules, as data: module-level frozensets, tuples and dicts, nothing else.

- :mod:`.stance`: stance and control verbs, evaluative adjectives and nouns, policy and event nouns
- :mod:`.speech`: the one speech vocabulary (verbs and nouns of saying and of holding a position), for
  attribution and for the stance rules
- :mod:`.roles`: role words, government nouns, organisation anaphora
- :mod:`.time`: month names, words that put a position in the past
- :mod:`.quotes`: quotation marks
- :mod:`.grammar`: function words the rules read (pronouns, determiners, prepositions)
"""
