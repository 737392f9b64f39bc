"""In Israel's console: an Arabic free-text message translated into Hebrew, drafted by a translator in
the translation queue, checked by a duty officer, certified by a supervisor; the timeline then shows
the original beside the certified translation, right to left. A screenshot goes to tests/artifacts/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import chromium
from hotline.testing import DEMO_PASSWORD, ServerProcess, login

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARABIC = "نقوم بدورية راجلة قرب القنيطرة من الساعة ١٤٠٠ حتى ١٦٠٠. لا نية لعبور الخط."
HEBREW = "אנו מבצעים סיור רגלי ליד קוניטרה משעה 1400 עד 1600. אין כוונה לחצות את הקו."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("translate")
    srv = ServerProcess(f"sqlite:///{tmp / 'hotline.db'}", log=tmp / "server.log", env={"HOTLINE_HEARTBEAT": "2"})
    preparing = threading.Thread(target=srv.prepare)  # its own event loop, outside Playwright's
    preparing.start()
    preparing.join()
    with srv.start():
        yield srv


def sign_in(browser, server: ServerProcess, username: str, lang: str):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": 1400, "height": 950}, locale="en-GB")
    context.add_init_script(f"localStorage.setItem('hotline.lang', '{lang}');")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.base_url + "/")
    page.fill("#login-username", username)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("body[data-connection='live']", timeout=15_000)
    return context, page, errors


def test_arabic_message_translated_into_hebrew_by_three_people_shown_side_by_side(server: ServerProcess) -> None:
    syr = login(server.base_url, "syr-duty")
    msg = syr.post("/api/v1/channels/joint/messages", json={
        "precedence": "IMMEDIATE", "subject": "دورية راجلة قرب القنيطرة", "body": ARABIC, "language": "ar"}).json()
    with chromium() as browser:
        ctx_tr, tr_page, tr_errors = sign_in(browser, server, "isr-translator", "he")
        tr_page.goto(server.base_url + "/#/translate")
        task = tr_page.locator(f'#tr-queue button[data-id="{msg["id"]}"]')
        expect(task).to_be_visible(timeout=10_000)
        task.click()
        expect(tr_page.locator("#tr-detail .tr-missing")).to_be_visible()  # "not translated yet"
        tr_page.fill("#tr-text", HEBREW)
        tr_page.click("#tr-save")
        expect(tr_page.locator("#tr-detail .tr-translation")).to_have_attribute("data-state", "draft")
        expect(tr_page.locator("#tr-check")).to_have_count(0)  # the drafter does not check their own draft

        translation_id = f"tr-isr-{msg['id']}"
        r = login(server.base_url, "isr-duty").post(f"/api/v1/translations/{translation_id}/check")
        assert r.status_code == 200 and r.json()["checked_by"] == "isr-duty"

        ctx_sup, sup_page, sup_errors = sign_in(browser, server, "isr-super", "he")
        sup_page.goto(server.base_url + "/#/translate")
        sup_page.locator(f'#tr-queue button[data-id="{msg["id"]}"]').click()
        expect(sup_page.locator("#tr-detail .tr-translation")).to_have_attribute("data-state", "checked")
        sup_page.click("#tr-certify")
        expect(sup_page.locator("#tr-detail .tr-translation")).to_have_attribute("data-state", "certified")
        expect(sup_page.locator(f'#tr-queue button[data-id="{msg["id"]}"]')).to_have_count(0)

        ctx_duty, page, errors = sign_in(browser, server, "isr-duty", "he")
        card = page.locator(f'article.msg[data-id="{msg["id"]}"]')
        card.locator(".btn-ack-pending").click()  # "received, translation pending"
        expect(card.locator(".btn-ack-pending")).to_have_count(0, timeout=10_000)
        panel = page.locator(f"#tr-panel-{msg['id']}")
        expect(panel.locator(".tr-translation")).to_have_attribute("data-state", "certified", timeout=10_000)
        expect(panel.locator(".tr-original .user-text").last).to_have_text(ARABIC)
        expect(panel.locator(".tr-translation .user-text")).to_have_text(HEBREW)
        expect(panel.locator(".tr-translation .user-text")).to_have_attribute("lang", "he")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        who = panel.locator(".tr-state").get_attribute("title") or ""
        assert "isr-translator" in who and "isr-duty" in who and "isr-super" in who
        # on the card the translation is one line until the reader opens it; then side by side
        expect(panel.locator("summary")).to_contain_text("מאושר")
        panel.locator("summary").click()
        expect(panel).to_have_attribute("open", "")
        boxes = [panel.locator(sel).bounding_box() for sel in (".tr-original", ".tr-translation")]
        assert boxes[0] and boxes[1] and abs(boxes[0]["y"] - boxes[1]["y"]) < 2
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(f'article.msg[data-id="{msg["id"]}"]').screenshot(path=str(ARTIFACTS / "translation-he.png"))
        page.screenshot(path=str(ARTIFACTS / "translation-console-he.png"))
        # the sender sees that Israel received it and its translation is pending
        ctx_syr, syr_page, syr_errors = sign_in(browser, server, "syr-duty", "ar")
        note = syr_page.locator(f'article.msg[data-id="{msg["id"]}"] .tr-pending-ack')
        expect(note).to_contain_text("إسرائيل", timeout=10_000)
        assert tr_errors == sup_errors == errors == syr_errors == []
        for c in (ctx_tr, ctx_sup, ctx_duty, ctx_syr):
            c.close()
