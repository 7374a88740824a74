"""The pure core and the NLP import neither Faust nor aiokafka; ``stance process`` runs without Faust."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.fixtures.data import ROOT

PURE = ["stream.ingest", "stream.positions", "stream.codec", "stream.settings", "stream.pool", "stream.nlp",
        *sorted(f"stream.nlp.{p.stem}" for p in (ROOT / "stream" / "nlp").glob("*.py") if p.stem != "__init__"),
        *sorted(f"stream.nlp.{p.parent.name}.{p.stem}" for p in (ROOT / "stream" / "nlp").glob("*/*.py")
                if p.stem != "__init__"),
        "stream.commands.process", "stream.cli"]
FRAMEWORKS = ("faust", "aiokafka", "mode")


def _loaded_after(code: str) -> list[str]:
    probe = code + f"\nimport json, sys; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(300)
def test_pure_modules_import_no_framework():
    assert "stream.nlp.stance" in PURE or any(m.startswith("stream.nlp.stance.") for m in PURE)
    loaded = _loaded_after("\n".join(f"import {m}" for m in PURE))
    assert loaded == [], f"importing the pure modules loaded {loaded}"


@pytest.mark.timeout(300)
def test_stance_process_runs_without_faust(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a-1", "published_at": "2026-10-15T12:00:00Z", "title": "t",
                               "body": "The minister said the government rejects the plan."}) + "\n")
    code = (f"import sys; sys.argv = ['stance', 'process', {str(src)!r}, '--out', {str(tmp_path / 'out')!r}, "
            "'--workers', '1']\nfrom stream.cli import main\ntry:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code")
    loaded = _loaded_after(code)
    assert loaded == [], f"stance process loaded {loaded}"
    assert (tmp_path / "out" / "enriched.jsonl").read_text().count("\n") == 1
