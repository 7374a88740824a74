"""Shared fixtures. The Kafka broker is real: started once per session, stopped at the end."""
from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from tests.kafka_fixture import kafka_broker  # noqa: F401  (session-scoped real broker)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
STANCE_DEV = SHARED / "eval" / "stance-dev.jsonl"
POLNEAR_DEV = SHARED / "eval" / "polnear-dev"
POLNEAR_TRAIN = SHARED / "corpus" / "polnear-train.jsonl"


def need(path: Path) -> Path:
    """Shared data or a skip; in CI (CI=true) its absence is a failure, never a silent skip."""
    if not path.exists():
        message = f"{path} is not here (the shared evaluation data sits beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def dev_articles(path: Path = STANCE_DEV) -> list[dict]:
    """The annotated dev articles as they would arrive on the input topic (gold removed)."""
    rows = []
    for line in need(path).read_bytes().splitlines():
        if line.strip():
            row = orjson.loads(line)
            row.pop("gold", None)
            rows.append(row)
    return rows


@pytest.fixture(scope="session")
def dev_jsonl(tmp_path_factory) -> Path:
    """stance-dev without its gold, as an Article JSONL file."""
    out = tmp_path_factory.mktemp("dev") / "articles.jsonl"
    out.write_bytes(b"\n".join(orjson.dumps(r) for r in dev_articles()) + b"\n")
    return out


@pytest.fixture(scope="session")
def offline_dev(dev_jsonl, tmp_path_factory):
    """``stance process`` over the dev articles, once per session: the reference for the streaming runs."""
    import asyncio

    from stream.commands.process import process
    from stream.settings import Settings

    out = tmp_path_factory.mktemp("offline-dev")
    summary = asyncio.run(process([str(dev_jsonl)], out, Settings(), workers=2))
    return out, summary
