"""A real Apache Kafka broker without Docker: one combined broker+controller KRaft node.

The jars come from Maven Central (``mvn dependency:copy-dependencies``) and are cached under
``settings.kafka_home / f"kafka-{KAFKA_VERSION}/libs"``; a second run downloads nothing. Each broker
keeps its configuration, data, pid file and logs in its own data directory, so ``stop()`` followed by
``start()`` keeps every topic and message.

Only the standard library is used here (no faust, no aiokafka): the readiness probe speaks the Kafka
protocol itself (ApiVersions, then Metadata until the broker lists itself).

Command line (``python -m stream.devtools.kafka_local ...`` or ``stance kafka ...``)::

    up [--port P] [--data-dir D] [--timeout S]   start (idempotent) and wait until it answers
    down [--timeout S]                            stop the broker started by ``up``
    status                                        running or not, pid, bootstrap
    logs [-n N]                                   tail of the broker's logs
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path

#: The one place the Kafka version is pinned (docker-compose.yml uses the same tag; a test checks it).
KAFKA_VERSION = "4.4.0"
SCALA_VERSION = "2.13"
#: log4j2 binding for slf4j 1.x (Kafka 4.x still logs through slf4j-api 1.7).
LOG4J_VERSION = "2.24.3"

DEFAULT_JVM_OPTS = (
    "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",  # little JIT and GC work: the broker shares the cores with the workers
    "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
)
#: Short-lived tools (storage format): quick JIT, tiny heap.
TOOL_JVM_OPTS = ("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true")

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # 10 MB payloads fit, with room for batch overhead

PID_FILE = "broker.pid"
STDOUT_LOG = "broker.log"  # java's stdout/stderr
SERVER_LOG = "server.log"  # log4j2 output

POM_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.stance-stream</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>{kafka}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{scala}</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>{log4j}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version>
    </dependency>
  </dependencies>
</project>
"""

LOG4J2_TEMPLATE = """\
# Quiet: warnings and errors, plus the few lines that say the node started or stopped.
status = warn
name = stance-local-kafka
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.filePattern = {log}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 10MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
logger.controller.name = kafka.server.ControllerServer
logger.controller.level = INFO
"""


class KafkaLocalError(RuntimeError):
    """The local broker could not be set up, started or stopped."""


# --------------------------------------------------------------------------- jars


def dist_dir(home: Path) -> Path:
    return Path(home) / f"kafka-{KAFKA_VERSION}"


def libs_dir(home: Path) -> Path:
    return dist_dir(home) / "libs"


