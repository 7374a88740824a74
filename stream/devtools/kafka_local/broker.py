"""One local KRaft broker+controller process: its configuration, start, stop and logs (:class:`LocalBroker`)."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import signal
import struct
import subprocess
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from stream.devtools.kafka_local.jars import (
    KAFKA_VERSION,
    KafkaLocalError,
    _main_class_in,
    dist_dir,
    ensure_jars,
    libs_dir,
    tail,
)
from stream.devtools.kafka_local.probe import free_port, port_in_use, probe


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
        lines = [f"# written by stream/devtools/kafka_local (Kafka {KAFKA_VERSION}); regenerated on every start"]
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
