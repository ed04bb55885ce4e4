"""Risk-flag review and the practice overview in a real browser (Debian's Chromium, Playwright),
on their own `streamlit run` server over a copy of the analyzed sample (a review writes to it).

Screenshots for a person to judge: build/screenshots/brief-reviewed-flag.png and
practice-overview.png. Chromium missing: skipped here, a failure in CI and under `make test`.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import SCREENSHOTS, StreamlitServer, full_page_screenshot, open_page, settle, sign_in, streamlit_errors
from tests.conftest import server_copy

CLIENT = "c-0014"   # okafor's, planted urgent statements


@pytest.fixture(scope="module")
def review_app_url(sample_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("streamlit-review")
    with StreamlitServer(server_copy(sample_db_path, folder), folder / "streamlit.log") as server:
        yield server.url


def test_a_therapist_reviews_a_flag_and_it_stays_marked_reviewed(chromium_browser, review_app_url):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        sign_in(context, review_app_url, "okafor")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_page(page, review_app_url, f"/brief?client={CLIENT}", "Risk flags")
        main = page.locator('[data-testid="stMain"]')
        flags_before = main.get_by_text(re.compile(r"^(URGENT|WATCH)$")).count()
        unreviewed_before = main.get_by_text("not reviewed yet", exact=True).count()
        main.get_by_text("Mark as reviewed").first.click()
        form = main.locator('[data-testid="stForm"]').first
        form.get_by_text("Safety plan", exact=True).click()
        form.get_by_role("textbox").fill("Made a safety plan together; GP informed")
        form.get_by_role("button", name="Save review").click()
        main.get_by_text("Review saved").wait_for(state="visible", timeout=60_000)
        settle(page)
        reviewed = main.get_by_text(re.compile(r"Reviewed by okafor on \d+ \w+, safety plan"))
        reviewed.first.wait_for(state="visible", timeout=30_000)
        assert reviewed.count() == 1
        assert main.get_by_text("Note: Made a safety plan together; GP informed").count() == 1
        assert main.get_by_text(re.compile(r"^(URGENT|WATCH)$")).count() == flags_before   # never hidden
        assert main.get_by_text("not reviewed yet", exact=True).count() == unreviewed_before - 1
        full_page_screenshot(page, SCREENSHOTS / "brief-reviewed-flag.png")
        assert streamlit_errors(page) == [] and errors == []
    finally:
        context.close()


def test_the_practice_overview_renders_for_an_admin_without_a_client_in_it(chromium_browser, review_app_url):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        sign_in(context, review_app_url, "admin")
        page = context.new_page()
        open_page(page, review_app_url, "/overview", "Clients by clinician")
        full_page_screenshot(page, SCREENSHOTS / "practice-overview.png")
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "<11" in text and not re.search(r"\bc-\d{4}\b", text)
        assert streamlit_errors(page) == []
    finally:
        context.close()
