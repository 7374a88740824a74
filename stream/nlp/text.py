"""Small text helpers shared by the enrichment modules (pure functions)."""
from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

STOPWORDS = frozenset(
    """a an the this that these those such its it their his her our my your of for to in on at by with from
    as and or but nor any some all every each no not new own other another same more most less than into onto
    about over under up down out off very just only also again further then once here there which who whom whose
    what when where why how be is are was were been being have has had do does did will would shall should can
    could may might must i we you he she they them us me him one two three percent per cent mr mrs ms dr""".split()
)


def fold(text: str) -> str:
    """Accent-fold and lower-case; keep punctuation."""
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()


def norm(text: str) -> str:
    """Same folding as the scorer: accents, case, possessive 's and punctuation removed."""
    t = fold(text).replace("'s", "").replace("\u2019s", "")
    return _NON_ALNUM.sub(" ", t).strip()


def slug(text: str, max_len: int = 80) -> str:
    s = norm(text).replace(" ", "-")
    return s[:max_len].strip("-") or "x"


def word_re(keyword: str) -> re.Pattern:
    """A keyword stem matched at a word start in normalised text ("dut" matches "duties")."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(norm(keyword)))
