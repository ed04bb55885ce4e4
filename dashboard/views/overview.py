"""Practice overview: de-identified counts and rates for admins and supervisors.

No client ids, names or quotes: the reads are counts (dashboard/data.py, practice overview),
suppressed in dashboard/overview_model.py so that a count from 1 to 10 shows as "<11" and no
hidden count can be worked out from the totals, the other cells or the percentages. The CSV
download is the same model, suppressed the same way.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data, overview_model, ui
from dashboard.suppression import MIN_CELL, SMALL

path = ui.database_or_stop()
user = ui.signed_in()
today = ui.today_picker(path)

st.title("Practice overview")
who = "every clinician" if user.role == "admin" else "the clinicians you supervise"
st.caption(f"{today:%A %-d %B %Y} · counts across {who}, never a client's id, name or words. "
           f"A count from 1 to {MIN_CELL - 1} shows as **{SMALL}**, and a count that would let a small one be "
           f"worked out from the totals as **{overview_model.HIDDEN_WORD}**. A percentage shows only when its "
           "count and its total both do.")

model = overview_model.overview_model(data.practice_overview(path, user, today))


def table(key: str) -> None:
    t = model.table(key)
    st.markdown(f"#### {t.title}")
    st.table(t.display())
    bits = [f"Counts are {t.unit}" + (f"; percentages {t.share_of}" if t.shares is not None else "") + "."]
    st.caption(" ".join(bits + ([t.note] if t.note else [])))


left, right = st.columns(2)
with left:
    table("clinicians")
    table("sharing")
with right:
    table("trends")
    table("flags")
table("practices")

st.divider()
st.download_button("Download these tables (CSV, same suppression)", model.csv().encode("utf-8"),
                   file_name=f"practice-overview-{today:%Y%m%d}.csv", mime="text/csv", icon=":material/download:")
