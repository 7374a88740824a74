"""Every documented first-hour mistake: one line on stderr, a non-zero exit, no traceback.

These run the real ``stance`` command line in a subprocess (no broker is needed: the
one that needs a broker points at a port where none listens).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DEAD_BROKER = "kafka://127.0.0.1:9"  # the discard port: nothing answers


def stance(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "STANCE_BROKER": DEAD_BROKER, **(env or {})}
    return subprocess.run([sys.executable, "-m", "stream", *args], env=full, capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def one_line_error(out: subprocess.CompletedProcess, *needles: str) -> str:
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert out.returncode != 0, out
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("args, env, needles", [
    (("publish", "/nonexistent/articles.jsonl"), {}, ("no such file", "/nonexistent/articles.jsonl")),
    (("process", "/nonexistent/articles.jsonl", "--out", "/tmp/never"), {}, ("no such file",)),
    (("tail", "alerts", "--since", "fortnight"), {}, ("--since", "fortnight", "ISO")),
    (("tail", "alerts"), {}, ("cannot reach the Kafka broker", "stance kafka up")),
    (("publish", "tests/data/invented-check.gold.jsonl"), {"STANCE_PARTITIONS": "abc"},
     ("STANCE_PARTITIONS", "abc", "integer")),
    (("settings",), {"STANCE_PARTITIONS": "abc"}, ("STANCE_PARTITIONS",)),
    (("alerts", "--webhook", "not-a-url"), {}, ("--webhook", "not-a-url")),
    (("replay", "--since", "last week"), {}, ("--since",)),
])
def test_a_mistake_is_one_line_and_a_non_zero_exit(args, env, needles):
    one_line_error(stance(*args, env=env), *needles)


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen(f"{sys.executable} -m stream settings | head -n 1", shell=True, env=os.environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert out.strip() and "BrokenPipeError" not in err and "Traceback" not in err


def test_publish_says_when_nothing_could_be_sent(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    one_line_error(stance("publish", str(empty)), "no articles found")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\xff\xfe\x00binary\x00junk")
    out = stance("publish", str(junk))
    assert out.returncode != 0
    assert "not_utf8" in out.stderr and "nothing sent" in out.stderr.splitlines()[-1]
    assert "Traceback" not in out.stderr


def test_version_and_help_speak_for_the_project():
    version = stance("--version")
    assert version.returncode == 0 and version.stdout.startswith("stance-stream ") and "faust-streaming" in version.stdout
    helped = stance("--help")
    assert helped.returncode == 0
    assert all(name in helped.stdout for name in ("worker", "publish", "tail", "replay", "process"))
    assert "livecheck" not in helped.stdout and "clean-versions" not in helped.stdout


def test_a_settings_file_and_a_misspelt_name(tmp_path):
    (tmp_path / ".env").write_text("STANCE_PARTITIONS=7\nSTANCE_TOPIC_PREFIX=demo.\nSTANCE_PARTITONS=3\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCE_")}
    out = subprocess.run([sys.executable, "-m", "stream", "settings"], env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "partitions=7" in out.stdout.splitlines()
    assert "topic_alerts=alerts.position-changes  # topic demo.alerts.position-changes" in out.stdout
    assert "unknown setting STANCE_PARTITONS (did you mean STANCE_PARTITIONS?)" in out.stderr
    # the environment wins over the file
    out = subprocess.run([sys.executable, "-m", "stream", "settings"], env={**env, "STANCE_PARTITIONS": "2"},
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "partitions=2" in out.stdout.splitlines()
    one_line_error(stance("settings", env={"STANCE_ENV_FILE": str(tmp_path / "missing.env")}), "no such file")


def test_log_lines_for_a_person_and_for_machines():
    import logging

    import orjson

    from stream.worker.logs import JsonFormatter, TextFormatter, choose_format

    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("stream.worker.agents", logging.ERROR, __file__, 1, "agent crashed", (),
                                   sys.exc_info())
    record.article_id = "a1"
    text = TextFormatter().format(record)
    assert text.splitlines()[0].endswith("ERROR stream.worker.agents: agent crashed  article_id=a1")
    assert "ValueError: boom" in text
    as_json = orjson.loads(JsonFormatter().format(record))  # one record, the traceback a field of it
    assert as_json["article_id"] == "a1" and "ValueError: boom" in as_json["exception"]
    assert choose_format("auto", stream=open(os.devnull, "w")) == "json"
    assert choose_format("text") == "text"
