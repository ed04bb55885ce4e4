"""Consent withdrawal (admins): delete one client's records and everything derived from them,
then re-derive the caseload themes without them (dashboard/writes.forget, the same as
`python -m pipelines forget CLIENT`). The page takes a client id and shows counts only:
admins read no client content, so no name or text is ever shown here."""

from __future__ import annotations

import streamlit as st

from dashboard import ui, upload_model, writes

RESULT_KEY = "forget_result"     # (report line, re-derivation line or None) of the last withdrawal
ROUND_KEY = "forget_round"       # bumped after a withdrawal: empty fields

path = ui.database_or_stop(analyzed=False)
user = ui.signed_in()
st.title("Consent withdrawal")
if user.role != "admin":
    st.warning("Consent withdrawal is for administrators.", icon=":material/lock:")
    st.stop()

st.markdown("When a client withdraws consent, this deletes **everything Interlude holds about them**: their "
            "exports and records, appointments, embeddings, signals and evidence, their themes, trends, "
            "rhythms, stress episodes and practice effects. The caseload themes are then derived again "
            "without them. **This cannot be undone.** The audit trail keeps only the fact, when, and who "
            "did it.")
st.caption("The same as `python -m pipelines forget CLIENT --db DB`.")

round_ = st.session_state.setdefault(ROUND_KEY, 0)
with st.form(f"forget_{round_}", enter_to_submit=False):
    client_id = st.text_input("Client id", placeholder="e.g. c-0042", max_chars=128).strip()
    confirmation = st.text_input("Type the client id again to confirm", max_chars=128).strip()
    submitted = st.form_submit_button("Delete this client's data", type="primary", icon=":material/delete_forever:")

if submitted:
    problem = upload_model.withdrawal_problem(client_id, confirmation)
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        bar = st.progress(0.0, text="Starting…")
        reached = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            step = upload_model.progress_step(stage, done, total, upload_model.FORGET_PHASES)
            if step is not None:
                reached[0] = max(reached[0], step[0])
                bar.progress(reached[0], text=step[1])

        report, analysis = writes.forget(path, user, client_id, progress=progress)
        rederived = None
        if report.found:
            rederived = ("Caseload themes derived again without them." if analysis is not None else
                         "The caseload themes could not be derived again just now (logged for the "
                         "administrator); they are rebuilt by the next upload or `python -m pipelines analyze`.")
        if report.audited:
            rederived = (rederived or "") + (f" Recorded in the audit trail as \"consent withdrawn\" by "
                                             f"{ui.plain(user.username)}.")
        line = report.line()
        st.session_state[RESULT_KEY] = (report.found, line[:1].upper() + line[1:], rederived)
        st.session_state[ROUND_KEY] = round_ + 1
        st.rerun()

result = st.session_state.get(RESULT_KEY)
if result is not None:
    found, line, rederived = result
    (st.success if found else st.info)(ui.plain(line), icon=":material/task_alt:" if found else ":material/info:")
    if rederived:
        st.caption(rederived)
