"""The Consent withdrawal page (admins): a client id typed twice deletes the client and what was
derived from them, the caseload themes are derived again, the audit trail keeps the fact, and
the page shows no client name or text."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from pipelines import db, users
from pipelines.analyze import run_analysis
from pipelines.forget import client_id_tables
from pipelines.ingest import ingest_paths
from tests.conftest import DEMO_PASSWORD, write_export
from tests.test_pages import APP, sign_in
from tests.test_upload import RIVERA, export_of, rows

GONE, KEPT = "c-0800", "c-0801"


@pytest.fixture
def forget_db(tmp_path, monkeypatch):
    """Two analyzed clients of rivera's and the demo accounts."""
    path = tmp_path / "interlude.duckdb"
    con = db.connect(path)
    try:
        files = [write_export(tmp_path, export_of(RIVERA, GONE, "exp-800")),
                 write_export(tmp_path, export_of(RIVERA, KEPT, "exp-801"))]
        assert not ingest_paths(con, files).rejected
        run_analysis(con)
        users.demo(con, DEMO_PASSWORD)
    finally:
        con.close()
    monkeypatch.setenv("INTERLUDE_DB", str(path))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    monkeypatch.setenv("INTERLUDE_MODEL_CACHE", os.environ.get("INTERLUDE_MODEL_CACHE", "/work/main/data/models"))
    return path


def forget_page() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    sign_in(app, "admin")
    app.switch_page("views/forget.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def withdraw(app: AppTest, client_id: str, again: str) -> AppTest:
    fields = {t.label: t for t in app.text_input}
    fields["Client id"].input(client_id)
    fields["Type the client id again to confirm"].input(again)
    app.button[0].click().run()   # the form's submit button
    assert not app.exception, [e.value for e in app.exception]
    return app


def holding(path, client_id: str) -> dict[str, int]:
    """Rows per table (audit excluded) that still carry the client's id."""
    from dashboard import data

    counts = {}
    with data._writer_or_wait(path).cursor() as con:
        for qualified, name in client_id_tables(con):
            n = con.execute(f"SELECT count(*) FROM {qualified} WHERE client_id = ?", [client_id]).fetchone()[0]
            if n:
                counts[name] = n
    return counts


def test_an_admin_withdraws_a_clients_consent_and_the_client_is_gone(forget_db):
    app = forget_page()
    assert holding(forget_db, GONE)   # stored before
    runs = rows(forget_db, "SELECT count(*) FROM analysis_runs").iloc[0, 0]
    withdraw(app, GONE, GONE)
    texts = [s.value for s in app.success]
    assert texts and "Forgot client" in texts[0] and GONE in texts[0].replace("&#45;", "-")
    assert any("derived again" in c.value and "audit trail" in c.value for c in app.caption)
    assert holding(forget_db, GONE) == {}
    assert holding(forget_db, KEPT)                                  # the other client is untouched
    assert rows(forget_db, "SELECT count(*) FROM analysis_runs").iloc[0, 0] == runs + 1   # re-derived
    audit = rows(forget_db, "SELECT username, client_id, detail FROM audit_log WHERE action = 'consent withdrawn'")
    assert audit.to_dict("records") == [{"username": "admin", "client_id": GONE, "detail": None}]
    page = "\n".join([m.value for m in app.markdown] + [s.value for s in app.success] + [c.value for c in app.caption])
    assert "T. U." not in page and "Message 0" not in page          # no name, no text


def test_a_mismatched_confirmation_deletes_nothing(forget_db):
    app = forget_page()
    withdraw(app, GONE, KEPT)
    assert any("again to confirm" in e.value for e in app.error)
    assert holding(forget_db, GONE)


def test_an_unknown_client_is_said_and_nothing_changes(forget_db):
    app = forget_page()
    withdraw(app, "c-9999", "c-9999")
    assert any("Nothing stored for client" in i.value for i in app.info)
    assert rows(forget_db, "SELECT count(*) FROM audit_log WHERE action = 'consent withdrawn'").iloc[0, 0] == 0


def test_only_admins_withdraw(forget_db):
    from dashboard import data, writes

    for name in ("rivera", "supervisor"):
        app = AppTest.from_file(APP, default_timeout=120)
        sign_in(app, name)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page("views/forget.py")
    with pytest.raises(data.AccessDenied):
        writes.forget(forget_db, users.User("rivera", "therapist", RIVERA), GONE)
    assert holding(forget_db, GONE)
