"""`python -m pipelines analyze` end to end, with the real MiniLM model (small corpora)."""

import os
import shutil
import subprocess
import sys

import pytest

from pipelines import db
from pipelines.analyze import run_analysis
from pipelines.ingest import ingest_paths
from pipelines.nlp.embed import Encoder, embed_texts
from tests.conftest import ROOT, SAMPLE, make_export, write_export

TORCH = Encoder("torch", embed_texts)  # the reference backend; fast to start in tests

TOPICS = {
    "sleep": ["I couldn't fall asleep again until almost four", "Lying awake staring at the ceiling all night",
              "My sleep is wrecked, I keep waking at 3am", "Another night of tossing and turning in bed",
              "I napped in the afternoon and then could not sleep at night",
              "The insomnia is back and I'm exhausted every morning"],
    "money": ["The rent is due and my account is nearly empty", "Another overdraft fee from the bank today",
              "I can't pay the electricity bill this month", "Worrying about debt and the credit card balance",
              "My paycheck is gone before the month is half over", "I had to borrow money for groceries again"],
    "grief": ["I miss my mum so much since the funeral", "It's been a year since Dad died and it still hurts",
              "Sorting through her clothes after she passed", "I cried at the cemetery on her birthday",
              "Grief comes in waves, I keep expecting her to call", "Her chair at the table is still empty"],
}


def topic_export(client: int, conversations: list[tuple[str, list[str]]], note: str | None = None) -> dict:
    convs = []
    for i, (topic, texts) in enumerate(conversations):
        convs.append({
            "conversation_id": f"c{client}-cv-{i}", "started_at": f"2026-10-{1 + i:02d}T20:00:00+00:00",
            "messages": [{"message_id": f"c{client}-m-{i}-{j}", "at": f"2026-10-{1 + i:02d}T20:0{j}:00+00:00",
                          "role": "client", "text": text} for j, text in enumerate(texts)],
        })
    checkins = [{"checkin_id": f"c{client}-ci-0", "at": "2026-10-20T08:00:00+00:00", "stress": 5,
                 "note": note}] if note else []
    return make_export(export_id=f"exp-c{client}", client={"client_id": f"c-{client:04d}"},
                       exported_at="2026-10-30T08:00:00+00:00", checkins=checkins, conversations=convs,
                       practices=[],
                       share={"scope": "raw", "consented_at": "2026-09-01T00:00:00+00:00",
                              "period": {"start": "2026-10-01T00:00:00+00:00",
                                         "end": "2026-10-30T00:00:00+00:00"}})


URGENT = "I have been saving up my pills and I know how many it would take."
LONG_BENIGN_NOTE = ("Work was busy and I had a long meeting in the morning. Lunch with a colleague was nice. "
                    "The train home was late again so I listened to a podcast. " + URGENT +
                    " Then I watched a film and went to bed around eleven.")


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("topics")
    paths = []
    for client in range(3):
        conversations = []
        for i, (topic, texts) in enumerate(TOPICS.items()):
            for k in range(3):
                start = (client + k) % len(texts)
                conversations.append((topic, [texts[start], texts[(start + 2) % len(texts)]]))
        note = LONG_BENIGN_NOTE if client == 1 else None
        paths.append(write_export(folder, topic_export(client, conversations, note)))
    con = db.connect(folder / "a.duckdb")
    ingest_paths(con, paths)
    first = run_analysis(con, encoder=TORCH)
    yield con, first, folder
    con.close()


def test_planted_themes_come_out_as_separate_caseload_themes(analyzed):
    con, _, _ = analyzed
    rows = con.execute("SELECT text, caseload_theme_id FROM analysis_texts WHERE source = 'message'").fetchall()
    topic_of = {text: topic for topic, texts in TOPICS.items() for text in texts}
    # Every theme is about one planted topic (a topic may split into sub-themes)...
    for theme in {theme for _, theme in rows if theme is not None}:
        topics = [topic_of[text] for text, t in rows if t == theme]
        assert max(topics.count(t) for t in set(topics)) / len(topics) >= 0.8, (theme, topics)
    # ...and no two topics share their main theme; nearly every message has a theme.
    majority = {}
    for topic, texts in TOPICS.items():
        themes = [theme for text, theme in rows if text in texts]
        majority[topic] = max(set(themes), key=themes.count)
        assert themes.count(None) <= len(themes) // 5, (topic, themes)
    assert None not in majority.values() and len(set(majority.values())) == 3, majority
    labels = dict(con.execute("SELECT theme_id, label FROM analysis_themes WHERE scope = 'caseload'").fetchall())
    assert all(2 <= len(labels[t].split()) <= 5 for t in majority.values()), labels


