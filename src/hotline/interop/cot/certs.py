"""The deployment's own certificate authority for TAK clients, and the data packages a phone imports.

``hotline cot cert`` makes the CA once (``ca.pem``/``ca.key`` in the CoT folder, the key mode 0600),
a server certificate for the gateway, and one client certificate per device. The party is carried in
the client certificate's subject as the organizational unit (``OU=isr``): the gateway reads it from
the verified chain, never from what the client sends. A data package is the zip ATAK/iTAK/WinTAK
import: ``MANIFEST/manifest.xml``, the device's PKCS#12, the CA as a PKCS#12 trust store and a
``.pref`` file with the TLS connection.
"""

from __future__ import annotations

import io
import os
import secrets
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Issued", "ensure_ca", "issue_client", "issue_server", "data_package", "party_of"]

_DAYS = 365


@dataclass(frozen=True)
class Issued:
    cert_pem: bytes
    key_pem: bytes
    p12: bytes
    password: str


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def ensure_ca(folder: Path, name: str = "hotline") -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The CA in ``folder``, made on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "ca.pem", folder / "ca.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} TAK CA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=10 * _DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _issue(ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], subject: x509.Name, *, server: bool,
           hostnames: tuple[str, ...] = ()) -> Issued:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
         .not_valid_after(now + timedelta(days=_DAYS))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                               else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    if hostnames:
        import ipaddress

        names: list[x509.GeneralName] = []
        for h in hostnames:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(h)))
            except ValueError:
                names.append(x509.DNSName(h))
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = b.sign(ca_key, hashes.SHA256())
    password = secrets.token_urlsafe(12)
    p12 = pkcs12.serialize_key_and_certificates(
        subject.rfc4514_string().encode(), key, cert, [ca_cert],
        serialization.BestAvailableEncryption(password.encode()))
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key), p12, password)


def issue_client(ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], party: str, device: str) -> Issued:
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, party),
                         x509.NameAttribute(NameOID.COMMON_NAME, device)])
    return _issue(ca, subject, server=False)


def issue_server(ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], hostnames: tuple[str, ...]) -> Issued:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
    return _issue(ca, subject, server=True, hostnames=hostnames)


def party_of(peercert: dict[str, object] | None) -> str | None:
    """The party (OU) in a verified peer certificate as ``ssl.SSLObject.getpeercert()`` returns it."""
    if not peercert:
        return None
    for rdn in peercert.get("subject", ()):  # type: ignore[attr-defined]
        for key, value in rdn:
            if key == "organizationalUnitName":
                return str(value)
    return None


def data_package(ca_cert: x509.Certificate, issued: Issued, device: str, host: str, port: int) -> bytes:
    """A TAK data package (zip) a phone imports: its certificate, the trust store, the connection."""
    trust_pw = secrets.token_urlsafe(12)
    trust = pkcs12.serialize_key_and_certificates(b"hotline-ca", None, None, [ca_cert],
                                                  serialization.BestAvailableEncryption(trust_pw.encode()))

    def entry(key: str, cls: str, value: str) -> str:
        return f'<entry key={quoteattr(key)} class="class java.lang.{cls}">{escape(value)}</entry>'

    pref = ("<?xml version='1.0' encoding='ASCII' standalone='yes'?>\n<preferences>"
            '<preference version="1" name="cot_streams">'
            + entry("count", "Integer", "1") + entry("description0", "String", "hotline")
            + entry("enabled0", "Boolean", "true") + entry("connectString0", "String", f"{host}:{port}:ssl")
            + '</preference><preference version="1" name="com.atakmap.app_preferences">'
            + entry("displayServerConnectionWidget", "Boolean", "true")
            + entry("caLocation", "String", "cert/truststore.p12") + entry("caPassword", "String", trust_pw)
            + entry("certificateLocation", "String", f"cert/{device}.p12")
            + entry("clientPassword", "String", issued.password)
            + "</preference></preferences>\n")
    manifest = ('<MissionPackageManifest version="2"><Configuration>'
                f'<Parameter name="uid" value="{uuid.uuid4()}"/>'
                f'<Parameter name="name" value={quoteattr(f"hotline-{device}")}/>'
                '<Parameter name="onReceiveDelete" value="true"/></Configuration><Contents>'
                '<Content ignore="false" zipEntry="certs/hotline.pref"/>'
                '<Content ignore="false" zipEntry="certs/truststore.p12"/>'
                f'<Content ignore="false" zipEntry={quoteattr(f"certs/{device}.p12")}/>'
                "</Contents></MissionPackageManifest>\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("MANIFEST/manifest.xml", manifest)
        z.writestr("certs/hotline.pref", pref)
        z.writestr("certs/truststore.p12", trust)
        z.writestr(f"certs/{device}.p12", issued.p12)
    return buf.getvalue()
