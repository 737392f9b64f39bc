"""Escalation e-mails over SMTP (aiosmtplib): STARTTLS or implicit TLS and auth as the deployment sets.

One call sends one e-mail to one address and raises on any refusal or timeout; retrying and logging
are the dispatcher's.
"""

from __future__ import annotations

from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib

from .settings import NotifySettings

__all__ = ["send_email", "build_email"]


class _Policy(EmailPolicy):
    """Folds a Hebrew or Arabic subject itself: the standard folder leaves the space between two encoded
    words outside both, where every reader drops it (RFC 2047), so words of the subject ran together.
    The subject is stored pre-folded in encoded words that keep their spaces inside; lines stay short
    enough that no policy (aiosmtplib sends with its own) folds them again."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if name.lower() == "subject" and isinstance(value, str) and not value.isascii():
            return name, Header(value, "utf-8", header_name=name).encode()
        return super().header_store_parse(name, value)


_POLICY = _Policy()


def build_email(s: NotifySettings, to: str, subject: str, text: str, *, language: str,
                delivery_id: str) -> EmailMessage:
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = s.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=s.smtp_from.rpartition("@")[2] or "hotline")
    # Lets a receiving system drop the duplicate of a retry that had in fact arrived.
    msg["Hotline-Delivery-Id"] = delivery_id
    msg.set_content(text, charset="utf-8")
    msg["Content-Language"] = language  # after set_content, which replaces every Content-* header
    return msg


async def send_email(s: NotifySettings, msg: EmailMessage) -> str:
    """Hand the e-mail to the SMTP server; returns its answer. Raises if it refuses or does not answer."""
    if not s.smtp_host:
        raise RuntimeError("no SMTP server is configured (HOTLINE_SMTP_HOST)")
    _responses, answer = await aiosmtplib.send(
        msg, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_user or None,
        password=s.smtp_password or None, use_tls=s.smtp_tls == "tls",
        start_tls=True if s.smtp_tls == "starttls" else False, timeout=s.smtp_timeout_s,
        cert_bundle=s.smtp_ca_file or None)
    return answer
