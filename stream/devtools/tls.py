"""Throwaway TLS material and a SASL_SSL listener for the local broker (tests and demos only).

Certificates are made with the ``openssl`` command line (no Python dependency): a CA and a
broker certificate for ``127.0.0.1`` / ``localhost``, packed in a PKCS12 keystore that the JVM
reads directly. Nothing here is meant for production key management.

    pki = make_pki(tmp / "pki")
    listeners, extra = sasl_ssl_listener(port, pki)
    broker = LocalBroker(home, free_port(), listeners=listeners, extra_config=extra,
                         scram_users={"stance": "s3cret"})
    # clients: STANCE_SECURITY_PROTOCOL=SASL_SSL STANCE_SSL_CAFILE=pki.ca_cert ...
"""
from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence


class TLSError(RuntimeError):
    pass


@dataclass(frozen=True)
class PKI:
    dir: Path
    ca_cert: Path  # PEM, give it to clients as STANCE_SSL_CAFILE
    ca_key: Path
    server_cert: Path  # PEM
    server_key: Path  # PEM (PKCS#8, unencrypted)
    keystore: Path  # PKCS12 with the server key and chain
    keystore_password: str


def _openssl(*args: str, cwd: Path) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise TLSError("the `openssl` command is needed to make test certificates")
    res = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    if res.returncode != 0:
        raise TLSError(f"openssl {' '.join(args[:2])} failed: {res.stderr.strip()}")


def make_pki(directory: Path, *, hosts: Sequence[str] = ("127.0.0.1", "localhost"), days: int = 2,
             password: str | None = None) -> PKI:
    """A CA and a server certificate signed by it for ``hosts`` (IPs and DNS names), plus a PKCS12 keystore."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    password = password or secrets.token_hex(12)
    san = ",".join((f"IP:{h}" if h.replace(".", "").isdigit() or ":" in h else f"DNS:{h}") for h in hosts)
    (d / "ca.ext").write_text(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
        "subjectKeyIdentifier=hash\n"
    )
    (d / "server.ext").write_text(
        f"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        f"extendedKeyUsage=serverAuth\nsubjectAltName={san}\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", str(days), "-subj", "/CN=Stance Stream test CA", "-sha256",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", f"/CN={hosts[0]}", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", str(days), "-sha256", "-extfile", "server.ext", cwd=d)
    _openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-certfile", "ca.pem",
             "-name", "kafka", "-out", "server.p12", "-passout", f"pass:{password}", cwd=d)
    for name in ("ca.key", "server.key", "server.p12"):
        (d / name).chmod(0o600)
    return PKI(dir=d, ca_cert=d / "ca.pem", ca_key=d / "ca.key", server_cert=d / "server.pem",
               server_key=d / "server.key", keystore=d / "server.p12", keystore_password=password)


def sasl_ssl_listener(port: int, pki: PKI, *, mechanisms: Sequence[str] = ("SCRAM-SHA-512",),
                      host: str = "127.0.0.1") -> tuple[list[str], dict[str, str]]:
    """``listeners`` and ``extra_config`` for :class:`stream.devtools.kafka_local.LocalBroker`: one SASL_SSL
    listener with SCRAM; the inter-broker and controller listeners stay PLAINTEXT on their own ports."""
    extra = {
        "sasl.enabled.mechanisms": ",".join(mechanisms),
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": str(pki.keystore),
        "ssl.keystore.password": pki.keystore_password,
        "ssl.key.password": pki.keystore_password,
        "ssl.client.auth": "none",
    }
    for mech in mechanisms:
        if mech.startswith("SCRAM-"):
            extra[f"listener.name.sasl_ssl.{mech.lower()}.sasl.jaas.config"] = (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            )
    return [f"SASL_SSL://{host}:{port}"], extra
