"""Consent withdrawal: `python -m pipelines forget CLIENT` leaves nothing of the client behind."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from pipelines import db
from pipelines.analyze import run_analysis
from pipelines.forget import client_id_tables, forget_client
from pipelines.ingest import ingest_paths

from .conftest import ROOT, make_export, write_export

pytestmark = [pytest.mark.model, pytest.mark.slow]  # analyzes with the real embedding model

FORGOTTEN, KEPT = "c-0042", "c-0043"
SCAN_EXCLUDED = ("audit_log", "audit_head")  # hash-chained: keeps who did what (ids, never text)
START = datetime(2026, 9, 1, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
TOPICS = ["my manager moved the deadline again and I stayed late", "I slept badly and woke at four",
          "my brother called about our mother's surgery", "the new flat is quiet and I cooked for once",
          "I went running by the river before work", "I argued with my partner about money"]
# Only the forgotten client writes about these: caseload themes must lose them.
OWN_TOPICS = {"Margot": ["violin practice went badly and my teacher sighed", "the violin recital is next week"],
              "Tobias": []}


def client_export(client_id: str, word: str) -> dict:
    """Eight weeks of a client's check-ins, talks and practices; every text names ``word``."""
    days = [START + timedelta(days=d) for d in range(56)]
    topics = TOPICS + OWN_TOPICS[word] * 3
    checkins = [{"checkin_id": f"ci-{d}", "at": day.isoformat(), "mood": (d % 7) - 3,
                 "stress": min(10, 2 + d // 6 + (4 if d % 7 == 6 else 0)), "energy": 5, "sleep_hours": 6.5,
                 "emotions": [{"label": "anxious", "intensity": 6}],
                 "body": [{"location": "chest", "sensation": "tightness", "intensity": 5}],
                 "note": f"Day {d} for {word}: {topics[d % len(topics)]}."}
                for d, day in enumerate(days)]
    conversations = [{
        "conversation_id": f"cv-{k}", "started_at": days[k * 5].isoformat(), "title": f"{word} talk {k}",
        "summary": f"{word} talked about {topics[k % len(topics)]} ({k}).",
        "messages": [{"message_id": f"m-{k}-{j}", "at": (days[k * 5] + timedelta(minutes=j)).isoformat(),
                      "role": "client" if j % 2 == 0 else "guide",
                      "text": f"{word} message {k}.{j}: {topics[(k + j) % len(topics)]}."} for j in range(6)],
    } for k in range(10)]
    practices = [{"practice_id": f"pr-{k}", "at": (days[k * 4] + timedelta(hours=1)).isoformat(),
                  "kind": "box_breathing", "duration_min": 5, "stress_before": 7, "stress_after": 4,
                  "helpful": True} for k in range(8)]
    export = make_export(export_id=f"exp-{client_id}-1", checkins=checkins, conversations=conversations,
                         practices=practices)
    export["client"] = {"client_id": client_id, "display_name": f"{word} Example", "timezone": "America/Chicago"}
    export["share"]["period"] = {"start": days[0].isoformat(), "end": (days[-1] + timedelta(days=1)).isoformat()}
    return export


def client_texts(con, client_id: str) -> list[str]:
    """Everything the client wrote or that names them: texts, titles, display name."""
    texts = [t for (t,) in con.execute("SELECT DISTINCT text FROM text_units WHERE client_id = ?", [client_id]).fetchall()]
    texts += [t for (t,) in con.execute("SELECT title FROM conversations WHERE client_id = ?", [client_id]).fetchall()]
    texts += [t for (t,) in con.execute("SELECT display_name FROM clients WHERE client_id = ?", [client_id]).fetchall()]
    return sorted(texts)


def holders(con, needles: list[str]) -> list[str]:
    """'table.column' of every table or view column (any type, as text) holding one of ``needles``."""
    columns = con.execute("""
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_catalog = current_database() ORDER BY ALL
    """).fetchall()
    found = []
    con.register("scan_needles", pd.DataFrame({"needle": needles}, dtype=object))
    try:
        for table, column in columns:
            if table in SCAN_EXCLUDED or table == "scan_needles":
                continue
            hit = con.execute(f'SELECT count(*) FROM (SELECT DISTINCT CAST("{column}" AS VARCHAR) AS v FROM "{table}") '
                              "JOIN scan_needles ON contains(v, needle)").fetchone()[0]
            if hit:
                found.append(f"{table}.{column}")
    finally:
        con.unregister("scan_needles")
    return found


def snapshot(con, client_id: str) -> dict[str, list]:
    """The kept client's rows in every client table (sorted), to prove they are untouched."""
    return {name: sorted(map(repr, con.execute(f"SELECT * EXCLUDE (client_id) FROM {qualified} "
                                               "WHERE client_id = ?", [client_id]).fetchall()))
            for qualified, name in client_id_tables(con)
            if name not in ("text_caseload_themes", "theme_quotes")}  # caseload: re-derived


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory):
    os.environ.setdefault("INTERLUDE_MODEL_CACHE", "/work/main/data/models")
    folder = tmp_path_factory.mktemp("forget")
    paths = [write_export(folder, client_export(FORGOTTEN, "Margot")),
             write_export(folder, client_export(KEPT, "Tobias"))]
    appointments = folder / "appointments.csv"
    appointments.write_text("client_id,provider_id,starts_at\n"
                            f"{FORGOTTEN},p-007,2026-11-03T15:00:00-06:00\n{KEPT},p-007,2026-11-04T15:00:00-06:00\n")
    path = folder / "interlude.duckdb"
    con = db.connect(path)
    report = ingest_paths(con, [*paths, appointments])
    assert not report.rejected, [f.reason for f in report.rejected]
    run_analysis(con)
    con.close()
    return path


