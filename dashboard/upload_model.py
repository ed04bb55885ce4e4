"""What the Upload and Consent withdrawal pages show, as pure functions (the pages only lay
it out): the ingest limits in words, safe names for uploaded files, the per-file report, the
progress bar's position, and the audit row's counts.

Every number about what ingest takes comes from ``pipelines.ingest.limits`` (and the upload
size from Streamlit's own setting), so the page can never state a limit the ingest does not
enforce. Reasons come from the ingest report, which carries ids, field paths and numbers,
never client text; file names are the uploader's, so the page still shows both as plain text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from pipelines.ingest import limits
from pipelines.ingest.sources import APPOINTMENTS_SUFFIXES, ARCHIVE_SUFFIX, EXPORT_SUFFIX

UPLOAD_TYPES = tuple(s.lstrip(".") for s in (EXPORT_SUFFIX, ARCHIVE_SUFFIX, *APPOINTMENTS_SUFFIXES))
COUNTED = ("new", "unchanged", "revised")
# Characters kept in an uploaded file's name; anything else becomes "_".
_NAME_KEEP = re.compile(r"[^A-Za-z0-9._ ()+-]")
MAX_NAME_CHARS = 100
# Rejected files listed one by one above the table; the rest are in the table only.
MAX_LISTED = 50

# The progress bar: (stage, words, from, to). Stages are the ones writes.upload and
# writes.forget report, then run_analysis's per-client stages (pipelines/analyze.py).
WAITING = ("waiting", "Waiting for another write to the database to finish (an upload or an analysis)", 0.0, 0.0)
UPLOAD_PHASES = (
    WAITING,
    ("ingest", "Checking and saving the files", 0.0, 0.3),
    ("analysis", "Analyzing new texts: embeddings, signals and themes", 0.3, 0.3),
    ("embed", "Analyzing new texts: embeddings", 0.3, 0.45),
    ("signals", "Analyzing new texts: emotion, stress, insight and risk language", 0.45, 0.55),
    ("themes", "Analyzing new texts: themes", 0.55, 0.7),
    ("trends", "Refitting 8-week trends", 0.7, 0.85),
    ("clinical", "Rhythms, stress episodes and practices", 0.85, 1.0),
)
FORGET_PHASES = (
    WAITING,
    ("forget", "Deleting the client's records and everything derived from them", 0.0, 0.2),
    ("analysis", "Re-deriving the caseload themes without them", 0.2, 0.2),
    ("embed", "Re-deriving the caseload themes without them", 0.2, 0.25),
    ("signals", "Re-deriving the caseload themes without them", 0.25, 0.3),
    ("themes", "Re-deriving the caseload themes without them", 0.3, 0.7),
    ("trends", "Refitting trends", 0.7, 0.85),
    ("clinical", "Rhythms, stress episodes and practices", 0.85, 1.0),
)


# The page's heading over the rejected files says this already.
_KEPT_NOTHING = re.compile(r"[;.]\s*nothing from this file was kept\.?$", re.IGNORECASE)


def human_bytes(n: int) -> str:
    """``limits.human_bytes`` without a trailing ``.0``: 64 MiB, 1.5 KiB."""
    return limits.human_bytes(n).replace(".0 ", " ")


def limit_lines(max_upload_mb: int) -> list[str]:
    """The ingest limits, in words, for the top of the Upload page."""
    return [
        f"Each file you drop here: at most {max_upload_mb} MB (this server's upload limit; a larger "
        "archive goes in on the server with `python -m pipelines ingest`).",
        f"One export (.json): at most {human_bytes(limits.MAX_EXPORT_BYTES)}, nested at most "
        f"{limits.MAX_JSON_DEPTH} levels deep.",
        f"One appointments file (.csv or .ics): at most {human_bytes(limits.MAX_APPOINTMENTS_BYTES)}; a "
        f"calendar at most {limits.MAX_ICS_EVENTS:,} events and {limits.MAX_ICS_INSTANCES:,} sessions once "
        f"repeats are expanded (from {limits.ICS_WINDOW_BEFORE_DAYS} days before to "
        f"{limits.ICS_WINDOW_AFTER_DAYS} days after its newest date).",
        f"One archive (.zip): at most {limits.MAX_ARCHIVE_MEMBERS:,} files, "
        f"{human_bytes(limits.MAX_ARCHIVE_UNCOMPRESSED_BYTES)} unpacked, each member compressed at most "
        f"{limits.MAX_COMPRESSION_RATIO}:1; archives inside archives are not opened.",
    ]


def who_may_upload(role: str, provider_id: str | None) -> str:
    """One sentence on whose files this account may upload."""
    if role == "admin":
        return "As an administrator you can upload exports and appointments for any clinician."
    return (f"You can upload your own clients' exports and your own appointments (provider {provider_id}). "
            "A file naming another clinician is rejected, and nothing from it is kept.")


def safe_names(names: list[str]) -> list[str]:
    """A safe, distinct file name for each uploaded name, in order: no folders, only letters,
    digits and ``. _ - ( ) +`` and spaces, the suffix kept (lower case), at most
    ``MAX_NAME_CHARS`` characters. Ingest reads the file by it and names it in its report."""
    taken: set[str] = set()
    out = []
    for index, raw in enumerate(names, start=1):
        base = PurePath(str(raw).replace("\\", "/")).name
        suffix = PurePath(base).suffix.lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
            suffix = ""   # no suffix ingest knows: the whole name is the stem (ingest skips the file)
        stem = _NAME_KEEP.sub("_", base[: len(base) - len(suffix)]).strip(" .") or "upload"
        stem = stem[: MAX_NAME_CHARS - len(suffix)]
        name, n = stem + suffix, 2
        while name.lower() in taken:
            tag = f" ({n})"
            name, n = stem[: MAX_NAME_CHARS - len(suffix) - len(tag)] + tag + suffix, n + 1
        taken.add(name.lower())
        out.append(name)
    return out


@dataclass(frozen=True)
class FileRow:
    """One file of the report: its name, verdict, record counts and what to say about it."""
    name: str
    status: str                       # accepted | rejected | skipped
    new: int = 0
    unchanged: int = 0
    revised: int = 0
    message: str = ""                 # the error, or a note on an accepted file; plain words


@dataclass(frozen=True)
class UploadReport:
    files: tuple[FileRow, ...]
    analysis: str | None = None       # what the analysis did, or why it did not run
    analysis_failed: bool = False
    totals: dict = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rejected(self) -> tuple[FileRow, ...]:
        return tuple(f for f in self.files if f.status == "rejected")

    def headline(self) -> str:
        """E.g. ``3 files: 2 accepted, 1 rejected, 0 skipped. Records: 18 new, 0 unchanged, 0 revised.``"""
        n = len(self.files)
        return (f"{n} file{'s' if n != 1 else ''}: {self.count('accepted')} accepted, "
                f"{self.count('rejected')} rejected, {self.count('skipped')} skipped. Records: "
                + ", ".join(f"{self.totals.get(s, 0):,} {s}" for s in COUNTED) + ".")

    def table(self) -> list[dict]:
        """Rows for the page's table of every file."""
        return [{"File": f.name, "Result": f.status, "New": f.new, "Unchanged": f.unchanged,
                 "Revised": f.revised, "Error or note": f.message} for f in self.files]


