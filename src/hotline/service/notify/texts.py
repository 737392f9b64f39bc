"""The words of an escalation e-mail in the recipient's language (en, he, ar).

An e-mail carries the date-time group, the precedence, a one-line summary and a link to the console;
the message's text only where the policy allows it (``body = true``), since mail leaves the network
the hotline controls.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_email", "LANGUAGES", "word"]

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
        "subject_linktest": "[{precedence}] Link test not answered: {summary}",
        "lead_linktest": "Escalation step {step} of {steps}: {party} did not answer a link test in time.",
        "subject_desk": "[{precedence}] Desk not staffed: {summary}",
        "lead_desk": "Escalation step {step} of {steps}: a desk of {party} is not staffed during a planned shift.",
        "linktest": "link test",
        "desk": "desk",
        "status.unattended": "unattended",
        "status.unmanned": "unmanned",
        "status.manned": "manned",
        "category.airspace_violation": "Airspace violation",
        "category.exchange_of_fire": "Exchange of fire",
        "category.line_crossing": "Crossing of the line",
        "category.uav_sighting": "UAV sighting",
        "category.civilian_detention": "Detention of civilians",
        "category.property_damage": "Damage to property or crops",
        "category.mine_uxo": "Mine or unexploded ordnance",
        "category.other": "Other",
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
        "subject_linktest": "[{precedence}] בדיקת קשר לא נענתה: {summary}",
        "lead_linktest": "שלב הסלמה {step} מתוך {steps}: {party} לא ענה/תה לבדיקת קשר בזמן.",
        "subject_desk": "[{precedence}] עמדה לא מאוישת: {summary}",
        "lead_desk": "שלב הסלמה {step} מתוך {steps}: עמדה של {party} אינה מאוישת במשמרת מתוכננת.",
        "linktest": "בדיקת קשר",
        "desk": "עמדה",
        "status.unattended": "ללא מענה",
        "status.unmanned": "לא מאוישת",
        "status.manned": "מאוישת",
        "category.airspace_violation": "הפרת מרחב אווירי",
        "category.exchange_of_fire": "חילופי אש",
        "category.line_crossing": "חציית הקו",
        "category.uav_sighting": "תצפית על כלי טיס בלתי מאויש",
        "category.civilian_detention": "מעצר אזרחים",
        "category.property_damage": "נזק לרכוש או לגידולים",
        "category.mine_uxo": "מוקש או תחמושת שלא התפוצצה",
        "category.other": "אחר",
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
        "subject_linktest": "[{precedence}] لم يُجَب على اختبار الاتصال: {summary}",
        "lead_linktest": "خطوة التصعيد {step} من {steps}: لم يُجب {party} على اختبار الاتصال في الوقت المحدد.",
        "subject_desk": "[{precedence}] مكتب غير مأهول: {summary}",
        "lead_desk": "خطوة التصعيد {step} من {steps}: مكتب تابع لـ{party} غير مأهول خلال مناوبة مخططة.",
        "linktest": "اختبار الاتصال",
        "desk": "المكتب",
        "status.unattended": "بلا استجابة",
        "status.unmanned": "غير مأهول",
        "status.manned": "مأهول",
        "category.airspace_violation": "انتهاك المجال الجوي",
        "category.exchange_of_fire": "تبادل إطلاق النار",
        "category.line_crossing": "عبور الخط",
        "category.uav_sighting": "رصد طائرة مسيّرة",
        "category.civilian_detention": "احتجاز مدنيين",
        "category.property_damage": "أضرار بالممتلكات أو المحاصيل",
        "category.mine_uxo": "لغم أو ذخيرة غير منفجرة",
        "category.other": "أخرى",
    },
}


def word(language: str, key: str) -> str:
    """One catalog word (a status, an incident category) in ``language``; the key itself if unknown."""
    return _T.get(language, _T["en"]).get(key) or _T["en"].get(key) or key.rsplit(".", 1)[-1]


def render_email(language: str, facts: dict[str, Any], *, body: str | None) -> tuple[str, str]:
    """The subject and the plain text of one escalation e-mail. ``facts`` holds precedence, summary,
    step, steps, party, kind, channel, dtg, sender and link, already in ``language`` where they are names."""
    t = _T.get(language, _T["en"])
    f = {**facts, "kind": t.get(facts.get("kind", "message"), facts.get("kind", ""))}
    # A subject is one line: a summary with a line break must not forge headers or a second line.
    summary = " ".join(str(f.get("summary", "")).split())[:150]
    f["summary"] = summary
    # A link test or an empty desk is not an acknowledgement missed: those have their own words.
    kind = facts.get("kind", "message")
    subject = t.get(f"subject_{kind}", t["subject"]).format(**f)
    lines = [t.get(f"lead_{kind}", t["lead"]).format(**f), "", t["precedence"].format(**f), t["summary"].format(**f),
             t["channel"].format(**f), t["posted"].format(**f), "", t["link"].format(**f), ""]
    if body is not None:
        lines += [t["body"], body]
    else:
        lines.append(t["no_body"])
    return subject, "\n".join(lines) + "\n"
