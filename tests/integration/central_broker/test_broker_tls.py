"""The production configuration on a real Mosquitto: mutual TLS, the certificate's name is
the user name, the ACL keeps each terminal in its subtree, the fleet manager reads all."""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from paho.mqtt.client import Client
from paho.mqtt.enums import CallbackAPIVersion

from central_broker.config import TlsSettings, fleet_acl, production_config
from central_broker.runner import RunningBroker, start_broker
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from fleet_manager.status import Status
from kiosk_terminal.agent import AgentOptions, TerminalAgent, TlsClientOptions
from protocol.codec import encode
from protocol.messages import EventKind, Presence, TerminalState
from protocol.topics import TerminalChannel, Topics
from sijill.ports import free_port

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Identity:
    cert: Path
    key: Path


def _issue(
    folder: Path,
    name: str,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    server: bool = False,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Identity]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_cert, issuer_key = ca if ca else (None, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca is None, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    cert = builder.sign(issuer_key, hashes.SHA256())
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key, Identity(cert_path, key_path)


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Identity]:
    ca_cert, ca_key, ca = _issue(tmp_path, "device-ca", None)
    out = {"ca": ca}
    _, _, out["broker"] = _issue(tmp_path, "broker", (ca_cert, ca_key), server=True)
    for name in ("kiosk-t1", "kiosk-t2", "fleet"):
        _, _, out[name] = _issue(tmp_path, name, (ca_cert, ca_key))
    return out


@pytest.fixture
def tls_broker(
    tmp_path: Path, pki: dict[str, Identity], topic_root: str
) -> Iterator[RunningBroker]:
    acl = tmp_path / "sijill.acl"
    acl.write_text(fleet_acl(("fleet",), root=topic_root))
    config = production_config(
        tmp_path / "data",
        TlsSettings(pki["ca"].cert, pki["broker"].cert, pki["broker"].key),
        acl,
        port=free_port(),
        address="127.0.0.1",
    )
    broker = start_broker(config, tmp_path / "broker")
    try:
        yield broker
    finally:
        broker.stop()


def _agent(broker: RunningBroker, root: str, pki: dict[str, Identity], tid: str) -> TerminalAgent:
    return TerminalAgent(
        AgentOptions(
            terminal_id=tid,
            office="MK01",
            host="127.0.0.1",
            port=broker.port,
            topic_root=root,
            telemetry_interval_s=1,
            tls=TlsClientOptions(pki["ca"].cert, pki[tid].cert, pki[tid].key),
        )
    )


def test_mutual_tls_identity_and_acl(
    tls_broker: RunningBroker, pki: dict[str, Identity], topic_root: str, tmp_path: Path
) -> None:
    service = FleetService.build(
        FleetSettings(
            data_dir=tmp_path,
            mqtt_port=tls_broker.port,
            mqtt_cafile=pki["ca"].cert,
            mqtt_certfile=pki["fleet"].cert,
            mqtt_keyfile=pki["fleet"].key,
            topic_root=topic_root,
            office_hours="always",
        )
    )
    service.start()
    t1 = _agent(tls_broker, topic_root, pki, "kiosk-t1")
    t2 = _agent(tls_broker, topic_root, pki, "kiosk-t2")
    try:
        assert service.runtime.wait_connected(15)
        t1.start()
        t2.start()
        assert t1.wait_connected(15)
        assert t2.wait_connected(15)
        live = service.runtime.live
        end = time.monotonic() + 15
        while not ("kiosk-t1" in live and live["kiosk-t1"].status is Status.ONLINE):
            assert time.monotonic() < end, "kiosk-t1 never seen online over TLS"
            time.sleep(0.05)
        # kiosk-t2, authenticated by its own certificate, tries to speak for kiosk-t1.
        forged = TerminalState(terminal_id="kiosk-t1", presence=Presence.OFFLINE)
        topics = Topics(topic_root)
        t2.client.publish(
            topics.terminal("kiosk-t1", TerminalChannel.STATE), encode(forged), qos=1
        ).wait_for_publish(10)
        t2.publish_event(EventKind.ERROR)
        time.sleep(1.5)
        assert live["kiosk-t1"].status is Status.ONLINE
        assert service.runtime.counters.dropped.total() == 0
        assert service.runtime.counters.received["Event"] == 1  # its own event got through
        # A client with the right CA but no certificate of its own never gets in.
        stranger = Client(CallbackAPIVersion.VERSION2, client_id="stranger")
        stranger.tls_set(ca_certs=str(pki["ca"].cert))
        try:
            stranger.connect("127.0.0.1", tls_broker.port, keepalive=5)
            stranger.loop_start()
            time.sleep(2)
            assert not stranger.is_connected()
            stranger.loop_stop()
        except (OSError, ssl.SSLError):
            pass  # refused during the handshake: just as good
    finally:
        t1.stop()
        t2.stop()
        service.stop()
