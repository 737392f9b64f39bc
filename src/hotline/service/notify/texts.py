"""The words of an escalation e-mail in the recipient's language (en, he, ar).

An e-mail carries the date-time group, the precedence, a one-line summary and a link to the console;
the message's text only where the policy allows it (``body = true``), since mail leaves the network
the hotline controls.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_email", "LANGUAGES"]

LANGUAGES = ("en", "he", "ar")

_T: dict[str, dict[str, str]] = {
    "en": {
        "subject": "[{precedence}] Not acknowledged: {summary}",
        "failed_subject": "[{precedence}] Escalation: {summary}",
        "lead": "Escalation step {step} of {steps}: {party} has not acknowledged this {kind} in time.",
        "channel": "Channel: {channel}",
        "posted": "Posted: {dtg} by {sender}",
        "precedence": "Precedence: {precedence}",
        "summary": "Summary: {summary}",
        "link": "Open it on the console: {link}",
        "body": "Text as sent:",
        "no_body": "The text is not sent by e-mail; read it on the console.",
        "message": "message",
        "finding": "finding",
        "incident": "incident",
    },
    "he": {
        "subject": "[{precedence}] לא אושרה קבלה: {summary}",
        "failed_subject": "[{precedence}] הסלמה: {summary}",
        "lead": "שלב הסלמה {step} מתוך {steps}: {party} לא אישר/ה קבלת {kind} זו בזמן.",
        "channel": "ערוץ: {channel}",
        "posted": "נשלחה: {dtg} על ידי {sender}",
        "precedence": "קדימות: {precedence}",
        "summary": "תקציר: {summary}",
        "link": "פתחו במסוף: {link}",
        "body": "הטקסט כפי שנשלח:",
        "no_body": "הטקסט אינו נשלח בדואר אלקטרוני; קראו אותו במסוף.",
        "message": "הודעה",
        "finding": "ממצא",
        "incident": "אירוע",
    },
    "ar": {
        "subject": "[{precedence}] لم يُؤكَّد الاستلام: {summary}",
        "failed_subject": "[{precedence}] تصعيد: {summary}",
        "lead": "خطوة التصعيد {step} من {steps}: لم يؤكد {party} استلام هذا {kind} في الوقت المحدد.",
        "channel": "القناة: {channel}",
        "posted": "أُرسلت: {dtg} من {sender}",
        "precedence": "الأسبقية: {precedence}",
        "summary": "الملخص: {summary}",
        "link": "افتحها في وحدة التحكم: {link}",
        "body": "النص كما أُرسل:",
        "no_body": "لا يُرسل النص بالبريد الإلكتروني؛ اقرأه في وحدة التحكم.",
        "message": "الرسالة",
        "finding": "النتيجة",
        "incident": "الحادث",
    },
}


def render_email(language: str, facts: dict[str, Any], *, body: str | None) -> tuple[str, str]:
    """The subject and the plain text of one escalation e-mail. ``facts`` holds precedence, summary,
    step, steps, party, kind, channel, dtg, sender and link, already in ``language`` where they are names."""
    t = _T.get(language, _T["en"])
    f = {**facts, "kind": t.get(facts.get("kind", "message"), facts.get("kind", ""))}
    # A subject is one line: a summary with a line break must not forge headers or a second line.
    summary = " ".join(str(f.get("summary", "")).split())[:150]
    f["summary"] = summary
    subject = t["subject"].format(**f)
    lines = [t["lead"].format(**f), "", t["precedence"].format(**f), t["summary"].format(**f),
             t["channel"].format(**f), t["posted"].format(**f), "", t["link"].format(**f), ""]
    if body is not None:
        lines += [t["body"], body]
    else:
        lines.append(t["no_body"])
    return subject, "\n".join(lines) + "\n"
