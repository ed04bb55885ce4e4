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

# The demo accounts' password in tests (`users demo` with $INTERLUDE_DEMO_PASSWORD set).
DEMO_PASSWORD = "demo-password-for-tests"
# Where the app keeps its cookie secret during tests (never the user's ~/.config).
os.environ.setdefault("INTERLUDE_COOKIE_SECRET", "test-cookie-secret")

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
# database or the embedding model (model), a Streamlit page run (AppTest: seconds each), and
# anything else that takes more than a few seconds (slow: command-line subprocesses and
# statistical simulations, marked where they are written).
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
        if hasattr(module, "AppTest"):
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

def built_once(tmp_path_factory, name: str, build) -> Path:
    """``build(path)`` run once per test run; the path of this process's own copy of the result.

    `make test` splits the run over two workers (pytest-xdist). The first worker to ask builds
    into a folder both share, under a file lock, and the other waits for it; each then copies the
    file, because a page run by AppTest holds its database read-write and DuckDB lets only one
    process open a file that way. In a plain `pytest` run it just builds in its own folder."""
    import shutil

    own = tmp_path_factory.mktemp(name) / "interlude.duckdb"
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        build(own)
        return own
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    done = shared / "interlude.duckdb"
    with FileLock(f"{shared}.lock"):
        if not done.exists():
            shared.mkdir(exist_ok=True)
            building = shared / "building" / "interlude.duckdb"
            building.parent.mkdir(exist_ok=True)
            build(building)
            building.rename(done)
    shutil.copyfile(done, own)
    return own


@pytest.fixture(scope="session")
def sample_ingest(tmp_path_factory):
    """The sample exports and appointments ingested once per session: (path, the report).
    Every test that needs the ingested sample starts from this one ingest."""
    from pipelines.ingest import ingest_paths

    path = tmp_path_factory.mktemp("sample-ingested") / "interlude.duckdb"
    connection = db.connect(path)
    try:
        report = ingest_paths(connection, [SAMPLE / "exports", SAMPLE / "appointments.csv"])
        assert report.rejected == [], report.rejected
    finally:
        connection.close()
    return path, report


@pytest.fixture(scope="session")
def sample_ingested_db_path(sample_ingest) -> Path:
    """The sample ingested, not analyzed (under a second)."""
    return sample_ingest[0]


@pytest.fixture(scope="session")
def sample_db_path(sample_ingested_db_path, tmp_path_factory) -> Path:
    """The demo database `make sample-db` builds: the sample ingested, then analyzed with the
    default embedding backend (about a minute on 2 cores, more on a machine's first ONNX export).
    Built once per run, also when the run is split over workers (``built_once``)."""
    import shutil

    from pipelines.analyze import run_analysis

    from pipelines import users

    def build(path: Path) -> None:
        shutil.copyfile(sample_ingested_db_path, path)
        connection = db.connect(path)
        try:
            run_analysis(connection)
            users.demo(connection, DEMO_PASSWORD)   # what `make run` does: the sample's demo accounts
        finally:
            connection.close()

    return built_once(tmp_path_factory, "sample-analyzed", build)


@pytest.fixture
def sample_db_copy(sample_db_path, tmp_path, monkeypatch) -> Path:
    """A private copy of the analyzed sample that a test may write (reviews, appointments, the
    audit trail), served to AppTest pages ($INTERLUDE_DB) with today at its last day of data."""
    import shutil

    path = tmp_path / "interlude.duckdb"
    shutil.copyfile(sample_db_path, path)
    monkeypatch.setenv("INTERLUDE_DB", str(path))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    return path


# --- Real-browser fixtures (tests/browser.py): the app under `streamlit run`, Debian's Chromium.

def server_copy(path: Path, folder: Path) -> Path:
    """A copy of a database for a `streamlit run` server: the app holds its database
    read-write, so it cannot share the file with the test process."""
    import shutil

    copy = folder / path.name
    shutil.copyfile(path, copy)
    return copy


@pytest.fixture(scope="session")
def app_url(sample_db_path, tmp_path_factory):
    """Base URL (http://127.0.0.1:PORT) of `streamlit run dashboard/app.py` on a copy of
    `sample_db_path` (demo accounts, password DEMO_PASSWORD: tests.browser.sign_in)."""
    from tests.browser import StreamlitServer

    folder = tmp_path_factory.mktemp("streamlit")
    with StreamlitServer(server_copy(sample_db_path, folder), folder / "streamlit.log") as server:
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


# --- A hostile client (tests/test_render*.py): every field a client controls carries markup that
# would fetch a remote image or link out of the app if it were rendered as markdown or HTML.

HOSTILE_HOST = "198.51.100.7"   # TEST-NET-2: nothing answers there; a request to it is a leak
HOSTILE_IMAGE = f"![x](http://{HOSTILE_HOST}/x.png)"
HOSTILE_LINK = f"[link](http://{HOSTILE_HOST}/l)"
HOSTILE_TAG = f"<img src=http://{HOSTILE_HOST}/i.png>"
HOSTILE_BITS = (HOSTILE_IMAGE, HOSTILE_LINK, HOSTILE_TAG)
HOSTILE_TEXT = " ".join(HOSTILE_BITS) + f" http://{HOSTILE_HOST}/bare www.{HOSTILE_HOST}.nip.io a@{HOSTILE_HOST}.nip.io"
HOSTILE_CLIENT, HOSTILE_PROVIDER = "c-0666", "p-001"


