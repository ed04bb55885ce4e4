"""Plotly figures for the pages: pure functions from frames to figures (tested).

Every client-provided string (theme labels, body locations and sensations, practice
kinds) goes through dashboard.text.plain: Plotly reads pseudo-HTML (links) in labels.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies);
every figure has a title and plain-words axis labels, and no legend or gridline that
does not carry information.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.text import plain

ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
PALETTE = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, "#444444"]
STRESS_COLOUR, MOOD_COLOUR, SLEEP_COLOUR = VERMILLION, BLUE, GREEN
RISK_COLOUR = "#B00020"
FONT = dict(family="sans-serif", size=13, color="#2b2f33")


def _base_layout(title: str, height: int, subtitle: str | None = None) -> dict:
    """The layout every figure shares, as one dict: plotly validates a figure built in
    one constructor call far faster than one updated step by step."""
    heading = dict(text=title, x=0, xanchor="left", font=dict(size=16))
    if subtitle:
        heading["subtitle"] = dict(text=subtitle, font=dict(size=12, color="#666"))
    return dict(title=heading, height=height, margin=dict(l=10, r=10, t=80 if subtitle else 60, b=10),
                font=FONT, plot_bgcolor="white", paper_bgcolor="rgba(0,0,0,0)", hovermode="x unified",
                legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))


AXIS_X = dict(showgrid=False, linecolor="#bbb")
AXIS_Y = dict(gridcolor="#eee", zeroline=False)


def _series(daily: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = daily[daily["measure"] == measure].sort_values("day")
    return rows.assign(day=pd.to_datetime(rows["day"]))


def mood_stress_chart(daily: pd.DataFrame, start: date, end: date, *,
                      appointments: list[date] = (), episodes: pd.DataFrame | None = None,
                      period_start: date | None = None, risk_days: list[date] = (),
                      title: str = "Mood and stress, daily check-ins") -> go.Figure:
    """Stress (0-10) above mood (-3..+3) on one time axis, with a 7-day average line,
    appointment markers, shaded stress episodes and the current period."""
    days = pd.Series(daily["day"]) if not daily.empty else pd.Series([], dtype=object)
    window = daily[(days >= start) & (days <= end)] if not daily.empty else daily
    traces = []
    for axis, measure, colour, name in (("y", "stress", STRESS_COLOUR, "Stress"), ("y2", "mood", MOOD_COLOUR, "Mood")):
        series = _series(window, measure) if not window.empty else pd.DataFrame({"day": [], "value": []})
        traces.append(dict(type="scatter", x=series["day"], y=series["value"], mode="markers", yaxis=axis,
                           xaxis="x", marker=dict(color=colour, size=5, opacity=0.45), showlegend=False,
                           hovertemplate=f"{name} %{{y:.1f}}<extra></extra>"))
        if len(series) >= 3:
            smooth = series.set_index("day")["value"].asfreq("D").rolling(7, min_periods=3).mean()
            traces.append(dict(type="scatter", x=smooth.index, y=smooth.to_numpy(), mode="lines", yaxis=axis,
                               xaxis="x", name=f"{name}, 7-day average", line=dict(color=colour, width=2.5),
                               hovertemplate=f"{name} 7-day avg %{{y:.1f}}<extra></extra>"))
    shown = [d for d in risk_days if start <= d <= end]
    if shown:
        traces.append(dict(type="scatter", x=[pd.Timestamp(d) for d in shown], y=[10.4] * len(shown),
                           mode="markers", name="Risk flag", yaxis="y", xaxis="x",
                           marker=dict(symbol="triangle-down", size=11, color=RISK_COLOUR),
                           hovertemplate="Risk flag<extra></extra>"))
    shapes, notes = [], []
    if period_start is not None:
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=pd.Timestamp(period_start),
                           x1=pd.Timestamp(end) + pd.Timedelta(days=1), y0=0, y1=1, fillcolor="#2f7d79",
                           opacity=0.07, line_width=0, layer="below"))
        notes.append(dict(x=pd.Timestamp(period_start), y=1, xref="x", yref="paper", text="this period",
                          showarrow=False, xanchor="left", yanchor="top", font=dict(size=11, color="#2f7d79")))
    if episodes is not None and not episodes.empty:
        for ep in episodes.itertuples():
            shapes.append(dict(type="rect", xref="x", yref="y domain", x0=pd.Timestamp(ep.start_day),
                               x1=pd.Timestamp(ep.end_day) + pd.Timedelta(days=1), y0=0, y1=1,
                               fillcolor=ORANGE, opacity=0.18, line_width=0, layer="below"))
    for day in appointments:
        if start <= day <= end:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=pd.Timestamp(day), x1=pd.Timestamp(day),
                               y0=0, y1=1, line=dict(color="#555", width=1, dash="dot")))
    layout = _base_layout(title, 440, "dots: daily values · lines: 7-day average · dotted lines: sessions · "
                                      "orange bands: stress episodes")
    layout.update(
        shapes=shapes, annotations=notes,
        xaxis=dict(AXIS_X, range=[pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)], anchor="y2"),
        yaxis=dict(AXIS_Y, title=dict(text="Stress (0–10)"), range=[-0.3, 10.8], domain=[0.47, 1.0]),
        yaxis2=dict(AXIS_Y, title=dict(text="Mood (−3 to +3)"), range=[-3.3, 3.3], domain=[0.0, 0.41]))
    return go.Figure(data=traces, layout=layout)


# Where each body location sits on a simple front-facing figure (x: -1..1, y: 0..10).
BODY_POINTS: dict[str, list[tuple[float, float]]] = {
    "head": [(0, 9.35)], "forehead": [(0, 9.6)], "eyes": [(0, 9.4)], "jaw": [(0, 8.75)],
    "face": [(0, 9.2)], "throat": [(0, 8.2)], "neck": [(0, 8.2)],
    "shoulders": [(-0.75, 7.6), (0.75, 7.6)], "chest": [(0, 7.0)], "heart": [(0.2, 7.0)],
    "back": [(0, 6.4)], "upper back": [(0, 7.2)], "lower back": [(0, 5.4)],
    "stomach": [(0, 5.8)], "belly": [(0, 5.6)], "gut": [(0, 5.6)],
    "arms": [(-1.0, 6.2), (1.0, 6.2)], "hands": [(-1.2, 4.7), (1.2, 4.7)],
    "legs": [(-0.35, 2.2), (0.35, 2.2)], "feet": [(-0.4, 0.4), (0.4, 0.4)],
}
WHOLE_BODY = ("whole body", "whole_body", "body", "all over")


BODY_LINE = dict(color="#c9cfcc", width=2)
BODY_OUTLINE = [
    dict(type="circle", x0=-0.45, x1=0.45, y0=8.6, y1=10.0, line=BODY_LINE, fillcolor="#f4f6f5", layer="below"),
    dict(type="path", line=BODY_LINE, fillcolor="#f4f6f5", layer="below",
         path="M -0.15 8.6 L -0.15 8.1 L -0.85 7.8 L -0.7 4.6 L -0.55 4.4 L -0.6 0.2 L -0.15 0.2 "
              "L 0 3.9 L 0.15 0.2 L 0.6 0.2 L 0.55 4.4 L 0.7 4.6 L 0.85 7.8 L 0.15 8.1 L 0.15 8.6 Z"),
] + [dict(type="line", x0=0.85 * side, y0=7.8, x1=1.25 * side, y1=4.6, line=BODY_LINE, layer="below")
     for side in (-1, 1)]


def _body_points(location: str) -> list[tuple[float, float]] | None:
    key = str(location).strip().lower()
    return [(1.55, 9.6)] if key in WHOLE_BODY else BODY_POINTS.get(key)


def _body_labels(body: pd.DataFrame, min_gap: float = 0.75) -> list[dict]:
    """Labels in a column right of the figure, each with a leader line to its marker,
    spread so they never overlap."""
    anchors = []
    for row in body.itertuples():
        points = _body_points(row.location)
        if points:
            x, y = points[-1]
            anchors.append((y, x, f"{plain(row.location)} ({plain(row.sensation)})"))
    anchors.sort(reverse=True)
    labels, label_y = [], None
    for y, x, text in anchors:
        label_y = y if label_y is None else min(y, label_y - min_gap)
        labels.append(dict(x=x, y=y, ax=1.45, ay=label_y, axref="x", ayref="y", text=text, showarrow=True,
                           arrowhead=0, arrowwidth=1, arrowcolor="#999", xanchor="left",
                           font=dict(size=11, color="#444")))
    return labels


def body_map_figure(body: pd.DataFrame, title: str = "Where stress shows up in the body") -> go.Figure:
    """Body locations on a figure: marker size = how often logged, colour = mean
    intensity (1-10). Locations the figure has no place for are listed beside it."""
    xs, ys, sizes, colours, texts, unplaced = [], [], [], [], [], []
    biggest = max(1, int(body["n"].max())) if not body.empty else 1
    for row in body.itertuples():
        label = f"{plain(row.location)}: {plain(row.sensation)}, {int(row.n)}×, intensity {row.mean_intensity:.1f}"
        points = _body_points(row.location)
        if not points:
            unplaced.append(label)
            continue
        for x, y in points:
            xs.append(x); ys.append(y); colours.append(float(row.mean_intensity)); texts.append(label)
            sizes.append(14 + 36 * np.sqrt(row.n / biggest))
    traces, notes = [], []
    if xs:
        traces.append(dict(
            type="scatter", x=xs, y=ys, mode="markers", text=texts, hovertemplate="%{text}<extra></extra>",
            marker=dict(size=sizes, color=colours, cmin=1, cmax=10, colorscale="Oranges", opacity=0.85,
                        line=dict(color="#7a3d00", width=1),
                        colorbar=dict(title=dict(text="Intensity<br>(1–10)"), thickness=12, len=0.6,
                                      x=0.02, xanchor="left")),
            showlegend=False))
        notes = _body_labels(body.head(5))
    if unplaced:
        notes.append(dict(text="<br>".join(["Also:"] + unplaced[:5]), x=1.45, y=1.0, showarrow=False,
                          align="left", xanchor="left", font=dict(size=11, color="#444")))
    layout = _base_layout(title, 420)
    layout.update(shapes=BODY_OUTLINE, annotations=notes, hovermode="closest", plot_bgcolor="rgba(0,0,0,0)",
                  xaxis=dict(visible=False, range=[-1.6, 3.2]),
                  yaxis=dict(visible=False, range=[-0.2, 10.3], scaleanchor="x", scaleratio=1.1))
    return go.Figure(data=traces, layout=layout)


def theme_area_chart(weekly: pd.DataFrame, max_themes: int = 7,
                     title: str = "What they wrote about, week by week") -> go.Figure:
    """Stacked area of texts per theme and week; smaller themes pooled as 'other'."""
    traces = []
    if not weekly.empty:
        totals = weekly.groupby("label")["n_texts"].sum().sort_values(ascending=False)
        keep = list(totals.index[:max_themes])
        frame = weekly.assign(label=weekly["label"].where(weekly["label"].isin(keep), "other themes"))
        table = frame.pivot_table(index="week", columns="label", values="n_texts", aggfunc="sum", fill_value=0)
        table.index = pd.to_datetime(table.index)
        table = table.asfreq("W-MON", fill_value=0) if len(table) > 1 else table
        order = keep + (["other themes"] if "other themes" in table.columns else [])
        for i, label in enumerate(order):
            colour = GREY if label == "other themes" else PALETTE[i % len(PALETTE)]
            name = plain(label)
            traces.append(dict(type="scatter", x=table.index, y=table[label], name=name, mode="lines",
                               stackgroup="one", line=dict(width=0.5, color=colour), fillcolor=colour,
                               hovertemplate=f"{name}: %{{y}} texts<extra></extra>"))
    layout = _base_layout(title, 380)
    layout.update(xaxis=dict(AXIS_X, title=dict(text="Week")), yaxis=dict(AXIS_Y, title=dict(text="Texts per week")),
                  legend=dict(orientation="v", y=1, x=1.02, xanchor="left", yanchor="top"))
    return go.Figure(data=traces, layout=layout)


def practice_chart(effects: pd.DataFrame, title: str = "Stress change with each practice") -> go.Figure:
    """Mean stress change per practice with its 95 % interval (left of 0 = stress went down)."""
    traces, shapes = [], []
    if not effects.empty:
        rows = effects.sort_values("mean_change", ascending=False)
        labels = [f"{plain(str(k).replace('_', ' '))} (n = {int(n)})" for k, n in zip(rows["kind"], rows["n"])]
        colours = [GREEN if v == "lower_after" else (VERMILLION if v == "higher_after" else GREY)
                   for v in rows["verdict"]]
        traces.append(dict(
            type="scatter", x=rows["mean_change"], y=labels, mode="markers", marker=dict(size=11, color=colours),
            error_x=dict(type="data", symmetric=False, array=rows["ci_high"] - rows["mean_change"],
                         arrayminus=rows["mean_change"] - rows["ci_low"], color="#777"),
            hovertemplate="%{y}: %{x:+.1f} points<extra></extra>", showlegend=False))
        shapes.append(dict(type="line", xref="x", yref="paper", x0=0, x1=0, y0=0, y1=1,
                           line=dict(color="#555", width=1)))
    span = ([min(0.0, float(effects["ci_low"].min())) - 0.5, max(0.0, float(effects["ci_high"].max())) + 0.5]
            if not effects.empty else [-1, 1])
    layout = _base_layout(title, 120 + 40 * max(1, len(effects)))
    layout.update(shapes=shapes, hovermode="closest", yaxis=AXIS_Y,
                  xaxis=dict(AXIS_X, range=span, title=dict(text="Stress after − before (points)")))
    return go.Figure(data=traces, layout=layout)


def engagement_strip(active_days: list[date], start: date, end: date,
                     title: str = "Days with any check-in, conversation or practice") -> go.Figure:
    """One mark per day of the window; filled when the client used the app."""
    days = pd.date_range(start, end, freq="D")
    active = set(active_days)
    colours = [GREEN if d.date() in active else "#e3e6e4" for d in days]
    layout = _base_layout(title, 150)
    layout.update(bargap=0.15, hovermode="closest", xaxis=AXIS_X, yaxis=dict(visible=False))
    return go.Figure(data=[dict(type="bar", x=days, y=[1] * len(days), marker_color=colours,
                                hovertemplate="%{x|%a %d %b}<extra></extra>", showlegend=False)], layout=layout)


def day_range(end: date, weeks: int) -> tuple[date, date]:
    return end - timedelta(weeks=weeks) + timedelta(days=1), end
