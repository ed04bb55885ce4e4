"""Named limits on what ingest will read. Errors name the limit that was hit."""

MiB = 1024 * 1024
GiB = 1024 * MiB

MAX_EXPORT_BYTES = 64 * MiB                 # one export JSON file
MAX_APPOINTMENTS_BYTES = 16 * MiB           # one appointments CSV file
MAX_ARCHIVE_BYTES = 2 * GiB                 # a .zip on disk
MAX_ARCHIVE_UNCOMPRESSED_BYTES = 4 * GiB    # all members of one .zip, uncompressed
MAX_ARCHIVE_MEMBERS = 20_000                # entries in one .zip
MAX_COMPRESSION_RATIO = 200                 # uncompressed : compressed, per member (zip bombs)
RATIO_CHECK_MIN_BYTES = 1 * MiB             # tiny members may compress well without harm
# Arrays and objects inside one another in an export. The format itself needs 5 levels
# (export > conversations > conversation > messages > message); deeper files are refused
# before any JSON parser walks them (a parser's recursion must never meet a hostile file).
MAX_JSON_DEPTH = 32

# Calendar (.ics) appointments (pipelines/ingest/calendar.py). Recurring series are expanded
# only inside a window around the file's newest timestamp (DTSTART, RECURRENCE-ID, DTSTAMP or
# LAST-MODIFIED of any event), and a file whose rules would step or expand past these limits is
# rejected before anything is expanded, so a hostile RRULE (FREQ=SECONDLY, no end) cannot explode.
ICS_WINDOW_BEFORE_DAYS = 366                # expand from this long before the newest timestamp
ICS_WINDOW_AFTER_DAYS = 366                 # ... to this long after it
MAX_ICS_EVENTS = 20_000                     # VEVENT components in one file
MAX_ICS_RECURRENCE_STEPS = 500_000          # rule steps from DTSTART to the window's end, whole file
MAX_ICS_INSTANCES = 50_000                  # sessions one file may expand to

# Files are written to the database in batches of about this many records; each batch is
# one transaction, and a batch that fails is retried file by file. The first batch holds
# about BATCH_FIRST_RECORDS, each next one twice as many, so saving starts early.
BATCH_MAX_RECORDS = 200_000
BATCH_FIRST_RECORDS = 25_000
# Write-ahead log size before DuckDB checkpoints in the middle of an ingest (it always
# checkpoints at the end of one).
INGEST_CHECKPOINT_THRESHOLD = "4GiB"
# Files are parsed in chunks of about this many bytes; past WORKER_AFTER_BYTES in one ingest
# a worker process parses them while DuckDB saves, reading ahead at most PARSE_AHEAD_BYTES.
PARSE_WORKERS = 1
PARSE_CHUNK_BYTES = 4 * MiB
WORKER_AFTER_BYTES = 8 * MiB
PARSE_AHEAD_BYTES = 96 * MiB


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
