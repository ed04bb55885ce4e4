"""Consent withdrawal (admins): delete one client's records and everything derived from them,
then re-derive the caseload themes without them (dashboard/writes.forget, the same as
`python -m pipelines forget CLIENT`). The page takes a client id and shows counts only:
admins read no client content, so no name or text is ever shown here."""

from __future__ import annotations

import streamlit as st

from dashboard import ui, upload_model, writes

RESULT_KEY = "forget_result"     # upload_model.withdrawal_words of the last withdrawal
ROUND_KEY = "forget_round"       # bumped after a withdrawal: empty fields
RUN_KEY = "forget_running"       # (writes.Background, upload_model.Progress) while it runs

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
running: tuple[writes.Background, upload_model.Progress] | None = st.session_state.get(RUN_KEY)
with st.form(f"forget_{round_}", enter_to_submit=False):
    client_id = st.text_input("Client id", placeholder="e.g. c-0042", max_chars=128).strip()
    confirmation = st.text_input("Type the client id again to confirm", max_chars=128).strip()
    submitted = st.form_submit_button("Delete this client's data", type="primary", icon=":material/delete_forever:",
                                      disabled=running is not None)

if submitted and running is None:
    problem = upload_model.withdrawal_problem(client_id, confirmation)
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        progress = upload_model.Progress(upload_model.FORGET_PHASES)
        running = st.session_state[RUN_KEY] = (writes.Background(writes.forget, path, user, client_id,
                                                                 progress=progress), progress)

if running is not None:
    # On its own thread: leaving the page does not stop a withdrawal half-way.
    job, progress = running
    ui.follow_job(job, progress)
    del st.session_state[RUN_KEY]
    st.session_state[RESULT_KEY] = upload_model.withdrawal_words(job.result, job.failed, user.username)
    st.session_state[ROUND_KEY] = round_ + 1
    st.rerun()

result = st.session_state.get(RESULT_KEY)
if result is not None:
    kind, line, note = result
    show = {"success": st.success, "info": st.info, "error": st.error}[kind]
    show(ui.plain(line), icon={"success": ":material/task_alt:", "info": ":material/info:",
                               "error": ":material/error:"}[kind])
    if note:
        st.caption(ui.plain(note))
