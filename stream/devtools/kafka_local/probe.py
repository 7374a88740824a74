"""A readiness probe that speaks the Kafka protocol itself (ApiVersions, then Metadata), and free ports."""
from __future__ import annotations

import socket
import struct

from stream.devtools.kafka_local.jars import KafkaLocalError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]



def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0



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
