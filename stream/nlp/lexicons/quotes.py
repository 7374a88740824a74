"""Quotation marks."""
from __future__ import annotations

#: one-character tokens that make a sentence worth parsing for a quoted statement (the enricher)
QUOTE_MARKS = frozenset('"\u201c\u201d\u00ab\u00bb')