def test_forget_leaves_no_text_or_id_of_the_client(analyzed, tmp_path):
    path = tmp_path / "db.duckdb"
    path.write_bytes(analyzed.read_bytes())
    con = db.connect(path)
    texts = client_texts(con, FORGOTTEN)
    assert len(texts) > 100
    derived = {t: con.execute(f"SELECT count(*) FROM {t} WHERE client_id = ?", [FORGOTTEN]).fetchone()[0]
               for t in ("client_trends", "practice_effects", "themes", "text_client_themes",
                         "text_caseload_themes", "theme_quotes", "stage_fingerprints", "appointments")}
    assert all(derived.values()), derived  # the test covers every kind of derived row
    assert holders(con, [FORGOTTEN]) and holders(con, texts[:3])
    kept_before = snapshot(con, KEPT)
    kept_texts = client_texts(con, KEPT)
    n_embeddings = con.execute("SELECT count(*) FROM text_embeddings").fetchone()[0]

    report = forget_client(con, FORGOTTEN, "admin")
    assert report.found and report.deleted["messages"] == 60 and report.deleted["checkins"] == 56
    assert report.deleted["text_embeddings"] >= 96 and report.deleted["ingest_log"] == 1
    run_analysis(con)

    assert holders(con, [FORGOTTEN]) == []
    assert holders(con, texts) == []
    # The kept client's records and own analyses are exactly as before; embeddings of their texts stay.
    assert snapshot(con, KEPT) == kept_before
    assert client_texts(con, KEPT) == kept_texts
    assert con.execute("SELECT count(*) FROM text_embeddings").fetchone()[0] == n_embeddings - report.deleted["text_embeddings"]
    assert con.execute("SELECT count(*) FROM text_units ANTI JOIN text_embeddings USING (text_key)").fetchone()[0] == 0
    # Caseload themes were re-derived from the kept client alone.
    caseload = con.execute("SELECT DISTINCT client_id FROM text_caseload_themes").fetchall()
    assert caseload == [(KEPT,)]
    assert con.execute("SELECT count(*) FROM themes WHERE scope = 'caseload'").fetchone()[0] > 0
    assert con.execute("SELECT DISTINCT client_id FROM theme_quotes").fetchall() == [(KEPT,)]
    # ... with the labels, keywords and sizes a database that never held the forgotten client
    # derives. (Not the quotes: onnx-int8 embeddings of a text differ by up to 0.03 with the
    # batch it was embedded in, which can tip a quote's rank; an embed-stage issue.)
    assert caseload_themes(con) == caseload_themes(only_kept_client(tmp_path))
    con.close()


def caseload_themes(con) -> list[tuple]:
    return con.execute("""
        SELECT theme_id, label, keywords, n_texts FROM themes WHERE scope = 'caseload' ORDER BY theme_id
    """).fetchall()


def only_kept_client(tmp_path):
    folder = tmp_path / "kept-only"
    folder.mkdir()
    con = db.connect(folder / "interlude.duckdb")
    assert not ingest_paths(con, [write_export(folder, client_export(KEPT, "Tobias"))]).rejected
    run_analysis(con)
    return con


def test_cli_forgets_once_and_then_says_nothing_is_stored(analyzed, tmp_path):
    path = tmp_path / "db.duckdb"
    path.write_bytes(analyzed.read_bytes())

    def run(*args):
        return subprocess.run([sys.executable, "-m", "pipelines", "forget", *args, "--db", str(path)], cwd=ROOT,
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "INTERLUDE_MODEL_CACHE": os.environ.get(
                                  "INTERLUDE_MODEL_CACHE", "/work/main/data/models")})

    first = run(FORGOTTEN, "--by", "admin")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith(f"forgot client {FORGOTTEN}: ")
    assert lines[1].startswith("analyzed ")
    assert "Margot" not in first.stdout + first.stderr
    nothing = f"nothing stored for client {FORGOTTEN}: already forgotten, or never ingested; nothing was changed"
    again = run(FORGOTTEN)
    assert (again.returncode, again.stdout.splitlines()) == (0, [nothing])
    unknown = run("c-9999")
    assert unknown.stdout.splitlines() == [nothing.replace(FORGOTTEN, "c-9999")]
    con = db.connect(path, read_only=True)
    assert holders(con, [FORGOTTEN]) == []
    assert con.execute("SELECT count(*) FROM checkins WHERE client_id = ?", [KEPT]).fetchone()[0] == 56
    con.close()


def test_the_audit_trail_keeps_the_fact_and_who_did_it_and_stays_intact(con, tmp_path):
    from pipelines import audit

    ingest_paths(con, [write_export(tmp_path, make_export())])
    report = forget_client(con, "c-0042", "admin")
    assert report.found and report.audited
    rows = con.execute("SELECT username, action, client_id FROM audit_log").fetchall()
    assert rows == [("admin", "consent withdrawn", "c-0042")]
    assert audit.verify(con).ok
