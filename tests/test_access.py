"""Roles are enforced where data is read (dashboard/data.py), and every path to a client's
data goes through that scoping: a link's ?client=, session state, semantic search,
conversation links, the printable brief. Each is tried here as the wrong user."""

from __future__ import annotations

import pytest

from dashboard import data
from pipelines import audit, db, users
from tests.conftest import DEMO_PASSWORD
from tests.test_pages import all_text, open_page, sign_in

OKAFORS_CLIENT = "c-0014"   # p-002, planted urgent statements


@pytest.fixture
def app_env(sample_db_path, monkeypatch):
    monkeypatch.setenv("INTERLUDE_DB", str(sample_db_path))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    return sample_db_path


def account(path, name) -> users.User:
    con = db.connect(path)
    try:
        return users.load(con, name)
    finally:
        con.close()


def caseload(path, provider: str) -> list[str]:
    con = db.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT client_id FROM client_providers WHERE provider_id = ? ORDER BY 1",
                                          [provider]).fetchall()]
    finally:
        con.close()


def one_conversation(path, client_id: str) -> str:
    con = db.connect(path)
    try:
        return con.execute("SELECT min(conversation_id) FROM conversations WHERE client_id = ?",
                           [client_id]).fetchone()[0]
    finally:
        con.close()


def evidence_words(path, client_id: str) -> list[str]:
    con = db.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT evidence FROM text_evidence WHERE client_id = ? AND risk = 'urgent'",
                                          [client_id]).fetchall()]
    finally:
        con.close()


ONE_CLIENT_READS = [
    lambda p, u, c: data.daily_measures(p, u, c, "UTC"), data.texts, data.client_themes, data.theme_quotes,
    data.body_sensations, data.practices, data.stress_episodes, data.practice_effects, data.rhythms,
    data.theme_weekly, data.conversations, data.text_embeddings, data.risk_flags, data.trend_verdicts,
    data.client_activity, lambda p, u, c: data.conversation(p, u, c, "any")]


def test_every_one_client_read_refuses_another_therapists_client_and_the_admin(app_env):
    rivera, okafor, admin = (account(app_env, n) for n in ("rivera", "okafor", "admin"))
    for read in ONE_CLIENT_READS:
        read(app_env, okafor, OKAFORS_CLIENT)             # her own client: fine
        for wrong in (rivera, admin, None):
            with pytest.raises(data.AccessDenied):
                read(app_env, wrong, OKAFORS_CLIENT)


def test_caseload_reads_hold_only_the_users_clients(app_env):
    rivera, supervisor, admin = (account(app_env, n) for n in ("rivera", "supervisor", "admin"))
    mine = set(caseload(app_env, "p-001"))
    assert set(data.clients(app_env, rivera)["client_id"]) == mine
    assert set(data.appointments(app_env, rivera)["client_id"]) <= mine
    assert set(data.risk_flags(app_env, rivera)["client_id"]) <= mine and OKAFORS_CLIENT not in set(
        data.caseload_status(app_env, rivera, data.default_today(app_env))["client_id"])
    assert set(data.providers(app_env, rivera)["provider_id"]) == {"p-001"}
    every = set(caseload(app_env, "p-001") + caseload(app_env, "p-002") + caseload(app_env, "p-003"))
    assert set(data.clients(app_env, supervisor)["client_id"]) == every
    for read in (data.clients, data.appointments, data.risk_flags, data.providers):
        with pytest.raises(data.AccessDenied):
            read(app_env, admin)
    assert int(data.caseload_overview(app_env).iloc[0]["clients"]) == len(every)   # de-identified counts


def test_a_supervisor_reads_only_supervisees(app_env, tmp_path):
    import shutil

    path = tmp_path / "copy.duckdb"
    shutil.copyfile(app_env, path)
    con = db.connect(path)
    try:
        users.add(con, "sam", "supervisor", DEMO_PASSWORD, supervises=("p-003",))
        sam = users.load(con, "sam")
    finally:
        con.close()
    assert set(data.clients(path, sam)["client_id"]) == set(caseload(path, "p-003"))
    with pytest.raises(data.AccessDenied):
        data.texts(path, sam, OKAFORS_CLIENT)


def test_a_link_to_another_therapists_client_shows_none_of_it(app_env):
    urgent = evidence_words(app_env, OKAFORS_CLIENT)
    for page in ("views/brief.py", "views/explorer.py"):
        app = open_page(page, user="rivera", client=OKAFORS_CLIENT)
        text = all_text(app)
        assert any("not on your caseload" in w.value for w in app.warning)
        assert "URGENT" not in text and not any(e.split()[0] in text for e in urgent if len(e.split()[0]) > 4)
        assert not app.get("download_button")              # no printable brief of anyone else
        assert not [s for s in app.selectbox if s.label == "Client"]   # no brief under that link at all
    con = db.connect(app_env)
    try:
        denied = audit.trail(con, username="rivera", action="access denied")
    finally:
        con.close()
    assert len(denied) >= 2