def file_message(name: str, reason: str | None) -> str:
    """The ingest's reason without its leading ``export NAME:`` (the row names the file) and its
    closing "nothing from this file was kept" (the page says so over every rejected file)."""
    if not reason:
        return ""
    text = reason
    for kind in ("export", "file", "appointments", "calendar"):
        prefix = f"{kind} {name}: "
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    return _KEPT_NOTHING.sub("", text)


def upload_report(ingest, analysis=None, analysis_error: str | None = None) -> UploadReport:
    """The page's report from an ``IngestReport`` and, if it ran, an ``AnalysisReport``."""
    rows = tuple(FileRow(r.name, r.status, *(int(r.counts.get(s, 0)) for s in COUNTED),
                         message=file_message(r.name, r.reason)) for r in ingest.files)
    totals = Counter()
    for row in rows:
        if row.status == "accepted":
            totals.update({s: getattr(row, s) for s in COUNTED})
    if analysis_error:
        words, failed = analysis_error, True
    elif analysis is not None:
        words, failed = analysis_words(analysis), False
    elif ingest.files and not needs_analysis(ingest):
        words, failed = "No new or revised records from client exports, so there was nothing new to analyze.", False
    else:
        words, failed = None, False
    return UploadReport(rows, words, failed, dict(totals))


