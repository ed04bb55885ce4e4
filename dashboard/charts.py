"""Plotly figures for the pages: pure functions from frames to figures (tested).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies);
every figure has a title and plain-words axis labels, and no legend or gridline that
does not carry information.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
PALETTE = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, "#444444"]
STRESS_COLOUR, MOOD_COLOUR, SLEEP_COLOUR = VERMILLION, BLUE, GREEN
RISK_COLOUR = "#B00020"
FONT = dict(family="sans-serif", size=13, color="#2b2f33")


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
                      height=height, margin=dict(l=10, r=10, t=60, b=10), font=FONT,
                      plot_bgcolor="white", paper_bgcolor="rgba(0,0,0,0)", hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    fig.update_xaxes(showgrid=False, linecolor="#bbb")
    fig.update_yaxes(gridcolor="#eee", zeroline=False)
    return fig


def _series(daily: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = daily[daily["measure"] == measure].sort_values("day")
    return rows.assign(day=pd.to_datetime(rows["day"]))


def mood_stress_chart(daily: pd.DataFrame, start: date, end: date, *,
                      appointments: list[date] = (), episodes: pd.DataFrame | None = None,
                      period_start: date | None = None, risk_days: list[date] = (),
                      title: str = "Mood and stress, daily check-ins") -> go.Figure:
    """Stress (0-10) above mood (-3..+3) on one time axis, with a 7-day average line,
    appointment markers, shaded stress episodes and the current period."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.55, 0.45])
    window = daily[(pd.Series(daily["day"]) >= start) & (pd.Series(daily["day"]) <= end)] \
        if not daily.empty else daily
    for row, measure, colour, name in ((1, "stress", STRESS_COLOUR, "Stress"),
                                       (2, "mood", MOOD_COLOUR, "Mood")):
        series = _series(window, measure) if not window.empty else pd.DataFrame(columns=["day", "value"])
        fig.add_trace(go.Scatter(x=series["day"], y=series["value"], mode="markers", name=f"{name} (day)",
                                 marker=dict(color=colour, size=5, opacity=0.45), showlegend=False,
                                 hovertemplate=f"{name} %{{y:.1f}}<extra></extra>"), row=row, col=1)
        if len(series) >= 3:
            smooth = series.set_index("day")["value"].asfreq("D").rolling(7, min_periods=3).mean()
            fig.add_trace(go.Scatter(x=smooth.index, y=smooth.to_numpy(), mode="lines",
                                     name=f"{name}, 7-day average", line=dict(color=colour, width=2.5),
                                     hovertemplate=f"{name} 7-day avg %{{y:.1f}}<extra></extra>"),
                          row=row, col=1)
    if period_start is not None:
        fig.add_vrect(x0=pd.Timestamp(period_start), x1=pd.Timestamp(end) + pd.Timedelta(days=1),
                      fillcolor="#2f7d79", opacity=0.07, line_width=0,
                      annotation_text="this period", annotation_position="top left",
                      annotation_font=dict(size=11, color="#2f7d79"))
    if episodes is not None and not episodes.empty:
        for _, ep in episodes.iterrows():
            fig.add_vrect(x0=pd.Timestamp(ep["start_day"]), x1=pd.Timestamp(ep["end_day"]) + pd.Timedelta(days=1),
                          fillcolor=ORANGE, opacity=0.18, line_width=0, row=1, col=1)
    for day in appointments:
        if start <= day <= end:
            fig.add_vline(x=pd.Timestamp(day), line=dict(color="#555", width=1, dash="dot"))
    if list(risk_days):
        shown = [d for d in risk_days if start <= d <= end]
        fig.add_trace(go.Scatter(x=[pd.Timestamp(d) for d in shown], y=[10.4] * len(shown), mode="markers",
                                 name="Risk flag", marker=dict(symbol="triangle-down", size=11, color=RISK_COLOUR),
                                 hovertemplate="Risk flag<extra></extra>"), row=1, col=1)
    fig.update_yaxes(title_text="Stress (0–10)", range=[-0.3, 10.8], row=1, col=1)
    fig.update_yaxes(title_text="Mood (−3 to +3)", range=[-3.3, 3.3], row=2, col=1)
    fig.update_xaxes(range=[pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)])
    fig = _layout(fig, title, 440)
    fig.update_layout(title=dict(subtitle=dict(
        text="dots: daily values · lines: 7-day average · dotted lines: sessions · orange bands: stress episodes",
        font=dict(size=12, color="#666"))), margin=dict(t=80))
    return fig


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


def _body_outline(fig: go.Figure) -> None:
    line = dict(color="#c9cfcc", width=2)
    fig.add_shape(type="circle", x0=-0.45, x1=0.45, y0=8.6, y1=10.0, line=line, fillcolor="#f4f6f5",
                  layer="below")
    fig.add_shape(type="path", line=line, fillcolor="#f4f6f5", layer="below",
                  path="M -0.15 8.6 L -0.15 8.1 L -0.85 7.8 L -0.7 4.6 L -0.55 4.4 L -0.6 0.2 L -0.15 0.2 "
                       "L 0 3.9 L 0.15 0.2 L 0.6 0.2 L 0.55 4.4 L 0.7 4.6 L 0.85 7.8 L 0.15 8.1 L 0.15 8.6 Z")
    for side in (-1, 1):
        fig.add_shape(type="line", x0=0.85 * side, y0=7.8, x1=1.25 * side, y1=4.6, line=line, layer="below")