def test_session_state_cannot_select_another_therapists_client(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP

    app = AppTest.from_file(APP, default_timeout=90)
    sign_in(app, "rivera")
    app.session_state["client_p-001"] = OKAFORS_CLIENT
    app.switch_page("views/brief.py")
    app.run()
    assert app.selectbox[0].value in caseload(app_env, "p-001")
    assert "URGENT" not in all_text(app)


def test_a_conversation_link_to_another_clients_conversation_opens_nothing_of_it(app_env):
    own = caseload(app_env, "p-001")[0]
    foreign = one_conversation(app_env, OKAFORS_CLIENT)
    rivera = account(app_env, "rivera")
    assert data.conversation(app_env, rivera, own, foreign).empty     # scoped by client as well
    app = open_page("views/explorer.py", user="rivera", client=own, conversation=foreign)
    chosen = [s for s in app.selectbox if s.label == "Conversation"]
    assert not chosen or chosen[0].value != foreign


def test_search_reads_only_the_chosen_own_clients_texts(app_env):
    rivera = account(app_env, "rivera")
    with pytest.raises(data.AccessDenied):
        data.text_embeddings(app_env, rivera, OKAFORS_CLIENT)
    app = open_page("views/explorer.py", user="rivera", client=OKAFORS_CLIENT)
    assert not [t for t in app.text_input if t.label == "Search this client's texts"]   # no search of her client
    assert not [m.value for m in app.markdown if "· match" in m.value]


def test_an_admin_has_no_client_pages_but_the_audit_trail(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP

    app = AppTest.from_file(APP, default_timeout=90)
    sign_in(app, "admin")
    assert not app.exception
    assert "Interlude" in [t.value for t in app.title]            # the database page, counts only
    for page in ("views/brief.py", "views/explorer.py", "views/today.py"):
        with pytest.raises(Exception):
            app.switch_page(page).run()
            assert not app.exception and "Risk flags" not in all_text(app)
            raise AssertionError(f"{page} opened for the admin")
    audit_app = AppTest.from_file(APP, default_timeout=90)
    sign_in(audit_app, "admin")
    audit_app.switch_page("views/audit.py").run()
    assert not audit_app.exception
    assert any("chain intact" in s.value for s in audit_app.success)


def test_the_audit_page_is_for_admins_only(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP

    app = AppTest.from_file(APP, default_timeout=90)
    sign_in(app, "rivera")
    with pytest.raises(Exception):
        app.switch_page("views/audit.py").run()
        assert not app.get("dataframe")
        raise AssertionError("audit page opened for a therapist")
    with pytest.raises(data.AccessDenied):
        data.audit_trail(app_env, account(app_env, "rivera"))


def test_viewing_searching_and_printing_are_audited(app_env):
    app = open_page("views/explorer.py", user="okafor", client=OKAFORS_CLIENT)
    next(t for t in app.text_input if t.label == "Search this client's texts").input("work")
    next(b for b in app.button if b.label == "Search").click().run()
    open_page("views/brief.py", user="okafor", client=OKAFORS_CLIENT)
    con = db.connect(app_env)
    try:
        rows = audit.trail(con, username="okafor", client_id=OKAFORS_CLIENT)
        signed = audit.trail(con, username="okafor", action="sign-in")
        assert audit.verify(con).ok
    finally:
        con.close()
    assert {"explorer viewed", "conversation viewed", "search", "brief viewed"} <= set(rows["action"])
    assert len(signed) >= 2
    assert "work" not in " ".join(rows["detail"].dropna())        # never the words searched for


def test_the_sign_in_form_refuses_a_wrong_password_and_locks_after_five(app_env, tmp_path, monkeypatch):
    import shutil

    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP

    path = tmp_path / "copy.duckdb"
    shutil.copyfile(app_env, path)
    monkeypatch.setenv("INTERLUDE_DB", str(path))
    app = AppTest.from_file(APP, default_timeout=90)
    for _ in range(users.MAX_FAILURES):
        sign_in(app, "lindqvist", "not-her-password")
        assert app.error and not [b for b in app.sidebar.button if b.label == "Sign out"]
    assert "Too many" in app.error[0].value
    sign_in(app, "lindqvist", DEMO_PASSWORD)                      # locked: the right one fails too
    assert "Too many" in app.error[0].value


def test_sign_out_is_visible_and_signs_out(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP

    app = AppTest.from_file(APP, default_timeout=90)
    sign_in(app, "rivera")
    out = [b for b in app.sidebar.button if b.label == "Sign out"]
    assert out
    out[0].click().run()
    assert "Username" in [t.label for t in app.text_input]


def test_idle_sessions_sign_out(app_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP

    app = AppTest.from_file(APP, default_timeout=90)
    sign_in(app, "rivera")
    assert [b for b in app.sidebar.button if b.label == "Sign out"]
    monkeypatch.setenv("INTERLUDE_IDLE_MINUTES", "0.001")       # 60 ms
    import time

    time.sleep(0.2)
    app.run()
    assert "Username" in [t.label for t in app.text_input]
    assert any("without activity" in i.value for i in app.info)
