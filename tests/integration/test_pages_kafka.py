"""The pages in a real browser: the sample articles (what ``make demo`` publishes) through the real broker
and the real worker, looked at with headless Chromium from Debian's packages (driven by selenium with
Debian's chromedriver; nothing is downloaded). Screenshots go to ``var/pages/``.

One worker serves the whole module. Every expectation is derived from what the worker published: the
stances topic folded with the pure tracker gives the positions and alert ids the pages must show.

Chromium missing? ``make test`` installs it (``apt-get install -y chromium chromium-driver``); run on its
own without it, the browser test is skipped and says so.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from schemas import PositionChange, StanceRecord
from stream.commands.publish import publish
from stream.kafka.admin import ensure_topics
from stream.positions import PositionTracker
from stream.settings import Settings
from tests.fixtures.data import ROOT, SAMPLES
from tests.fixtures.worker import Worker, namespace_env, settings_for, wait_for

pytestmark = pytest.mark.kafka

HOSTILE = ROOT / "tests" / "data" / "pages-hostile-article.jsonl"
SHOTS = ROOT / "var" / "pages"
BRAZIL = "Q155"


@dataclass
class Run:
    worker: Worker
    env: dict[str, str]
    settings: Settings
    base: str
    stances: list[StanceRecord]
    alerts: list[PositionChange]
    tracker: PositionTracker  # the stances topic folded offline: what the table must hold

    def brazil(self) -> list[StanceRecord]:
        return [s for s in self.stances if s.actor.id == BRAZIL]


def _ids(path: Path) -> set[str]:
    return {orjson.loads(line)["id"] for line in path.read_bytes().splitlines() if line.strip()}


def get(base: str, path: str, accept: str | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, error statuses included."""
    req = urllib.request.Request(base + path, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def poll(base: str, path: str) -> tuple[int, dict, str]:
    """Like :func:`get`, but a server that is not listening yet answers status 0."""
    try:
        return get(base, path)
    except urllib.error.URLError:
        return 0, {}, ""


@pytest.fixture(scope="module")
def run(kafka_broker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    env = namespace_env(kafka_broker.bootstrap, tmp)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    worker = Worker(env, tmp).start()
    base = f"http://127.0.0.1:{env['STANCE_WEB_PORT']}"
    try:
        asyncio.run(publish([str(SAMPLES), str(HOSTILE)], settings, progress=False))
        ids = _ids(SAMPLES) | _ids(HOSTILE)
        wait_for("enriched", settings, lambda xs: {x.article_id for x in xs} >= ids, 240, worker)
        stances = wait_for("stances", settings, lambda xs: True, 30)
        tracker = PositionTracker(min_confidence=settings.min_confidence, history_limit=settings.history_per_key)
        expected = {a.id for a in tracker.apply_all(stances)}
        assert any(s.actor.id == BRAZIL for s in stances), "no stance of Brazil in the sample articles"
        alerts = wait_for("alerts", settings, lambda xs: {a.id for a in xs} >= expected, 90, worker)
        # every Brazil statement is in the table (the track agent may still be applying the last ones)
        want = {s.id for s in stances if s.actor.id == BRAZIL}
        deadline = time.monotonic() + 60
        while True:
            status, _, body = get(base, f"/actors/{BRAZIL}.json")
            have = ({p["stance_id"] for r in orjson.loads(body)["rows"] for p in r["points"]}
                    if status == 200 else set())
            if have == want or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert have == want, (status, body[:300])
        yield Run(worker, env, settings, base, stances, alerts, tracker)
    finally:
        worker.stop()


# --------------------------------------------------------------------------- JSON views (no browser)


def test_positions_without_actor_says_what_to_pass(run):
    status, headers, body = get(run.base, "/positions")
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert "?actor=" in orjson.loads(body)["error"]


def test_positions_by_name_alias_or_id_agree(run):
    by_id = orjson.loads(get(run.base, f"/positions?actor={BRAZIL}")[2])
    want = {(BRAZIL, t): run.tracker.position(BRAZIL, t).polarity
            for t in {s.topic.id for s in run.brazil()} if run.tracker.position(BRAZIL, t)}
    assert {(p["actor"]["id"], p["topic"]["id"]): p["position"]["polarity"] for p in by_id["positions"]} == want
    for name in ("Brazil", "brazil", "Brasilia", "Brazilian government"):
        status, _, body = get(run.base, "/positions?actor=" + urllib.parse.quote(name))
        data = orjson.loads(body)
        assert status == 200 and data["actor"] == BRAZIL and data["positions"] == by_id["positions"], name
    topic = next(iter(want))[1]
    hist_id = orjson.loads(get(run.base, f"/positions/{BRAZIL}/{topic}")[2])
    hist_name = orjson.loads(get(run.base, f"/positions/Brazil/{topic}")[2])
    assert hist_name == hist_id
    assert {h["stance_id"] for h in hist_id["history"]} == {s.id for s in run.brazil() if s.topic.id == topic}


def test_unknown_names_are_a_404_with_suggestions(run):
    status, _, body = get(run.base, "/positions?actor=Brazl")
    data = orjson.loads(body)
    assert status == 404 and "no actor matches" in data["error"]
    assert BRAZIL in [s["id"] for s in data["suggestions"]]
    status, _, body = get(run.base, "/positions?actor=Russia")  # a KB actor without statements: resolved, and said so
    data = orjson.loads(body)
    assert status == 200 and data["actor"] == "Q159" and data["positions"] == [] and "no statement" in data["note"]


def test_entities_outside_the_kb_resolve_by_their_seen_name(run):
    outside = next(s.actor for s in run.stances if s.actor.id.startswith("ent:"))
    status, _, body = get(run.base, "/actors/" + urllib.parse.quote(outside.name.lower()) + ".json")
    assert status == 200 and orjson.loads(body)["actor"]["id"] == outside.id
    speaker = next((s.speaker.name for s in run.stances if s.actor.id == outside.id and s.speaker), None)
    if speaker is not None:
        data = orjson.loads(get(run.base, "/actors.json?q=" + urllib.parse.quote(speaker))[2])
        assert data["resolution"]["actor"] == outside.id and data["resolution"]["via"] == "speaker"


def test_alerts_stay_json_for_scripts(run):
    for path, accept in (("/alerts", None), ("/alerts", "*/*"), ("/alerts.json", "text/html")):
        status, headers, body = get(run.base, path, accept)
        assert status == 200 and headers["Content-Type"].startswith("application/json"), (path, accept)
        assert {a["id"] for a in orjson.loads(body)["alerts"]} == {a.id for a in run.alerts}
    status, headers, body = get(run.base, "/alerts", "text/html,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src" not in headers["Content-Security-Policy"] and "default-src 'none'" in headers[
        "Content-Security-Policy"]


def test_stance_positions_prints_the_timeline(run):
    out = subprocess.run([sys.executable, "-m", "stream", "positions", "brazil"], env={**os.environ, **run.env},
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    for s in run.brazil():
        assert f"[{s.article_id}]" in out.stdout
    for t in {s.topic.id for s in run.brazil()}:
        pos = run.tracker.position(BRAZIL, t)
        if pos is not None:
            assert f"[{t}]: now {pos.polarity.upper()}" in out.stdout
    for a in run.alerts:
        assert (f"alert {a.id}" in out.stdout) == (a.actor.id == BRAZIL)
    bad = subprocess.run([sys.executable, "-m", "stream", "positions", "Brazl"], env={**os.environ, **run.env},
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode != 0 and "did you mean Brazil (Q155)" in bad.stderr


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser():
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.skip("no Chromium: `make test` installs Debian's chromium and chromium-driver "
                    "(apt-get install -y chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a dev dependency: make venv")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-GB",
                "--window-size=1280,1000", "--hide-scrollbars", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name: str) -> Path:
    """The whole page (the window grows to the document's height), as var/pages/NAME.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(700, min(int(height) + 20, 6000)))
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    return path


def no_injection(driver) -> None:
    """Nothing an article carried became markup or ran (the pages have no script of their own)."""
    assert driver.execute_script("return document.querySelectorAll('script').length") == 0
    assert driver.execute_script("return document.body.dataset.injected === undefined")
    origin = driver.execute_script("return location.origin")
    external = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(arguments[0]))",
        origin)
    assert external == []  # no CDN, nothing from outside: the page works offline


def centre(driver, el) -> tuple[float, float]:
    r = driver.execute_script("const b = arguments[0].getBoundingClientRect(); return [b.x + b.width / 2, "
                              "b.y + b.height / 2, b.width, b.height]", el)
    return r[0], r[1]


def test_actor_page_in_chromium(run, browser):
    from selenium.webdriver.common.by import By

    t0 = time.monotonic()
    browser.get(run.base + "/actors?q=brazil")  # the name, as an analyst types it
    assert urllib.parse.urlsplit(browser.current_url).path == f"/actors/{BRAZIL}"
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Brazil")
    shot = screenshot(browser, "actor-Q155")

    # every statement is a point linked to its article (and a row of the statements table, too)
    brazil = {s.id: s for s in run.brazil()}
    points = browser.find_elements(By.CSS_SELECTOR, "svg.timeline a.point-link")
    assert {p.get_attribute("data-stance-id") for p in points} == set(brazil)
    for p in points:
        s = brazil[p.get_attribute("data-stance-id")]
        href = urllib.parse.urlsplit(p.get_dom_attribute("href"))  # an SVG link's href property is not a string
        assert (urllib.parse.unquote(href.path), href.fragment) == (f"/articles/{s.article_id}", f"stance-{s.id}")
        assert p.get_attribute("data-polarity") == s.polarity and p.get_attribute("data-tense") == s.tense
    for row in browser.find_elements(By.CSS_SELECTOR, "tr.statement"):
        s = brazil[row.get_attribute("data-stance-id")]
        link = row.find_element(By.CSS_SELECTOR, "a.article-link")
        assert link.text == s.article_id and f"/articles/{s.article_id}" in urllib.parse.unquote(
            link.get_attribute("href"))

    # the reversal alert is drawn, from the previous statement's point to the current one's
    mine = [a for a in run.alerts if a.actor.id == BRAZIL]
    assert mine, "the sample articles raise no alert for Brazil"
    arcs = browser.find_elements(By.CSS_SELECTOR, "svg.timeline path.reversal")
    assert {(a.get_attribute("data-alert-id"), a.get_attribute("data-from"), a.get_attribute("data-to"))
            for a in arcs} == {(a.id, a.previous.stance_id, a.current.stance_id) for a in mine}
    for arc in arcs:
        assert browser.execute_script("return arguments[0].getTotalLength()", arc) > 20
        box = browser.execute_script("const b = arguments[0].getBoundingClientRect(); return [b.left, b.right]", arc)
        marks = {p.get_attribute("data-stance-id"): centre(browser, p) for p in points}
        x_from, x_to = marks[arc.get_attribute("data-from")][0], marks[arc.get_attribute("data-to")][0]
        assert abs(box[0] - min(x_from, x_to)) < 12 and abs(box[1] - max(x_from, x_to)) < 12

    # the summary shows the current position per topic
    summary = {r.get_attribute("data-topic-id"): r.get_attribute("data-polarity")
               for r in browser.find_elements(By.CSS_SELECTOR, "tr.summary-row")}
    assert summary == {t: (run.tracker.position(BRAZIL, t).polarity if run.tracker.position(BRAZIL, t) else "")
                       for t in {s.topic.id for s in brazil.values()}}

    # the article with <script> in its body is shown as text
    hostile = [s for s in brazil.values() if "<script>" in s.evidence.text]
    assert hostile, "the <script> article gave Brazil no statement whose evidence holds the tag"
    for s in hostile:
        row = browser.find_element(By.ID, f"st-{s.id}")
        assert s.evidence.text in row.text
    no_injection(browser)
    print(f"\nactor page: {time.monotonic() - t0:.1f}s in Chromium, screenshot {shot}")


def test_alerts_and_article_pages_in_chromium(run, browser):
    from selenium.webdriver.common.by import By

    browser.get(run.base + "/alerts")  # the browser's Accept asks for the page
    cards = browser.find_elements(By.CSS_SELECTOR, "article.alert")
    newest_first = sorted({a.id: a for a in run.alerts}.values(),
                          key=lambda a: (a.current.published_at, a.detected_at), reverse=True)
    assert [c.get_attribute("data-alert-id") for c in cards] == [a.id for a in newest_first]
    for card, alert in zip(cards, newest_first):
        prev = card.find_element(By.CSS_SELECTOR, ".statement.previous")
        cur = card.find_element(By.CSS_SELECTOR, ".statement.current")
        assert (prev.get_attribute("data-stance-id"), cur.get_attribute("data-stance-id")) == (
            alert.previous.stance_id, alert.current.stance_id)
        assert prev.rect["x"] + prev.rect["width"] <= cur.rect["x"] and abs(prev.rect["y"] - cur.rect["y"]) < 4
        for el, st in ((prev, alert.previous), (cur, alert.current)):
            assert st.evidence in el.text
            link = el.find_element(By.CSS_SELECTOR, "a.article-link")
            assert urllib.parse.unquote(urllib.parse.urlsplit(link.get_attribute("href")).path) == \
                f"/articles/{st.article_id}"
    no_injection(browser)
    screenshot(browser, "alerts")

    # follow a statement of the <script> article to its page: title and body are text
    hostile = next(s for s in run.brazil() if "<script>" in s.evidence.text)
    browser.get(run.base + f"/actors/{BRAZIL}")
    browser.find_element(By.ID, f"st-{hostile.id}").find_element(By.CSS_SELECTOR, "a.article-link").click()
    assert urllib.parse.urlsplit(browser.current_url).path == f"/articles/{hostile.article_id}"
    article = orjson.loads(HOSTILE.read_bytes().splitlines()[0])
    assert browser.find_element(By.TAG_NAME, "h1").text == article["title"]
    assert browser.find_element(By.CSS_SELECTOR, ".article-body").text == article["body"]
    for s in (x for x in run.stances if x.article_id == hostile.article_id):  # every statement's link lands
        anchor = browser.find_element(By.ID, f"stance-{s.id}")
        assert anchor.tag_name == "span" or anchor.text == s.evidence.text
    no_injection(browser)
    screenshot(browser, "article")

    # the topic page of Brazil's reversal: every actor with a statement on it
    topic = next(a.topic for a in run.alerts if a.actor.id == BRAZIL)
    browser.get(run.base + f"/topics/{topic.id}")
    rows = {r.get_attribute("data-actor-id"): r.get_attribute("data-polarity")
            for r in browser.find_elements(By.CSS_SELECTOR, "tr.summary-row")}
    on_topic = {s.actor.id for s in run.stances if s.topic.id == topic.id}
    assert rows == {a: (run.tracker.position(a, topic.id).polarity if run.tracker.position(a, topic.id) else "")
                    for a in on_topic}
    no_injection(browser)


# --------------------------------------------------------------------------- two workers (last: it changes the group)


def test_either_of_two_workers_answers_for_any_actor_by_name(run, tmp_path):
    """A second worker joins: the table's partitions are split, and each worker answers for every actor,
    asked by name, by forwarding to the one that holds it (which says so in a header)."""
    from tests.fixtures.worker import free_port
    from stream.worker.web import ANSWERED_BY

    env2 = {**run.env, "STANCE_WEB_PORT": str(free_port()), "STANCE_DATADIR": str(tmp_path / "faust-second")}
    second = Worker(env2, tmp_path, name="second").start()
    bases = (run.base, f"http://127.0.0.1:{env2['STANCE_WEB_PORT']}")
    outside = next(s.actor for s in run.stances if s.actor.id.startswith("ent:"))
    asks = {BRAZIL: "/positions?actor=brazil", outside.id: "/positions?actor=" + urllib.parse.quote(outside.id)}
    try:
        deadline = time.monotonic() + 150
        while True:
            assert second.alive, second.log_tail()
            health = [poll(b, "/health") for b in bases]
            split = all(h[0] == 200 and 0 < orjson.loads(h[2])["assigned_partitions"] for h in health)
            answers = {(b, a): poll(b, path) for b in bases for a, path in asks.items()} if split else {}
            if answers and all(s == 200 for s, _, _ in answers.values()):
                forwarded = {a: [b for b in bases if ANSWERED_BY in answers[(b, a)][1]] for a in asks}
                if all(len(v) == 1 for v in forwarded.values()):
                    break
            assert time.monotonic() < deadline, {k: v[0] for k, v in answers.items()}
            time.sleep(1.0)
    finally:
        second.stop()
    for actor in asks:
        one, two = (orjson.loads(answers[(b, actor)][2]) for b in bases)
        assert one["actor"] == two["actor"] == actor and one["positions"] == two["positions"]
        assert {p["topic"]["id"] for p in one["positions"]} == {
            t for (a, t) in run.tracker.current_polarities() if a == actor}
