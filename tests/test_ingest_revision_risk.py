"""The 'risk language erased' report of issue 9, end to end with the real model: a later export
through another provider rewrites a message holding an urgent statement; the urgent flag
stays in the risk list, marked as an earlier version since revised."""

import copy
from datetime import date

from pipelines.analyze import run_analysis
from pipelines.ingest import ingest_paths
from pipelines.nlp.embed import Encoder, embed_texts
from tests.conftest import make_export, write_export

URGENT = "I have saved up the pills and I am going to take them all tonight."
# The query of dashboard.data.risk_flags, on the views that query reads.
RISK_FLAGS = """
    SELECT e.client_id, e.source, e.source_id, e.conversation_id, e.written_at, e.risk,
           e.risk_reason, e.evidence, u.text, e.superseded
    FROM text_evidence e JOIN text_units u USING (source, source_id, client_id)
    WHERE e.risk IN ('watch', 'urgent')
"""


def test_a_rewritten_urgent_message_stays_flagged_and_marked_revised(con, tmp_path):
    first = make_export()
    first["conversations"][0]["messages"][0]["text"] = URGENT
    rewritten = copy.deepcopy(first)
    rewritten.update(export_id="exp-2", exported_at="2026-11-20T07:30:00-06:00", provider={"provider_id": "p-008"})
    rewritten["conversations"][0]["messages"][0]["text"] = "Work was fine today."
    report = ingest_paths(con, [write_export(tmp_path, first), write_export(tmp_path, rewritten)])
    assert "1 revised via another share than the one that first sent the record" in report.files[1].line()

    run_analysis(con, encoder=Encoder("torch", embed_texts))
    flags = con.execute(RISK_FLAGS).df()
    urgent = flags[flags["text"] == URGENT]
    assert list(urgent["risk"]) == ["urgent"] and list(urgent["superseded"]) == [True]
    assert urgent["source_id"].iloc[0].startswith("m-0-0#")

    from dashboard import brief_model, briefing, printable
    from tests.test_brief_model import CLIENT, reads

    period = briefing.Period(since=date(2026, 11, 1), until=date(2026, 11, 30))
    ordered = briefing.order_risk_flags(flags.drop(columns=["superseded"]), "America/Chicago", period)
    assert list(ordered.loc[ordered["text"] == URGENT, "revised"]) == [True]
    model = brief_model.brief_model(reads(risk_flags=flags), CLIENT, date(2026, 11, 30), since=period.since)
    assert list(model.shown_flags.loc[model.shown_flags["text"] == URGENT, "revised"]) == [True]
    html = printable.brief_html(model)
    assert "URGENT</b>" in html and "(earlier version, since revised)" in html
