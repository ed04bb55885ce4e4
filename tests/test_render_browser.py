"""In Chromium, a hostile client's pages request nothing outside the app and link nowhere
outside it: no remote image (a beacon telling an outsider when a clinician opens that
client), no outside link, on Today, the brief, the explorer and the printable brief."""

from __future__ import annotations

import re

import pytest

from tests.browser import SCREENSHOTS, full_page_screenshot, open_page, streamlit_errors
from tests.conftest import HOSTILE_CLIENT, HOSTILE_HOST

PAGES = [("/", "Today"), (f"/brief?client={HOSTILE_CLIENT}", "Worth exploring today"),
         (f"/explorer?client={HOSTILE_CLIENT}", "Client explorer")]
OUTSIDE_ELEMENTS = """base => [...document.querySelectorAll('a[href], img[src], link[href], iframe[src], image')]
    .map(el => el.href?.baseVal ?? el.href ?? el.src)
    .filter(url => url && !url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')
                   && !url.startsWith('about:'))"""


def outside(urls: list[str], base: str) -> list[str]:
    return [u for u in urls if not (u.startswith(base) or u.startswith(("data:", "blob:", "about:")))]


def visit(context, base: str, url_path: str, expected: str) -> tuple[list[str], list[str], object]:
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    open_page(page, base, url_path, expected)
    return requests, page.evaluate(OUTSIDE_ELEMENTS, base), page


@pytest.mark.parametrize(("url_path", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_a_hostile_client_makes_no_page_reach_outside_the_app(chromium_browser, hostile_app_url, url_path,
                                                              expected):
    from tests.browser import sign_in

    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        sign_in(context, hostile_app_url, "rivera")
        requests, elements, page = visit(context, hostile_app_url, url_path, expected)
        if "explorer" in url_path:   # every tab drawn, the reader open
            for tab in ("Themes over time", "Search their words", "Conversations"):
                page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(500)
            elements = page.evaluate(OUTSIDE_ELEMENTS, hostile_app_url)
        full_page_screenshot(page, SCREENSHOTS / f"hostile-{re.sub(r'[^a-z0-9]+', '-', url_path).strip('-') or 'home'}.png")
        assert outside(requests, hostile_app_url) == [], outside(requests, hostile_app_url)
        assert elements == [], elements
        assert HOSTILE_HOST in page.inner_text('[data-testid="stMain"]').replace("\u2060", "")  # shown as text
        assert streamlit_errors(page) == []
    finally:
        context.close()


def test_the_printable_brief_of_a_hostile_client_fetches_nothing(chromium_browser, hostile_app_url, tmp_path):
    from tests.browser import sign_in

    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    try:
        sign_in(context, hostile_app_url, "rivera")
        _, _, page = visit(context, hostile_app_url, f"/brief?client={HOSTILE_CLIENT}", "Worth exploring today")
        with page.expect_download() as download:
            page.get_by_text("Printable brief").click()
        saved = tmp_path / "brief.html"
        download.value.save_as(saved)
        printed = context.new_page()
        requests: list[str] = []
        printed.on("request", lambda request: requests.append(request.url))
        printed.goto(saved.as_uri())
        printed.pdf(prefer_css_page_size=True)
        assert [u for u in requests if not u.startswith("file:")] == []
        assert printed.evaluate(OUTSIDE_ELEMENTS, saved.as_uri()) == []
        assert HOSTILE_HOST in printed.inner_text("body").replace("\u2060", "")
    finally:
        context.close()