def hostile_exports() -> list[dict]:
    """Seven weeks of a client (of p-001) whose every free-text field is hostile markup:
    display name, provider name, emotion labels, body locations and sensations, practice
    kinds, notes, conversation titles and summaries, messages (one with urgent language,
    one an insight), so every panel of the brief and the explorer has something to draw."""
    from datetime import datetime, timedelta, timezone

    start = datetime(2026, 10, 1, 20, 0, tzinfo=timezone.utc)
    checkins, conversations, practices = [], [], []
    for day in range(51):
        at = start + timedelta(days=day)
        stress = 8 if 38 <= day <= 42 else 3 + day % 3
        checkins.append({
            "checkin_id": f"h-ci-{day}", "at": at.isoformat(), "mood": (day % 5) - 2, "stress": stress,
            "energy": 5, "sleep_hours": 6.0 + day % 3,
            "emotions": [{"label": HOSTILE_IMAGE, "intensity": 6}],
            "body": [{"location": HOSTILE_TAG if day % 2 else "chest", "sensation": HOSTILE_LINK, "intensity": 7}],
            "note": f"Work again. {HOSTILE_TEXT}"})
        if day % 3 == 0:
            words = ["My manager and the deadline at work again.", "Sleep was bad, the deadline again.",
                     "I realized that I keep saying yes to every request at work."][day % 9 // 3]
            text = (f"{words} {HOSTILE_TEXT}" if day != 48 else
                    f"I want to end my life, I have thought about how. {HOSTILE_TEXT}")
            conversations.append({
                "conversation_id": f"h-cv-{day}", "started_at": at.isoformat(),
                "title": HOSTILE_LINK, "summary": f"Talked about work. {HOSTILE_IMAGE}",
                "messages": [
                    {"message_id": f"h-m-{day}-0", "at": at.isoformat(), "role": "client", "text": text},
                    {"message_id": f"h-m-{day}-1", "at": (at + timedelta(minutes=1)).isoformat(),
                     "role": "guide", "text": f"Tell me more. {HOSTILE_TAG}"}]})
        if day % 2 == 0:
            practices.append({"practice_id": f"h-pr-{day}", "at": (at + timedelta(minutes=30)).isoformat(),
                              "kind": HOSTILE_TAG if day % 4 else HOSTILE_LINK, "duration_min": 5,
                              "stress_before": stress, "stress_after": max(0, stress - 3), "helpful": True})
    export = make_export(0, 0, 0, export_id="exp-hostile", exported_at="2026-11-20T21:00:00+00:00",
                         client={"client_id": HOSTILE_CLIENT, "display_name": f"R. {HOSTILE_IMAGE} {HOSTILE_TAG}",
                                 "timezone": "Europe/London"},
                         provider={"provider_id": HOSTILE_PROVIDER, "name": f"Dr. {HOSTILE_LINK}"},
                         share={"scope": "raw", "consented_at": "2026-09-30T12:00:00+00:00",
                                "period": {"start": "2026-10-01T00:00:00+00:00", "end": "2026-11-20T21:00:00+00:00"}},
                         checkins=checkins, conversations=conversations, practices=practices)
    return [export]


@pytest.fixture(scope="session")
def hostile_db_path(sample_db_path, tmp_path_factory) -> Path:
    """The analyzed sample plus the hostile client (ingested and analyzed like any other), with
    appointments around the sample's last day, and its theme labels and keywords replaced by
    hostile markup (labels are built from a client's own words)."""
    import shutil

    from pipelines.analyze import run_analysis
    from pipelines.ingest import ingest_paths

    def build(path: Path) -> None:
        folder = path.parent
        shutil.copyfile(sample_db_path, path)
        files = [write_export(folder, export) for export in hostile_exports()]
        csv = folder / "appointments.csv"
        csv.write_text("client_id,provider_id,starts_at\n"
                       f"{HOSTILE_CLIENT},{HOSTILE_PROVIDER},2026-11-06T10:00:00+00:00\n"
                       f"{HOSTILE_CLIENT},{HOSTILE_PROVIDER},2026-11-21T10:00:00+00:00\n")
        connection = db.connect(path)
        try:
            report = ingest_paths(connection, files + [csv])
            assert report.rejected == [], [r.line() for r in report.rejected]
            run_analysis(connection)
            with db.transaction(connection):
                connection.execute("UPDATE themes SET label = ?, keywords = [?, ?] WHERE client_id = ?",
                                   [HOSTILE_LINK, HOSTILE_IMAGE, HOSTILE_TAG, HOSTILE_CLIENT])
        finally:
            connection.close()

    return built_once(tmp_path_factory, "hostile", build)


@pytest.fixture(scope="session")
def hostile_app_url(hostile_db_path, tmp_path_factory):
    """Base URL of `streamlit run dashboard/app.py` on `hostile_db_path`."""
    from tests.browser import StreamlitServer

    folder = tmp_path_factory.mktemp("streamlit-hostile")
    with StreamlitServer(server_copy(hostile_db_path, folder), folder / "streamlit.log") as server:
        yield server.url
