"""Write the JSON Schema of every wire model into schemas/json/.

Run ``python -m schemas.export`` after changing a model; ``--check`` exits 1
when the files on disk differ from the models (the sync test uses the same
function).
"""
from __future__ import annotations

import sys
from pathlib import Path

import orjson

from schemas.models import MESSAGE_MODELS

SCHEMA_DIR = Path(__file__).parent / "json"


def rendered() -> dict[str, bytes]:
    return {
        f"{name}.schema.json": orjson.dumps(
            model.model_json_schema(mode="serialization"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        )
        + b"\n"
        for name, model in MESSAGE_MODELS.items()
    }


def drift() -> list[str]:
    """Names of schema files that are missing, stale or extra."""
    want = rendered()
    have = {p.name: p.read_bytes() for p in SCHEMA_DIR.glob("*.schema.json")}
    return sorted(n for n in want.keys() | have.keys() if want.get(n) != have.get(n))


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = drift()
        for name in stale:
            print(f"schema drift: {name}", file=sys.stderr)
        return 1 if stale else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for p in SCHEMA_DIR.glob("*.schema.json"):
        p.unlink()
    for name, data in rendered().items():
        (SCHEMA_DIR / name).write_bytes(data)
    print(f"wrote {len(MESSAGE_MODELS)} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
