"""Folders and zip archives: nesting, path tricks, zip bombs, size limits, non-JSON members."""

import stat
import zipfile

import pytest

from pipelines.ingest import ingest_paths, limits
from pipelines.ingest.sources import is_safe_member_name
from tests.conftest import export_bytes, make_export, table_counts, write_export


def make_zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def statuses(report):
    return {f.name.split(":", 1)[-1]: (f.status, f.reason) for f in report.files}


def test_zip_with_nested_folders_is_ingested(con, tmp_path):
    members = {f"clinic/week{i}/c-{i}.json": export_bytes(make_export(export_id=f"e{i}", client={"client_id": f"c-{i}"}))
               for i in range(3)}
    members["clinic/appointments.csv"] = b"client_id,provider_id,starts_at\nc-0,p-007,2026-11-20T15:00:00Z\n"
    report = ingest_paths(con, [make_zip(tmp_path / "batch.zip", members)])
    assert [f.status for f in report.files] == ["accepted"] * 4
    assert table_counts(con)["clients"] == 3 and table_counts(con)["appointments"] == 1
    assert report.files[0].name == f"{tmp_path / 'batch.zip'}:clinic/week0/c-0.json"


def test_non_json_members_are_skipped_with_a_note(con, tmp_path):
    members = {"notes.txt": b"hello", "photo.png": b"\x89PNG", "inner.zip": b"PK..",
               "__MACOSX/._c.json": b"junk", "c.json": export_bytes(make_export())}
    report = statuses(ingest_paths(con, [make_zip(tmp_path / "a.zip", members)]))
    assert report["notes.txt"][0] == report["photo.png"][0] == "skipped"
    assert report["inner.zip"] == ("skipped", "archives inside archives are not opened")
    assert report["__MACOSX/._c.json"][0] == "skipped"
    assert report["c.json"][0] == "accepted"


@pytest.mark.parametrize("name", ["../evil.json", "a/../../evil.json", "/etc/evil.json", "C:/evil.json",
                                  "..\\..\\evil.json"])
def test_path_tricks_are_rejected_and_never_read(con, tmp_path, name):
    archive = make_zip(tmp_path / "a.zip", {name: export_bytes(make_export())})
    report = ingest_paths(con, [archive])
    assert report.files[0].status == "rejected"
    assert "unsafe path in archive" in report.files[0].reason
    assert table_counts(con)["checkins"] == 0
    assert not (tmp_path.parent / "evil.json").exists()


def test_safe_member_names():
    assert is_safe_member_name("exports/c-1/exp.json")
    assert is_safe_member_name("weird..name.json")
    assert not is_safe_member_name("exports/../../x.json")


def test_symlink_member_is_rejected(con, tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("link.json")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    report = ingest_paths(con, [path])
    assert report.files[0].status == "rejected" and "symbolic link" in report.files[0].reason


def test_zip_bomb_member_is_rejected_by_ratio(con, tmp_path):
    bomb = b'{"format": "client-export", "pad": "' + b" " * (8 * 1024 * 1024) + b'"}'
    report = ingest_paths(con, [make_zip(tmp_path / "bomb.zip", {"bomb.json": bomb})])
    assert report.files[0].status == "rejected"
    assert "over the 200:1 limit (MAX_COMPRESSION_RATIO): possible zip bomb" in report.files[0].reason


def test_archive_total_limit(con, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_UNCOMPRESSED_BYTES", 5_000)
    members = {f"c-{i}.json": export_bytes(make_export(export_id=f"e{i}")) for i in range(3)}
    report = ingest_paths(con, [make_zip(tmp_path / "big.zip", members)])
    assert len(report.files) == 1 and report.files[0].status == "rejected"
    assert "(MAX_ARCHIVE_UNCOMPRESSED_BYTES)" in report.files[0].reason
    assert table_counts(con)["exports"] == 0


def test_member_whose_header_lies_about_its_size_is_stopped_at_the_limit(con, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXPORT_BYTES", 2_000)
    data = export_bytes(make_export(10))  # > 2,000 bytes
    path = make_zip(tmp_path / "liar.zip", {"c.json": data}, compression=zipfile.ZIP_STORED)
    # Rewrite the declared uncompressed size in the central directory to something small.
    raw = bytearray(path.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24:central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    report = ingest_paths(con, [path])
    assert report.files[0].status == "rejected"
    assert "limit (MAX_EXPORT_BYTES)" in report.files[0].reason or "damaged" in report.files[0].reason
    assert table_counts(con)["exports"] == 0


def test_oversized_plain_file_is_rejected_without_reading(con, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXPORT_BYTES", 1_000)
    path = write_export(tmp_path, make_export(20))
    report = ingest_paths(con, [path])
    assert report.files[0].status == "rejected"
    assert "over the 1000 bytes limit (MAX_EXPORT_BYTES)" in report.files[0].reason


def test_too_many_members(con, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 2)
    members = {f"x{i}.json": b"{}" for i in range(3)}
    report = ingest_paths(con, [make_zip(tmp_path / "many.zip", members)])
    assert report.files[0].status == "rejected" and "(MAX_ARCHIVE_MEMBERS)" in report.files[0].reason


def test_damaged_or_fake_zip(con, tmp_path):
    (tmp_path / "fake.zip").write_bytes(b"this is not a zip")
    report = ingest_paths(con, [tmp_path / "fake.zip"])
    assert report.files[0].status == "rejected" and "not a readable zip archive" in report.files[0].reason


def test_missing_path_is_rejected(con, tmp_path):
    report = ingest_paths(con, [tmp_path / "nope.json"])
    assert report.files[0].status == "rejected" and "no such file or folder" in report.files[0].reason


def test_folder_walk_is_sorted_and_skips_hidden_files(con, tmp_path):
    (tmp_path / "b").mkdir()
    write_export(tmp_path / "b", make_export(export_id="e2", exported_at="2026-11-17T07:30:00Z"))
    write_export(tmp_path, make_export(export_id="e1"))
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    report = ingest_paths(con, [tmp_path])
    assert [f.name for f in report.files] == [str(tmp_path / "b" / "e2.json"), str(tmp_path / "e1.json")]
    assert [f.export_id for f in report.files] == ["e2", "e1"]


def test_duplicate_export_in_zip_and_folder_is_counted_once(con, tmp_path):
    data = export_bytes(make_export())
    (tmp_path / "c.json").write_bytes(data)
    archive = make_zip(tmp_path / "also.zip", {"c.json": data})
    report = ingest_paths(con, [tmp_path / "c.json", archive])
    assert report.files[0].counts["new"] == 13
    assert report.files[1].counts["unchanged"] == 13
    assert table_counts(con)["checkins"] == 3
