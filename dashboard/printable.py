"""The printable brief: the brief model laid out as A4 HTML, every client text escaped."""

from __future__ import annotations

from dashboard import briefing
from dashboard.brief_model import BriefModel, Quote
from dashboard.text import plain

PRINT_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 10pt;
       color: #222; line-height: 1.35; }
h1 { font-size: 15pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 10pt 0 3pt 0; border-bottom: 1px solid #bbb; }
.sub { color: #555; margin: 0 0 6pt 0; }
.risk { border: 2px solid #b00020; padding: 4pt 6pt; margin: 4pt 0; }
.risk b { color: #b00020; }
.review { color: #1b5e20; }
.open { color: #b00020; font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 1pt 6pt 1pt 0; vertical-align: top; }
ul { margin: 2pt 0 2pt 14pt; padding: 0; }
li { margin: 1pt 0; }
.quote { font-style: italic; }
.note { color: #555; font-size: 8.5pt; margin-top: 10pt; }
"""


def brief_html(model: BriefModel, max_items: int = 5) -> str:
    """A print-friendly brief (A4, two pages at most): the same model as the page, as HTML
    the browser prints or saves as PDF. Every client text is escaped (dashboard.text.plain)."""
    e = plain
    client, period = model.client, model.period
    name = f"{client.display_name} ({client.client_id})"
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Brief: {e(name)}</title>"
             f"<style>{PRINT_CSS}</style></head><body>",
             f"<h1>Pre-session brief: {e(name)}</h1>",
             f"<p class='sub'>Period: {e(period.label())}"
             + (f" · next session {period.next_session:%a %-d %b %H:%M}" if period.next_session is not None else "")
             + "</p>"]
    risk = model.flags
    parts.append("<h2>Risk flags" + (f" ({briefing.unreviewed_words(model.unreviewed)})" if model.unreviewed
                                     else " (all reviewed)" if not risk.empty else "") + "</h2>")
    if risk.empty:
        parts.append("<p>No risk language detected in anything the client shared.</p>")
    else:
        for _, row in risk.head(max_items).iterrows():
            tag = ("new" if row["new"] else "earlier") + (" · (earlier version, since revised)" if row.get("revised") else "")
            note = row.get("review_note") if row.get("reviewed") else None
            review = (f"<br><span class='review'>{e(briefing.review_line(row, client.timezone))}"
                      + (f". Note: {e(note)}" if isinstance(note, str) and note else "") + "</span>"
                      if row.get("reviewed") else "<br><span class='open'>Not reviewed yet</span>")
            parts.append(f"<div class='risk'><b>{e(row['risk'].upper())}</b> · {row['day']:%-d %b %Y} · {tag}"
                         f" · {e(str(row['basis']))}<br><span class='quote'>\u201c{e(str(row['evidence'] or row['text']))}\u201d</span>"
                         f"{review}</div>")
        if len(risk) > max_items:
            rest = risk.iloc[max_items:]
            open_rest = int((~rest["reviewed"]).sum()) if "reviewed" in rest else len(rest)
            parts.append(f"<p>{len(rest)} more flag(s) in the app"
                         + (f", {briefing.unreviewed_words(open_rest)}" if open_rest else ", all reviewed") + ".</p>")
    if model.prompts:
        parts.append("<h2>Worth exploring today</h2><ul>" + "".join(f"<li>{e(p)}</li>" for p in model.prompts) + "</ul>")
    glance = model.glance_table
    if glance:
        parts.append("<h2>At a glance</h2><table><tr><th>Measure</th><th>This period</th><th>Before</th></tr>"
                     + "".join(f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td></tr>" for a, b, c in glance)
                     + "</table>")
    if model.trend_lines:
        parts.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in model.trend_lines) + "</ul>")
    if not model.episodes.empty:
        parts.append("<h2>Stress episodes</h2><ul>")
        for _, ep in model.episodes.head(3).iterrows():
            parts.append(f"<li>{briefing.episode_line(ep)}</li>")
        parts.append("</ul>")
    if not model.insights.empty:
        parts.append("<h2>Insight moments</h2><ul>")
        for _, row in model.insights.head(max_items).iterrows():
            parts.append(f"<li>{row['day']:%-d %b}: <span class='quote'>\u201c"
                         f"{e(briefing.shorten(row.get('evidence') or row['text'], 220))}\u201d</span></li>")
        parts.append("</ul>")
    if model.theme_cards:
        parts.append("<h2>Themes this period</h2><ul>")
        for card in model.theme_cards[:max_items]:
            quote = card.quotes[0] if card.quotes else None
            status = "" if card.status == "steady" else f" ({card.status})"
            parts.append(f"<li><b>{e(card.label)}</b>{e(status)}: {briefing.texts_count(card.n_period)}"
                         + (f" · <span class='quote'>\u201c{e(briefing.shorten(quote.text, 140))}\u201d</span>"
                            f" ({e(quote_when(quote))})" if quote else "")
                         + "</li>")
        parts.append("</ul>")
    if not model.body.empty:
        parts.append("<h2>Body</h2><p>" + "; ".join(
            f"{e(r['location'])} ({e(r['sensation'])}) ×{r['n']}, intensity {r['mean_intensity']:.1f}"
            for _, r in model.body.head(5).iterrows()) + "</p>")
    effects = model.practice_effects
    if not effects.empty and "verdict" in effects:
        parts.append("<h2>Practices</h2><ul>" + "".join(
            f"<li>{e(briefing.kind_words(r['kind']))}: {e(briefing.practice_phrase(r))}</li>"
            for _, r in effects.head(5).iterrows()) + "</ul>")
    if model.missing:
        parts.append("<p class='note'>Not available for this client: " + e("; ".join(model.missing)) + "</p>")
    parts.append("<p class='note'>Signals are computed from what the client chose to share and are for "
                 "clinical review, not diagnosis. Confidential: contains protected health information.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def quote_when(quote: Quote) -> str:
    """'this period, 12 Nov' or 'earlier, 3 Oct': a quote always says when it is from."""
    if quote.day is None:
        return "date unknown"
    return f"{'this period' if quote.in_period else 'earlier'}, {quote.day:%-d %b}"

