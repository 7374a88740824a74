"""Human-readable one-screen renderings of records, for ``tail --format pretty`` and the demo."""
from __future__ import annotations

from pydantic import BaseModel

from schemas import DeadLetter, EnrichedArticle, PositionChange, StanceRecord

ARROW = {"support": "SUPPORTS", "oppose": "OPPOSES", "neutral": "is neutral on"}



def clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "\u2026"

def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "?"


def stance_line(s: StanceRecord) -> str:
    who = s.actor.name + (f" (via {s.speaker.name})" if s.speaker and s.speaker.name != s.actor.name else "")
    past = " [past]" if s.tense == "past" else ""
    cond = f" [if: {s.condition}]" if s.condition else ""
    return (f"{who} {ARROW.get(s.polarity, s.polarity)} \u201c{s.topic.label}\u201d{past}{cond}"
            f"  conf={s.confidence:.2f}\n      evidence: \u201c{clip(s.evidence.text, 160)}\u201d")


def render(item: BaseModel) -> str:
    if isinstance(item, EnrichedArticle):
        art = item.article
        head = f"[{_when(art.published_at)}] {art.title or art.id}  ({art.source or '?'}; {art.id})"
        people = ", ".join(sorted({e.name for e in item.entities})[:12])
        lines = [head, f"  entities: {people or '-'}", f"  attributions: {len(item.attributions)}"]
        lines += [f"  - {stance_line(s)}" for s in item.stances]
        return "\n".join(lines)
    if isinstance(item, StanceRecord):
        return f"[{_when(item.published_at)}] {stance_line(item)}\n      article: {item.article_id}"
    if isinstance(item, PositionChange):
        p, c = item.previous, item.current
        def side(x):
            spk = f" ({x.speaker.name})" if x.speaker else ""
            return f"{x.polarity.upper()} on {_when(x.published_at)}{spk} in {x.article_id}: \u201c{clip(x.evidence, 140)}\u201d"
        return (f"ALERT {item.kind}: {item.actor.name} on \u201c{item.topic.label}\u201d\n"
                f"  before: {side(p)}\n  now:    {side(c)}\n  id: {item.id}")
    if isinstance(item, DeadLetter):
        return f"DEAD LETTER {item.reason} (from {item.source_topic} p{item.partition}@{item.offset}): {clip(item.error_detail, 200)}"
    return item.model_dump_json()
