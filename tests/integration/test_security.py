"""Security: the end-to-end flow over SASL_SSL (SCRAM-SHA-512) with test certificates, refused
credentials, read-only web views bound to loopback, and no pickle/eval/exec on the data path.

The SASL_SSL broker is a LocalBroker of its own (module scope): a CA and a broker certificate for
127.0.0.1/localhost are made with openssl (stream/tls.py), the SCRAM user is created when the
storage is formatted, and the inter-broker/controller listeners stay PLAINTEXT on other ports.
"""
from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from stream.kafka.admin import ensure_topics
from stream.kafka.connection import client_options
from stream.devtools.kafka_local import LocalBroker, free_port
from stream.kafka.producer import send_raw
from stream.settings import Settings
from stream.devtools.tls import make_pki, sasl_ssl_listener
from tests.fixtures import faults as fs
from tests.fixtures.worker import Worker, namespace_env, settings_for
from tests.fixtures.data import ROOT

pytestmark = pytest.mark.faults

USER = "stance-svc"
PASSWORD = "Sc7amTestPassw0rd"


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory):
    from tests.fixtures.kafka import _home

    d = tmp_path_factory.mktemp("sasl")
    pki = make_pki(d / "pki")
    sasl_port = free_port()
    listeners, extra = sasl_ssl_listener(sasl_port, pki)
    broker = LocalBroker(_home(), free_port(), data_dir=d / "kafka", controller_port=free_port(),
                         listeners=listeners, extra_config=extra, scram_users={USER: PASSWORD},
                         num_partitions=1, die_with_parent=True)
    broker.start(timeout=120)
    try:
        yield broker, f"127.0.0.1:{sasl_port}", pki, d
    finally:
        broker.stop(20)


def _secure_env(bootstrap: str, tmp: Path, pki, **extra: str) -> dict[str, str]:
    base = {"STANCE_POOL_WORKERS": "1", "STANCE_SECURITY_PROTOCOL": "SASL_SSL",
            "STANCE_SASL_MECHANISM": "SCRAM-SHA-512", "STANCE_SASL_USERNAME": USER,
            "STANCE_SSL_CAFILE": str(pki.ca_cert)}
    return namespace_env(bootstrap, tmp, **{**base, **extra})


@pytest.fixture(scope="module")
def secure_worker(secure_broker):
    """A worker over SASL_SSL that reads its password from a file (STANCE_SASL_PASSWORD_FILE)."""
    _, bootstrap, pki, d = secure_broker
    secret = d / "sasl-password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    env = _secure_env(bootstrap, d, pki, STANCE_SASL_PASSWORD_FILE=str(secret))
    # The publisher and reader use the other variant: the password in STANCE_SASL_PASSWORD.
    client_env = {k: v for k, v in env.items() if k != "STANCE_SASL_PASSWORD_FILE"}
    client_env["STANCE_SASL_PASSWORD"] = PASSWORD
    settings = settings_for(client_env)
    asyncio.run(ensure_topics(settings))
    worker = Worker(env, d, name="secure").start()
    try:
        yield worker, env, settings
    finally:
        worker.stop()


@pytest.mark.kafka
@pytest.mark.timeout(240)
def test_end_to_end_over_sasl_ssl(secure_worker):
    worker, env, settings = secure_worker
    assert settings.security_protocol == "SASL_SSL" and settings.ssl_cafile
    arts = fs.good_articles(30, seed=21, prefix="sec", n_actors=2, n_topics=2)
    t0 = time.monotonic()
    asyncio.run(send_raw(fs.encode(arts), settings))
    got = fs.wait_ids(settings, "enriched", "article_id", {a["id"] for a in arts}, 180, worker)
    assert set(got) == {a["id"] for a in arts}, worker.log_tail()
    stances = fs.count_in(settings, "stances")
    assert stances > 0
    deadline = time.monotonic() + 30
    while (alerts := fs.count_in(settings, "alerts")) == 0 and time.monotonic() < deadline:
        time.sleep(1)
    assert alerts > 0, "no position change came out over SASL_SSL"
    log = worker.log_path.read_text(errors="replace")
    assert PASSWORD not in log, "the SASL password leaked into the worker log"
    print(f"[security] {len(arts)} articles enriched over SASL_SSL/SCRAM-SHA-512 in {time.monotonic() - t0:.0f}s "
          f"({stances} stances, {alerts} alerts)")


def _producer_error(settings: Settings) -> BaseException:
    async def go() -> BaseException:
        producer = AIOKafkaProducer(request_timeout_ms=10_000, **client_options(settings))
        try:
            await producer.start()
        except BaseException as exc:  # noqa: BLE001 - the point is which one
            return exc
        finally:
            await producer.stop()
        raise AssertionError("the broker accepted a client it should have refused")

    return asyncio.run(asyncio.wait_for(go(), 60))


