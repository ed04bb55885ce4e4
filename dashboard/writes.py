"""The only place the app writes the database (dashboard/data.py only reads).

Every write runs on the app's one read-write connection (pipelines/writer.py) and commits
inside `db.transaction` in the pipelines function it calls. Two kinds:

- small rows written from page threads (sign-in, sign-out, the audit trail, reviews): one
  at a time under writer.AUDIT_WRITES (the audit chain's head is one row), never waiting
  for an ingest or analyze;
- jobs (an upload's ingest and analysis): queued with the jobs the command line hands over,
  one at a time; the next page load shows what they committed (the data generation).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from pipelines import audit, db, reviews, users, writer

from dashboard import data
from dashboard.data import _writer_or_wait, database_path

def _small(path: Path, action):
    """Run ``action(cursor)`` on the app's connection, one small write at a time."""
    with writer.AUDIT_WRITES, _writer_or_wait(path).cursor(timezone="UTC") as cursor:
        return action(cursor)


def job(work, *args):
    """Run ``work(cursor, *args)`` as one of the app's jobs (e.g. an upload's ingest), one at
    a time with the jobs the command line hands over."""
    return _writer_or_wait(database_path()).run(work, *args)


def authenticate(path: Path, username: str, password: str) -> tuple[users.User | None, str]:
    """Check a password (a failure is counted, and locks the account after five)."""
    return _small(path, lambda con: users.authenticate(con, username, password))


def sign_out(path: Path, user: users.User, why: str | None = None) -> None:
    """Void every sign-in cookie issued to the user so far, and record it."""
    def action(con):
        with db.transaction(con):
            con.execute("UPDATE users SET signed_out_at = now() WHERE username = ?", [user.username])
            audit.record_in(con, user.username, "sign-out", detail=why)
    _small(path, action)


def record(path: Path, user: users.User | None, action: str, client_id: str | None = None,
           detail: str | None = None) -> None:
    """One audit row: who, what, which client (never client text or a search's words)."""
    _small(path, lambda con: audit.record(con, user.username if user else None, action, client_id, detail))


def review_flag(path: Path, user: users.User | None, client_id: str, source: str, source_id: str,
                text_key: str, action: str, note: str | None = None) -> None:
    """Record a clinician's review of one risk flag of a client they may read (audited).
    Raises data.AccessDenied outside the user's caseload, reviews.ReviewError for a bad
    action, an overlong note or a flag that no longer exists."""
    if user is None or not user.reads_client_content:
        raise data.AccessDenied("only clinicians review risk flags")
    data._require_client(path, user, client_id)
    _small(path, lambda con: reviews.record(con, user.username, client_id, source, source_id, text_key,
                                            action, note))
    writer.data_changed()


def may_review(user: users.User | None) -> bool:
    """Whether the user may review risk flags and change appointments of the clients they
    read (therapists and supervisors; never an admin, who reads no client content)."""
    return user is not None and user.reads_client_content


def change_appointment(path: Path, user: users.User | None, client_id: str, provider_id: str, starts_at,
                       replaces=None) -> str:
    """Add a client's appointment with one of the user's clinicians, or move the one at
    ``replaces`` (pipelines.appointments.change_appointment; audited). Scoped like
    review_flag: a therapist for their own clients, a supervisor for their supervisees'
    clients, never an admin. Returns 'added', 'moved' or 'unchanged'."""
    from pipelines import appointments as appointment_changes

    if not may_review(user):
        raise data.AccessDenied("only clinicians change appointments")
    data._require_client(path, user, client_id)
    if provider_id not in user.providers:
        raise data.AccessDenied("not one of this account's clinicians")
    change = _small(path, lambda con: appointment_changes.change_appointment(
        con, user.username, client_id, provider_id, starts_at, replaces))
    if change != appointment_changes.UNCHANGED:
        writer.data_changed()
    return change


# --- uploads and consent withdrawal (the Upload and Consent withdrawal pages; issue 11) ---


UPLOAD_FOLDER_PREFIX = "interlude-upload-"
UPLOAD_FOLDER_MODE = 0o700     # the uploader's bytes are readable by this account only
UPLOAD_FILE_MODE = 0o600
_COPY_CHUNK = 1024 * 1024

_log = logging.getLogger("interlude.writes")


def upload_provider(user: users.User | None) -> str | None:
    """Whose files the user may upload: anyone's (None) for an admin, their own provider's for
    a therapist; AccessDenied for anyone else (supervisors, or a therapist with no provider)."""
    if user is not None and user.role == "admin":
        return None
    if user is not None and user.role == "therapist" and user.provider_id:
        return user.provider_id
    raise data.AccessDenied("only admins and therapists upload")


