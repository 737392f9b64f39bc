"""E-mail over STARTTLS with authentication, against a real aiosmtpd server on loopback that requires
both; the server's certificate is checked against the CA the deployment names."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hotline.service.notify.email import build_email, send_email
from hotline.service.notify.settings import NotifySettings
from hotline.service.notify.texts import render_email
from hotline.testing import free_port

from .receivers import Mailbox

pytestmark = pytest.mark.anyio


def self_signed(folder: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Mailbox, int, str, list[str]]]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(_server, _session, _envelope, _mechanism, data):  # noqa: ANN001, ANN202
        ok = isinstance(data, LoginPassword) and data.login == b"hotline" and data.password == b"s3cret-pass"
        if ok:
            logins.append(data.login.decode())
        return AuthResult(success=ok)

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        yield box, port, cert, logins
    finally:
        controller.stop()


def settings(port: int, ca: str, password: str = "s3cret-pass") -> NotifySettings:  # noqa: S107 (the test server's)
    return NotifySettings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="starttls", smtp_user="hotline",
                          smtp_password=password, smtp_ca_file=ca, smtp_timeout_s=5)


def mail(s: NotifySettings):  # noqa: ANN201
    facts = {"precedence": "FLASH", "summary": "Drone\nBcc: evil@x", "step": 2, "steps": 3, "party": "ישראל",
             "kind": "message", "sender": "סוריה", "channel": "הקו המשותף", "dtg": "251930Z NOV 26",
             "link": "https://hotline.example/#timeline"}
    subject, text = render_email("he", facts, body=None)
    return build_email(s, "isr-super@isr.example", subject, text, language="he", delivery_id="1:x:email:0")


async def test_starttls_and_auth_deliver_a_hebrew_mail(tls_server) -> None:  # noqa: ANN001
    box, port, ca, logins = tls_server
    s = settings(port, ca)
    await send_email(s, mail(s))
    received = box.wait(1)
    assert logins == ["hotline"] and len(received) == 1
    assert received[0]["Subject"] == "[FLASH] לא אושרה קבלה: Drone Bcc: evil@x"  # one line: no forged header
    assert received[0]["Bcc"] is None and received[0]["Content-Language"] == "he"
    assert "הטקסט אינו נשלח בדואר אלקטרוני" in received[0].get_content()


async def test_a_wrong_password_or_an_unknown_certificate_is_an_error(tls_server, tmp_path: Path) -> None:  # noqa: ANN001
    box, port, ca, _ = tls_server
    # aiosmtpd answers a failed login slowly (or not before our timeout): either way it is an error
    with pytest.raises(Exception, match="(?i)auth|535|timed out"):
        await send_email(settings(port, ca, "wrong"), mail(settings(port, ca)))
    (tmp_path / "other").mkdir()
    other_ca, _ = self_signed(tmp_path / "other")  # a CA that did not sign the server's certificate
    with pytest.raises(Exception, match="(?i)certificate|ssl"):
        await send_email(settings(port, other_ca), mail(settings(port, ca)))
    assert box.messages == []
