"""The pinned Kafka version and its jars: resolved from Maven Central with ``mvn``, cached under the Kafka home."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path


#: The one place the Kafka version is pinned (docker-compose.yml uses the same tag; a test checks it).
KAFKA_VERSION = "4.4.0"


SCALA_VERSION = "2.13"


#: log4j2 binding for slf4j 1.x (Kafka 4.x still logs through slf4j-api 1.7).
LOG4J_VERSION = "2.24.3"


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



class KafkaLocalError(RuntimeError):
    """The local broker could not be set up, started or stopped."""



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
