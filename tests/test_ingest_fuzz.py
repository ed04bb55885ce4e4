"""Byte-level mutations of valid exports (encodings, truncation, nesting, duplicate keys, huge
numbers, stray bytes): every mutated file gets a clean verdict, and a rejected one leaves
nothing behind. Bounded here (a few dozen examples); ``bench/fuzz_ingest.py`` runs longer."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pytest

from pipelines import db
from pipelines.ingest import Source, ingest_sources
from tests.conftest import CANARY, make_export, table_counts

pytestmark = pytest.mark.slow  # hypothesis runs: left out of make test-fast

_BASE = make_export(4, 2, 2)
_BASE["checkins"][0]["note"] = CANARY
_BASE["conversations"][0]["messages"][0]["text"] = f"{CANARY} — né à Zürich, “quoted” \\ back"
VALID = [json.dumps(_BASE, ensure_ascii=False).encode(), json.dumps(_BASE, indent=2).encode()]
# Words of the planted text: none may reach a message, whatever the mutation cut out.
CANARY_WORDS = [w for w in CANARY.split() if len(w) > 3]

INTERESTING = [b"[", b"]", b"{", b"}", b'"', b"\\", b",", b":", b"\x00", b"\xff", b"\xc3", b"\xe2\x80",
               b"\xef\xbb\xbf", b"9" * 400, b"1e999", b"-0", b"NaN", b"null", b"\\u0000", b"\\ud800"]


def _flip(data: bytes, draw) -> bytes:
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]


def _insert(data: bytes, draw) -> bytes:
    at = draw(st.integers(0, len(data)))
    piece = draw(st.one_of(st.sampled_from(INTERESTING), st.binary(min_size=1, max_size=8)))
    return data[:at] + piece + data[at:]


def _truncate(data: bytes, draw) -> bytes:
    return data[:draw(st.integers(0, len(data) - 1))]


def _reencode(data: bytes, draw) -> bytes:
    encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1",
                                     "utf-8-sig", "utf-8-sig-twice"]))
    text = data.decode("utf-8")
    if encoding == "utf-8-sig-twice":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + data
    return text.encode(encoding, errors="replace")


def _nest(data: bytes, draw) -> bytes:
    depth = draw(st.integers(1, 2000))
    opener = draw(st.sampled_from([b"[", b'{"a":']))
    closer = b"]" if opener == b"[" else b"}"
    value = opener * depth + b"1" + closer * depth
    body = data.rstrip()
    if not body.endswith(b"}"):
        return value + data
    return body[:-1] + b', "extra": ' + value + b"}"


def _duplicate_key(data: bytes, draw) -> bytes:
    key = draw(st.sampled_from([b'"export_id": "dup-1"', b'"client": {"client_id": "c-dup"}',
                                b'"format": "client-export"', b'"checkins": []', b'"exported_at": "2026-11-30T00:00:00Z"']))
    return b"{" + key + b", " + data[1:]


def _huge_number(data: bytes, draw) -> bytes:
    number = draw(st.sampled_from([b"9" * 5000, b"1e400", b"-1e400", b"0." + b"0" * 5000 + b"1",
                                   b"18446744073709551616", b"-9223372036854775809", b"1E+2"]))
    field = draw(st.sampled_from([b'"mood": ', b'"stress": ', b'"sleep_hours": ', b'"intensity": ',
                                  b'"duration_min": ']))
    at = data.find(field)
    end = at + len(field)
    while end < len(data) and data[end:end + 1] in b"-0123456789.eE+":
        end += 1
    return data[:at + len(field)] + number + data[end:]


MUTATIONS = [_flip, _insert, _truncate, _reencode, _nest, _duplicate_key, _huge_number]


@st.composite
def mutated_exports(draw) -> bytes:
    data = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(st.sampled_from(MUTATIONS))
        try:
            data = mutation(data, draw)
        except (UnicodeDecodeError, ValueError):
            data = _insert(data, draw)   # an earlier mutation left no UTF-8 to re-encode
        if not data:
            break
    return data


INGEST_TABLES = ("exports", "clients", "providers", "client_providers", "checkins", "checkin_emotions",
                 "checkin_body_sensations", "conversations", "messages", "practices", "appointments",
                 "record_revisions", "superseded_texts", "ingest_log")
_connection = []


def _empty_database():
    """One in-memory database for all examples (connecting costs more than an example),
    emptied before each."""
    if not _connection:
        _connection.append(db.connect(None))
    con = _connection[0]
    with db.transaction(con):
        for table in INGEST_TABLES:
            con.execute(f"DELETE FROM {table}")
    return con


def check_verdict(data: bytes) -> str:
    """Ingest ``data`` as one export into an empty database: a clean verdict, nothing partial.
    Returns the status."""
    con = _empty_database()
    before = table_counts(con)
    report = ingest_sources(con, [Source("fuzz.json", "export", read=lambda: data)])
    assert len(report.files) == 1
    result = report.files[0]
    assert result.status in ("accepted", "rejected"), result.line()
    line = result.line()
    assert "Traceback" not in line and "Error" not in line, line
    assert not any(word in line for word in CANARY_WORDS), line
    logged = con.execute("SELECT status, reason FROM ingest_log").fetchall()
    assert logged == [(result.status, result.reason)]
    after = table_counts(con)
    if result.status == "rejected":
        assert result.reason.startswith(("export fuzz.json: ", "file fuzz.json: ")), result.reason
        assert after == before, "a rejected file left rows behind"
    else:
        n_records = con.execute("SELECT n_records FROM exports").fetchone()[0]
        stored = sum(after[t] for t in ("checkins", "conversations", "messages", "practices"))
        assert stored == n_records, "an accepted file was saved in part"
    return result.status


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_exports())
@example(VALID[0].replace(CANARY.encode(), b"my sister \xff\xfe said", 1))   # the UnicodeDecodeError of issue 9
@example(b"[" * 1000 + b"]" * 1000)                                          # its RecursionError
@example(VALID[1].decode().encode("utf-16"))
def test_every_mutated_export_gets_a_clean_verdict(data):
    check_verdict(data)


def test_the_unmutated_exports_are_accepted():
    assert [check_verdict(data) for data in VALID] == ["accepted", "accepted"]
