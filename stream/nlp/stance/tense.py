"""Past positions and their dates ("had rejected", "last month", "on 3 March")."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from stream.nlp.actors import Ctx
from stream.nlp.lexicons.time import INITIAL_ADVERBS, MONTHS, PAST_WORDS, PAST_WORDS_BY_CUE, START_NOUNS


class TenseRules:
    """Mixin of :class:`~stream.nlp.stance.StanceExtractor`."""

    def _past(self, ctx: Ctx, tok, top) -> tuple[bool, datetime | None]:
        heads = [tok, top]
        words = set()
        aux_had = False
        # the tense of the attribution cue governs the stance in its content: "had said",
        # "On Sept. 2, X said", "At the start of the summit, X had said", "said last week"
        cue_past = False
        cue_words: set[str] = set()
        for cue in self._cues(ctx, top):
            if any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("had", "'d") for c in cue.children) and cue.tag_ == "VBN":
                cue_past = True
            for c in cue.children:
                if c.dep_ in ("advmod", "npadvmod", "prep", "obl", "tmod"):
                    sub = list(c.subtree)
                    if len(sub) <= 8:
                        ws = {t.lower_ for t in sub}
                        cue_words |= ws
                        if cue.tag_ == "VBD" and c.lower_ == "at" and ws & START_NOUNS:
                            cue_past = True
                        if cue.tag_ == "VBD" and ws & PAST_WORDS_BY_CUE:
                            cue_past = True
                        if cue.tag_ == "VBD" and "earlier" in ws and not ws & {"today"}:
                            cue_past = True
                        if cue.tag_ == "VBD" and "last" in ws and ws & {"month", "week", "year"}:
                            cue_past = True
            if cue.tag_ == "VBD" or cue_past:
                d = self._date(ctx, cue_words)
                if d is not None and ctx.article.published_at is not None and (ctx.article.published_at - d) > timedelta(days=6):
                    cue_past = True
        if cue_past:
            stated = self._date(ctx, cue_words)
            return True, stated
        for h in heads:
            for c in h.children:
                if c.dep_ in ("aux", "auxpass") and c.lower_ == "had":
                    aux_had = True
                if c.dep_ in ("advmod", "npadvmod", "prep", "obl"):
                    sub = list(c.subtree)
                    if len(sub) <= 5:
                        for t in sub:
                            words.add(t.lower_)
            if h.dep_ in ("acl", "ccomp") and h.head.pos_ == "NOUN":
                for c in h.head.children:
                    if c.dep_ in ("npadvmod", "prep", "amod"):
                        for t in c.subtree:
                            words.add(t.lower_)
        # a relative clause or noun modifier: "which rejected the offer last month"
        past_tag = tok.tag_ == "VBD" or top.tag_ == "VBD"
        stated = self._date(ctx, words)
        is_past = aux_had or bool(words & PAST_WORDS)
        if not is_past and "earlier" in words and past_tag:
            is_past = True
        if not is_past and stated is not None and ctx.article.published_at is not None:
            if (ctx.article.published_at - stated) > timedelta(days=6):
                is_past = True
        if not is_past and past_tag and "last" in words and words & {"month", "week", "year"}:
            is_past = True
        if not is_past and tok.lower_ in ("refusing", "rejecting") and tok.head.lower_ in ("after",):
            is_past = True
        for c in tok.children:
            if c.dep_ == "advmod" and c.lower_ in INITIAL_ADVERBS:
                is_past = True
        return is_past, stated if is_past else None

    def _date(self, ctx, words: set[str]) -> datetime | None:
        pub = ctx.article.published_at
        if pub is None:
            return None
        if "last" in words and "month" in words:
            y, m = (pub.year, pub.month - 1) if pub.month > 1 else (pub.year - 1, 12)
            return datetime(y, m, 1, tzinfo=timezone.utc)
        if "ago" in words:
            n = next((int(w) for w in words if w.isdigit()), None)
            nums = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": 3, "a": 1}
            n = n or next((nums[w] for w in words if w in nums), 1)
            if "weeks" in words or "week" in words:
                return pub - timedelta(weeks=n)
            if "months" in words or "month" in words:
                return pub - timedelta(days=30 * n)
            if "years" in words or "year" in words:
                return pub - timedelta(days=365 * n)
        for w in words:
            wl = w.rstrip(".")
            if wl in MONTHS:
                mo = MONTHS[wl]
                y = pub.year if mo <= pub.month else pub.year - 1
                day = next((int(x) for x in words if x.isdigit() and 1 <= int(x) <= 31), 1)
                try:
                    return datetime(y, mo, day, tzinfo=timezone.utc)
                except ValueError:
                    return datetime(y, mo, 1, tzinfo=timezone.utc)
        return None