def needs_analysis(ingest) -> bool:
    """Whether an accepted export brought new or revised records (appointments alone do not)."""
    return any(r.status == "accepted" and r.export_id and (r.counts.get("new") or r.counts.get("revised"))
               for r in ingest.files)


def analysis_words(analysis) -> str:
    """What the incremental analysis did, for clinic staff."""
    words = (f"Analysis updated: {analysis.n_embedded_texts:,} new texts embedded and {analysis.n_scored:,} "
             f"scored for signals; themes rebuilt for {_clients(analysis.clients_reclustered)}, trends "
             f"refitted for {_clients(analysis.clients_trended)}. Every page shows the new data now.")
    if analysis.failed_clients:
        words += (f" {len(analysis.failed_clients)} client(s) could not be analyzed and were skipped: "
                  + ", ".join(sorted(analysis.failed_clients)) + ".")
    return words


def _clients(n: int) -> str:
    return f"{n:,} client{'s' if n != 1 else ''}"


def audit_detail(report: UploadReport) -> str:
    """The upload's audit row: counts only (no file name, no id, no reason)."""
    n = len(report.files)
    return (f"{n} file{'s' if n != 1 else ''}: {report.count('accepted')} accepted, {report.count('rejected')} rejected, "
            f"{report.count('skipped')} skipped; records "
            + ", ".join(f"{report.totals.get(s, 0)} {s}" for s in COUNTED)
            + ("; analysis failed" if report.analysis_failed else ""))


def progress_step(stage: str, done: int, total: int, phases=UPLOAD_PHASES) -> tuple[float, str] | None:
    """Where the progress bar stands (0 … 1) and its words, for ``progress(stage, done, total)``;
    None for a stage the phases do not know."""
    for name, words, start, end in phases:
        if name == stage:
            share = min(max(done / total, 0.0), 1.0) if total else 0.0
            suffix = f" ({done:,} of {total:,})" if total > 1 else ""
            return start + (end - start) * share, words + suffix
    return None


class Progress:
    """The progress bar's state, fed by a job's ``progress(stage, done, total)`` calls (on the
    job's thread) and read by the page that polls it: it never moves back."""

    def __init__(self, phases=UPLOAD_PHASES):
        self.phases = phases
        self.fraction, self.words = 0.0, "Starting…"

    def __call__(self, stage: str, done: int, total: int) -> None:
        step = progress_step(stage, done, total, self.phases)
        if step is not None and step[0] >= self.fraction:
            self.fraction, self.words = step


def withdrawal_problem(client_id: str, confirmation: str) -> str | None:
    """Why the withdrawal cannot run yet, or None: a client id of the export format, typed twice."""
    from pipelines.ingest.export_format import ID_PATTERN

    if not client_id:
        return "Enter the client id."
    if not re.fullmatch(ID_PATTERN.strip("^$"), client_id) or len(client_id) > 128:
        return "That is not a client id: 1–128 letters, digits or . _ : -, like c-0042."
    if confirmation != client_id:
        return "Type the same client id again to confirm."
    return None


def withdrawal_words(result, failed: str | None, username: str) -> tuple[str, str, str | None]:
    """(kind: success, info or error; the report line; a note) for a finished ``writes.forget``,
    whose ``result`` is (ForgetReport, AnalysisReport or None). Ids and counts only."""
    if failed:
        return ("error", "The withdrawal could not finish (the problem was logged for the administrator). "
                         "If the deletion itself failed nothing was changed; run it again.", None)
    report, analysis = result
    line = report.line()
    line = line[:1].upper() + line[1:]
    if not report.found:
        return "info", line, None
    notes = ["Caseload themes derived again without them." if analysis is not None else
             "The caseload themes could not be derived again just now (logged for the administrator); the "
             "next upload or analysis rebuilds them."]
    if report.audited:
        notes.append(f'Recorded in the audit trail as "consent withdrawn" by {username}.')
    return "success", line, " ".join(notes)
