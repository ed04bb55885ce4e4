"""Shared fixtures: factories for exports and an in-memory or on-disk Interlude database."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipelines import db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

# Text a test plants to prove client writing never reaches logs or error messages.
CANARY = "my sister Margot said the hospital on Elm Street"

_BASE_EXPORT = {
    "format": "client-export",
    "format_version": "1.0",
    "export_id": "exp-1",
    "exported_at": "2026-11-16T07:30:00-06:00",
    "source_app": {"name": "companion", "version": "4.2.1"},
    "client": {"client_id": "c-0042", "display_name": "R. M.", "timezone": "America/Chicago"},
    "provider": {"provider_id": "p-007", "name": "Dr. A. Rivera"},
    "share": {
        "scope": "raw",
        "consented_at": "2026-11-02T18:00:00-06:00",
        "period": {"start": "2026-11-09T00:00:00-06:00", "end": "2026-11-16T00:00:00-06:00"},
    },
}


# --- Markers: `make test-fast` runs `-m "not slow and not model and not browser"` for day-to-day
# work; `make test` and CI run everything. Marked here from what a test uses, so a new test is
# marked without anyone remembering to: a real browser or server (browser), the analyzed sample
# database or the embedding model (model), and anything that takes more than a few seconds (slow).
BROWSER_FIXTURES = {"chromium_browser", "app_url"}
MODEL_FIXTURES = {"sample_db_path"}
MODEL_FUNCTIONS = ("embed_texts", "default_encoder", "Encoder", "TORCH")


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = getattr(item, "module", None)
        uses_model = fixtures & MODEL_FIXTURES or any(hasattr(module, name) for name in MODEL_FUNCTIONS)
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        if uses_model:
            item.add_marker(pytest.mark.model)
            item.add_marker(pytest.mark.slow)


def make_checkin(i: int, **overrides) -> dict:
    checkin = {
        "checkin_id": f"ci-{i}", "at": f"2026-11-{10 + i % 5:02d}T21:0{i % 10}:00-06:00",
        "mood": (i % 7) - 3, "stress": i % 11, "energy": (i * 3) % 11, "sleep_hours": 6.5,
        "emotions": [{"label": "anxious", "intensity": 7}],
        "body": [{"location": "chest", "sensation": "tightness", "intensity": 6}],
        "note": f"Note number {i}.",
    }
    checkin.update(overrides)
    return checkin


def make_conversation(i: int, n_messages: int = 3, **overrides) -> dict:
    conversation = {
        "conversation_id": f"cv-{i}", "started_at": f"2026-11-1{i % 5}T21:10:00-06:00",
        "title": f"Evening talk {i}", "summary": f"Client talked about week {i}.",
        "messages": [
            {"message_id": f"m-{i}-{j}", "at": f"2026-11-1{i % 5}T21:1{j % 10}:00-06:00",
             "role": "client" if j % 2 == 0 else "guide", "text": f"Message {j} of talk {i}."}
            for j in range(n_messages)
        ],
    }
    conversation.update(overrides)
    return conversation


def make_practice(i: int, **overrides) -> dict:
    practice = {"practice_id": f"pr-{i}", "at": f"2026-11-1{i % 5}T21:25:00-06:00",
                "kind": "box_breathing", "duration_min": 5, "stress_before": 8,
                "stress_after": 5, "helpful": True}
    practice.update(overrides)
    return practice


def make_export(n_checkins: int = 3, n_conversations: int = 2, n_practices: int = 2,
                **overrides) -> dict:
    """A valid export; keyword arguments replace top-level fields."""
    export = copy.deepcopy(_BASE_EXPORT)
    export["checkins"] = [make_checkin(i) for i in range(n_checkins)]
    export["conversations"] = [make_conversation(i) for i in range(n_conversations)]
    export["practices"] = [make_practice(i) for i in range(n_practices)]
    export.update(overrides)
    return export


def export_bytes(export: dict) -> bytes:
    return json.dumps(export).encode()


def write_export(folder: Path, export: dict, name: str | None = None) -> Path:
    path = folder / (name or f"{export['export_id']}.json")
    path.write_bytes(export_bytes(export))
    return path


@pytest.fixture
def con():
    connection = db.connect(None)
    yield connection
    connection.close()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "interlude.duckdb"


def table_counts(con) -> dict[str, int]:
    tables = ["exports", "clients", "providers", "client_providers", "checkins", "checkin_emotions",
              "checkin_body_sensations", "conversations", "messages", "practices", "appointments",
              "record_revisions"]
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


# --- Session fixtures over the committed sample (24 clients, 3 clinicians). Built once per test
# session, only if a test asks for them; the connection is closed, so another process (the
# Streamlit server) can open the file. Treat them as read-only: open with
# db.connect(path, read_only=True), and copy the file to change it. Once an AppTest page has
# run in this process the app holds the file (pipelines/writer.py): DuckDB then refuses a
# read-only connection in the same process, while db.connect(path) shares the app's.

@pytest.fixture(scope="session")
def sample_ingested_db_path(tmp_path_factory) -> Path:
    """The sample exports and appointments ingested, not analyzed (under a second)."""
    from pipelines.ingest import ingest_paths

    path = tmp_path_factory.mktemp("sample-ingested") / "interlude.duckdb"
    connection = db.connect(path)
    try:
        report = ingest_paths(connection, [SAMPLE / "exports", SAMPLE / "appointments.csv"])
        assert report.rejected == [], report.rejected
    finally:
        connection.close()
    return path


@pytest.fixture(scope="session")
def sample_db_path(sample_ingested_db_path, tmp_path_factory) -> Path:
    """The demo database `make sample-db` builds: the sample ingested, then analyzed with the
    default embedding backend (about a minute on 2 cores, more on a machine's first ONNX export)."""
    import shutil

    from pipelines.analyze import run_analysis

    path = tmp_path_factory.mktemp("sample-analyzed") / "interlude.duckdb"
    shutil.copyfile(sample_ingested_db_path, path)
    connection = db.connect(path)
    try:
        run_analysis(connection)
    finally:
        connection.close()
    return path


# --- Real-browser fixtures (tests/browser.py): the app under `streamlit run`, Debian's Chromium.

@pytest.fixture(scope="session")
def app_db_path(sample_db_path, tmp_path_factory) -> Path:
    """A copy of `sample_db_path` for the Streamlit server: the app holds its database's write
    lock for as long as it runs (pipelines/writer.py), so it gets a file of its own."""
    import shutil

    path = tmp_path_factory.mktemp("sample-served") / "interlude.duckdb"
    shutil.copyfile(sample_db_path, path)
    return path


@pytest.fixture(scope="session")
def app_url(app_db_path, tmp_path_factory):
    """Base URL (http://127.0.0.1:PORT) of `streamlit run dashboard/app.py` on a copy of the
    analyzed sample (`app_db_path`)."""
    from tests.browser import StreamlitServer

    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with StreamlitServer(app_db_path, log) as server:
        yield server.url


@pytest.fixture(scope="session")
def chromium_browser():
    """A Playwright Browser on Debian's Chromium. Skips if Chromium or Playwright is missing,
    except in CI or under `make test` (tests.browser.browser_required), where that fails."""
    from tests.browser import CHROMIUM_ARGS, CHROMIUM_ENV, browser_required, find_chromium

    def missing(reason: str):
        if browser_required():
            pytest.fail(f"{reason} (required here: CI or INTERLUDE_REQUIRE_BROWSER is set)", pytrace=False)
        pytest.skip(reason)

    executable = find_chromium()
    if executable is None:
        missing(f"no Chromium at /usr/bin/chromium or ${CHROMIUM_ENV}: run `make browser`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Python playwright is not installed: run `make install`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