def upload(path: Path, user: users.User | None, files, progress=None) -> "upload_model.UploadReport":
    """Ingest uploaded files, then run the incremental analysis, as one of the app's jobs.

    ``files``: (name as uploaded, bytes or a binary file object) pairs. The bytes are written
    to a private temporary folder (0700, files 0600) under safe names (upload_model.safe_names),
    ingested (a therapist's with ``only_provider``: another provider's files are rejected where
    they are parsed) and deleted as soon as ingest has read them, whatever happens; they are
    never logged. ``progress(stage, done, total)`` hears "ingest", "analysis" and the analysis
    stages. One "upload" audit row with counts only."""
    from dashboard import upload_model

    only_provider = upload_provider(user)
    files = list(files)
    names = upload_model.safe_names([name for name, _ in files])
    progress = progress or (lambda stage, done, total: None)
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_FOLDER_PREFIX))
    try:
        os.chmod(folder, UPLOAD_FOLDER_MODE)
        for name, (_, content) in zip(names, files):
            _write_private(folder / name, content)

        def work(con):
            from pipelines.analyze import run_analysis
            from pipelines.ingest import ingest_sources

            try:
                ingest = ingest_sources(con, _uploaded_sources(folder, names, progress),
                                        only_provider=only_provider)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            progress("ingest", len(names), len(names))
            if not upload_model.needs_analysis(ingest):
                return upload_model.upload_report(ingest)
            progress("analysis", 0, 1)
            try:
                analysis = run_analysis(con, progress=progress)
            except Exception as error:   # the files are saved; its message may quote data
                _log.error("upload: the analysis after ingest failed (%s)", type(error).__name__)
                return upload_model.upload_report(ingest, analysis_error=(
                    "The files were saved, but the analysis could not finish (the problem was logged for "
                    "the administrator). It runs again with the next upload, or with "
                    "`python -m pipelines analyze`."))
            return upload_model.upload_report(ingest, analysis)

        # Behind another write (an upload, a handed-over ingest or analyze), the bar says so.
        report = _writer_or_wait(database_path()).run(work, on_wait=lambda: progress("waiting", 0, 1))
    except BaseException:
        record(path, user, "upload", detail=f"{len(files)} file(s): failed")
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _log.info("upload: %d files", len(files))
    record(path, user, "upload", detail=upload_model.audit_detail(report))
    return report


def _write_private(target: Path, content) -> None:
    """Write bytes (or a binary file object's) to a new file only this account can read."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                         UPLOAD_FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        if isinstance(content, (bytes, bytearray, memoryview)):
            out.write(content)
            return
        if hasattr(content, "seek"):
            content.seek(0)
        while chunk := content.read(_COPY_CHUNK):
            out.write(chunk)


def _uploaded_sources(folder: Path, names: list[str], progress):
    """The ingest's sources for the uploaded files, named as uploaded (not by the temporary
    folder), so the report and ingest_log say ``a.json`` or ``week.zip:c-0042.json``."""
    from pipelines.ingest.sources import iter_sources

    for index, name in enumerate(names):
        progress("ingest", index, len(names))
        full = str(folder / name)
        for source in iter_sources([full]):
            if source.name.startswith(full):
                source = dataclasses.replace(source, name=name + source.name[len(full):])
            yield source


def forget(path: Path, user: users.User | None, client_id: str, progress=None):
    """Consent withdrawal (admins): delete the client and everything derived from them
    (pipelines.forget.forget_client, which records "consent withdrawn" in the same transaction),
    then re-derive the caseload themes without them, as one of the app's jobs. Returns the
    ForgetReport and the AnalysisReport (None when nothing was stored, or when re-deriving failed:
    then the caseload themes stay emptied until the next analysis)."""
    from pipelines.forget import forget_client, rederive

    data._require_admin(user)
    progress = progress or (lambda stage, done, total: None)

    def work(con):
        progress("forget", 0, 1)
        # The audit row is written inside the deletion's transaction: one audit write at a time.
        with writer.AUDIT_WRITES:
            report = forget_client(con, client_id, user.username)
        progress("forget", 1, 1)
        if not report.found:
            return report, None
        progress("analysis", 0, 1)
        try:
            return report, rederive(con, progress=progress)
        except Exception as error:
            _log.error("consent withdrawal: re-deriving the caseload themes failed (%s)", type(error).__name__)
            return report, None

    return _writer_or_wait(database_path()).run(work, on_wait=lambda: progress("waiting", 0, 1))


class Background:
    """A job (``writes.upload``, ``writes.forget``) on a thread of its own, which the page that
    started it polls. A click, a rerun or a page switch of that session stops the page's script
    at its next Streamlit call (runner.fastReruns); on the page's own thread it would have stopped
    the upload between two files, and its report would have been lost. Here it runs to the end,
    and the page shows its report when it is opened again."""

    def __init__(self, work, *args, **kwargs):
        self.finished = threading.Event()
        self.result = None
        self.failed: str | None = None     # the exception's type, when the job raised
        from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

        self._thread = threading.Thread(target=self._run, args=(work, args, kwargs),
                                        name="interlude-page-job", daemon=True)
        # The session's context, for the app's cached connection; the job draws nothing, so
        # the session's reruns never reach it.
        add_script_run_ctx(self._thread, get_script_run_ctx(suppress_warning=True))
        self._thread.start()

    def _run(self, work, args, kwargs) -> None:
        from dashboard import guard

        try:
            self.result = work(*args, **kwargs)
        except Exception as error:   # its message may quote data: the type and frames only
            self.failed = type(error).__name__
            _log.error("a page's write job failed: %s", guard.safe_report(error))
        finally:
            self.finished.set()

    def wait(self, seconds: float) -> bool:
        """Whether the job has finished, waiting at most ``seconds`` for it."""
        return self.finished.wait(seconds)
