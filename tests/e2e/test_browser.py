"""A systemejer answers in the Agents Playground's own page, in headless Debian Chromium.

Playwright drives the system's Chromium (never a downloaded browser). The page has no test
ids and hashed class names, so it is read the way a person reads it: by role and text.
Everything not on this machine (the page's CDN fonts and scripts) is blocked, so the test
behaves the same offline.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs import texts
from storage.domain.model import Anvendelse
from tests.e2e import stored
from tests.e2e.chat import Chat, Shown, button_data
from tests.e2e.conftest import ANNE, ARTIFACTS, StartStack
from tests.support.databases import skip_or_fail

try:
    from playwright.async_api import Browser, Locator, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the test extras install it
    async_playwright = None  # type: ignore[assignment]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_ONLY = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])")
"""Every URL that is not on this machine."""
SCREENSHOT = ARTIFACTS / "playground-survey.png"
"""The README's picture of a survey in progress; `make screenshot` copies it to docs/."""

pytestmark = pytest.mark.e2e


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if async_playwright is None:
        skip_or_fail("Playwright for Python is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield launched
        await launched.close()


async def test_a_systemejer_answers_with_the_rendered_buttons_and_the_form(
    start_stack: StartStack, browser: Browser
) -> None:
    stack = await start_stack(acting_as=ANNE)
    assert stack.demo is not None
    esdh, skole = stack.demo.fagomraader["ESDH"], stack.demo.fagomraader["Skole"]
    page = await browser.new_page(viewport={"width": 1280, "height": 960}, locale="da-DK")
    await page.route(LOCAL_ONLY, lambda route: route.abort())
    try:
        await page.goto(stack.url, wait_until="domcontentloaded")
        # Opening the page installs the app in the personal chat, as Teams does.
        await _shows(page, _plain(texts.WELCOME.split("\n")[0]))

        async with stack.chat() as chat:
            await _say(page, "fortsæt")
            await expect(_last_card(page)).to_contain_text(texts.MINE_TITLE)
            await _last_card(page).get_by_role("button", name=texts.START_AREA).first.click()

            for system, label, anvendelse in [
                ("WorkZone", "Anvender", Anvendelse.ANVENDER),
                ("Acadre", "Anvender ikke", Anvendelse.ANVENDER_IKKE),
                ("SBSYS", "Sekundær anvendelse", Anvendelse.SEKUNDAER),
            ]:
                card = _last_card(page)
                await expect(card).to_contain_text(system)
                if system == "SBSYS":
                    await page.screenshot(path=SCREENSHOT)
                if system == "Acadre":
                    await card.get_by_placeholder(texts.BEMAERKNING).fill("udfases 2026")
                await card.get_by_role("button", name=label, exact=True).click()
                remark = "udfases 2026" if system == "Acadre" else None
                await _shows(
                    page,
                    texts.answer_saved(system=system, anvendelse=anvendelse, bemaerkning=remark),
                )
            await expect(_last_card(page)).to_contain_text("F2")

            # `mine` offers the form for every open area; Skole's is the second.
            await chat.say("mine")
            mine = await _mine_card(chat)
            await chat.submit(
                mine.message_id,
                button_data(mine.card or {}, texts.FORM_SHORT, fagomraade_id=skole.id),
            )

        form = _last_card(page)
        await expect(form).to_contain_text(texts.form_title(fagomraade="Skole", side=1, sider=1))
        for system, label in [
            ("Aula", "Anvender"),
            ("KMD Elev", "Anvender ikke"),
            ("Meebook", "Sekundær anvendelse"),
        ]:
            await form.get_by_role("combobox", name=re.compile(f"^{re.escape(system)} ")).click()
            await page.get_by_role("option", name=label, exact=True).click()
        await page.screenshot(path=stack.artifacts / "form-filled.png")
        await form.get_by_role("button", name=texts.FORM_SAVE_LAST).click()
        # The saved page is updated in place; the summary with Indsend follows.
        await _shows(page, _plain(texts.form_saved(gemt=3, side=1, sider=1)))
        await expect(_last_card(page)).to_contain_text(texts.SUMMARY_ADD_QUESTION)
        await page.screenshot(path=stack.artifacts / "form-saved.png")
    finally:
        await page.screenshot(path=stack.artifacts / "last.png")
        await page.close()

    assert await stored.answers(stack.database_url, esdh.id) == {
        "WorkZone": (Anvendelse.ANVENDER, None, ANNE),
        "Acadre": (Anvendelse.ANVENDER_IKKE, "udfases 2026", ANNE),
        "SBSYS": (Anvendelse.SEKUNDAER, None, ANNE),
    }
    assert await stored.answers(stack.database_url, skole.id) == {
        "Aula": (Anvendelse.ANVENDER, None, ANNE),
        "KMD Elev": (Anvendelse.ANVENDER_IKKE, None, ANNE),
        "Meebook": (Anvendelse.SEKUNDAER, None, ANNE),
    }


def _last_card(page: Page) -> Locator:
    return page.locator(".ac-adaptiveCard").last


async def _say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox")
    await box.click()
    await box.fill(text)
    await page.get_by_role("button", name="Send Message").click()


async def _shows(page: Page, text: str) -> None:
    """The text is on the page, as a chat message or in a card."""
    await expect(page.get_by_text(text, exact=False).last).to_be_visible()


def _plain(markdown: str) -> str:
    """What the page shows of a text with Markdown emphasis."""
    return markdown.replace("**", "").replace("*", "")


async def _mine_card(chat: Chat) -> Shown:
    """The card `mine` answered with. The stream also holds the survey's earlier cards and
    their in-place updates, and on a busy machine the answer may come after a quiet spell."""
    for _ in range(30):  # each drain ends after 0.3 s without news
        for shown in reversed(await chat.drain()):
            if shown.card is not None and texts.MINE_TITLE in shown.card_text:
                return shown
    raise AssertionError("no answer to 'mine' with its card")
