"""The pure page renderers: states in, HTML/SVG/text out (no worker, no broker).

The pages are parsed back with the standard library's HTML parser, so the checks are about the
DOM a browser builds (which elements exist, what their text is), not about substrings.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from schemas import ActorRef, Article, EnrichedArticle, Evidence, PositionChange, SpeakerRef, StanceRecord, TopicRef
from stream.nlp.kb import KB, SHIPPED
from stream.positions import PositionTracker
from stream.settings import Settings
from stream.worker.pages import access, lookup, render, svg, text, timeline as tl
from tests.fixtures.data import ROOT

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
BRAZIL = ActorRef(id="Q155", name="Brazil", type="GOV")
ANNEX = TopicRef(id="deforestation-law", label="EU deforestation regulation")
TRADE = TopicRef(id="trade-deal", label="Trade agreement")
HOSTILE = "Brazil backs it <script>document.body.dataset.injected = 'yes'</script> & <b>more</b>"


def stance(n: int, polarity: str, *, day: int, topic: TopicRef = ANNEX, tense: str = "current",
           confidence: float = 0.8, evidence: str | None = None, speaker: str | None = "Mauro Vieira",
           actor: ActorRef = BRAZIL, article: str | None = None) -> StanceRecord:
    ev = evidence or f"statement {n} ({polarity})"
    return StanceRecord(
        id=f"s{n:03d}", article_id=article or f"art-{n:03d}", published_at=T0 + timedelta(days=day), actor=actor,
        speaker=SpeakerRef(id=f"ent:person:{n}", name=speaker) if speaker else None, topic=topic,
        target_text="the annex", polarity=polarity, confidence=confidence,
        evidence=Evidence(text=ev, start=0, end=len(ev)), tense=tense, extractor_version="test")


def tracked(stances: list[StanceRecord], history_limit: int = 50) -> PositionTracker:
    tracker = PositionTracker(min_confidence=0.5, history_limit=history_limit)
    tracker.apply_all(stances)
    return tracker


def brazil_stances() -> list[StanceRecord]:
    return [
        stance(1, "oppose", day=0),
        stance(2, "oppose", day=33, tense="past", speaker=None, evidence="Brazil had rejected the annex"),
        stance(3, "support", day=33),
        stance(4, "neutral", day=40),
        stance(5, "support", day=45, confidence=0.4),
        stance(6, "support", day=50, topic=TRADE, evidence=HOSTILE, speaker="<i>Vieira</i>"),
    ]


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)


class DOM(HTMLParser):
    """Every element with its attributes and the text directly and indirectly inside it."""

    VOID = {"meta", "input", "br", "img", "link", "hr", "line", "path", "circle", "rect"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[Node] = []
        self.open: list[Node] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        node.classes = set(node.attrs.get("class", "").split())
        self.nodes.append(node)
        if tag not in self.VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        node.classes = set(node.attrs.get("class", "").split())
        self.nodes.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        for node in self.open:
            node.text.append(data)

    def all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.nodes if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def text(self) -> str:
        return "".join(self.nodes[0].text) if self.nodes else ""


def body_text(dom: DOM) -> str:
    return "".join(next(n for n in dom.nodes if n.tag == "body").text)


# --------------------------------------------------------------------------- layering


def test_pages_import_no_framework():
    """The renderers are pure: importing them (and the positions command's builder) loads no Faust or Kafka client."""
    mods = ["stream.worker.pages.timeline", "stream.worker.pages.lookup", "stream.worker.pages.svg",
            "stream.worker.pages.render", "stream.worker.pages.text", "stream.worker.pages.access"]
    code = "\n".join(f"import {m}" for m in mods) + (
        "\nimport json, sys; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('faust', 'aiokafka', 'mode'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# --------------------------------------------------------------------------- timeline model


def test_row_joins_alerts_to_points_and_finds_since():
    tracker = tracked(brazil_stances())
    row = tl.row_for(tracker.state("Q155", ANNEX.id))
    assert [p.event_time for p in row.points] == sorted(p.event_time for p in row.points)
    assert row.position is not None and row.position.stance_id == "s003" and row.position.is_position
    assert row.since == row.position and row.previous_polarity == "oppose"
    (rev,) = row.reversals
    state = tracker.state("Q155", ANNEX.id)
    assert rev.alert_id == state.alerts[0].id and rev.drawable
    assert (rev.previous.stance_id, rev.current.stance_id) == ("s001", "s003")
    recalled = [p for p in row.points if p.recalled]
    assert [p.stance_id for p in recalled] == ["s002"] and not recalled[0].effective
    weak = next(p for p in row.points if p.stance_id == "s005")
    assert not weak.effective and not weak.is_position


def test_since_is_the_start_of_the_current_run():
    tracker = tracked([stance(1, "oppose", day=0), stance(2, "support", day=5), stance(3, "support", day=9)])
    row = tl.row_for(tracker.state("Q155", ANNEX.id))
    assert row.position.stance_id == "s003" and row.since.stance_id == "s002" and row.previous_polarity == "oppose"
    first = tl.row_for(tracked([stance(1, "support", day=0)]).state("Q155", ANNEX.id))
    assert first.since.stance_id == "s001" and first.previous_polarity is None


def test_an_alert_whose_statements_were_trimmed_is_kept_undrawn():
    many = [stance(1, "oppose", day=0), stance(2, "support", day=1)] + [
        stance(n, "support", day=n) for n in range(3, 9)]
    state = tracked(many, history_limit=2).state("Q155", ANNEX.id)
    row = tl.row_for(state)
    assert len(row.points) <= 4 and len(state.alerts) == 1
    (rev,) = row.reversals
    assert not rev.drawable and rev.previous is None
    layout = svg.chart([row])
    assert layout.rows[0].arcs == ()
    html = render.actor_page(tl.actor_timeline(BRAZIL, [state]))
    items = DOM(html).all("li", "reversal-item")
    assert len(items) == 1 and "no longer in the kept history" in "".join(items[0].text)


def test_actor_timeline_orders_rows_and_filters_topics():
    tracker = tracked(brazil_stances())
    t = tl.actor_timeline(BRAZIL, tracker.states.values())
    assert [r.topic.id for r in t.rows] == [TRADE.id, ANNEX.id]  # the latest statement first
    assert t.statement_count == sum(len(s.history) for s in tracker.states.values())
    only = tl.actor_timeline(BRAZIL, tracker.states.values(), topic="deforestation")
    assert [r.topic.id for r in only.rows] == [ANNEX.id]
    data = tl.jsonable(t)
    assert json.loads(json.dumps(data, default=str))["rows"][1]["reversals"][0]["alert_id"] == \
        tracker.state("Q155", ANNEX.id).alerts[0].id
    assert data["rows"][1]["points"][0]["href"].startswith("/articles/art-001#stance-")


def test_topic_board_lists_every_actor_with_position_first():
    france = ActorRef(id="Q142", name="France", type="GOV")
    germany = ActorRef(id="Q183", name="Germany", type="GOV")
    tracker = tracked([stance(1, "oppose", day=0, topic=TRADE, actor=france),
                       stance(2, "support", day=3, topic=TRADE, actor=germany),
                       stance(3, "neutral", day=4, topic=TRADE, actor=BRAZIL),
                       stance(4, "support", day=6, topic=TRADE, actor=france)])
    board = tl.topic_board(TRADE, tracker.states.values())
    assert [r.actor.id for r in board.rows] == ["Q142", "Q183", "Q155"]
    assert board.rows[0].previous_polarity == "oppose" and board.rows[0].since.stance_id == "s004"
    assert board.rows[2].position is None
    dom = DOM(render.topic_page(board))
    rows = dom.all("tr", "summary-row")
    assert [r.attrs["data-actor-id"] for r in rows] == ["Q142", "Q183", "Q155"]
    assert [r.attrs["data-polarity"] for r in rows] == ["support", "support", ""]


# --------------------------------------------------------------------------- SVG geometry


def test_axis_ticks_fit_and_increase():
    for span in (timedelta(hours=3), timedelta(days=5), timedelta(days=60), timedelta(days=900)):
        axis = svg.axis_for([T0, T0 + span])
        xs = [t.x for t in axis.ticks]
        assert 1 <= len(xs) <= svg.MAX_TICKS, (span, axis.ticks)
        assert xs == sorted(xs) and len(set(t.label for t in axis.ticks)) == len(xs)
        assert axis.x(T0) < axis.x(T0 + span) and axis.x0 <= axis.x(T0) and axis.x(T0 + span) <= axis.x1
    one = svg.axis_for([T0])
    assert one.x(T0) == pytest.approx((one.x0 + one.x1) / 2, abs=1)


def test_shapes_tell_polarity_apart():
    up, down, circle = (svg.shape_path(p, 100, 50) for p in ("support", "oppose", "neutral"))
    apex = lambda d: float(d.split()[0][1:].split(",")[1])  # noqa: E731  y of the first point
    assert apex(up) < 50 < apex(down)
    assert "A" in circle and "A" not in up and "A" not in down


def test_chart_places_markers_and_arcs_on_the_statements():
    tracker = tracked(brazil_stances())
    t = tl.actor_timeline(BRAZIL, tracker.states.values())
    layout = svg.chart(t.rows)
    annex = next(r for r in layout.rows if r.row.topic.id == ANNEX.id)
    by_id = {m.point.stance_id: m for m in annex.markers}
    xs = [by_id[p.stance_id].x for p in annex.row.points]
    assert xs == sorted(xs)
    same_time = [m for m in annex.markers if m.point.stance_id in ("s002", "s003")]
    assert abs(same_time[0].x - same_time[1].x) < 2 * svg.RADIUS and same_time[0].y != same_time[1].y
    (arc,) = annex.arcs
    assert (arc.x1, arc.y1) == (by_id["s001"].x, by_id["s001"].y)
    assert (arc.x2, arc.y2) == (by_id["s003"].x, by_id["s003"].y)
    assert "recalled" in by_id["s002"].classes and "weak" in by_id["s005"].classes
    assert "position" in by_id["s003"].classes
    assert layout.rows[0].top < layout.rows[1].top


# --------------------------------------------------------------------------- HTML pages


def test_actor_page_links_every_point_and_draws_the_reversal():
    tracker = tracked(brazil_stances())
    t = tl.actor_timeline(BRAZIL, tracker.states.values())
    dom = DOM(render.actor_page(t))
    points = dom.all("a", "point-link")
    want = {(e.stance_id, e.article_id) for s in tracker.states.values() for e in s.history}
    assert {(a.attrs["data-stance-id"], a.attrs["data-article-id"]) for a in points} == want
    for a in points:
        assert a.attrs["href"] == tl.article_href(a.attrs["data-article-id"], a.attrs["data-stance-id"])
    alert = tracker.state("Q155", ANNEX.id).alerts[0]
    arcs = dom.all("path", "reversal")
    assert [(p.attrs["data-alert-id"], p.attrs["data-from"], p.attrs["data-to"]) for p in arcs] == [
        (alert.id, alert.previous_stance_id, alert.current_stance_id)]
    summary = {r.attrs["data-topic-id"]: r.attrs["data-polarity"] for r in dom.all("tr", "summary-row")}
    assert summary == {k.split("|")[1]: tracker.states[k].position().polarity for k in tracker.states}
    rows = {r.attrs["data-stance-id"]: r for r in dom.all("tr", "statement")}
    assert "recalled" in rows["s002"].classes and set(rows) == {sid for sid, _ in want}


def test_article_strings_are_text_not_markup():
    tracker = tracked(brazil_stances())
    html = render.actor_page(tl.actor_timeline(BRAZIL, tracker.states.values(), query="<img src=x>", via="alias"))
    dom = DOM(html)
    assert not dom.all("script") and not dom.all("b") and not dom.all("i") and not dom.all("img")
    text_ = body_text(dom)
    assert HOSTILE in text_ and "<i>Vieira</i>" in text_ and "<img src=x>" in text_
    titles = "".join("".join(n.text) for n in dom.all("title"))
    assert "<script>document.body.dataset.injected" in titles  # the tooltip shows it as text too


def test_article_page_marks_evidence_and_never_links_a_script_url():
    body = "Intro. " + HOSTILE + " Outro."
    start = body.index("Brazil")
    s = stance(1, "support", day=0, evidence=body[start:start + len(HOSTILE)], article="a-1")
    s = s.model_copy(update={"evidence": Evidence(text=HOSTILE, start=start, end=start + len(HOSTILE))})
    art = Article(id="a-1", published_at=T0, title="<script>x()</script> title", body=body,
                  url="javascript:alert(1)", source="<b>Wire</b>")
    item = EnrichedArticle(article_id="a-1", article=art, stances=[s], pipeline_version="test")
    dom = DOM(render.article_page(item))
    assert not dom.all("script") and not dom.all("b")
    assert not [a for a in dom.all("a") if a.attrs.get("href", "").lower().startswith("javascript")]
    (mark,) = dom.all("mark", id="stance-s001")
    assert "".join(mark.text) == HOSTILE
    assert "".join(next(n for n in dom.all("div", "article-body")).text) == body
    assert "<script>x()</script> title" in "".join(dom.all("h1")[0].text)
    assert render.safe_href("https://news.example.org/a?b=<1>") == "https://news.example.org/a?b=<1>"
    assert render.safe_href("javascript:alert(1)") is None and render.safe_href("//x") is None


def test_segments_cover_the_body_once():
    body = "0123456789abcdef"
    parts = render.segments(body, [(2, 6, "a", "support"), (4, 9, "b", "oppose"), (12, 40, "c", "neutral")])
    assert "".join(p.text for p in parts) == body
    assert [(p.text, p.stance_id) for p in parts if p.stance_id] == [("2345", "a"), ("678", "b"), ("cdef", "c")]
    nested = render.segments(body, [(2, 12, "outer", "support"), (4, 6, "inner", "oppose")])
    assert "".join(p.text for p in nested) == body
    assert [(p.text, p.stance_id) for p in nested if p.stance_id] == [("", "inner"), ("23456789ab", "outer")]


def test_alerts_page_shows_both_statements_of_each_alert():
    tracker = PositionTracker()
    alerts: list[PositionChange] = []
    for s in brazil_stances() + [stance(9, "oppose", day=70, topic=TRADE)]:
        alerts += tracker.apply(s)
    assert len(alerts) == 2
    newest_first = sorted(alerts, key=lambda a: a.current.published_at, reverse=True)
    dom = DOM(render.alerts_page(newest_first, since=None, limit=10, total=2))
    cards = dom.all("article", "alert")
    assert [c.attrs["data-alert-id"] for c in cards] == [a.id for a in newest_first]
    for a in alerts:
        prev = dom.all("div", "previous", data_stance_id=a.previous.stance_id)
        cur = dom.all("div", "current", data_stance_id=a.current.stance_id)
        assert len(prev) >= 1 and len(cur) >= 1
    links = {a.attrs["href"] for a in dom.all("a", "article-link")}
    assert links == {tl.article_href(x.article_id, x.stance_id) for a in alerts for x in (a.previous, a.current)}
    assert not dom.all("script") and HOSTILE in body_text(dom)


# --------------------------------------------------------------------------- terminal


def test_terminal_timeline_has_every_statement_and_the_reversal():
    tracker = tracked(brazil_stances())
    t = tl.actor_timeline(BRAZIL, tracker.states.values())
    out = text.render_timeline(t)
    for state in tracker.states.values():
        for e in state.history:
            assert f"[{e.article_id}]" in out
        for a in state.alerts:
            assert f"alert {a.id}" in out
    assert "now SUPPORT since 3 Nov 2026, was oppose" in out
    assert text.HOLLOW["oppose"] in out and text.SOLID["support"] in out and "recalled in an article" in out
    line, under = text.strip(t.rows[1], T0 - timedelta(days=1), T0 + timedelta(days=60), width=61)
    assert len(line) == 61 and under.count("^") == 1


def test_positions_command_builds_the_trackers_timeline():
    from stream.commands.positions import timeline_from_stances

    stances = brazil_stances() + [stance(7, "oppose", day=3, actor=ActorRef(id="Q142", name="France"))]
    t = timeline_from_stances(BRAZIL, stances, Settings(), topic="annex")
    assert [r.topic.id for r in t.rows] == []  # no topic label or id contains "annex"
    t = timeline_from_stances(BRAZIL, stances, Settings())
    expected = tracked([s for s in stances if s.actor.id == "Q155"])
    assert {r.topic.id: len(r.points) for r in t.rows} == {
        s.topic.id: len(s.history) for s in expected.states.values()}


# --------------------------------------------------------------------------- names


@pytest.fixture(scope="module")
def kb() -> KB:
    return KB([SHIPPED])


def test_names_aliases_and_metonyms_resolve(kb):
    index = lookup.NameIndex.build(kb)
    for q, via in (("kremlin", "metonym"), ("the Kremlin", "metonym"), ("Russia", "name"), ("russian federation",
                                                                                             "alias")):
        res = index.resolve(q)
        assert (res.status, res.actor_id, res.via) == ("found", "Q159", via), q
    assert index.resolve("q159").actor_id == "Q159" and index.resolve("Q159").via == "id"
    assert index.resolve("Brasília").actor_id == "Q155"


def test_unknown_names_get_suggestions(kb):
    res = lookup.NameIndex.build(kb).resolve("Brazill")
    assert res.status == "unknown" and res.suggestions[0].actor_id == "Q155"
    assert "did you mean Brazil (Q155)" in res.message()
    assert lookup.NameIndex.build(kb).search("braz")[0].actor_id == "Q155"


def test_seen_entities_and_speakers_resolve(kb):
    values = [{"actor": {"id": "ent:org:international-dockworkers-union", "name": "International Dockworkers Union",
                         "type": "ORG"},
               "history": [{"speaker": {"id": "ent:person:maria-jansen", "name": "Maria Jansen"}}]}]
    index = lookup.NameIndex.build(kb, lookup.seen_from_values(values))
    res = index.resolve("international dockworkers union")
    assert (res.actor_id, res.via) == ("ent:org:international-dockworkers-union", "seen")
    res = index.resolve("Maria Jansen")
    assert (res.actor_id, res.via) == ("ent:org:international-dockworkers-union", "speaker")
    assert lookup.NameIndex.build(kb).resolve("Maria Jansen").status == "unknown"


def test_a_shared_alias_is_ambiguous_unless_one_actor_has_statements(tmp_path):
    path = tmp_path / "actors.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in (
        {"id": "kb:tories-uk", "name": "Conservative Party (UK)", "type": "PARTY", "aliases": ["Conservatives"]},
        {"id": "kb:tories-ca", "name": "Conservative Party of Canada", "type": "PARTY", "aliases": ["Conservatives"]},
    )) + "\n")
    small = KB([path])
    res = lookup.NameIndex.build(small).resolve("conservatives")
    assert res.status == "ambiguous" and {m.actor_id for m in res.matches} == {"kb:tories-uk", "kb:tories-ca"}
    assert "names several actors" in res.message()
    seen = [lookup.SeenActor("kb:tories-ca", "Conservative Party of Canada", "PARTY")]
    assert lookup.NameIndex.build(small, seen).resolve("Conservatives").actor_id == "kb:tories-ca"


