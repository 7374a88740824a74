"""Hypotheticals and quotations: statements that are not the actor's own current stance."""
from __future__ import annotations

import re

from stream.nlp.actors import Ctx
from stream.nlp.lexicons.speech import HEARSAY_NOUNS
from stream.nlp.lexicons.stance import ENABLING_NOUNS
from stream.nlp.stance.words import _lem


class ModalityRules:
    """Mixin of :class:`~stream.nlp.stance.StanceExtractor`."""

    def _in_quote_marks(self, ctx: Ctx, tok) -> bool:
        """Inside a quotation in its sentence or a quotation running on from an earlier sentence."""
        text = self._subtext
        sent = ctx.sent_of(tok)
        before = text[sent.start_char:tok.idx]
        n = before.count('"') + before.count("\u201c") + before.count("\u201d")
        if n % 2 == 1:
            return True
        # the next quote mark after the token closes a quotation ('... to the table." Canadian ...')
        after = text[tok.idx:sent.end_char]
        m = re.search('["\u201c\u201d]', after)
        if m is not None:
            q, k = m.group(), m.start()
            if q == "\u201d" or (q == '"' and k > 0 and after[k - 1] in ".,!?;:" and (k + 1 >= len(after) or not after[k + 1].isalnum())):
                return True
        # a sentence-initial quote mark that closes later: a quoted sentence
        st = sent.text.lstrip()
        return st[:1] in ('"', "\u201c") and (sent.text.count('"') + sent.text.count("\u201c") + sent.text.count("\u201d")) >= 2

    def _hypothetical(self, tok) -> bool:
        h = tok
        for _ in range(6):
            for c in h.children:
                if c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless"):
                    return True
            if h.dep_ in ("advcl",) and any(c.lower_ in ("if", "whether", "unless") for c in h.children):
                return True
            # "for X to join" (purpose/enabling clause, "open the way for it to join"): not asserted
            if h.pos_ in ("VERB", "AUX") and any(c.dep_ == "mark" and c.lower_ == "for" for c in h.children) \
                    and any(c.dep_ == "aux" and c.lower_ == "to" for c in h.children) \
                    and h.head.lemma_.lower() in ENABLING_NOUNS:
                return True
            if h.head is h:
                break
            hl = _lem(h.head)
            if hl in ("deny", "dismiss") and h.dep_ in ("ccomp", "acl", "relcl", "pobj"):
                return True
            if h.head.lemma_.lower() in HEARSAY_NOUNS and h.dep_ in ("acl", "ccomp", "relcl"):
                return True
            h = h.head
        return False
