"""The practice overview (issue 11): de-identified counts and rates for admins and supervisors.
Counts from 1 to 10 show as "<11", with secondary suppression so that no hidden count can be
worked out from the totals, the other cells or the percentages (checked with the exact integer
programming audit of dashboard/suppression.py); no client id, name or quote on the page or in
the CSV; only aggregates leave dashboard/data.py."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import data, overview_model, suppression
from dashboard.overview_model import OverviewReads
from dashboard.suppression import HIDDEN, MIN_CELL, SHOWN, SMALL, TOTAL
from tests.test_pages import all_text, app_rows, open_page

CLIENT_ID = re.compile(r"\bc-\d{4}\b")


def reads(**overrides) -> OverviewReads:
    """Three clinicians; one with few summary-scope clients, few urgent flags, a rare practice."""
    base = dict(
        clinician_scope=pd.DataFrame({"clinician": ["Dr A", "Dr A", "Dr B", "Dr B", "Dr C"],
                                      "scope": ["raw", "summary", "raw", "summary", "raw"],
                                      "n": [30, 4, 25, 12, 40]}),
        sharing=pd.DataFrame({"recency": ["7d", "28d", "older", "never"], "n": [60, 30, 3, 18]}),
        trends=pd.DataFrame({"measure": ["stress", "stress", "stress", "stress", "mood", "mood", "mood"],
                             "verdict": ["rising", "falling", "no clear trend", None, "rising", "no clear trend", None],
                             "n": [7, 20, 60, 24, 15, 72, 24]}),
        flags=pd.DataFrame({"risk": ["urgent", "urgent", "watch", "watch"], "reviewed": [False, True, False, True],
                            "n": [2, 5, 30, 44]}),
        practices=pd.DataFrame({"kind": ["box_breathing", "box_breathing", "other"], "recent": [True, False, True],
                                "n": [50, 120, 3]}),
    )
    base.update(overrides)
    return OverviewReads(**base)


def hidden_cells_ranges(t: overview_model.OverviewTable) -> dict:
    """(row, column) -> (smallest, largest) each hidden value can take given what the table shows."""
    table = t.counts.astype(np.int64).copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    values, marks = table.to_numpy(), t.mask.to_numpy()
    return {(table.index[i], table.columns[j]): r for (i, j), r in suppression.hidden_ranges(values, marks)}


def assert_safe(t: overview_model.OverviewTable) -> None:
    """Every count from 1 to 10 is hidden, and no hidden count is pinned down by what is shown."""
    table = t.counts.astype(np.int64).copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    small = (table >= 1) & (table < MIN_CELL)
    assert (t.mask[small] != SHOWN).all().all() if small.any().any() else True
    for column in t.cells.columns:
        for row in t.cells.index:
            shown = t.cells.loc[row, column]
            if 1 <= table.loc[row, column] < MIN_CELL:
                assert shown in (SMALL, HIDDEN), (t.key, row, column, shown)
            if shown not in (SMALL, HIDDEN):
                assert shown == str(table.loc[row, column])
    for cell, (low, high) in hidden_cells_ranges(t).items():
        assert round(low) < round(high), (t.key, cell, low, high)
    if t.shares is not None:   # a percentage never stands in for a hidden count or a hidden total
        hidden = t.cells.isin([SMALL, HIDDEN])
        assert (t.shares.loc[:, list(t.cells.columns)][hidden] == HIDDEN).sum().sum() == hidden.sum().sum()


def test_small_counts_show_as_under_eleven_with_complements_that_cannot_be_worked_out():
    model = overview_model.overview_model(reads())
    for t in model.tables:
        assert_safe(t)
    clinicians = model.table("clinicians").cells
    assert clinicians.loc["Dr A", "Summaries only"] == SMALL      # 4
    # Dr A's row would give 34 - 30 = 4: a complement in the row hides it.
    assert (clinicians.loc["Dr A"] == HIDDEN).any() or clinicians.loc["Dr A", TOTAL] in (SMALL, HIDDEN)
    flags = model.table("flags")
    assert flags.cells.loc["Urgent", "Not reviewed yet"] == SMALL and flags.cells.loc["Urgent", "Reviewed"] == SMALL
    assert flags.shares.loc["Urgent", "Reviewed"] == HIDDEN
    trends = model.table("trends")
    assert trends.cells.loc["Worsening", "Stress"] == SMALL
    assert TOTAL not in trends.cells.columns   # stress + mood adds up to nothing meaningful
    assert trends.cells.loc["Improving", "Stress"] == HIDDEN or trends.cells.loc[TOTAL, "Stress"] == HIDDEN


def test_percentages_come_only_from_shown_counts_and_totals():
    model = overview_model.overview_model(reads())
    sharing = model.table("sharing")
    assert sharing.cells.loc["In the last 7 days", "Clients"] == "60"
    assert sharing.shares.loc["In the last 7 days", "Clients"] == "54%"   # 60 of 111
    assert sharing.cells.loc["More than 28 days ago", "Clients"] == SMALL
    assert sharing.shares.loc["More than 28 days ago", "Clients"] == HIDDEN
    shown = sharing.display()
    assert shown.loc["In the last 7 days", "Clients"] == "60 (54%)"
    assert shown.loc["More than 28 days ago", "Clients"] == SMALL
    assert HIDDEN not in shown.to_numpy() and "*" not in model.csv()   # a bare * reads as markdown: in words


def test_the_csv_holds_exactly_what_the_page_shows():
    model = overview_model.overview_model(reads())
    rows = list(csv.DictReader(io.StringIO(model.csv())))
    assert {r["table"] for r in rows} == {t.title for t in model.tables}
    for t in model.tables:
        mine = {(r["row"], r["column"]): r["count"] for r in rows if r["table"] == t.title}
        assert mine == {(str(i), str(c)): t.cells.loc[i, c].replace(HIDDEN, overview_model.HIDDEN_WORD)
                        for i in t.cells.index for c in t.cells.columns}
    # No small count anywhere in the file: every 1-10 is "<11".
    assert not [r for r in rows if r["count"].isdigit() and 1 <= int(r["count"]) < MIN_CELL]


def test_trend_words_say_which_way_is_better():
    assert overview_model.trend_category("stress", "rising") == "worsening"
    assert overview_model.trend_category("mood", "rising") == "improving"
    assert overview_model.trend_category("mood", "falling") == "worsening"
    assert overview_model.trend_category("stress", "no clear trend") == "flat"
    assert overview_model.trend_category("stress", None) == "no_data"


def test_a_practice_with_few_clients_hides_the_totals_shared_with_other_tables():
    """Five clients in all: every table counting them hides them, zeros stay."""
    model = overview_model.overview_model(reads(
        clinician_scope=pd.DataFrame({"clinician": ["Dr A"], "scope": ["raw"], "n": [5]}),
        sharing=pd.DataFrame({"recency": ["7d"], "n": [5]}),
        trends=pd.DataFrame({"measure": ["stress", "mood"], "verdict": [None, None], "n": [5, 5]})))
    for key in ("clinicians", "sharing", "trends"):
        cells = model.table(key).cells
        assert set(cells.to_numpy().ravel()) <= {SMALL, HIDDEN, "0"}, (key, cells)
    for t in model.tables:
        assert_safe(t)


def test_the_overview_read_returns_counts_only_and_only_to_admins_and_supervisors():
    with pytest.raises(data.AccessDenied, match="counts only"):
        data._aggregates_only(pd.DataFrame({"client_id": ["c-0001"], "n": [1]}), ("recency",))
    with pytest.raises(data.AccessDenied, match="counts only"):
        data._aggregates_only(pd.DataFrame({"recency": ["7d"], "n": ["c-0001"]}), ("recency",))


# --- on the sample database, through the app ---------------------------------------------------


def identifying(path) -> set[str]:
    """Every client id and display name in the database."""
    rows = app_rows(path, "SELECT client_id, display_name FROM clients")
    return set(rows["client_id"]) | {n for n in rows["display_name"].dropna() if len(n) >= 3}


def page_text(app) -> str:
    parts = [all_text(app)]
    for table in app.table:
        frame = table.value
        parts += [" ".join(map(str, frame.index)), " ".join(map(str, frame.columns)),
                  " ".join(map(str, frame.to_numpy().ravel()))]
    return "\n".join(parts)


@pytest.mark.parametrize("username", ["admin", "supervisor"])
def test_the_overview_page_shows_suppressed_counts_and_no_client(sample_db_copy, username):
    app = open_page("views/overview.py", user=username)
    text = page_text(app)
    assert [t.value for t in app.title] == ["Practice overview"]
    assert "Clients by clinician" in text and "Risk flags by level" in text
    assert len(app.table) == 5
    assert not CLIENT_ID.search(text)
    for word in identifying(sample_db_copy):
        assert word not in text, word
    user = data.account(sample_db_copy, username)
    model = overview_model.overview_model(data.practice_overview(sample_db_copy, user, data.default_today(sample_db_copy)))
    shown = {t.title: t.display() for t in model.tables}
    for table in app.table:   # the page shows the model's strings, nothing else
        assert any(table.value.astype(str).equals(frame.astype(str)) for frame in shown.values())
    csv_text = model.csv()
    assert not CLIENT_ID.search(csv_text)
    for word in identifying(sample_db_copy):
        assert word not in csv_text, word
    for t in model.tables:
        assert_safe(t)
    assert app.get("download_button")


def test_the_sample_overview_counts_every_client_and_suppresses_its_small_cells(sample_db_copy):
    admin = data.account(sample_db_copy, "admin")
    model = overview_model.overview_model(data.practice_overview(sample_db_copy, admin, data.default_today(sample_db_copy)))
    n = int(app_rows(sample_db_copy, "SELECT count(*) AS n FROM clients")["n"].iloc[0])
    assert model.table("sharing").counts.to_numpy().sum() == n
    assert (model.table("trends").counts.sum(axis=0) == n).all()
    flags = int(app_rows(sample_db_copy, "SELECT count(*) AS n FROM text_evidence WHERE risk IN ('watch', 'urgent')")
                ["n"].iloc[0])
    assert model.table("flags").counts.to_numpy().sum() == flags
    suppressed_somewhere = [t.key for t in model.tables if t.cells.isin([SMALL]).any().any()]
    assert suppressed_somewhere   # the sample has small counts: the test exercises suppression
    for t in model.tables:
        assert_safe(t)


def test_therapists_have_no_overview(sample_db_copy):
    rivera = data.account(sample_db_copy, "rivera")
    with pytest.raises(data.AccessDenied):
        data.practice_overview(sample_db_copy, rivera, data.default_today(sample_db_copy))
    app = open_page("views/today.py", user="rivera")
    with pytest.raises(Exception):   # not in a therapist's menu: AppTest cannot switch to it
        app.switch_page("views/overview.py").run()
        assert not app.table
        raise AssertionError("the overview opened for a therapist")
