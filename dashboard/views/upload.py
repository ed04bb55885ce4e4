"""Upload (admins, and therapists for their own clients): drop exports, archives and
appointment files; see what was accepted, rejected or skipped and why; the analysis runs
after, and every page shows the new data without a restart. The report is built in
dashboard/upload_model.py; the job runs in dashboard/writes.upload."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui, upload_model, writes

REPORT_KEY = "upload_report"          # the last upload's report, shown after the rerun
ROUND_KEY = "upload_round"            # bumped after an upload: a fresh, empty drop zone
RUN_KEY = "upload_running"            # (writes.Background, upload_model.Progress) while an upload runs
FAILED_KEY = "upload_failed"          # the last upload raised (logged; its report is lost)

path = ui.database_or_stop(analyzed=False)
user = ui.signed_in()
st.title("Upload")
try:
    writes.upload_provider(user)
except data.AccessDenied:
    st.warning("Uploads are for administrators and therapists.", icon=":material/lock:")
    st.stop()

st.caption(upload_model.who_may_upload(user.role, user.provider_id))
report: upload_model.UploadReport | None = st.session_state.get(REPORT_KEY)
# The limits are open until the first upload of the session, then out of the report's way.
with st.expander("What this page takes, and its limits", expanded=report is None, icon=":material/rule:"):
    st.markdown("Client exports (**.json**), **.zip** archives of them, and appointments (**.csv** with the "
                "header `client_id,provider_id,starts_at`, or **.ics** from a calendar app). A file that "
                "breaks a rule is rejected whole: nothing from it is kept, and the others still go in. "
                "Uploading the same file again changes nothing.")
    for line in upload_model.limit_lines(st.get_option("server.maxUploadSize")):
        st.markdown(f"- {line}")

round_ = st.session_state.setdefault(ROUND_KEY, 0)
running: tuple[writes.Background, upload_model.Progress] | None = st.session_state.get(RUN_KEY)
files = st.file_uploader("Drop files here", type=list(upload_model.UPLOAD_TYPES), accept_multiple_files=True,
                         key=f"upload_files_{round_}", disabled=running is not None,
                         help="Exports, .zip archives of exports, and appointments (.csv or .ics).")
if files and running is None and st.button(f"Upload {len(files)} file{'s' if len(files) != 1 else ''}",
                                           type="primary", icon=":material/upload:"):
    progress = upload_model.Progress(upload_model.UPLOAD_PHASES)
    job = writes.Background(writes.upload, path, user, [(f.name, f.getvalue()) for f in files], progress=progress)
    running = st.session_state[RUN_KEY] = (job, progress)

if running is not None:
    # The job runs on its own thread: leaving this page does not stop it, and coming back
    # finds it here, still running or with its report.
    job, progress = running
    ui.follow_job(job, progress)
    del st.session_state[RUN_KEY]
    st.session_state[REPORT_KEY] = job.result
    st.session_state[FAILED_KEY] = job.failed is not None
    st.session_state[ROUND_KEY] = round_ + 1   # the dropped files are gone from the page and the server
    st.rerun()

if st.session_state.get(FAILED_KEY):
    st.error("The upload could not finish. The problem was logged for the administrator; files already "
             "checked were kept or rejected whole, and uploading the same files again is safe.",
             icon=":material/error:")
if report is None:
    st.stop()

st.subheader("Last upload", anchor=False)
if report.count("rejected"):
    st.warning(report.headline(), icon=":material/report:")
else:
    st.success(report.headline(), icon=":material/task_alt:")
if report.analysis:
    (st.error if report.analysis_failed else st.info)(report.analysis, icon=":material/insights:")

rejected = report.rejected
if rejected:
    st.markdown("**Rejected, so nothing from these files was kept:**")
    for row in rejected[:upload_model.MAX_LISTED]:
        st.markdown(f"- **{ui.plain(row.name)}**: {ui.plain(row.message)}")
    if len(rejected) > upload_model.MAX_LISTED:
        st.caption(f"… and {len(rejected) - upload_model.MAX_LISTED:,} more, in the table below.")

st.markdown("**Every file**")
st.dataframe(pd.DataFrame(report.table()), hide_index=True, width="stretch",
             column_config={"Error or note": st.column_config.TextColumn(width="large")})
