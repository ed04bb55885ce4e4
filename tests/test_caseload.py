"""The caseload page (issue 11): the pure model (dashboard/caseload_model.py) on small made-up
caseloads with exact expectations, then the page itself on the analyzed sample as a
supervisor, a therapist (own clients only) and an admin (no client content), filters that
survive page switches, and in Chromium a row that opens a brief."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import caseload_model as cm
from tests.test_pages import APP, RISK_CLIENT, all_text, app_env, open_page, sign_in  # noqa: F401  (app_env: fixture)

TODAY = date(2026, 11, 20)


# --- made-up caseloads -------------------------------------------------------------------------

def clients_frame(rows) -> pd.DataFrame:
    """(client_id, provider_id[, scope]) -> the data.clients shape."""
    out = []
    for row in rows:
        cid, pid, scope = (*row, "raw")[:3]
        out.append({"client_id": cid, "display_name": f"Name {cid}", "timezone": "UTC", "provider_id": pid,
                    "provider_name": f"Dr {pid}", "scope": scope})
    return pd.DataFrame(out)


def flag(cid: str, risk: str, days_ago: int, reviewed: bool = False, reason: str = "phrase: x") -> dict:
    at = pd.Timestamp(TODAY - timedelta(days=days_ago)).tz_localize("UTC") + pd.Timedelta(hours=12)
    return {"client_id": cid, "source": "message", "source_id": f"m-{cid}-{risk}-{days_ago}", "written_at": at,
            "risk": risk, "risk_reason": reason, "reviewed_at": at + pd.Timedelta(days=1) if reviewed else pd.NaT}


def flags_frame(rows) -> pd.DataFrame:
    columns = ["client_id", "source", "source_id", "written_at", "risk", "risk_reason", "reviewed_at"]
    return pd.DataFrame(rows, columns=columns)


def trend(cid: str, measure: str, verdict: str, slope: float, low: float, high: float) -> dict:
    return {"client_id": cid, "measure": measure, "verdict": verdict, "slope_per_week": slope,
            "ci_low": low, "ci_high": high, "n_days": 50}


def trends_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["client_id", "measure", "verdict", "slope_per_week", "ci_low", "ci_high",
                                       "n_days"])


def active(cid: str, days_ago) -> list[dict]:
    """Activity days of a client, as data.caseload_activity_days returns them."""
    return [{"client_id": cid, "day": pd.Timestamp(TODAY - timedelta(days=d))} for d in days_ago]


def days_frame(*groups) -> pd.DataFrame:
    return pd.DataFrame([row for group in groups for row in group], columns=["client_id", "day"])


def every_day(cid: str, first: int, last: int = 0, step: int = 1) -> list[dict]:
    return active(cid, range(last, first + 1, step))


def status_frame(rows) -> pd.DataFrame:
    """(client_id, last session days ago or None, records since) -> the caseload_status shape."""
    out = []
    for cid, ago, since in rows:
        session = None if ago is None else pd.Timestamp(TODAY - timedelta(days=ago)).tz_localize("UTC")
        out.append({"client_id": cid, "last_session": session, "checkins": since, "conversations": 0,
                    "practices": 0})
    return pd.DataFrame(out)


def reads(clients, flags=None, trends=None, days=None, status=None, weekly=None, themes=None) -> cm.CaseloadReads:
    return cm.CaseloadReads(
        clients=clients, flags=flags if flags is not None else flags_frame([]),
        trends=trends if trends is not None else trends_frame([]),
        activity_days=days if days is not None else days_frame(),
        status=status if status is not None else status_frame([]),
        theme_weekly=weekly if weekly is not None else pd.DataFrame(columns=["client_id", "week", "theme_id", "n_texts"]),
        themes=themes if themes is not None else pd.DataFrame(columns=["theme_id", "label", "keywords"]))


FILTERS = cm.Filters(*cm.default_period(TODAY))


@pytest.fixture
def caseload():
    """Eight clients of two clinicians, one reason each (c-8: none; c-9: a reviewed flag only)."""
    clients = clients_frame([("c-1", "p-1"), ("c-2", "p-1"), ("c-3", "p-2"), ("c-4", "p-2"), ("c-5", "p-1"),
                             ("c-6", "p-2", "summary"), ("c-8", "p-1"), ("c-9", "p-2")])
    flags = flags_frame([flag("c-3", "watch", 3), flag("c-1", "urgent", 2), flag("c-2", "watch", 40),
                         flag("c-2", "watch", 10, reason=None), flag("c-9", "urgent", 5, reviewed=True)])
    trends = trends_frame([trend("c-4", "stress", "rising", 0.42, 0.12, 0.71),
                           trend("c-4", "mood", "no clear trend", -0.1, -0.3, 0.1),
                           trend("c-8", "stress", "falling", -0.5, -0.8, -0.2),   # improving: no reason
                           trend("c-9", "mood", "no clear trend", 0.0, -0.2, 0.2)])
    # c-5 shared on 5 days a week for 8 weeks (40 days: about 10 a fortnight), then on 1 of the last 14: a drop.
    c5 = [d for d in range(14, 70) if d % 7 < 5]
    days = days_frame(active("c-5", [2] + c5), every_day("c-8", 69), every_day("c-1", 69), every_day("c-2", 69),
                      every_day("c-3", 69), every_day("c-4", 69), every_day("c-9", 69),
                      every_day("c-6", 69, 13, step=7))   # c-6: weekly, nothing in the 12 days since their session
    status = status_frame([("c-6", 12, 0), ("c-8", 3, 2), ("c-1", 20, 5)])
    return reads(clients, flags, trends, days, status)


def test_attention_ranks_urgent_then_watch_then_trend_engagement_and_silence_each_saying_why(caseload):
    model = cm.caseload_model(caseload, FILTERS, TODAY)
    table = model.attention
    assert table["client_id"].tolist() == ["c-1", "c-2", "c-3", "c-4", "c-5", "c-6"]
    assert table["reason"].tolist() == [cm.URGENT_FLAG, cm.WATCH_FLAG, cm.WATCH_FLAG, cm.WORSENING,
                                        cm.ENGAGEMENT_DROP, cm.NO_DATA]
    why = dict(zip(table["client_id"], table["why"]))
    assert why["c-1"] == ("1 unreviewed urgent flag, waiting 2 days",)
    assert why["c-2"] == ("2 unreviewed watch flags, the oldest waiting 40 days (1 from the model alone)",)
    assert why["c-3"] == ("1 unreviewed watch flag, waiting 3 days",)
    assert why["c-4"] == ("stress rising +0.4 points/week (95 % CI +0.1 to +0.7)",)
    assert why["c-5"] == ("shared on 1 of the last 14 days (their usual rate: about 10)",)
    assert why["c-6"] == (f"nothing shared since the session on {TODAY - timedelta(days=12):%-d %b} (12 days)",)
    # A reviewed flag is no reason (it stays in the brief); an improving client is not listed.
    assert "c-9" not in set(table["client_id"]) and "c-8" not in set(table["client_id"])


def test_a_client_with_several_reasons_is_one_row_ranked_by_the_most_pressing(caseload):
    more = caseload.trends.copy()
    more.loc[len(more)] = trend("c-3", "mood", "falling", -0.31, -0.52, -0.1)
    flags = pd.concat([caseload.flags, flags_frame([flag("c-3", "urgent", 1)])], ignore_index=True)
    model = cm.caseload_model(cm.CaseloadReads(**{**caseload.__dict__, "trends": more, "flags": flags}), FILTERS, TODAY)
    row = model.attention.set_index("client_id").loc["c-3"]
    assert row["reasons"] == (cm.URGENT_FLAG, cm.WATCH_FLAG, cm.WORSENING)
    assert row["why"] == ("1 unreviewed urgent flag, waiting 1 day", "1 unreviewed watch flag, waiting 3 days",
                          "mood falling -0.3 points/week (95 % CI -0.5 to -0.1)")
    # Both urgent: the flag that has waited longer (c-1, 2 days) comes first.
    assert model.attention["client_id"].tolist()[:2] == ["c-1", "c-3"]
    assert model.attention["client_id"].tolist().count("c-3") == 1


def test_a_long_list_draws_its_head_as_cards_every_urgent_client_among_them_and_the_rest_as_a_table():
    clients = clients_frame([(f"c-{i:02d}", "p-1") for i in range(30)])
    flags = flags_frame([flag(f"c-{i:02d}", "urgent" if i < 24 else "watch", i) for i in range(30)])
    attention = cm.caseload_model(reads(clients, flags), FILTERS, TODAY).attention
    cards, rest = cm.attention_split(attention)
    assert len(cards) == 24 and (cards["reason"] == cm.URGENT_FLAG).all()   # more urgent than MAX_ATTENTION_CARDS
    assert rest["client_id"].tolist() == ["c-29", "c-28", "c-27", "c-26", "c-25", "c-24"]
    table = cm.attention_table(rest)
    assert table.iloc[0].to_dict() == {"Client": "Name c-29", "ID": "c-29", "Clinician": "Dr p-1",
                                       "Reason": "Watch risk flag", "Why": "1 unreviewed watch flag, waiting 29 days",
                                       "Brief": "brief?client=c-29"}
    few, none = cm.attention_split(attention.iloc[24:])
    assert len(few) == 6 and none.empty


def test_headline_counts_every_unreviewed_flag_however_old_and_the_oldest(caseload):
    short = cm.Filters(TODAY - timedelta(days=1), TODAY)          # a two-day period hides no flag
    head = cm.caseload_model(caseload, short, TODAY).headline
    assert (head.n_clients, head.n_open_flags, head.n_open_urgent, head.oldest_open_days) == (8, 4, 1, 40)
    assert head.n_worsening == 1 and head.n_open_elsewhere == 0
    assert head.n_active == 6            # c-5 (last shared 2 days ago) and c-6 (12 days ago) are not
    full = cm.caseload_model(caseload, FILTERS, TODAY).headline
    assert (full.n_active, full.n_sharing_week) == (8, 7)   # this week: c-5 (day 2) counts, c-6 does not


def test_engagement_drop_needs_a_real_earlier_habit_enough_history_and_an_unlikely_shortfall():
    days = days_frame(
        every_day("habit", 69, 14), active("habit", [1, 5]),            # every day, then 2 of 14: a drop
        active("rare", range(14, 70, 7)),                                 # once a week: 2 a fortnight expected
        every_day("new", 27, 14),                                         # 2 weeks on record before the last 2
        active("chance", range(14, 70, 4)), active("chance", [3]),        # 3.5 a fortnight, then 1: could be chance
        every_day("steady", 69))
    ids = ["habit", "rare", "new", "chance", "steady"]
    out = cm.engagement(days, ids, TODAY).set_index("client_id")
    assert out.loc["habit", ["recent_days", "baseline_days", "baseline_span"]].tolist() == [2, 56, 56]
    assert out["dropped"].to_dict() == {"habit": True, "rare": False, "new": False, "chance": False,
                                         "steady": False}
    assert out.loc["rare", "expected"] < cm.MIN_BASELINE_PER_FORTNIGHT   # about 2 a fortnight: below the floor
    assert out.loc["new", "baseline_span"] == 14                          # under the 4 weeks required
    chance = out.loc["chance"]
    assert chance["recent_days"] <= cm.DROP_RATIO * chance["expected"] and chance["p_value"] > cm.DROP_P


def test_per_clinician_rates_are_per_client_with_their_n(caseload):
    model = cm.caseload_model(caseload, FILTERS, TODAY)
    rows = model.clinicians.set_index("provider_id")
    p1, p2 = rows.loc["p-1"], rows.loc["p-2"]
    assert (p1["n_clients"], p1["n_trend"], p1["n_improving"], p1["improving"]) == (4, 1, 1, 1.0)   # c-8 only
    assert (p2["n_clients"], p2["n_trend"], p2["n_worsening"], p2["n_flat"]) == (4, 2, 1, 1)         # c-4, c-9
    assert p2["worsening"] == pytest.approx(0.5)
    assert (p1["open_flags"], p1["clients_with_open_flags"], p2["open_flags"]) == (3, 2, 1)
    assert p1["n_dropped"] == 1 and p2["n_dropped"] == 0
    # Days shared per client per week over the 8-week period: c-1, c-2, c-8 every day (7),
    # c-5 on 31 of its days (30 in weeks 3-8, and day 2): a mean per client, not a total per clinician.
    assert p1["days_per_week"] == pytest.approx((7 * 3 + 31 / 8) / 4)
    table = cm.clinician_table(model.clinicians).set_index("Clinician")
    assert table.loc["Dr p-2", "Worsening"] == "1 of 2 (50 %)"
    assert table.loc["Dr p-1", "Open flags"] == "3 (2 clients)"
    assert table.loc["Dr p-1", "Improving"] == "1 of 1 (100 %)"


def test_filters_choose_a_clinician_and_a_share_scope_and_say_what_they_leave_out(caseload):
    one = cm.caseload_model(caseload, cm.Filters(FILTERS.since, FILTERS.until, clinician="p-2"), TODAY)
    assert set(one.attention["client_id"]) == {"c-3", "c-4", "c-6"}
    assert one.clinicians["provider_id"].tolist() == ["p-2"]
    assert (one.headline.n_clients, one.headline.n_open_flags, one.headline.n_open_elsewhere) == (4, 1, 3)
    summary = cm.caseload_model(caseload, cm.Filters(FILTERS.since, FILTERS.until, scope="summary"), TODAY)
    assert summary.attention["client_id"].tolist() == ["c-6"] and summary.headline.n_clients == 1
    both = cm.caseload_model(caseload, cm.Filters(FILTERS.since, FILTERS.until, clinician="p-1", scope="summary"),
                             TODAY)
    assert both.headline.n_clients == 0 and both.attention.empty


def test_a_client_seen_by_two_clinicians_is_one_row_and_counts_for_both():
    clients = clients_frame([("c-1", "p-1"), ("c-1", "p-2"), ("c-2", "p-2")])
    model = cm.caseload_model(reads(clients, flags_frame([flag("c-1", "urgent", 4)])), FILTERS, TODAY)
    assert model.attention["client_id"].tolist() == ["c-1"]
    assert model.attention.iloc[0]["provider_name"] == "Dr p-1, Dr p-2"
    assert model.headline.n_clients == 2 and model.headline.n_open_flags == 1
    assert model.clinicians.set_index("provider_id")["open_flags"].to_dict() == {"p-1": 1, "p-2": 1}


def test_unreviewed_flags_by_days_waiting_fill_every_bucket_in_order(caseload):
    flags = flags_frame([flag("c-1", "urgent", d) for d in (0, 2, 3)] + [flag("c-2", "watch", d) for d in (8, 29, 300)]
                        + [flag("c-2", "watch", 1, reviewed=True)])
    model = cm.caseload_model(cm.CaseloadReads(**{**caseload.__dict__, "flags": flags}), FILTERS, TODAY)
    ages = model.flag_ages
    assert ages["bucket"].tolist() == [b[2] for b in cm.AGE_BUCKETS]
    assert ages["urgent"].tolist() == [2, 1, 0, 0, 0]
    assert ages["watch"].tolist() == [0, 0, 1, 0, 2]
    figure = cm.flag_age_figure(ages)
    assert [t.name for t in figure.data] == ["Urgent", "Watch"]


def test_the_model_leaves_its_inputs_unchanged(caseload):
    before = {name: frame.copy() for name, frame in caseload.__dict__.items()}
    cm.caseload_model(caseload, FILTERS, TODAY)
    for name, frame in caseload.__dict__.items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


def weekly_frame(counts: dict[str, list[int]], clients=("c-1", "c-2"), weeks: int = 8) -> pd.DataFrame:
    """Texts per theme and week (the last `weeks` Mondays up to TODAY), split over two clients;
    theme None holds the texts in no theme."""
    monday = TODAY - timedelta(days=TODAY.weekday())
    rows = []
    for theme, per_week in counts.items():
        for i, n in enumerate(per_week):
            week = monday - timedelta(weeks=weeks - 1 - i)
            for j, cid in enumerate(clients):
                share = n // len(clients) + (1 if j < n % len(clients) else 0)
                if share:
                    rows.append({"client_id": cid, "week": pd.Timestamp(week), "theme_id": theme, "n_texts": share})
    return pd.DataFrame(rows)


def test_caseload_themes_rising_new_steady_and_quieter_by_share_of_all_texts():
    weekly = weekly_frame({
        "k:up": [2, 2, 2, 2, 10, 12, 10, 12],     # 5 % of texts before, ~25 % in the last 4 weeks
        "k:new": [0, 0, 0, 0, 3, 2, 3, 2],
        "k:flat": [10, 10, 10, 10, 10, 10, 10, 10],
        "k:down": [12, 12, 12, 12, 2, 1, 2, 1],
        None: [16, 16, 16, 16, 16, 16, 16, 16]})
    themes = pd.DataFrame({"theme_id": ["k:up", "k:new", "k:flat", "k:down", "k:gone"],
                           "label": ["money and budget", "moving house", "sleep and night", "exams", "unused"],
                           "keywords": [["money", "rent"], ["boxes"], ["sleep"], ["exam"], ["x"]]})
    out = cm.theme_trends(weekly, themes, ["c-1", "c-2"], *cm.default_period(TODAY)).set_index("theme_id")
    assert out["status"].to_dict() == {"k:up": "rising", "k:new": "new", "k:flat": "steady", "k:down": "quieter"}
    assert out.index[:2].tolist() == ["k:new", "k:up"]          # new and rising first, then the busiest
    assert out.loc["k:up", "n_recent"] == 44 and out.loc["k:up", "clients_recent"] == 2
    assert out.loc["k:up", "share_before"] == pytest.approx(8 / 160)
    assert out.loc["k:up", "keywords"] == ["money", "rent"]
    assert "k:gone" not in out.index                              # nothing written in the period
    # Another client's texts are not counted for these clients.
    assert cm.theme_trends(weekly, themes, ["c-3"], *cm.default_period(TODAY)).empty
    shares = cm.theme_weekly_shares(weekly, out.reset_index(), ["c-1", "c-2"], *cm.default_period(TODAY))
    up = shares[shares["theme_id"] == "k:up"]
    assert len(up) == 8 and up["share"].iloc[-1] == pytest.approx(12 / (12 + 2 + 10 + 1 + 16))


def test_theme_labels_reach_the_chart_inert():
    shares = pd.DataFrame({"week": [TODAY], "theme_id": ["k:1"], "label": ["<img src=x> [a](http://h)"],
                           "n_texts": [3], "share": [0.2]})
    figure = cm.theme_share_figure(shares, TODAY)
    assert "<img" not in figure.data[0].name and "](" not in figure.data[0].name


# --- the page on the analyzed sample (AppTest) ------------------------------------------------------

def open_caseload(user: str) -> AppTest:
    return open_page("views/caseload.py", user, timeout=120)


def page_links(app: AppTest) -> list:
    return [link.proto for link in app.get("page_link")]


def clinician_table(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Improving" in d.value.columns)


def sample_clients(path, provider: str | None = None) -> set[str]:
    from tests.test_pages import app_rows

    rows = app_rows(path, "SELECT DISTINCT client_id, provider_id FROM client_providers")
    return set(rows.loc[rows["provider_id"] == provider, "client_id"] if provider else rows["client_id"])


def test_supervisor_sees_the_whole_caseload_with_the_risk_client_first_opening_its_brief(app_env):
    app = open_caseload("supervisor")
    metrics = {m.label: m.value for m in app.metric}
    assert set(metrics) == {"Active clients", "Sharing this week", "Unreviewed risk flags", "Oldest unreviewed",
                            "Worsening trend"}
    assert metrics["Active clients"].endswith(f"of {len(sample_clients(app_env))}")
    assert int(metrics["Unreviewed risk flags"]) > 0
    links = page_links(app)
    assert links and "brief" in links[0].page
    assert links[0].query_string == f"client={RISK_CLIENT}"            # planted urgent statements: first row
    text = all_text(app)
    assert "Urgent flag" in text and "988" in text
    subheaders = [s.value for s in app.subheader]
    assert subheaders == ["Who needs attention", "Unreviewed risk flags", "Per clinician", "Caseload themes over time"]
    assert len(app.get("plotly_chart")) == 2
    clinicians = clinician_table(app)
    assert clinicians["Clinician"].tolist() == ["Dr. A. Rivera", "Dr. M. Okafor", "Dr. S. Lindqvist"]
    assert clinicians["Clients"].sum() == len(sample_clients(app_env))
    from dashboard import data
    trail = data.audit_trail(app_env, data.account(app_env, "admin"), action="caseload viewed")
    assert "supervisor" in set(trail["username"])                      # who looked at the caseload


def test_a_therapist_sees_only_their_own_clients(app_env):
    app = open_caseload("rivera")
    own, everyone = sample_clients(app_env, "p-001"), sample_clients(app_env)
    linked = {link.query_string.removeprefix("client=") for link in page_links(app) if link.query_string}
    assert linked <= own                                               # whoever needs attention is theirs
    assert {m.label: m.value for m in app.metric}["Active clients"].endswith(f"of {len(own)}")
    assert clinician_table(app)["Clients"].tolist() == [len(own)]
    text = all_text(app) + " ".join(str(v) for d in app.dataframe for v in d.value.to_numpy().ravel())
    assert not [cid for cid in everyone - own if cid in text]        # another therapist's client never appears
    assert "Dr. M. Okafor" not in text and "Dr. S. Lindqvist" not in text
    assert [s.value for s in app.subheader] == ["Who needs attention", "Your caseload", "Caseload themes over time"]
    assert not [s for s in app.sidebar.selectbox if s.label == "Clinician"]   # nobody else to pick


def test_an_admin_has_no_caseload_page_and_reads_no_caseload(app_env):
    from dashboard import data

    app = AppTest.from_file(APP, default_timeout=120)
    sign_in(app, "admin")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/caseload.py")             # not in an admin's navigation
    assert not [cid for cid in sample_clients(app_env) if cid in all_text(app)]
    admin = data.account(app_env, "admin")
    with pytest.raises(data.AccessDenied):
        data.caseload(app_env, admin, TODAY, FILTERS)
    # The page itself, reached however, says why and shows nothing.
    page = AppTest.from_file(str(APP).replace("app.py", "views/caseload.py"), default_timeout=60)
    page.session_state["_auth_user"] = admin
    page.run()
    assert not page.exception and not page.metric
    assert any("admin accounts do not read" in i.value for i in page.info)


def test_filters_survive_a_page_switch(app_env):
    app = open_caseload("supervisor")
    next(s for s in app.sidebar.selectbox if s.label == "Clinician").select("p-002").run()
    next(s for s in app.sidebar.selectbox if s.label == "Sharing").select("raw").run()
    start = app.sidebar.date_input[1].value[1] - timedelta(days=27)
    app.sidebar.date_input[1].set_value((start, app.sidebar.date_input[1].value[1])).run()
    assert not app.exception
    okafor = sample_clients(app_env, "p-002")
    linked = {link.query_string.removeprefix("client=") for link in page_links(app) if link.query_string}
    assert linked and linked <= okafor
    app.switch_page("views/today.py").run()
    assert next(s for s in app.sidebar.selectbox if s.label == "Clinician").value == "p-002"
    app.switch_page("views/caseload.py").run()
    assert not app.exception
    sidebar = {s.label: s.value for s in app.sidebar.selectbox}
    assert (sidebar["Clinician"], sidebar["Sharing"]) == ("p-002", "raw")
    assert app.sidebar.date_input[1].value[0] == start
    assert clinician_table(app)["Clinician"].tolist() == ["Dr. M. Okafor"]


# --- in a real browser ------------------------------------------------------------------------------------

def test_caseload_loads_at_its_address_and_a_row_opens_the_brief(chromium_browser, app_url):
    from tests.browser import SCREENSHOTS, full_page_screenshot, open_page, settle, sign_in as browser_sign_in
    from tests.browser import streamlit_errors

    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        browser_sign_in(context, app_url, "supervisor")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_page(page, app_url, "/caseload", "Who needs attention")
        full_page_screenshot(page, SCREENSHOTS / "caseload.png")
        assert streamlit_errors(page) == [] and errors == []
        first = page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a', has_text="Open brief").first
        first.click()
        page.wait_for_url(f"**/brief?client={RISK_CLIENT}*", timeout=60_000)
        page.locator('[data-testid="stMain"]').get_by_text("Pre-session brief").first.wait_for(timeout=60_000)
        settle(page)
        assert streamlit_errors(page) == []
    finally:
        context.close()


def test_an_interval_end_near_zero_keeps_enough_decimals_not_to_read_as_zero():
    row = {"measure": "mood", "verdict": "falling", "slope_per_week": -0.21, "ci_low": -0.34, "ci_high": -0.03}
    assert cm.trend_words(row) == "mood falling -0.21 points/week (95 % CI -0.34 to -0.03)"
    row = {"measure": "stress", "verdict": "rising", "slope_per_week": 0.42, "ci_low": 0.11, "ci_high": 0.73}
    assert cm.trend_words(row) == "stress rising +0.4 points/week (95 % CI +0.1 to +0.7)"
