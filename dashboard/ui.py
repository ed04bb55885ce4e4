"""Pieces every page shares: the database check, "today", the clinician and client
pickers, and the notes a clinician must always see."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, text, writes
from pipelines.users import User

REVIEW_NOTE = ("Signals are computed from what the client chose to share. They are for "
               "clinical review, not diagnosis.")
CRISIS_RESOURCES = (
    "**If you judge the client to be at immediate risk**, follow your service's safety "
    "protocol. Emergency services: **911** (US) · **112** (EU) · **999** (UK). "
    "Crisis lines: **988** Suicide & Crisis Lifeline (US, call or text) · "
    "**116 123** Samaritans (UK/IE).")
ALL_CLINICIANS = "All clinicians"
# Filters that survive page switches (session-state keys; see `kept`).
CLINICIAN_KEY, PERIOD_KEY, SCOPE_KEY = "clinician", "caseload_period", "share_scope"
SCOPE_CHOICES = {"all": "Full and summary-only", "raw": "Full sharing", "summary": "Summaries only"}


def database_or_stop(analyzed: bool = True) -> Path:
    """The database path, or an explanation of how to get one (and stop the page): no
    file, a wrong or missing key for an encrypted file, no accounts yet, not analyzed."""
    path = data.database_path()
    if not path.exists():
        st.info(f"No database yet at `{path}`. Build the sample one with `make sample-db`, "
                f"or ingest exports with `python -m pipelines ingest PATH --db {path}` "
                f"and then `python -m pipelines analyze --db {path}`.")
        st.stop()
    problem = data.open_problem(path)
    if problem:
        st.error(problem, icon=":material/key:")
        st.stop()
    if not data.has_accounts(path):
        st.info("No accounts yet. Make them with `python -m pipelines users add NAME --role therapist "
                f"--provider ID --db {path}` (or `users demo` for the sample database).")
        st.stop()
    if analyzed and (not data.has_tables(path, ("analysis_texts", "analysis_trends")) or not data.analyzed(path)):
        st.info("This database has not been analyzed yet. Run "
                f"`python -m pipelines analyze --db {path}` to see themes, signals and trends.")
        st.stop()
    return path


def signed_in() -> User:
    """The signed-in user (dashboard/app.py signs in before any page runs)."""
    user = st.session_state.get("_auth_user")
    if user is None:
        st.stop()
    return user


def today_picker(path: Path) -> date:
    """The day treated as today, shared by all pages (sidebar)."""
    default = data.default_today(path)
    if "today" not in st.session_state:
        st.session_state["today"] = default
    chosen = st.sidebar.date_input("Today is", key="today", format="DD/MM/YYYY",
                                   help="The day the brief is prepared for. On a demo database it "
                                        "starts at the last day with data.")
    if default != date.today() and chosen == default:
        st.sidebar.caption(f"Demo data: today is set to its last day, {default:%-d %b %Y}.")
    return chosen


def _kept_key(key: str) -> str:
    return f"_kept_{key}"


def kept(key: str, default, allowed=None):
    """Give the widget of session-state `key` its last chosen value before it is drawn, and
    return the widget's on_change callback that remembers a new choice. Streamlit forgets
    a widget's value when a page without it runs (and a widget of the same key on another
    page starts afresh), so the choice is kept under a key no widget owns; a kept value no
    longer among `allowed` falls back to `default`."""
    store = _kept_key(key)
    value = st.session_state.get(store, st.session_state.get(key, default))
    if allowed is not None and value not in allowed:
        value = default
    st.session_state[store] = st.session_state[key] = value
    return lambda: st.session_state.__setitem__(store, st.session_state[key])


def clinician_picker(path: Path, user: User) -> str | None:
    """Whose caseload to show: a therapist sees their own; a supervisor picks among their
    supervisees (or all of them). The choice survives page switches."""
    if user.role == "therapist":
        return user.provider_id
    providers = data.providers(path, user)
    names = dict(zip(providers["provider_id"], providers["name"]))
    options = [ALL_CLINICIANS] + list(names)
    remember = kept(CLINICIAN_KEY, ALL_CLINICIANS, options)
    chosen = st.sidebar.selectbox("Clinician", options, key=CLINICIAN_KEY, on_change=remember,
                                  format_func=lambda p: names.get(p, p))
    return None if chosen == ALL_CLINICIANS else chosen


def period_picker(default: tuple[date, date]) -> tuple[date, date]:
    """The period a caseload view covers (sidebar), `default` until one is chosen; it
    survives page switches. While only the first day of a new range is picked, the last
    full range stands."""
    remember = kept(PERIOD_KEY, default)
    chosen = st.sidebar.date_input("Period", key=PERIOD_KEY, format="DD/MM/YYYY", on_change=remember,
                                   help="Engagement, activity and caseload themes are counted over these days. "
                                        "Risk flags are never limited to a period.")
    full = _kept_key(PERIOD_KEY + "_full")
    if isinstance(chosen, (list, tuple)) and len(chosen) == 2:
        st.session_state[full] = (min(chosen), max(chosen))
    return st.session_state.get(full, default)


def scope_picker() -> str | None:
    """Which clients by what they share (sidebar): full sharing ('raw'), summaries only
    ('summary'), or both (None). Survives page switches."""
    remember = kept(SCOPE_KEY, "all", list(SCOPE_CHOICES))
    chosen = st.sidebar.selectbox("Sharing", list(SCOPE_CHOICES), key=SCOPE_KEY, format_func=SCOPE_CHOICES.get,
                                  on_change=remember,
                                  help="Full sharing: check-ins, messages and summaries. Summaries only: the "
                                       "app's conversation summaries and check-ins, never the messages.")
    return None if chosen == "all" else chosen


def client_picker(path: Path, user: User, clinician: str | None) -> pd.Series | None:
    """Select a client; the choice lives in the URL (?client=...) so a brief can be linked.
    Only the user's clients can be chosen (data.clients is scoped): a link to anyone else's
    says so, without saying whether that client exists, is recorded, and shows no brief at
    all (never another client's under that link)."""
    every = data.clients(path, user)
    clients = every[every["provider_id"] == clinician] if clinician else every
    wanted = st.query_params.get("client")
    if wanted and wanted not in set(every["client_id"]):
        writes.record(path, user, "access denied", detail="client link outside the caseload")
        st.warning("That client is not on your caseload.", icon=":material/lock:")
        st.page_link("views/today.py", label="Your clients: Today", icon=":material/event:")
        st.stop()
    elif wanted and wanted not in set(clients["client_id"]):
        clinicians = every[every["client_id"] == wanted]["provider_name"].tolist()
        st.caption(f"{wanted} is seen by {plain(', '.join(clinicians))}; showing them anyway.")
        clients = pd.concat([clients, every[every["client_id"] == wanted]])
    clients = clients.drop_duplicates("client_id")
    if clients.empty:
        st.info("No clients for this clinician yet. Exports arrive through the Upload page or "
                "`python -m pipelines ingest`.")
        return None
    ids = clients["client_id"].tolist()
    index = ids.index(wanted) if wanted in ids else 0
    labels = {r.client_id: f"{r.display_name} · {r.client_id}" + (" · summaries only" if r.scope == "summary" else "")
              for r in clients.itertuples()}
    chosen = st.selectbox("Client", ids, index=index, format_func=labels.get, key=f"client_{clinician}")
    if chosen != st.query_params.get("client"):
        st.query_params["client"] = chosen
    return clients[clients["client_id"] == chosen].iloc[0]


def client_page(title: str) -> tuple[Path, date, pd.Series, User]:
    """The start every one-client page shares: database, today, clinician, title and
    the client picker (the page stops here when there is no client to show)."""
    path = database_or_stop()
    user = signed_in()
    today = today_picker(path)
    clinician = clinician_picker(path, user)
    st.title(title)
    client = client_picker(path, user, clinician)
    if client is None:
        st.stop()
    return path, today, client, user


def once_per_session(path: Path, user: User, action: str, client_id: str | None, key: str = "") -> None:
    """Record `action` in the audit trail the first time this session does it (a widget
    click reruns the page; it is still one viewing)."""
    seen = st.session_state.setdefault("_audited", set())
    if (action, client_id, key) not in seen:
        writes.record(path, user, action, client_id)
        seen.add((action, client_id, key))


def risk_badge(level: str, basis: str = "phrase") -> str:
    """A coloured badge for a risk level; flags resting on the classifier alone say so."""
    if level == "none" or not level:
        return ""
    if basis == "model":
        return f":orange-background[{level}: model only, lower confidence]"
    return {"urgent": ":red-background[**URGENT risk language**]",
            "watch": ":orange-background[**watch: risk language**]"}.get(level, "")


def review_note() -> None:
    st.caption(REVIEW_NOTE)


# The one function that makes client text inert (dashboard/text.py): every client-provided
# string on a page passes through it.
plain = text.plain


def quote(text) -> None:
    """A client's words, as a block quote."""
    st.markdown(f"> {plain(text)}")


STRESS_HIGHLIGHT = 0.7
INSIGHT_HIGHLIGHT = 0.85


def highlighted(message: dict) -> str:
    """A message as markdown with the sentence that carried its strongest signal marked:
    risk language red, stress orange, insight blue (client messages only)."""
    text = plain(message["text"])
    if message.get("role") != "client":
        return text
    risk, stress, insight = message.get("risk"), message.get("stress"), message.get("insight")
    colour, tag = None, ""
    if risk in ("watch", "urgent"):
        colour, tag = "red", f"risk: {risk}"
    elif stress is not None and stress == stress and stress >= STRESS_HIGHLIGHT:
        colour, tag = "orange", f"stress {stress:.2f}"
    elif insight is not None and insight == insight and insight >= INSIGHT_HIGHLIGHT:
        colour, tag = "blue", f"insight {insight:.2f}"
    if colour is None:
        return text
    evidence = plain(message.get("evidence") or "")
    if evidence and evidence in text:
        text = text.replace(evidence, f":{colour}-background[{evidence}]", 1)
    else:
        text = f":{colour}-background[{text}]"
    return f"{text}  \n:gray[*{tag}*]"


# How often a page polls a running write job (writes.Background) for its progress.
JOB_POLL_SECONDS = 0.25


def follow_job(job, progress) -> None:
    """Draw a running job's progress bar (upload_model.Progress) until the job has finished."""
    bar = st.progress(progress.fraction, text=progress.words)
    while not job.wait(JOB_POLL_SECONDS):
        bar.progress(progress.fraction, text=progress.words)
