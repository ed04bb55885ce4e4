"""The app starts and its pages render against a real database (Streamlit AppTest)."""

from streamlit.testing.v1 import AppTest

from pipelines import db, users
from pipelines.ingest import ingest_paths
from tests.conftest import DEMO_PASSWORD, ROOT, make_export, write_export

APP = str(ROOT / "dashboard" / "app.py")


def use_ingested_database(tmp_path, monkeypatch) -> None:
    """One small export ingested (not analyzed), and the app pointed at it."""
    db_path = tmp_path / "interlude.duckdb"
    con = db.connect(db_path)
    ingest_paths(con, [write_export(tmp_path, make_export(4, 2, 1))])
    users.demo(con, DEMO_PASSWORD)
    con.close()
    monkeypatch.setenv("INTERLUDE_DB", str(db_path))


def test_home_page_shows_what_the_database_holds(tmp_path, monkeypatch):
    from tests.test_pages import sign_in

    use_ingested_database(tmp_path, monkeypatch)
    app = AppTest.from_file(APP, default_timeout=30)
    sign_in(app, "admin")
    app.switch_page("views/database.py")
    app.run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Clients"] == "1" and metrics["Check-ins"] == "4" and metrics["Messages"] == "6"


def test_without_a_database_the_pages_say_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERLUDE_DB", str(tmp_path / "missing.duckdb"))
    for page in ("views/today.py", "views/brief.py", "views/explorer.py", "views/database.py"):
        app = AppTest.from_file(APP, default_timeout=30)
        app.switch_page(page)
        app.run()
        assert not app.exception, page
        assert "make sample-db" in app.info[0].value, page


def test_an_ingested_but_unanalyzed_database_says_to_run_analyze(tmp_path, monkeypatch):
    from tests.test_pages import sign_in

    use_ingested_database(tmp_path, monkeypatch)
    app = sign_in(AppTest.from_file(APP, default_timeout=30), "rivera")
    assert not app.exception
    assert any("not been analyzed" in i.value for i in app.info), "expected guidance"


def test_a_database_without_accounts_says_how_to_make_them(tmp_path, monkeypatch):
    db_path = tmp_path / "interlude.duckdb"
    db.connect(db_path).close()
    monkeypatch.setenv("INTERLUDE_DB", str(db_path))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert "users add" in app.info[0].value and not app.text_input


def test_the_data_module_only_reads_and_writes_live_in_one_module():
    """dashboard/data.py reads; every write of the app is in dashboard/writes.py (issue 8)."""
    import ast
    import re
    writes_sql = re.compile(r"\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b")
    source = (ROOT / "dashboard" / "data.py").read_text()
    tree = ast.parse(source)
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    sql = [s for s in strings if writes_sql.search(s) and ("SELECT" in s or "INTO" in s or "SET" in s or "TABLE" in s)]
    assert sql == []
    assert "transaction(" not in source
    assert ".run(" not in source   # writer jobs are submitted from writes.py
    called = {node.func.attr for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not called & {"authenticate", "record", "record_in", "add", "disable", "reset", "forget"}
    for page in (ROOT / "dashboard").rglob("*.py"):
        assert "data.record(" not in page.read_text() and "data.write(" not in page.read_text(), page