def test_urgent_sentence_inside_a_long_benign_note_is_flagged_with_that_sentence(analyzed):
    con, _, _ = analyzed
    risk, evidence = con.execute("""
        SELECT s.risk, s.evidence FROM text_units u JOIN text_signals s USING (text_key)
        WHERE u.source = 'note'""").fetchone()
    assert risk == "urgent"
    assert evidence == URGENT
    assert con.execute("SELECT risk FROM analysis_texts WHERE source = 'note'").fetchone()[0] == "urgent"


def test_views_have_the_contract_columns_and_types(analyzed):
    con, _, _ = analyzed
    texts = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE analysis_texts)").fetchall())
    assert texts == {
        "source": "VARCHAR", "source_id": "VARCHAR", "client_id": "VARCHAR", "provider_id": "VARCHAR",
        "conversation_id": "VARCHAR", "written_at": "TIMESTAMP WITH TIME ZONE", "text": "VARCHAR",
        "client_theme_id": "VARCHAR", "caseload_theme_id": "VARCHAR", "valence": "DOUBLE",
        "emotion": "VARCHAR", "stress": "DOUBLE", "insight": "DOUBLE", "risk": "VARCHAR"}
    themes = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE analysis_themes)").fetchall())
    assert themes == {
        "theme_id": "VARCHAR", "scope": "VARCHAR", "client_id": "VARCHAR", "label": "VARCHAR",
        "keywords": "VARCHAR[]", "n_texts": "INTEGER", "first_at": "TIMESTAMP WITH TIME ZONE",
        "last_at": "TIMESTAMP WITH TIME ZONE"}
    emotions = {r[0] for r in con.execute("SELECT DISTINCT emotion FROM analysis_texts").fetchall()}
    assert emotions <= {"anger", "anxiety", "sadness", "shame", "fear", "joy", "calm", "gratitude", "hope",
                        "neutral"}
    bounds = con.execute("""SELECT min(valence), max(valence), min(stress), max(stress), min(insight),
                                   max(insight), count(*) FILTER (WHERE risk IS NULL)
                            FROM analysis_texts""").fetchone()
    assert -1 <= bounds[0] <= bounds[1] <= 1 and 0 <= bounds[2] <= bounds[3] <= 1
    assert 0 <= bounds[4] <= bounds[5] <= 1 and bounds[6] == 0


def test_second_run_embeds_nothing_and_new_data_keeps_theme_ids(analyzed):
    con, first, folder = analyzed
    assert first.n_embedded > 0
    before = dict(con.execute("SELECT theme_id, label FROM analysis_themes WHERE scope = 'caseload'").fetchall())
    again = run_analysis(con, encoder=TORCH)
    assert (again.n_embedded, again.n_scored, again.clients_reclustered, again.clients_trended) == (0, 0, 0, 0)
    # One more week for one client: only that client's themes are rebuilt; the caseload's
    # persisting themes keep their ids.
    extra = topic_export(2, [("money", ["The landlord raised the rent and I panicked about money"]),
                             ("sleep", ["Awake again at four, my sleep is a mess"])])
    extra["export_id"], extra["exported_at"] = "exp-c2-next", "2026-11-06T08:00:00+00:00"
    for i, conversation in enumerate(extra["conversations"]):
        conversation["conversation_id"] = f"c2-cv-next-{i}"
        for message in conversation["messages"]:
            message["message_id"] = message["message_id"].replace("-m-", "-m-next-")
    ingest_paths(con, [write_export(folder, extra)])
    third = run_analysis(con, encoder=TORCH)
    assert third.n_embedded >= 2 and third.clients_reclustered == 1
    after = dict(con.execute("SELECT theme_id, label FROM analysis_themes WHERE scope = 'caseload'").fetchall())
    assert set(before) <= set(after)


