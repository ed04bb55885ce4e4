"""Each page, served by `streamlit run` on the analyzed sample database, renders in a real
browser (Debian's Chromium via Playwright) with its content and without an error box.

Full-page screenshots go to build/screenshots/<page>.png for a person to look at.
Add a page with one line in PAGES: (URL path, text that must appear on it).
Chromium missing: skipped on a developer's machine, a failure in CI and under `make test`
(which installs it: `make browser`).
"""

import pytest

from tests.browser import SCREENSHOTS, full_page_screenshot, open_page, screenshot_name, sign_in, streamlit_errors

USER = "supervisor"   # reads every sample client (the demo accounts: tests/conftest.py)

PAGES = [
    ("/", "Today"),                                          # the default page
    ("/brief?client=c-0014", "Pre-session brief"),
    ("/explorer?client=c-0014", "Client explorer"),
    ("/database", "Interlude"),
    ("/brief?client=c-0003", "summaries only"),          # summary scope
]


@pytest.mark.parametrize(("url_path", "expected_text"), PAGES, ids=[p for p, _ in PAGES])
def test_page_renders_in_chromium(chromium_browser, app_url, url_path, expected_text):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    sign_in(context, app_url, USER)
    page = context.new_page()
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        try:
            open_page(page, app_url, url_path, expected_text)
        finally:  # also when the page never showed its text: the picture says why
            full_page_screenshot(page, SCREENSHOTS / f"{screenshot_name(url_path)}.png")
        assert streamlit_errors(page) == []
        assert page_errors == []
    finally:
        context.close()


MAX_PRINTED_PAGES = 2


@pytest.mark.parametrize("client_id", ["c-0014", "c-0003"])  # most risk flags; summary scope
def test_printable_brief_downloads_and_prints_on_two_pages(chromium_browser, app_url, client_id, tmp_path):
    """A therapist clicks 'Printable brief', opens the file and prints it: A4, at most two pages."""
    import re

    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    try:
        sign_in(context, app_url, USER)
        page = context.new_page()
        open_page(page, app_url, f"/brief?client={client_id}", "Worth exploring today")
        with page.expect_download() as download:
            page.get_by_text("Printable brief").click()
        saved = tmp_path / "brief.html"
        download.value.save_as(saved)
        html = saved.read_text(encoding="utf-8")
        assert "Pre-session brief" in html and "Risk flags" in html and "not diagnosis" in html
        printed = context.new_page()
        printed.goto(saved.as_uri())
        pdf = printed.pdf(prefer_css_page_size=True)
        (SCREENSHOTS / f"brief-{client_id}.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= MAX_PRINTED_PAGES, pages
    finally:
        context.close()