@pytest.mark.kafka
@pytest.mark.timeout(180)
def test_wrong_credentials_are_refused(secure_broker, tmp_path, caplog):
    """aiokafka's start() raises KafkaConnectionError("Unable to bootstrap ..."); the broker's reason
    (SaslAuthenticationFailed: ... invalid credentials ...) is in aiokafka's ERROR log line."""
    _, bootstrap, pki, _ = secure_broker
    caplog.set_level(logging.ERROR, logger="aiokafka")

    def refused(env: dict[str, str]) -> tuple[str, str]:
        caplog.clear()
        exc = _producer_error(settings_for(env))
        text = f"{type(exc).__name__}: {exc}"
        assert isinstance(exc, KafkaConnectionError) and "Unable to bootstrap" in str(exc), text
        return text, " | ".join(r.getMessage() for r in caplog.records)

    text, why = refused(_secure_env(bootstrap, tmp_path, pki, STANCE_SASL_PASSWORD="not-the-password"))
    assert "SaslAuthenticationFailed" in why and "invalid credentials" in why, why
    assert "not-the-password" not in why
    print(f"[security] wrong password -> {text} / log: {why[:200]}")

    text, why = refused(_secure_env(bootstrap, tmp_path, pki, STANCE_SASL_USERNAME="mallory",
                                    STANCE_SASL_PASSWORD=PASSWORD))
    assert "SaslAuthenticationFailed" in why, why

    # The worker itself with a wrong password: exits non-zero at once, the reason in its log, not the password.
    worker = Worker(_secure_env(bootstrap, tmp_path, pki, STANCE_SASL_PASSWORD="wrong-worker-pw"), tmp_path,
                    name="bad-credentials").start()
    try:
        deadline = time.monotonic() + 60
        while worker.alive and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not worker.alive, "a worker with a wrong password kept running"
    finally:
        worker.stop(10)
    log = worker.log_path.read_text(errors="replace")
    assert worker.proc.returncode != 0
    assert "SaslAuthenticationFailed" in log and "wrong-worker-pw" not in log

    # A client that does not trust the test CA fails the TLS handshake before any credential is sent.
    env = _secure_env(bootstrap, tmp_path, pki, STANCE_SASL_PASSWORD=PASSWORD)
    env.pop("STANCE_SSL_CAFILE")
    text, why = refused(env)
    assert re.search(r"certificate verify failed|SSL", why), why
    print(f"[security] untrusted CA -> {text} / log: {why[:200]}")


@pytest.mark.timeout(30)
def test_sasl_without_credentials_is_a_clear_error():
    from stream.worker.app import broker_credentials

    s = Settings(security_protocol="SASL_SSL", sasl_username=None, sasl_password=None, sasl_password_file=None)
    with pytest.raises(ValueError, match="STANCE_SASL_USERNAME"):
        client_options(s)
    with pytest.raises(ValueError, match="STANCE_SASL_USERNAME"):
        broker_credentials(s)


# --------------------------------------------------------------------------- web views


def _listen_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on ``port`` (from /proc/net/tcp and tcp6)."""
    out = set()
    for name in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            addr, p = parts[1].split(":")
            if int(p, 16) == port and parts[3] == "0A":
                if name == "tcp":
                    out.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1]))
                else:
                    raw = bytes.fromhex(addr)
                    out.add(socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))))
    return out


@pytest.mark.kafka
@pytest.mark.timeout(120)
def test_web_views_read_only_and_loopback(secure_worker):
    worker, env, _ = secure_worker
    assert Settings.model_fields["web_host"].default == "127.0.0.1"
    port = int(env["STANCE_WEB_PORT"])
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                assert r.status == 200
                break
        except OSError:
            assert worker.alive and time.monotonic() < deadline, worker.log_tail()
            time.sleep(0.5)
    assert _listen_addresses(port) == {"127.0.0.1"}, _listen_addresses(port)
    statuses = {}
    for path in ("/health", "/metrics", "/alerts", "/positions?actor=Q20", "/positions/Q20/carbon-tax", "/"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b'{"x": 1}', method=method,
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    statuses[(method, path)] = r.status
            except urllib.error.HTTPError as exc:
                statuses[(method, path)] = exc.code
    assert all(code in (404, 405) for code in statuses.values()), statuses


# --------------------------------------------------------------------------- code


DANGEROUS = [
    (re.compile(r"\bimport\s+(c?pickle|marshal|shelve|dill|cloudpickle)\b|\bfrom\s+(c?pickle|marshal|shelve)\s+import"),
     "pickle-like deserialiser"),
    (re.compile(r"(?<![\w.])(eval|exec)\s*\("), "eval/exec"),
    (re.compile(r"(?<![\w.])compile\s*\(|__import__\s*\(|\bliteral_eval\b"), "dynamic code"),
    (re.compile(r"\byaml\.(unsafe_)?load\s*\("), "yaml.load"),
    (re.compile(r"""serializer\s*=\s*["']pickle["']"""), "Faust pickle serializer"),
    (re.compile(r"\bpickle\.loads?\b"), "pickle.load"),
]


@pytest.mark.timeout(30)
def test_no_pickle_eval_exec_on_the_data_path():
    hits = []
    files = [p for d in ("stream", "schemas") for p in (ROOT / d).rglob("*.py")]
    assert len(files) > 10
    for path in files:
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in DANGEROUS:
                if pattern.search(code):
                    hits.append(f"{path.relative_to(ROOT)}:{n}: {what}: {line.strip()}")
    assert not hits, "\n".join(hits)
    # The codec Faust uses for every topic is orjson (JSON only), and inputs are raw bytes.
    app_src = (ROOT / "stream" / "worker" / "app.py").read_text()
    assert 'value_serializer=codec.CODEC_NAME' in app_src and 'value_serializer="raw"' in app_src
