"""Last round's answers as suggestions, in the Agents Playground's own page: an unchanged
area is finished with two presses on the rendered cards, and each answer says where it came
from."""

from __future__ import annotations

import pytest

from bot.bootstrap import open_storage
from dialogs import texts
from storage.domain.forslag import Kilde
from storage.domain.model import Anvendelse
from storage.domain.suggestions import SourceSystem
from tests.e2e import stored
from tests.e2e.conftest import ANNE, StartStack
from tests.e2e.test_browser import LOCAL_ONLY, _last_card, _plain, _say, _shows, browser

try:
    from playwright.async_api import Browser, Locator, Page, expect
except ImportError:  # pragma: no cover - the test extras install it; `browser` skips or fails
    expect = None  # type: ignore[assignment]

__all__ = ["browser"]  # the fixture, shared with the survey's browser test

pytestmark = pytest.mark.e2e

LAST_ROUND = {
    "WorkZone": (Anvendelse.ANVENDER, "hovedsystem"),
    "Acadre": (Anvendelse.ANVENDER_IKKE, None),
    "SBSYS": (Anvendelse.ANVENDER_IKKE, None),
    "F2": (Anvendelse.SEKUNDAER, None),
}


async def test_an_unchanged_area_is_confirmed_and_submitted_with_two_presses(
    start_stack: StartStack, browser: Browser
) -> None:
    stack = await start_stack(acting_as=ANNE)
    assert stack.demo is not None
    esdh = stack.demo.fagomraader["ESDH"]
    async with open_storage(stack.database_url, migrate=False) as storage:
        this_round = await storage.rounds.this_round(stack.tenant.tenant_id)
        sources = [
            SourceSystem(navn, fagomraade="ESDH", anvendelse=anvendelse, bemaerkning=note)
            for navn, (anvendelse, note) in LAST_ROUND.items()
        ]
        await storage.forslag.replace(
            stack.tenant.tenant_id, Kilde.SIDSTE_RUNDE, this_round.match(sources)
        )

    page = await browser.new_page(viewport={"width": 1280, "height": 960}, locale="da-DK")
    await page.route(LOCAL_ONLY, lambda route: route.abort())
    try:
        await page.goto(stack.url, wait_until="domcontentloaded")
        await _shows(page, _plain(texts.WELCOME.split("\n")[0]))
        await _say(page, "fortsæt")
        await _card_with(page, texts.MINE_TITLE)
        await _last_card(page).get_by_role("button", name=texts.START_AREA).first.click()

        first = await _card_with(page, "WorkZone")
        await expect(first).to_contain_text("Sidste runde")
        await expect(first).to_contain_text("hovedsystem")
        await page.screenshot(path=stack.artifacts / "forslag-system-card.png")
        await first.get_by_role("button", name=texts.BEKRAEFT_ALLE_SIDSTE_RUNDE).click()  # 1

        summary = await _card_with(page, texts.SUBMIT)
        await page.screenshot(path=stack.artifacts / "forslag-summary.png")
        await summary.get_by_role("button", name=texts.SUBMIT, exact=True).click()  # 2
        await _shows(page, _plain(texts.submitted(fagomraade="ESDH", besvaret=4, antal=4)))
    finally:
        await page.screenshot(path=stack.artifacts / "last.png")
        await page.close()

    assert await stored.answers(stack.database_url, esdh.id) == {
        navn: (anvendelse, note, ANNE) for navn, (anvendelse, note) in LAST_ROUND.items()
    }
    assert await stored.answer_sources(stack.database_url, esdh.id) == dict.fromkeys(
        LAST_ROUND, Kilde.SIDSTE_RUNDE.value
    )
    assert await stored.is_submitted(stack.database_url, esdh.id)


async def _card_with(page: Page, text: str) -> Locator:
    """The newest card, once it shows the text."""
    card = _last_card(page)
    await expect(card).to_contain_text(text)
    return card
