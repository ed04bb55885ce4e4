"""Real-browser testing: the app under `streamlit run` on a free localhost port, driven in
Debian's Chromium (/usr/bin/chromium, `make browser`) by Python Playwright.

Playwright's own browser download cannot work on our machines, so nothing here asks for it.
The fixtures that use this live in tests/conftest.py (`app_url`, `chromium_browser`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
SCREENSHOTS = ROOT / "build" / "screenshots"

CHROMIUM_ENV = "INTERLUDE_CHROMIUM"          # another Chromium binary than /usr/bin/chromium
REQUIRE_ENV = "INTERLUDE_REQUIRE_BROWSER"    # set by `make test`: a missing browser fails, never skips
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    """$INTERLUDE_CHROMIUM, else /usr/bin/chromium, else `chromium` on PATH; None if none runs."""
    explicit = os.environ.get(CHROMIUM_ENV)
    candidates = [explicit] if explicit else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def browser_required() -> bool:
    """In CI (CI set) and under `make test`, which installs Chromium first, the browser test must run."""
    return any(os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
               for name in ("CI", REQUIRE_ENV))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """`streamlit run dashboard/app.py`, headless, on 127.0.0.1, showing the database at `db_path`."""

    def __init__(self, db_path: Path, log_path: Path, startup_timeout: float = 90):
        self.db_path, self.log_path, self.startup_timeout = Path(db_path), Path(log_path), startup_timeout
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StreamlitServer:
        for _attempt in range(3):   # another process may take the free port before Streamlit binds it
            self.port = free_port()
            # "Today" is the sample's last day of data, as under `make run`: the same pages every day.
            env = {"INTERLUDE_TODAY": "latest-data", **os.environ, "INTERLUDE_DB": str(self.db_path),
                   "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
            with open(self.log_path, "w") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", str(APP),
                     "--server.headless", "true", "--browser.gatherUsageStats", "false",
                     "--server.address", "127.0.0.1", "--server.port", str(self.port),
                     "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)
            if self._wait_healthy():
                return self
            self.stop()
            if "already in use" not in self.log():
                break
        raise RuntimeError(f"streamlit did not become healthy at {self.url}/_stcore/health "
                           f"within {self.startup_timeout:.0f}s; its output:\n{self.log()[-3000:]}")

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def screenshot_name(url_path: str) -> str:
    """'/' → 'home', '/brief?client=c-0014' → 'brief-client-c-0014'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", url_path).strip("-") or "home"


# Streamlit's own markers (see stApp in its frontend): the socket is up and the script has finished.
APP_IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
# Elements still drawing: Streamlit's placeholders for lazily loaded elements, Plotly charts
# without their SVG yet, spinners.
STILL_DRAWING = """() => !document.querySelector(
        '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"], '
        + '[data-testid="stSpinner"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(chart => chart.querySelector('.main-svg'))"""
ERROR_TEXT = re.compile(r"Error|Traceback", re.IGNORECASE)


def open_page(page, base_url: str, url_path: str, expected_text: str, timeout_ms: float = 60_000) -> None:
    """Go to the page and wait for real content: a cold server first paints an empty shell."""
    page.goto(base_url + url_path, wait_until="domcontentloaded", timeout=timeout_ms)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(expected_text).first.wait_for(state="visible", timeout=timeout_ms)
    page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout_ms)
    settle(page, timeout_ms)


def settle(page, timeout_ms: float = 30_000) -> None:
    """Wait until charts and lazily loaded elements have drawn, and the fonts are in."""
    page.wait_for_function(STILL_DRAWING, timeout=timeout_ms)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.evaluate("new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")


def full_page_screenshot(page, path: Path, max_height: int = 12_000) -> None:
    """The whole page: Streamlit scrolls inside its main area, not the document, so the viewport
    is first made as tall as the content (Playwright's full_page alone would stop at the fold)."""
    height = page.evaluate("""() => Math.max(document.documentElement.scrollHeight,
        ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebarContent"]')]
            .map(element => element.scrollHeight))""")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(max(height, 600), max_height)})
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        settle(page)   # a taller viewport brings lazily drawn elements into view
    finally:           # a picture of what never finished drawing, too
        page.screenshot(path=path, full_page=True)


def streamlit_errors(page) -> list[str]:
    """Exception boxes, and alerts that read like an error or a traceback, as their text."""
    errors = [box.inner_text() for box in page.locator('[data-testid="stException"]').all()]
    errors += [text for alert in page.locator('[data-testid="stAlert"]').all()
               if ERROR_TEXT.search(text := alert.inner_text())]
    return errors


from tests.conftest import DEMO_PASSWORD  # noqa: E402  (the demo accounts' password in tests)


def sign_in(context, base_url: str, username: str, password: str = DEMO_PASSWORD,
            timeout_ms: float = 60_000) -> None:
    """Sign in through the app's own form in this browser context (its cookie then serves every
    page opened in the context)."""
    page = context.new_page()
    try:
        page.goto(base_url + "/", wait_until="domcontentloaded", timeout=timeout_ms)
        page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout_ms)
        page.get_by_role("textbox", name="Username").fill(username)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Sign out").first.wait_for(state="visible", timeout=timeout_ms)
        # The cookie is set by a script in a frame of the page, a moment after it draws.
        deadline = time.monotonic() + timeout_ms / 1000
        while not any(c["name"] == "interlude_session" for c in context.cookies()):
            if time.monotonic() > deadline:
                raise TimeoutError("signed in, but the sign-in cookie never arrived")
            page.wait_for_timeout(100)
    finally:
        page.close()
