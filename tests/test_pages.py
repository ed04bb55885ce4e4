"""Every clinical page renders on the sample database (Streamlit AppTest), with the
planted risk client's flags shown and summary-scope clients handled."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import db
from tests.conftest import DEMO_PASSWORD, ROOT, SAMPLE

APP = str(ROOT / "dashboard" / "app.py")
RISK_CLIENT = "c-0014"      # planted urgent statements (sample_data/personas.json)
SUMMARY_CLIENT = "c-0003"   # shares summaries only


def app_rows(path, sql: str, params: list | None = None):
    """Rows read through the app's own connection (the app process holds the file's one
    read-write connection; a second connection to it from this process is refused)."""
    from dashboard import data

    return data._query(path, sql, params)


@pytest.fixture
def app_env(sample_db_path, monkeypatch):
    monkeypatch.setenv("INTERLUDE_DB", str(sample_db_path))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    return sample_db_path


def therapist_of(client_id: str) -> str:
    """The demo account of the client's (first) clinician."""
    from pipelines.users import DEMO_THERAPISTS

    con = db.connect(os.environ["INTERLUDE_DB"])
    try:
        provider = con.execute("SELECT min(provider_id) FROM client_providers WHERE client_id = ?",
                               [client_id]).fetchone()[0]
    finally:
        con.close()
    return {p: name for name, p in DEMO_THERAPISTS.items()}[provider]


def sign_in(app: AppTest, username: str, password: str = DEMO_PASSWORD) -> AppTest:
    """Through the sign-in form, as a person would."""
    app.run()
    by_label = {t.label: t for t in app.text_input}
    by_label["Username"].input(username)
    by_label["Password"].input(password)
    next(b for b in app.button if b.label == "Sign in").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_page(page: str, user: str | None = None, *, timeout: float = 90, **params) -> AppTest:
    """The page as the right user: the client's own therapist, else the supervisor."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        app.query_params[key] = value
    sign_in(app, user or (therapist_of(params["client"]) if "client" in params else "supervisor"))
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def all_text(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption] + [i.value for i in app.info]
    parts += [e.label for e in app.expander] + [s.value for s in app.success]
    return "\n".join(parts)


def planted(kind: str, client_id: str) -> pd.DataFrame:
    truth = pd.read_csv(SAMPLE / "ground_truth.csv")
    return truth[(truth["client_id"] == client_id) & (truth["risk"] == kind)]


def test_today_lists_upcoming_sessions_each_opening_a_brief(app_env):
    app = open_page("views/today.py")
    text = all_text(app)
    links = app.get("page_link")
    assert len(links) >= 5
    assert "Open brief" in [link.proto.label for link in links]
    assert "since" in text  # each line says what arrived since the last session


def test_brief_shows_the_planted_urgent_statements_first(app_env):
    app = open_page("views/brief.py", client=RISK_CLIENT)
    text = all_text(app)
    assert "URGENT" in text
    risk_panel_at = text.index("Risk flags")
    assert risk_panel_at < text.index("Worth exploring today") < text.index("At a glance")
    urgent_ids = planted("urgent", RISK_CLIENT)["source_id"].tolist()
    evidence = app_rows(app_env, "SELECT evidence FROM text_evidence WHERE source_id IN (SELECT unnest(?))",
                        [urgent_ids])["evidence"].tolist()
    assert evidence and all(e.split()[0] in text for e in evidence)
    assert "988" in text  # crisis resources on the risk panel
    assert "not diagnosis" in text


def test_risk_flags_survive_the_shortest_period(app_env):
    app = open_page("views/brief.py", client=RISK_CLIENT)
    before = all_text(app).count("URGENT")
    since = app.sidebar.date_input[1]
    since.set_value(app.sidebar.date_input[0].value).run()
    assert not app.exception
    assert all_text(app).count("URGENT") == before > 0


def test_summary_scope_brief_says_what_is_missing(app_env):
    app = open_page("views/brief.py", client=SUMMARY_CLIENT)
    assert any("summaries only" in i.value for i in app.info)
    assert "At a glance" in all_text(app)


def test_every_clients_brief_renders(app_env):
    clients = app_rows(app_env, "SELECT client_id FROM clients ORDER BY 1")["client_id"].tolist()
    for client_id in clients:
        app = open_page("views/brief.py", client=client_id)
        assert app.get("plotly_chart"), client_id
        assert app.get("download_button"), client_id


def test_explorer_reads_a_conversation_with_signals_marked_and_searches_by_meaning(app_env):
    app = open_page("views/explorer.py", client=RISK_CLIENT)
    assert len(app.tabs) == 4
    assert any("-background[" in m.value for m in app.markdown)  # highlighted sentences
    next(t for t in app.text_input if t.label == "Search this client's texts").input("saving up tablets")
    next(b for b in app.button if b.label == "Search").click().run()
    assert not app.exception
    hits = [m.value for m in app.markdown if "· match" in m.value]
    assert hits and "Aug 2026" in hits[0]  # the planted statement about saving tablets (August)


def test_explorer_for_a_summary_client_has_no_message_reader(app_env):
    app = open_page("views/explorer.py", client=SUMMARY_CLIENT)
    assert any("summaries, not the messages" in i.value for i in app.info)


def test_a_linked_client_stays_open_when_another_clinician_is_selected(app_env):
    app = open_page("views/brief.py", user="supervisor", client=RISK_CLIENT)
    app.sidebar.selectbox[0].select("p-001").run()  # the risk client is seen by p-002
    assert not app.exception
    assert app.selectbox[0].value == RISK_CLIENT
    assert "URGENT" in all_text(app)


def test_brief_over_a_long_period_shows_episode_cards(app_env):
    client_id, start = app_rows(
        app_env, "SELECT client_id, min(start_day) AS start FROM stress_episodes GROUP BY 1 "
                 "ORDER BY count(*) DESC LIMIT 1").iloc[0]
    app = open_page("views/brief.py", client=client_id)
    app.sidebar.date_input[1].set_value(pd.Timestamp(start).date()).run()  # "Brief covers from": back to the first episode
    assert not app.exception
    assert "peak stress" in all_text(app)