def _label_body_points(fig: go.Figure, body: pd.DataFrame, min_gap: float = 0.75) -> None:
    """Labels in a column right of the figure, each with a leader line to its marker,
    spread so they never overlap."""
    anchors = []
    for _, row in body.iterrows():
        key = str(row["location"]).strip().lower()
        points = [(1.55, 9.6)] if key in WHOLE_BODY else BODY_POINTS.get(key)
        if points:
            x, y = points[-1]
            anchors.append((y, x, f"{row['location']} ({row['sensation']})"))
    anchors.sort(reverse=True)
    label_y = None
    for y, x, text in anchors:
        label_y = y if label_y is None else min(y, label_y - min_gap)
        fig.add_annotation(x=x, y=y, ax=1.45, ay=label_y, axref="x", ayref="y", text=text, showarrow=True,
                           arrowhead=0, arrowwidth=1, arrowcolor="#999", xanchor="left",
                           font=dict(size=11, color="#444"))


def body_map_figure(body: pd.DataFrame, title: str = "Where stress shows up in the body") -> go.Figure:
    """Body locations on a figure: marker size = how often logged, colour = mean
    intensity (1-10). Locations the figure has no place for are listed beside it."""
    fig = go.Figure()
    _body_outline(fig)
    xs, ys, sizes, colours, texts = [], [], [], [], []
    unplaced = []
    biggest = max(1, int(body["n"].max())) if not body.empty else 1
    for _, row in body.iterrows():
        key = str(row["location"]).strip().lower()
        label = f"{row['location']}: {row['sensation']}, {int(row['n'])}×, intensity {row['mean_intensity']:.1f}"
        points = BODY_POINTS.get(key)
        if key in WHOLE_BODY:
            points = [(1.55, 9.6)]
        if not points:
            unplaced.append(label)
            continue
        for x, y in points:
            xs.append(x); ys.append(y); colours.append(float(row["mean_intensity"])); texts.append(label)
            sizes.append(14 + 36 * np.sqrt(row["n"] / biggest))
    if xs:
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", text=texts, hovertemplate="%{text}<extra></extra>",
            marker=dict(size=sizes, color=colours, cmin=1, cmax=10, colorscale="Oranges", opacity=0.85,
                        line=dict(color="#7a3d00", width=1),
                        colorbar=dict(title=dict(text="Intensity<br>(1–10)"), thickness=12, len=0.6,
                                      x=0.02, xanchor="left")),
            showlegend=False))
        _label_body_points(fig, body.head(5))
    if unplaced:
        fig.add_annotation(text="<br>".join(["Also:"] + unplaced[:5]), x=1.45, y=1.0, showarrow=False,
                           align="left", xanchor="left", font=dict(size=11, color="#444"))
    fig.update_xaxes(visible=False, range=[-1.6, 3.2])
    fig.update_yaxes(visible=False, range=[-0.2, 10.3], scaleanchor="x", scaleratio=1.1)
    fig = _layout(fig, title, 420)
    fig.update_layout(hovermode="closest", plot_bgcolor="rgba(0,0,0,0)")
    return fig


def theme_area_chart(weekly: pd.DataFrame, max_themes: int = 7,
                     title: str = "What they wrote about, week by week") -> go.Figure:
    """Stacked area of texts per theme and week; smaller themes pooled as 'other'."""
    fig = go.Figure()
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
            fig.add_trace(go.Scatter(x=table.index, y=table[label], name=label, mode="lines", stackgroup="one",
                                     line=dict(width=0.5, color=colour), fillcolor=colour,
                                     hovertemplate=f"{label}: %{{y}} texts<extra></extra>"))
    fig.update_yaxes(title_text="Texts per week")
    fig.update_xaxes(title_text="Week")
    fig = _layout(fig, title, 380)
    fig.update_layout(legend=dict(orientation="v", y=1, x=1.02, xanchor="left", yanchor="top"))
    return fig


def practice_chart(effects: pd.DataFrame, title: str = "Stress change with each practice") -> go.Figure:
    """Mean stress change per practice with its 95 % interval (left of 0 = stress went down)."""
    fig = go.Figure()
    if not effects.empty:
        rows = effects.sort_values("mean_change", ascending=False)
        labels = [f"{str(k).replace('_', ' ')} (n = {int(n)})" for k, n in zip(rows["kind"], rows["n"])]
        colours = [GREEN if v == "helped" else (VERMILLION if v == "worse" else GREY) for v in rows["verdict"]]
        fig.add_trace(go.Scatter(
            x=rows["mean_change"], y=labels, mode="markers",
            marker=dict(size=11, color=colours),
            error_x=dict(type="data", symmetric=False, array=rows["ci_high"] - rows["mean_change"],
                         arrayminus=rows["mean_change"] - rows["ci_low"], color="#777"),
            hovertemplate="%{y}: %{x:+.1f} points<extra></extra>", showlegend=False))
        fig.add_vline(x=0, line=dict(color="#555", width=1))
    fig.update_xaxes(title_text="Stress after − before (points)")
    return _layout(fig, title, 120 + 40 * max(1, len(effects)))


def engagement_strip(active_days: list[date], start: date, end: date,
                     title: str = "Days with any check-in, conversation or practice") -> go.Figure:
    """One mark per day of the window; filled when the client used the app."""
    days = pd.date_range(start, end, freq="D")
    active = set(active_days)
    used = [d.date() in active for d in days]
    fig = go.Figure(go.Bar(x=days, y=[1] * len(days), marker_color=[GREEN if u else "#e3e6e4" for u in used],
                           hovertemplate="%{x|%a %d %b}<extra></extra>", showlegend=False))
    fig.update_yaxes(visible=False)
    fig = _layout(fig, title, 150)
    fig.update_layout(bargap=0.15, hovermode="closest")
    return fig


def day_range(end: date, weeks: int) -> tuple[date, date]:
    return end - timedelta(weeks=weeks) + timedelta(days=1), end