def test_summary_scope_exports_still_yield_themes(tmp_path):
    con = db.connect(tmp_path / "s.duckdb")
    summary_exports = [p for p in sorted((SAMPLE / "exports").rglob("*.json"))
                       if p.parent.name == "c-0003"]
    assert summary_exports
    ingest_paths(con, summary_exports)
    run_analysis(con, encoder=TORCH)
    sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM analysis_texts").fetchall()}
    assert "message" not in sources and "summary" in sources
    n_themes = con.execute("SELECT count(*) FROM analysis_themes WHERE client_id = 'c-0003'").fetchone()[0]
    assert n_themes >= 2
    quotes = con.execute("SELECT count(*) FROM theme_quotes").fetchone()[0]
    assert quotes >= 2


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare to cut the network")
def test_analyze_runs_with_the_network_unreachable(analyzed, tmp_path):
    """The whole command, in a network namespace with no interfaces up: nothing is fetched."""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    con, _, folder = analyzed
    target = tmp_path / "offline.duckdb"
    ingest_paths(db.connect(target), [folder])
    env = {**os.environ, "INTERLUDE_EMBEDDING_BACKEND": "torch"}
    env.pop("HF_HUB_OFFLINE", None)  # the command must set it itself
    run = subprocess.run(["unshare", "-n", sys.executable, "-m", "pipelines", "analyze", "--db", str(target)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "analyzed" in run.stdout
    check = db.connect(target, read_only=True)
    assert check.execute("SELECT count(*) FROM text_embeddings").fetchone()[0] > 0


def test_internal_views_for_the_pages_add_up(analyzed):
    con, _, _ = analyzed
    weekly = con.execute("SELECT sum(n_texts) FROM theme_weekly").fetchone()[0]
    themed = con.execute("SELECT count(*) FROM analysis_texts WHERE client_theme_id IS NOT NULL").fetchone()[0]
    assert weekly == themed > 0
    evidence = con.execute("SELECT count(*), count(*) FILTER (WHERE risk = 'urgent') FROM text_evidence").fetchone()
    assert evidence[0] == con.execute("SELECT count(*) FROM analysis_texts").fetchone()[0]
    assert evidence[1] == 1
    quotes = con.execute("""SELECT count(*) FROM theme_quotes q
                            LEFT JOIN text_units u USING (source, source_id, client_id)
                            WHERE u.text IS NULL""").fetchone()[0]
    assert quotes == 0  # every quote is a real text of that client


def test_trends_view_follows_the_contract(tmp_path):
    """A month of daily check-ins with stress climbing 1 point a week reads as rising."""
    checkins = [{"checkin_id": f"t-{d}", "at": f"2026-10-{1 + d:02d}T08:00:00+00:00",
                 "stress": min(10, 2 + d // 7 + (d % 3 == 0)), "mood": (d % 3) - 1}
                for d in range(28)]
    export = make_export(export_id="exp-trend", exported_at="2026-10-30T08:00:00+00:00", checkins=checkins,
                         conversations=[], practices=[])
    con = db.connect(tmp_path / "t.duckdb")
    ingest_paths(con, [write_export(tmp_path, export)])
    report = run_analysis(con, encoder=TORCH)
    assert report.clients_trended == 1
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE analysis_trends)").fetchall())
    assert types == {"client_id": "VARCHAR", "measure": "VARCHAR", "window_start": "DATE", "window_end": "DATE",
                     "n_days": "INTEGER", "slope_per_week": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE",
                     "verdict": "VARCHAR"}
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT measure, verdict, slope_per_week, ci_low, ci_high, n_days FROM analysis_trends").fetchall()}
    verdict, slope, low, high, n_days = rows["stress"]
    assert verdict == "rising" and 0.5 < slope < 1.5 and low > 0 and n_days == 28
    assert rows["mood"][0] == "no clear trend"


def test_sql_fingerprints_are_per_client_order_free_and_see_every_change():
    import duckdb

    from pipelines.stages import sql_fingerprints

    con = duckdb.connect()
    con.execute("CREATE TABLE x AS SELECT * FROM (VALUES ('a', 1, 0.5), ('a', 2, 0.25), ('b', 1, 0.5)) t(client_id, d, v)")
    query = ["SELECT client_id, d, round(v, 9) AS v FROM x"]
    before = sql_fingerprints(con, query)
    con.execute("CREATE TABLE y AS SELECT * FROM x ORDER BY d DESC; DROP TABLE x; ALTER TABLE y RENAME TO x")
    assert sql_fingerprints(con, query) == before
    con.execute("UPDATE x SET v = 0.3 WHERE client_id = 'a' AND d = 2")
    after = sql_fingerprints(con, query)
    assert after["a"] != before["a"] and after["b"] == before["b"]


def test_progress_reports_every_stage_up_to_its_total(tmp_path):
    """The long stages (embed, signals, themes) report too, not just the per-client ones, and
    each ends at done == total; the report has wall and CPU seconds for each."""
    conversations = [(topic, texts[:4]) for topic, texts in TOPICS.items()]
    paths = [write_export(tmp_path, topic_export(client, conversations, LONG_BENIGN_NOTE)) for client in (7, 8)]
    con = db.connect(tmp_path / "p.duckdb")
    try:
        ingest_paths(con, paths)
        calls = []
        report = run_analysis(con, encoder=TORCH, progress=lambda *call: calls.append(call))
    finally:
        con.close()
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["embed", "signals", "themes", "trends", "clinical"]
    for stage in stages:
        mine = [(done, total) for s, done, total in calls if s == stage]
        assert mine[-1][0] == mine[-1][1] > 0
        assert all(a[0] <= b[0] for a, b in zip(mine, mine[1:]))  # never backwards
    assert [done for s, done, _ in calls if s == "themes"] == [0, 1, 2, 3]  # two clients, the caseload
    assert set(report.seconds) == set(report.cpu_seconds) == set(stages)
