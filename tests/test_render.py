"""Client text is text: a hostile client's markup (remote images, links, HTML tags in every
field a client controls) reaches the page only as inert text (Streamlit AppTest here; in
Chromium, where nothing may be requested or linked outside the app, in test_render_browser.py).
"""

from __future__ import annotations

import dataclasses

import html
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import briefing, charts
from dashboard.text import plain
from tests.conftest import HOSTILE_BITS, HOSTILE_CLIENT, HOSTILE_HOST, HOSTILE_IMAGE, HOSTILE_LINK, HOSTILE_TAG, ROOT

APP = str(ROOT / "dashboard" / "app.py")
# What markdown, Streamlit's directives, a linkifier or HTML would act on, as it would arrive raw.
LIVE_MARKUP = re.compile(r"\]\(|<img|<a[\s>]|https?://|www\.|@" + re.escape(HOSTILE_HOST),
                         re.IGNORECASE)


def shown(text: str) -> str:
    """What a reader sees once character references are decoded and word joiners dropped."""
    return html.unescape(text).replace("\u2060", "")


@pytest.mark.parametrize("text", list(HOSTILE_BITS) + [
    "**bold** :red[alarm] :material/warning: :smile:", "# heading", "1. list", "- item", "| a | b |",
    "`code`", "$x^2$", "<http://x.example/auto>", "www.example.com", "HTTPS://EXAMPLE.COM/x",
    "mail me at a.b@example.com", "a & b &lt;tag&gt; &#91;", "tab\tand\nnewline", "bidi \u202etxt.exe",
    "50% of %{y} in {braces}", "back\\slash ~~strike~~ _under_ <!-- c --> >quote"])
def test_plain_text_is_inert_and_reads_as_written(text):
    out = plain(text)
    assert not LIVE_MARKUP.search(out), out
    # Nothing markdown or HTML could act on is left outside a numeric character reference.
    assert not re.search(r"[\[\]()<>*_`#|~$!&\\]", re.sub(r"&#\d+;", "", out)), out
    assert "\n" not in out and "\t" not in out and "\u202e" not in out
    assert shown(out) == " ".join(text.replace("\u202e", "").split())


def test_plain_leaves_ordinary_words_alone():
    assert plain("Sometimes I think it's fine, isn't it? \"Yes\"; ok") == \
        "Sometimes I think it's fine, isn't it? \"Yes\"; ok"
    assert plain(None) == "" and plain(7) == "7"


def test_charts_label_client_words_as_text():
    body = pd.DataFrame({"location": [HOSTILE_TAG, "chest"], "sensation": [HOSTILE_LINK, HOSTILE_IMAGE],
                         "n": [2, 1], "mean_intensity": [5.0, 6.0]})
    weekly = pd.DataFrame({"week": [pd.Timestamp("2026-11-02")] * 2, "theme_id": ["a", "b"],
                           "label": [HOSTILE_LINK, HOSTILE_TAG], "n_texts": [3, 1]})
    effects = pd.DataFrame({"kind": [HOSTILE_TAG], "n": [4], "mean_change": [-2.0], "ci_low": [-3.0],
                            "ci_high": [-1.0], "verdict": ["helped"]})
    for fig in (charts.body_map_figure(body), charts.theme_area_chart(weekly), charts.practice_chart(effects)):
        spec = fig.to_json()
        assert not LIVE_MARKUP.search(spec), spec[:500]
        assert HOSTILE_HOST in shown(fig.to_json())


def test_printable_brief_and_episode_lines_escape_client_words():
    ep = pd.Series({"start_day": pd.Timestamp("2026-11-18"), "end_day": pd.Timestamp("2026-11-19"),
                    "peak_stress": 9.0, "status": "ongoing", "themes_before_episode": [HOSTILE_LINK],
                    "body_response": [{"location": HOSTILE_TAG, "sensation": HOSTILE_TAG, "n": 2,
                                       "mean_intensity": 6.0}],
                    "practices_done": [{"kind": HOSTILE_IMAGE, "stress_before": 8, "stress_after": 5}]})
    for line in (briefing.episode_line(ep), briefing.episode_line(ep, bold="**{}**")):
        assert not LIVE_MARKUP.search(line) and HOSTILE_LINK in shown(line)
    from datetime import date

    from dashboard import brief_model, printable
    from tests.test_brief_model import CLIENT, reads

    hostile = reads()
    hostile = dataclasses.replace(
        hostile,
        theme_weekly=hostile.theme_weekly.assign(label=HOSTILE_TAG),
        theme_quotes=hostile.theme_quotes.assign(text=HOSTILE_IMAGE),
        episodes=pd.DataFrame([ep.to_dict() | {"start_day": date(2026, 11, 18), "end_day": date(2026, 11, 19)}]),
        body_sensations=pd.DataFrame({"checked_in_at": [pd.Timestamp("2026-11-18 20:00", tz="UTC")],
                                      "location": [HOSTILE_TAG], "sensation": ["x"], "intensity": [2.0]}))
    model = brief_model.brief_model(hostile, dataclasses.replace(CLIENT, display_name=HOSTILE_IMAGE),
                                    date(2026, 11, 20))
    page = printable.brief_html(model)
    assert not re.search(r"<(img|a|script|iframe|link)\b|https?://", page, re.IGNORECASE)
    assert HOSTILE_IMAGE in shown(page) and HOSTILE_TAG in shown(page)


# --- the pages, on a database holding the hostile client ------------------------------------------

@pytest.fixture
def hostile_env(hostile_db_path, monkeypatch):
    monkeypatch.setenv("INTERLUDE_DB", str(hostile_db_path))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    return hostile_db_path


def markup_bearing(app: AppTest) -> list[str]:
    """Every string the page renders as markdown or HTML: markdown and captions, alerts,
    expander, tab, metric, link and widget labels, and the charts' specs. Widget options and
    table cells are shown as plain text by Streamlit, so they are not among them."""
    out = [e.value for e in app.markdown] + [e.value for e in app.caption]
    for kind in ("info", "success", "warning", "error"):
        out += [e.value for e in getattr(app, kind)]
    out += [e.label for e in app.expander] + [t.label for t in app.tabs]
    out += [m.label for m in app.metric] + [str(m.value) for m in app.metric]
    out += [link.proto.label for link in app.get("page_link")]
    out += [chart.proto.spec for chart in app.get("plotly_chart")]
    for widgets in (app.selectbox, app.text_input, app.button, app.date_input):
        out += [w.label for w in widgets]
    return out


def open_page(page: str, **params) -> AppTest:
    from tests.test_pages import open_page as open_signed_in

    return open_signed_in(page, **params)


@pytest.mark.parametrize("page", ["views/today.py", "views/brief.py", "views/explorer.py"])
def test_a_hostile_clients_words_are_shown_as_text_on_every_page(hostile_env, page):
    app = open_page(page, client=HOSTILE_CLIENT)
    strings = markup_bearing(app)
    live = [s for s in strings if LIVE_MARKUP.search(s)]
    assert live == []
    seen = shown("\n".join(strings))
    assert HOSTILE_IMAGE in seen   # the display name (and more) is shown, as written
    if page != "views/today.py":
        assert HOSTILE_LINK in seen and HOSTILE_TAG in seen
