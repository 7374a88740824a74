"""Word lists of the NLP rules, as data: module-level frozensets, tuples and dicts, nothing else.

- :mod:`.stance`: stance and control verbs, evaluative adjectives and nouns, policy and event nouns
- :mod:`.speech`: the one speech vocabulary (verbs and nouns of saying and of holding a position), for
  attribution and for the stance rules
- :mod:`.roles`: role words, government nouns, organisation anaphora
- :mod:`.time`: month names
- :mod:`.quotes`: quotation marks
"""
