"""The per-client stage runner: recompute on changed inputs or version, isolate failing clients."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from pipelines.analyze import stage
from pipelines.ingest import ingest_paths
from pipelines.stages import Stage, run_client_stage, stage_inputs
from tests.conftest import make_export, write_export


@pytest.fixture
def two_clients(con, tmp_path):
    for client in ("c-good", "c-bad"):
        export = make_export(n_checkins=5, export_id=f"exp-{client}",
                             client={"client_id": client, "timezone": "Europe/Berlin"})
        write_export(tmp_path, export, f"{client}.json")
    report = ingest_paths(con, [tmp_path])
    assert not report.rejected
    return con


def _rows_per_client(inputs) -> dict[str, pd.DataFrame]:
    values = inputs["values"]
    if "c-bad" in set(values["client_id"]):
        raise ValueError("data this computation cannot handle")
    rows = values.groupby("client_id", as_index=False).agg(n_days=("value", "size"))
    return {"client_trends": rows.assign(
        measure="mood", window_start=pd.Timestamp("2026-11-01").date(), window_end=pd.Timestamp("2026-11-14").date(),
        slope_per_week=0.0, ci_low=-1.0, ci_high=1.0, verdict="no clear trend")}


def _test_stage(version: int = 1) -> Stage:
    return dataclasses.replace(stage("trends"), compute=_rows_per_client, version=version)


def test_a_failing_client_is_skipped_and_reported_while_the_others_are_computed(two_clients, caplog):
    con = two_clients
    outcome = run_client_stage(con, _test_stage())
    assert outcome.recomputed == 1 and outcome.failed == ["c-bad"]
    assert con.execute("SELECT client_id FROM client_trends").fetchall() == [("c-good",)]
    # The log names the client's pseudonymous id and the error type, never the error's text.
    assert "ValueError" in caplog.text and "cannot handle" not in caplog.text
    # The failed client is tried again next run; the good one is not recomputed.
    again = run_client_stage(con, _test_stage())
    assert again.recomputed == 0 and again.failed == ["c-bad"]


def test_a_version_bump_recomputes_clients_whose_inputs_did_not_change(two_clients):
    con = two_clients
    for table in ("checkins", "conversations", "messages", "clients"):
        con.execute(f"DELETE FROM {table} WHERE client_id = 'c-bad'")
    assert run_client_stage(con, _test_stage(1)).recomputed == 1
    assert run_client_stage(con, _test_stage(1)).recomputed == 0
    assert run_client_stage(con, _test_stage(2)).recomputed == 1
    fingerprint = con.execute("SELECT fingerprint FROM stage_fingerprints WHERE stage = 'trends'").fetchone()[0]
    assert fingerprint.startswith("v2|")


def test_changed_inputs_recompute_only_that_client_and_clients_gone_lose_their_rows(two_clients):
    con = two_clients
    good = dataclasses.replace(_test_stage(), compute=lambda i: _rows_per_client(
        {"values": i["values"].assign(client_id=i["values"]["client_id"].str.replace("c-bad", "c-other"))}))
    assert run_client_stage(con, good).recomputed == 2
    con.execute("UPDATE checkins SET mood = 3 WHERE client_id = 'c-good'")
    assert run_client_stage(con, good).recomputed == 1
    for table in ("checkins", "conversations", "messages", "clients"):
        con.execute(f"DELETE FROM {table} WHERE client_id = 'c-good'")
    run_client_stage(con, good)
    assert con.execute("SELECT count(*) FROM client_trends WHERE client_id = 'c-good'").fetchone()[0] == 0
    assert "c-good" not in {r[0] for r in con.execute("SELECT client_id FROM stage_fingerprints").fetchall()}


def test_progress_reports_each_stage_from_zero_to_its_total(two_clients):
    calls = []
    run_client_stage(two_clients, _test_stage(), lambda *call: calls.append(call))
    assert calls[0] == ("trends", 0, 2) and calls[-1] == ("trends", 2, 2)


def test_stage_inputs_are_in_a_fixed_order_whatever_the_row_order(two_clients):
    con = two_clients
    before = stage_inputs(con, stage("clinical"), ["c-good"])
    con.execute("CREATE TABLE shuffled AS SELECT * FROM checkins ORDER BY random(); DELETE FROM checkins; "
                "INSERT INTO checkins SELECT * FROM shuffled")
    after = stage_inputs(con, stage("clinical"), ["c-good"])
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_a_client_whose_themes_fail_is_skipped_and_the_others_are_themed(con, tmp_path, monkeypatch):
    from pipelines import themes_stage
    from pipelines.analyze import text_units

    for client in ("c-good", "c-bad"):
        write_export(tmp_path, make_export(export_id=f"exp-{client}", client={"client_id": client}), f"{client}.json")
    ingest_paths(con, [tmp_path])
    built = []

    def rebuild(con, scope, client_id, units, store, digest):
        if client_id == "c-bad":
            raise ValueError("texts this clustering cannot handle")
        built.append(client_id)

    monkeypatch.setattr(themes_stage, "_rebuild", rebuild)
    monkeypatch.setattr(themes_stage, "_update_caseload", lambda *args, **kwargs: False)
    units = text_units(con).drop(columns="superseded")
    outcome = themes_stage.update_themes(con, units, store=None)
    assert built == ["c-good"] and outcome.failed == ["c-bad"] and outcome.clients_reclustered == 1
