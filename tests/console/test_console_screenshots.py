"""Screenshots of the console in English and in Arabic at 1280x720, with a realistic exchange."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
# Screenshots go to an ignored folder; scripts/screenshots copies them into docs/.
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def test_screenshots_in_english_and_arabic(live, open_console):
    routine = live.post("usa-duty", precedence="ROUTINE", language="en", subject="Hourly line check 14:00",
                        body="Mediator's hourly test of the hotline. Acknowledge to confirm the line is staffed.")
    live.ack("isr-duty", routine["id"])
    live.ack("syr-duty", routine["id"])
    patrol = live.post("syr-duty", precedence="IMMEDIATE", language="ar", subject="تحرك دورية قرب القنيطرة",
                       body="دورية شرطة مدنية من ثلاث مركبات ستتحرك على الطريق باتجاه الشمال عند الساعة 14:30. "
                            "لا توجد قوات عسكرية مرافقة.")
    live.ack("usa-duty", patrol["id"])
    notice = live.post("isr-duty", precedence="PRIORITY", language="he", subject="פעילות מתוכננת ליד מג'דל שמס",
                       body="עבודות הנדסה בדרך הפטרולים מערבית לקו A.\nמ-261000Z NOV 26 עד 261400Z NOV 26.\n"
                            "זוהי הודעה בלבד, לא בקשת רשות.",
                       template={"code": "planned_activity", "fields": {
                           "activity": "עבודות הנדסה בדרך הפטרולים", "location": "Majdal Shams / مجدل شمس",
                           "start": "261000Z NOV 26", "end": "261400Z NOV 26"}})
    live.ack("syr-duty", notice["id"])
    flash = live.post("usa-duty", precedence="FLASH", language="en",
                      subject="Unidentified drone over the Area of Separation",
                      body="UNDOF reports an unidentified drone at 33.1256N 35.8236E heading east. "
                           "Each party: confirm or deny it is yours.")

    isr = open_console("isr-duty", lang="en")
    expect(isr.card(flash["id"])).to_be_visible()
    expect(isr.page.locator("body")).to_have_attribute("data-ringing", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    isr.page.screenshot(path=str(ARTIFACTS / "console-en.png"))

    syr = open_console("syr-duty", lang="ar")
    expect(syr.page.locator("html")).to_have_attribute("dir", "rtl")
    syr.card(flash["id"]).locator(".btn-ack").click()
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "false")
    syr.page.screenshot(path=str(ARTIFACTS / "console-ar.png"))
    assert (ARTIFACTS / "console-en.png").stat().st_size > 10_000
    assert (ARTIFACTS / "console-ar.png").stat().st_size > 10_000