def _have_jars(libs: Path) -> bool:
    return (libs / ".complete").exists() and any(libs.glob(f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.jar"))


def ensure_jars(home: Path, *, quiet: bool = False) -> Path:
    """The directory of broker jars, downloaded with ``mvn`` once and then reused (process-safe)."""
    libs = libs_dir(home)
    if _have_jars(libs):
        return libs
    dist = dist_dir(home)
    dist.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(dist / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a concurrent first run waits for the download, then reuses it
        if _have_jars(libs):
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KafkaLocalError("Maven (`mvn`) is needed once to fetch the Kafka jars from Maven Central; install it")
        (dist / "pom.xml").write_text(POM_TEMPLATE.format(kafka=KAFKA_VERSION, scala=SCALA_VERSION, log4j=LOG4J_VERSION))
        tmp = dist / "libs.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        log = dist / "mvn.log"
        if not quiet:
            print(f"downloading Apache Kafka {KAFKA_VERSION} jars from Maven Central into {libs} (once) ...",
                  file=sys.stderr, flush=True)
        cmd = [
            mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(dist / "pom.xml"),
            "dependency:copy-dependencies", f"-DoutputDirectory={tmp}", "-DincludeScope=runtime",
        ]
        env = {**os.environ, "MAVEN_OPTS": os.environ.get("MAVEN_OPTS", "") + " -Djansi.passthrough=true"}
        with open(log, "wb") as out:
            code = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=dist, env=env)
        if code != 0 or not any(tmp.glob(f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.jar")):
            raise KafkaLocalError(f"mvn failed (exit {code}); see {log}:\n{tail(log, 30)}")
        (tmp / ".complete").write_text(" ".join(cmd) + "\n")
        shutil.rmtree(libs, ignore_errors=True)
        tmp.rename(libs)
    return libs


def _main_class_in(libs: Path, candidates: Sequence[str]) -> str:
    """The first of ``candidates`` that some jar in ``libs`` contains (class names move between versions)."""
    entries = {c: c.replace(".", "/") + ".class" for c in candidates}
    for jar in sorted(libs.glob("kafka*.jar")):
        with zipfile.ZipFile(jar) as z:
            names = set(z.namelist())
        for cls, entry in entries.items():
            if entry in names:
                return cls
    raise KafkaLocalError(f"none of {list(candidates)} in {libs}")


# --------------------------------------------------------------------------- helpers


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(data.splitlines()[-lines:])


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def random_cluster_id() -> str:
    """What ``kafka-storage random-uuid`` prints: a UUID, URL-safe base64, no padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def read_properties(path: Path) -> dict[str, str]:
    props: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "!")) and "=" in line:
                key, _, value = line.partition("=")
                props[key.strip()] = value.strip()
    return props


# --------------------------------------------------------------------------- protocol probe


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by broker")
        buf += chunk
    return buf


def _request(sock: socket.socket, api_key: int, version: int, correlation: int, body: bytes) -> bytes:
    client_id = b"stance-kafka-probe"
    header = struct.pack(">hhih", api_key, version, correlation, len(client_id)) + client_id
    payload = header + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    (size,) = struct.unpack(">i", _recv_exact(sock, 4))
    data = _recv_exact(sock, size)
    (got,) = struct.unpack(">i", data[:4])
    if got != correlation:
        raise ConnectionError(f"correlation id {got} != {correlation}")
    return data[4:]


def probe(host: str, port: int, timeout: float = 3.0) -> list[int]:
    """Ask the broker over the Kafka protocol which brokers it serves; [] if it is not ready yet.

    ApiVersions v0 (every broker answers it), then Metadata at a non-flexible version the broker
    supports (v4..v8) for no topics: a broker that lists itself there is registered and unfenced.
    """
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        resp = _request(sock, 18, 0, 1, b"")
        (error,) = struct.unpack(">h", resp[:2])
        if error:
            return []
        (count,) = struct.unpack(">i", resp[2:6])
        versions = {}
        for i in range(count):
            key, lo, hi = struct.unpack(">hhh", resp[6 + 6 * i: 12 + 6 * i])
            versions[key] = (lo, hi)
        lo, hi = versions.get(3, (0, -1))
        version = min(hi, 8)
        if version < max(lo, 4):
            raise KafkaLocalError(f"broker's Metadata versions {lo}..{hi} leave no v4..v8 to probe with")
        body = struct.pack(">i", 0) + b"\x00"  # topics: empty array; allow_auto_topic_creation=false
        if version >= 8:
            body += b"\x00\x00"  # include cluster / topic authorized operations: false
        resp = _request(sock, 3, version, 2, body)
        pos = 4  # throttle_time_ms (v3+)
        (n,) = struct.unpack(">i", resp[pos: pos + 4])
        pos += 4
        nodes = []
        for _ in range(max(n, 0)):
            (node_id,) = struct.unpack(">i", resp[pos: pos + 4])
            pos += 4
            (hlen,) = struct.unpack(">h", resp[pos: pos + 2])
            pos += 2 + max(hlen, 0) + 4  # host, port
            (rlen,) = struct.unpack(">h", resp[pos: pos + 2])
            pos += 2 + max(rlen, 0)  # rack (nullable)
            nodes.append(node_id)
        return nodes


# --------------------------------------------------------------------------- the broker


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not running
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _set_pdeathsig() -> None:  # runs in the child before exec
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalBroker:
    """One combined broker+controller KRaft node listening on 127.0.0.1 only.

    ``listeners``: extra listeners besides ``PLAINTEXT://127.0.0.1:<port>`` (which the probe and
    ``bootstrap`` use) and the controller's, e.g. ``["SASL_SSL://127.0.0.1:9094"]``; they are
    advertised as written. ``extra_config`` is applied last and overrides anything generated
    (security protocol map, SASL/SSL settings, ...). ``scram_users`` (name -> password) are created
    for each of ``scram_mechanisms`` when the storage is formatted (see :mod:`stream.devtools.tls` for a
    ready SASL_SSL listener).
    """

    def __init__(
        self,
        home: Path,
        port: int,
        data_dir: Path | None = None,
        controller_port: int | None = None,
        extra_config: dict[str, str] | None = None,
        listeners: Sequence[str] | None = None,
        *,
        num_partitions: int = 1,
        jvm_opts: Sequence[str] = DEFAULT_JVM_OPTS,
        die_with_parent: bool = False,
        cds: bool = True,
        scram_users: dict[str, str] | None = None,
        scram_mechanisms: Sequence[str] = ("SCRAM-SHA-512",),
    ) -> None:
        self.home = Path(home)
        self.port = int(port)
        self.data_dir = Path(data_dir) if data_dir is not None else self.home / f"data-{self.port}"
        self._controller_port = controller_port
        self.extra_config = dict(extra_config or {})
        self.listeners = list(listeners or [])
        self.num_partitions = num_partitions
        self.jvm_opts = list(jvm_opts)
        self.die_with_parent = die_with_parent
        self.cds = cds
        self.scram_users = dict(scram_users or {})  # created when the storage is formatted (first start)
        self.scram_mechanisms = tuple(scram_mechanisms)
        self._proc: subprocess.Popen | None = None

    # ---- paths and addresses
    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Faust broker URL (``STANCE_BROKER``)."""
        return f"kafka://{self.bootstrap}"

    @property
    def properties_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "kraft"

    @property
    def pid_path(self) -> Path:
        return self.data_dir / PID_FILE

    @property
    def stdout_log(self) -> Path:
        return self.data_dir / STDOUT_LOG

    @property
    def server_log(self) -> Path:
        return self.data_dir / SERVER_LOG

    @property
    def controller_port(self) -> int:
        if self._controller_port is None:
            # Keep the port of an earlier run of this data dir; else port+1 when free; else any free port.
            voters = read_properties(self.properties_path).get("controller.quorum.voters", "")
            if voters.startswith("1@") and voters.rsplit(":", 1)[-1].isdigit():
                self._controller_port = int(voters.rsplit(":", 1)[-1])
            elif not port_in_use(self.port + 1):
                self._controller_port = self.port + 1
            else:
                self._controller_port = free_port()
        return self._controller_port

    # ---- configuration
    def config(self) -> dict[str, str]:
        cport = self.controller_port
        listeners = [f"PLAINTEXT://127.0.0.1:{self.port}", f"CONTROLLER://127.0.0.1:{cport}", *self.listeners]
        advertised = [f"PLAINTEXT://127.0.0.1:{self.port}", *self.listeners]
        conf = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{cport}",
            "controller.listener.names": "CONTROLLER",
            "listeners": ",".join(listeners),
            "advertised.listeners": ",".join(advertised),
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": (
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"
            ),
            "log.dirs": str(self.log_dir),
            "num.partitions": str(self.num_partitions),
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "auto.create.topics.enable": "true",
            "delete.topic.enable": "true",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "8",  # default 50: slow first group join on a small machine
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "message.max.bytes": str(MAX_MESSAGE_BYTES),
            "replica.fetch.max.bytes": str(MAX_MESSAGE_BYTES),
            "replica.fetch.response.max.bytes": str(2 * MAX_MESSAGE_BYTES),
            "socket.request.max.bytes": str(max(104857600, 2 * MAX_MESSAGE_BYTES)),
            "socket.send.buffer.bytes": "-1",
            "socket.receive.buffer.bytes": "-1",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "background.threads": "4",
            "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
            "log.retention.hours": "168",
        }
        conf.update(self.extra_config)
        return conf

    def write_config(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lines = [f"# written by stream/kafka_local.py (Kafka {KAFKA_VERSION}); regenerated on every start"]
        lines += [f"{k}={v}" for k, v in self.config().items()]
        self.properties_path.write_text("\n".join(lines) + "\n")
        (self.data_dir / "log4j2.properties").write_text(LOG4J2_TEMPLATE.format(log=self.server_log))

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        if java_home and (Path(java_home) / "bin" / "java").exists():
            return str(Path(java_home) / "bin" / "java")
        java = shutil.which("java")
        if java is None:
            raise KafkaLocalError("`java` (17 or newer) is needed to run the local Kafka broker")
        return java

    def _classpath(self, libs: Path) -> str:
        return str(libs / "*")

    # ---- class-data sharing: the JVM maps pre-parsed classes from an archive, ~2-3 s off each start
    def _cds(self, main_class: str) -> tuple[list[str], Path | None]:
        """JVM options for ``main_class``: use its archive if there is one, else record one at exit.

        Returns the options and, when recording, the temporary archive path (see :meth:`_cds_done`).
        Archives live beside the jars, keyed by the java binary, so another JDK just makes a new one;
        a stale or broken archive is ignored by the JVM (``-Xshare:auto``, the default).
        """
        if not self.cds:
            return [], None
        java = Path(self._java()).resolve()
        try:
            stamp = (libs_dir(self.home) / ".complete").stat().st_mtime_ns  # re-downloaded jars: new archive
            key = hashlib.sha1(f"{java}:{java.stat().st_mtime_ns}:{KAFKA_VERSION}:{stamp}".encode()).hexdigest()[:10]
            cds_dir = dist_dir(self.home) / "cds"
            cds_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return [], None
        quiet = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
        final = cds_dir / f"{main_class}-{key}.jsa"
        if final.exists():
            return [f"-XX:SharedArchiveFile={final}", *quiet], None
        tmp = cds_dir / f"{main_class}-{key}.{uuid.uuid4().hex[:8]}.tmp"
        return [f"-XX:ArchiveClassesAtExit={tmp}", *quiet], tmp

    @staticmethod
    def _cds_done(tmp: Path | None, ok: bool) -> None:
        """Publish a recorded archive (the JVM wrote it at a clean exit) or throw it away."""
        if tmp is None:
            return
        final = tmp.parent / (tmp.name.rsplit(".", 2)[0] + ".jsa")  # <main>-<key>.<token>.tmp -> <main>-<key>.jsa
        with contextlib.suppress(OSError):
            if ok and tmp.exists() and tmp.stat().st_size > 0 and not final.exists():
                os.replace(tmp, final)
            else:
                tmp.unlink(missing_ok=True)

    def is_formatted(self) -> bool:
        return (self.log_dir / "meta.properties").exists()

    def format_storage(self, libs: Path) -> None:
        tool = _main_class_in(libs, ["kafka.tools.StorageTool", "org.apache.kafka.tools.StorageTool"])
        cds, pending = self._cds(tool)
        cmd = [
            self._java(), *TOOL_JVM_OPTS, *cds, f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp", self._classpath(libs), tool,
            # "--cluster-id=<id>": a random id may start with "-", which argparse would take for an option
            "format", f"--cluster-id={random_cluster_id()}", "-c", str(self.properties_path),
            *self._scram_args(),
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        self._cds_done(pending, res.returncode == 0)
        with open(self.stdout_log, "a") as out:
            out.write(f"$ {self._redact(' '.join(cmd))}\n{self._redact(res.stdout + res.stderr)}\n")
        if res.returncode != 0 or not self.is_formatted():
            raise KafkaLocalError(f"formatting {self.log_dir} failed (exit {res.returncode}):\n"
                                  f"{self._redact(res.stdout + res.stderr)}")

    def _redact(self, text: str) -> str:
        """SCRAM passwords never reach the logs."""
        for password in self.scram_users.values():
            if password:
                text = text.replace(password, "***")
        return text

    def _scram_args(self) -> list[str]:
        """``--add-scram`` for each SCRAM user: KRaft stores the credentials in the metadata log at format time."""
        args = []
        for name, password in self.scram_users.items():
            for bad in ",[]=\"":
                if bad in name or bad in password:
                    raise KafkaLocalError(f"SCRAM user names and passwords here may not contain {bad!r}")
            for mech in self.scram_mechanisms:
                args += ["--add-scram", f"{mech}=[name={name},password={password}]"]
        return args

    # ---- lifecycle
    def pid(self) -> int | None:
        """The pid of this data dir's running broker, if there is one (checked against its command line)."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        try:
            pid = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None
        if _pid_alive(pid) and str(self.properties_path) in _cmdline(pid):
            return pid
        return None

    def is_running(self) -> bool:
        return self.pid() is not None

    def status(self) -> dict:
        pid = self.pid()
        ready = False
        if pid is not None:
            with contextlib.suppress(OSError, ConnectionError, KafkaLocalError, struct.error):
                ready = 1 in probe("127.0.0.1", self.port, timeout=2.0)
        return {
            "running": pid is not None, "ready": ready, "pid": pid, "bootstrap": self.bootstrap,
            "controller_port": self.controller_port if pid is not None else None,
            "data_dir": str(self.data_dir), "version": KAFKA_VERSION,
        }

    def start(self, timeout: float = 90.0) -> LocalBroker:
        """Start the node (formatting fresh storage first) and wait until it really answers."""
        if self.is_running():
            raise KafkaLocalError(f"a broker already runs from {self.data_dir} (pid {self.pid()})")
        libs = ensure_jars(self.home)
        for p in {self.port, self.controller_port}:
            if port_in_use(p):
                raise KafkaLocalError(f"port {p} on 127.0.0.1 is already in use (another broker?)")
        self.write_config()
        if not self.is_formatted():
            self.format_storage(libs)
        pending_file = self.data_dir / "cds.pending"
        if pending_file.exists():  # a recording from a run that never stopped cleanly
            with contextlib.suppress(OSError):
                self._cds_done(Path(pending_file.read_text().strip()), False)
        cds, pending = self._cds("kafka.Kafka")
        if pending is not None:
            pending_file.write_text(f"{pending}\n")  # published by stop() after a clean exit
        else:
            pending_file.unlink(missing_ok=True)
        cmd = [
            self._java(), *self.jvm_opts, *cds,
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.data_dir}",
            "-cp", self._classpath(libs), "kafka.Kafka", str(self.properties_path),
        ]
        with open(self.stdout_log, "ab") as out:
            out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode())
            out.flush()
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=self.data_dir,
                start_new_session=True, preexec_fn=_set_pdeathsig if self._pdeathsig() else None,
            )
        self.pid_path.write_text(f"{self._proc.pid}\n")
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop(10)
            raise
        return self

    def _pdeathsig(self) -> bool:
        # PR_SET_PDEATHSIG fires when the *thread* that forked exits: only safe from the main thread
        # (a restart from a helper thread must not kill the broker when that thread ends).
        return self.die_with_parent and threading.current_thread() is threading.main_thread()

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds until the broker lists itself in a Metadata response; raises with the log tail."""
        t0 = time.monotonic()
        last: object = None
        while time.monotonic() - t0 < timeout:
            if self._proc is not None and self._proc.poll() is not None:
                raise KafkaLocalError(
                    f"Kafka exited with code {self._proc.returncode} during startup; {self.stdout_log}:\n"
                    f"{tail(self.stdout_log)}\n--- {self.server_log}:\n{tail(self.server_log)}"
                )
            try:
                if 1 in probe("127.0.0.1", self.port, timeout=2.0):
                    return time.monotonic() - t0
                last = "broker not yet in metadata"
            except (OSError, ConnectionError, struct.error) as exc:
                last = exc
            time.sleep(0.25)
        raise KafkaLocalError(
            f"Kafka on {self.bootstrap} did not answer within {timeout:.0f}s (last: {last!r}); {self.stdout_log}:\n"
            f"{tail(self.stdout_log)}\n--- {self.server_log}:\n{tail(self.server_log)}"
        )

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM (controlled shutdown), wait up to ``timeout`` seconds, then SIGKILL. True if it was running."""
        pid = self.pid()
        if pid is None:
            self._reap()
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        clean = self._wait_gone(pid, timeout)
        if not clean:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            self._wait_gone(pid, 10)
        self._reap()
        pending_file = self.data_dir / "cds.pending"
        if pending_file.exists():
            with contextlib.suppress(OSError):
                self._cds_done(Path(pending_file.read_text().strip()), clean)
                pending_file.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()
        return True

    def kill(self) -> bool:
        """SIGKILL, no controlled shutdown (for fault tests). True if it was running."""
        return self.stop(timeout=0)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if self._proc is not None and self._proc.pid == pid:
                if self._proc.poll() is not None:
                    return True
            elif not _pid_alive(pid):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def _reap(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
            self._proc = None

    def restart(self, pause: float = 0.0, timeout: float = 90.0) -> None:
        self.stop()
        if pause:
            time.sleep(pause)
        self.start(timeout)

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------- CLI


def _default_broker(args: argparse.Namespace) -> LocalBroker:
    from stream.settings import get_settings

    settings = get_settings()
    port = args.port or settings.kafka_port
    data_dir = Path(args.data_dir) if args.data_dir else None
    return LocalBroker(settings.kafka_home, port, data_dir=data_dir, num_partitions=settings.partitions)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stance kafka", description=f"Local Apache Kafka {KAFKA_VERSION} (KRaft, no Docker)")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_ in [("up", "start the broker (idempotent)"), ("down", "stop it"),
                        ("status", "is it running"), ("logs", "tail its logs")]:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--port", type=int, default=None, help="default: STANCE_KAFKA_PORT")
        p.add_argument("--data-dir", default=None, help="default: STANCE_KAFKA_HOME/data-<port>")
        if name in ("up", "down"):
            p.add_argument("--timeout", type=float, default=90.0 if name == "up" else 30.0)
        if name == "logs":
            p.add_argument("-n", "--lines", type=int, default=40)
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return int(exc.code or 0)
    broker = _default_broker(args)
    try:
        if args.action == "up":
            pid = broker.pid()
            if pid is not None:
                print(f"Kafka {KAFKA_VERSION} already running on {broker.bootstrap} (pid {pid}, data {broker.data_dir})")
                return 0
            t0 = time.monotonic()
            broker.start(args.timeout)
            print(f"Kafka {KAFKA_VERSION} up on {broker.bootstrap} in {time.monotonic() - t0:.1f}s "
                  f"(pid {broker.pid()}, data {broker.data_dir}, logs {broker.server_log})")
            return 0
        if args.action == "down":
            if broker.stop(args.timeout):
                print(f"Kafka on {broker.bootstrap} stopped")
            else:
                print(f"no Kafka running from {broker.data_dir}")
            return 0
        if args.action == "status":
            st = broker.status()
            if st["running"]:
                print(f"Kafka {KAFKA_VERSION} running on {st['bootstrap']} (pid {st['pid']}, "
                      f"{'ready' if st['ready'] else 'NOT answering'}, data {st['data_dir']})")
                return 0 if st["ready"] else 1
            print(f"Kafka not running (data {st['data_dir']})")
            return 3
        if args.action == "logs":
            for path in (broker.stdout_log, broker.server_log):
                print(f"--- {path}")
                print(tail(path, args.lines))
            return 0
    except KafkaLocalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
