"""Targets and topics: which catalogue topic a stance is about (mentions, anaphora, the dominant topic)."""
from __future__ import annotations

import bisect

from stream.nlp.actors import Ctx, TopicMention, Who
from stream.nlp.lexicons.grammar import DEMONSTRATIVES, TARGET_PREPS
from stream.nlp.lexicons.roles import GOV_NOUNS, ORG_ANAPHORA, ROLE_WORDS
from stream.nlp.lexicons.stance import ANAPHOR_NOUNS, EVENT_NOUNS, NOMINAL_ACTS, POLICY_NOUNS, PURE_ANAPHORS
from stream.nlp.stance.words import _same_word, _topic_has_word
from stream.nlp.text import STOPWORDS, norm
from stream.nlp.topics import fallback_id


class TargetRules:
    """Mixin of :class:`~stream.nlp.stance.StanceExtractor`."""

    def topic_mentions(self, doc) -> list[TopicMention]:
        """(body offset, topic, window text, window words) for catalogue topics named in the body."""
        out = []
        dtext = doc.text
        for si, sent in enumerate(doc.sents):
            if si >= self.config.max_sentences:
                break
            cands = self.cat.candidates(norm(sent.text))
            if not cands:
                continue
            toks = [t for t in sent if not t.is_space]
            # windows without a token that can start a keyword cannot match (exact, just cheaper)
            fw = self.cat.first_word
            hot = [k for k, t in enumerate(toks) if fw is None or fw.search(norm(t.text))]
            if not hot:
                continue
            for i, t in enumerate(toks):
                if t.is_punct or t.lower_ in STOPWORDS:
                    continue
                lo, hi = max(0, i - 8), min(len(toks), i + 9)
                j = bisect.bisect_left(hot, lo)
                if j >= len(hot) or hot[j] >= hi:
                    continue
                text = dtext[toks[lo].idx: toks[hi - 1].idx + len(toks[hi - 1].text)]
                m = self.cat.match_among(text, cands)
                if m is not None:
                    out.append(TopicMention(t.idx, m, text, {x.lower_ for x in toks[lo:hi]}, si, toks[lo].idx))
        return out

    def _any(self, topic, text) -> bool:
        return self.cat.match_among(text, [topic]) is not None

    def _target(self, tok):
        for c in tok.children:
            if c.dep_ in ("dobj",):
                if c.lower_ in ("that", "which", "what") and tok.dep_ == "relcl":
                    return tok.head
                return c
        if tok.dep_ == "relcl" and tok.head.pos_ in ("NOUN", "PROPN"):
            return tok.head
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in TARGET_PREPS:
                g = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
                if g is None and c.lower_ == "ahead":
                    w = next((x for x in c.children if x.dep_ == "prep"), None)
                    g = next((x for x in w.children if x.dep_ == "pobj"), None) if w is not None else None
                if g is not None:
                    return g
        for c in tok.children:
            if c.dep_ in ("ccomp", "xcomp"):
                return c
        return None

    def _span_text(self, tok, limit: int = 18) -> str:
        toks = [t for t in tok.subtree]
        # cut relative clauses and appositives
        cut = [t for t in tok.children if t.dep_ in ("relcl", "appos", "advcl") and t.i > tok.i]
        if cut:
            stop = min(t.left_edge.i for t in cut)
            toks = [t for t in toks if t.i < stop]
        toks = toks[:limit]
        if not toks:
            return tok.text
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        return self._subtext[s:e].strip(" ,;:\"\u201c\u201d")

    def _same_sentence(self, ctx: Ctx, a: int, b: int) -> bool:
        return "." not in ctx.body[a:b]

    def _dominant(self, ctx: Ctx, p: int):
        prev = [m for m in ctx.topic_mentions if m.pos < p] or ctx.topic_mentions
        if not prev:
            return None
        counts = {}
        for x in prev:
            counts.setdefault(x.topic.id, set()).add(x.sentence)
        best = max(counts.values(), key=len)
        return max((x for x in prev if counts[x.topic.id] is best), key=lambda x: x.pos)

    def _topic_for(self, ctx: Ctx, target, who: Who, tok, pol):
        if target is tok and target.pos_ in ("VERB", "AUX"):
            m = self._dominant(ctx, ctx.bstart(tok))
            return (m.topic.id, m.topic.label, m.text, None) if m else None
        txt = self._span_text(target)
        mtxt = txt
        if target.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PRON" for c in target.children):
            mtxt = txt + " " + who.name
        t = self.cat.match(mtxt)
        if t is not None and mtxt != txt:
            txt = mtxt
        lem0 = target.lemma_.lower()
        if t is not None and t.priority <= 3 and target.pos_ in ("NOUN", "PROPN"):
            p0 = ctx.bstart(target)
            spec = [m for m in ctx.topic_mentions if m.pos < p0 and m.topic.priority > t.priority
                    and (target.lower_ in m.words or any(_same_word(lem0, w) for w in m.words))]
            if spec:
                m = max(spec, key=lambda h: (h.topic.priority, h.pos))
                return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
        if t is None and (lem0 in NOMINAL_ACTS - EVENT_NOUNS or (lem0 in POLICY_NOUNS and any(
                c.lower_ in ("this", "it", "that") and c.dep_ == "nsubj" for c in target.head.children))):
            m = self._dominant(ctx, ctx.bstart(target))
            if m:
                return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
        lem = target.lemma_.lower()
        if t is None and target.pos_ in ("NOUN", "PROPN") and lem not in EVENT_NOUNS:
            # definite description: "the duties" -> the latest fuller mention with the same head
            p = ctx.bstart(target)
            if any(c.lower_ in DEMONSTRATIVES for c in target.children):
                cur = [m for m in ctx.topic_mentions if m.pos < p]
                if cur:
                    here = max(m.sentence for m in cur)
                    # the current sentence's own earlier words, else the previous sentence with a topic
                    mine = [m for m in cur if m.sentence == here and m.pos >= p - 200]
                    cand = mine if mine and self._same_sentence(ctx, mine[-1].pos, p) else [m for m in cur if m.sentence == here]
                    m = max(cand, key=lambda h: (h.topic.priority, h.pos))
                    return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
            # an actor named as the object ("criticised India and Indonesia") is not a policy topic
            if target.pos_ == "PROPN" and ctx.ent_of_np(target) is not None:
                return None
            # ... nor is an actor's common noun ("the association supported ...")
            if lem in ORG_ANAPHORA or lem in ROLE_WORDS or lem in GOV_NOUNS:
                return None
            # the fuller mention must name its topic before the target, not in words that follow it
            hits = [] if lem in PURE_ANAPHORS else [
                m for m in ctx.topic_mentions if m.pos < p and (target.lower_ in m.words or any(_same_word(lem, w) for w in m.words))
                and self._any(m.topic, ctx.body[m.start:min(p, m.start + len(m.text))])]
            if hits:
                m = max(hits, key=lambda h: (h.topic.priority, h.pos))
                return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
            if any(c.lower_ in DEMONSTRATIVES for c in target.children):
                prev = [m for m in ctx.topic_mentions if m.pos < p]
                if prev:
                    m = prev[-1]
                    return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
        if t is None and (lem in ANAPHOR_NOUNS or target.pos_ == "PRON" or lem in EVENT_NOUNS):
            # event anaphora ("welcomed the decision") -> the article's lead stance
            if lem in EVENT_NOUNS and ctx.lead_stance:
                ls = ctx.lead_stance
                return ls["topic"], ls["label"], ls["target"] + " (" + txt + ")", ls["pol"]
            # most recent catalogued topic before this point
            p = ctx.bstart(target)
            prev = [m for m in ctx.topic_mentions if m.pos < p]
            if prev:
                m = prev[-1]
                if target.pos_ != "PRON":
                    # the most specific topic named in the latest sentence naming one
                    # ("a deal" after "the pay offer ... the threat of strikes" is the pay deal: a topic
                    # whose own keywords hold the noun beats a merely more specific one)
                    here = max(x.sentence for x in prev)
                    m = max((x for x in prev if x.sentence == here),
                            key=lambda h: (_topic_has_word(h.topic, lem), h.topic.priority, h.pos))
                if target.pos_ == "PRON":
                    counts = {}
                    for x in prev:
                        counts.setdefault(x.topic.id, set()).add(x.sentence)
                    best = max(counts.values(), key=len)
                    m = max((x for x in prev if counts[x.topic.id] is best), key=lambda x: x.pos)
                return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
            if ctx.topic_mentions:
                m = ctx.topic_mentions[0]
                return m.topic.id, m.topic.label, f"{txt} ({m.text})"[:200], None
        if t is None and target.pos_ in ("NOUN", "PROPN"):
            # the clause around the target may name the topic ("..., which represents lumber producers, welcomed the higher rates")
            t2 = self.cat.match(ctx.sent_of(tok).text) if lem in POLICY_NOUNS | {"rate", "rates", "measure"} else None
            if t2 is not None:
                return t2.id, t2.label, txt, None
        if t is None:
            if target.pos_ in ("PRON",) or lem in ("text", "document"):
                return None
            if lem not in POLICY_NOUNS:
                return None
            lemmas = [x.lemma_ for x in target.subtree if x.pos_ in ("NOUN", "PROPN", "ADJ") and x.lemma_.lower() not in STOPWORDS][:6]
            if not lemmas:
                return None
            fid = fallback_id(lemmas)
            return fid, txt[:120], txt, None
        return t.id, t.label, txt, None