def test_a_person_points_to_the_actor_they_speak_for(kb):
    person = next(a for a in kb.by_id.values() if a.is_person and a.roles)
    index = lookup.NameIndex.build(kb)
    assert str(person.roles[-1]["org"]) in lookup.spoken_for(index, kb, person.id)


# --------------------------------------------------------------------------- access


def test_loopback_stays_open_and_beyond_it_a_token_is_needed():
    assert all(access.is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(access.is_loopback(h) for h in ("0.0.0.0", "10.0.0.5", "stance.example.org", "::"))
    open_ = access.decide(host="127.0.0.1", token=None, path="/actors", authorization=None, cookie=None)
    assert open_.allowed
    no_token = access.decide(host="0.0.0.0", token=None, path="/actors", authorization=None, cookie=None)
    assert (no_token.allowed, no_token.status) == (False, 503) and "STANCE_WEB_TOKEN" in no_token.reason
    ask = dict(host="0.0.0.0", token="s3cret", path="/alerts")
    assert access.decide(**ask, authorization=None, cookie=None).status == 401
    assert access.decide(**ask, authorization="Bearer s3cret", cookie=None).allowed
    assert access.decide(**ask, authorization="Bearer nope", cookie=None).status == 401
    assert access.decide(**ask, authorization=None, cookie=access.cookie_value("s3cret")).allowed
    assert not access.decide(**ask, authorization=None, cookie="s3cret").allowed  # the cookie is not the token
    assert access.decide(host="0.0.0.0", token="s3cret", path="/login", authorization=None, cookie=None).allowed


def test_login_sets_the_cookie_only_for_the_right_token_and_redirects_locally():
    ok = access.login(host="0.0.0.0", token="s3cret", given="s3cret", next_path="/actors/Q155", secure=False)
    assert ok.ok and ok.location == "/actors/Q155" and ok.set_cookie
    assert ok.set_cookie.startswith(f"{access.COOKIE}={access.cookie_value('s3cret')};")
    assert "HttpOnly" in ok.set_cookie and "SameSite=Strict" in ok.set_cookie and "Secure" not in ok.set_cookie
    assert "Secure" in access.login(host="0.0.0.0", token="s3cret", given="s3cret", next_path="/",
                                    secure=True).set_cookie
    bad = access.login(host="0.0.0.0", token="s3cret", given="guess", next_path="/", secure=False)
    assert not bad.ok and bad.set_cookie is None
    for evil in ("//evil.example.org/", "https://evil.example.org/", "/\\evil", "evil"):
        assert access.safe_next(evil) == "/actors"


def test_browsers_get_pages_and_scripts_get_json():
    chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    assert access.prefers_html(chrome) and not access.prefers_json(chrome)
    for accept in (None, "", "*/*", "application/json", "text/html;q=0.5, application/json"):
        assert not access.prefers_html(accept), accept
    assert access.prefers_json("application/json") and not access.prefers_json(None)
    assert not access.prefers_json("*/*")


def test_health_stays_open_beyond_localhost_for_liveness_checks():
    """An orchestrator's probe has no secret: /health answers without the token, other views do not."""
    from stream.worker.pages import access

    assert access.decide(host="0.0.0.0", token="s3cret", path="/health", authorization=None, cookie=None).allowed
    assert not access.decide(host="0.0.0.0", token="s3cret", path="/metrics", authorization=None, cookie=None).allowed
