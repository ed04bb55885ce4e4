"""Each page, served by `streamlit run` on the analyzed sample database, renders in a real
browser (Debian's Chromium via Playwright) with its content and without an error box.

Full-page screenshots go to build/screenshots/<page>.png for a person to look at.
Add a page with one line in PAGES: (URL path, text that must appear on it).
Chromium missing: skipped on a developer's machine, a failure in CI and under `make test`
(which installs it: `make browser`).
"""

import pytest

from tests.browser import SCREENSHOTS, full_page_screenshot, open_page, screenshot_name, streamlit_errors

PAGES = [
    ("/", "Today"),                                          # the default page
    ("/brief?client=c-0014", "Pre-session brief"),
    ("/explorer?client=c-0014", "Client explorer"),
    ("/database", "Interlude"),
]


@pytest.mark.parametrize(("url_path", "expected_text"), PAGES, ids=[p for p, _ in PAGES])
def test_page_renders_in_chromium(chromium_browser, app_url, url_path, expected_text):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
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
