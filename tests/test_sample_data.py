"""The committed sample data is current (regenerating gives the same bytes) and has the
properties the rest of the project relies on: scale, overlapping exports, one documented
revision, summary-scope clients, planted risk statements, valid timestamps, full ground truth."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from sample_data.generate import INVALID_NAME, generate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
TOP_FILES = ["appointments.csv", "ground_truth.csv", "personas.json", "revisions.csv"]
TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$")
SENTENCE_SPLIT = re.compile(r"[.!?]+")


def _generated_files(root: Path) -> list[str]:
    found = [p.relative_to(root).as_posix() for sub in ("exports", "invalid") for p in (root / sub).rglob("*") if p.is_file()]
    return sorted(found) + TOP_FILES


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out)
    return out


@pytest.fixture(scope="module")
def exports() -> dict[str, list[dict]]:
    """Committed exports per client, in exported_at order."""
    by_client: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((SAMPLE / "exports").rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert path.parent.name == doc["client"]["client_id"]
        by_client[doc["client"]["client_id"]].append(doc)
    for docs in by_client.values():
        docs.sort(key=lambda d: _ts(d["exported_at"]))
    return dict(by_client)


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    with open(SAMPLE / "ground_truth.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _client_texts(exports) -> dict[tuple[str, str], tuple[str, str]]:
    """(source, source_id) -> (client_id, text) for every client-authored text unit and summary."""
    texts = {}
    for cid, docs in exports.items():
        for doc in docs:
            for c in doc["checkins"]:
                if c.get("note"):
                    texts[("note", c["checkin_id"])] = (cid, c["note"])
            for conv in doc["conversations"]:
                if conv.get("summary"):
                    texts[("summary", conv["conversation_id"])] = (cid, conv["summary"])
                for m in conv.get("messages", []):
                    if m["role"] == "client":
                        texts[("message", m["message_id"])] = (cid, m["text"])
    return texts


def test_regenerating_gives_identical_bytes(regenerated):
    committed, fresh = _generated_files(SAMPLE), _generated_files(regenerated)
    assert committed == fresh, "the set of generated files differs; run python sample_data/generate.py"
    changed = [name for name in committed if (SAMPLE / name).read_bytes() != (regenerated / name).read_bytes()]
    assert not changed, f"committed sample is stale or generation is not deterministic: {changed[:5]}"


def test_scale(exports):
    assert len(exports) == 24
    assert sorted(exports) == [f"c-{i:04d}" for i in range(1, 25)]
    providers = {doc["provider"]["provider_id"] for docs in exports.values() for doc in docs}
    assert sorted(providers) == ["p-001", "p-002", "p-003"]
    times = [_ts(c["at"]) for docs in exports.values() for doc in docs for c in doc["checkins"]]
    assert (max(times) - min(times)).days >= 180
    personas = json.loads((SAMPLE / "personas.json").read_text(encoding="utf-8"))
    assert len(personas["clients"]) == 24 and len(personas["providers"]) == 3
    for kind in ("improving", "worsening", "flat", "crisis_recovery"):
        assert sum(p["trajectory"] == kind for p in personas["clients"]) >= 3


def test_at_least_3000_distinct_client_sentences(exports):
    sentences = set()
    for (source, _), (_, text) in _client_texts(exports).items():
        if source == "summary":
            continue
        sentences.update(s.strip().lower() for s in SENTENCE_SPLIT.split(text) if s.strip())
    assert len(sentences) >= 3000, len(sentences)


def test_summary_scope_exports_carry_no_messages(exports):
    summary_clients = [cid for cid, docs in exports.items() if docs[0]["share"]["scope"] == "summary"]
    assert len(summary_clients) >= 4
    for cid, docs in exports.items():
        assert len({d["share"]["scope"] for d in docs}) == 1, cid
        for doc in docs:
            for conv in doc["conversations"]:
                if doc["share"]["scope"] == "summary":
                    assert "messages" not in conv, conv["conversation_id"]
                    assert conv.get("summary") and conv.get("title")
                else:
                    assert "messages" in conv and 3 <= len(conv["messages"]) <= 12, conv["conversation_id"]


def test_consecutive_exports_overlap_and_share_ids(exports):
    for cid, docs in exports.items():
        assert len(docs) >= 2, cid
        for prev, nxt in zip(docs, docs[1:]):
            assert _ts(nxt["share"]["period"]["start"]) < _ts(prev["share"]["period"]["end"]), (cid, nxt["export_id"])
            ids_prev = {c["checkin_id"] for c in prev["checkins"]} | {p["practice_id"] for p in prev["practices"]}
            ids_next = {c["checkin_id"] for c in nxt["checkins"]} | {p["practice_id"] for p in nxt["practices"]}
            assert ids_prev & ids_next, (cid, prev["export_id"], nxt["export_id"])


def test_exactly_the_documented_record_is_revised(exports):
    with open(SAMPLE / "revisions.csv", encoding="utf-8", newline="") as fh:
        documented = list(csv.DictReader(fh))
    assert len(documented) == 1
    rev = documented[0]
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert rev["source_id"] in readme and rev["new_export_id"] in readme
    differing = []
    for cid, docs in exports.items():
        versions: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for doc in docs:
            for section, key in (("checkins", "checkin_id"), ("conversations", "conversation_id"), ("practices", "practice_id")):
                for rec in doc[section]:
                    versions[(section, rec[key])].append((doc["export_id"], json.dumps(rec, sort_keys=True)))
        for (section, rid), seen in versions.items():
            if len({body for _, body in seen}) > 1:
                differing.append((cid, section, rid, seen))
    assert [(d[0], d[1], d[2]) for d in differing] == [(rev["client_id"], "checkins", rev["source_id"])]
    seen = dict(differing[0][3])
    old, new = json.loads(seen[rev["old_export_id"]]), json.loads(seen[rev["new_export_id"]])
    assert old["note"] != new["note"] and old["stress"] != new["stress"]


def test_exactly_two_clients_have_risk_statements(truth):
    risky = sorted({r["client_id"] for r in truth if r["risk"] != "none"})
    assert len(risky) == 2
    assert any(r["risk"] == "urgent" for r in truth)
    urgent_clients = {r["client_id"] for r in truth if r["risk"] == "urgent"}
    assert len(urgent_clients) == 1
    assert any(r["risk"] == "watch" and r["client_id"] in urgent_clients for r in truth)
    decoys = [r for r in truth if r["decoy"] == "true"]
    assert len(decoys) >= 5
    assert all(r["risk"] == "none" and r["client_id"] not in risky for r in decoys)


def test_every_timestamp_matches_the_schema_pattern(exports):
    for docs in exports.values():
        for doc in docs:
            stamps = [doc["exported_at"], doc["share"]["consented_at"], doc["share"]["period"]["start"],
                      doc["share"]["period"]["end"]]
            stamps += [c["at"] for c in doc["checkins"]] + [p["at"] for p in doc["practices"]]
            for conv in doc["conversations"]:
                stamps.append(conv["started_at"])
                stamps += [m["at"] for m in conv.get("messages", [])]
            bad = [s for s in stamps if not TIMESTAMP.match(s)]
            assert not bad, (doc["export_id"], bad[:3])
    with open(SAMPLE / "appointments.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(TIMESTAMP.match(r["starts_at"]) for r in rows)
    last_day = max(c["at"][:10] for docs in exports.values() for d in docs for c in d["checkins"])
    assert any(r["starts_at"][:10] > last_day for r in rows), "upcoming appointments after the last data day"


def test_every_record_lies_within_its_export_period(exports):
    for docs in exports.values():
        for doc in docs:
            start, end = _ts(doc["share"]["period"]["start"]), _ts(doc["share"]["period"]["end"])
            assert _ts(doc["share"]["consented_at"]) < start
            times = [c["at"] for c in doc["checkins"]] + [p["at"] for p in doc["practices"]]
            for conv in doc["conversations"]:
                times.append(conv["started_at"])
                times += [m["at"] for m in conv.get("messages", [])]
            outside = [t for t in times if not start <= _ts(t) <= end]
            assert not outside, (doc["export_id"], outside[:3])


def test_ground_truth_covers_every_client_text(exports, truth):
    texts = _client_texts(exports)
    rows = {(r["source"], r["source_id"]): r for r in truth}
    assert len(rows) == len(truth), "one row per text unit"
    assert set(texts) == set(rows)
    for key, row in rows.items():
        assert row["client_id"] == texts[key][0]
        assert row["insight"] in ("none", "explicit", "subtle") and row["risk"] in ("none", "watch", "urgent")
        if row["filler"] == "true":
            assert row["theme"] == ""
        assert bool(row["conversation_id"]) == (row["source"] != "note")
    messages = [r for r in truth if r["source"] == "message"]
    insight = sum(r["insight"] != "none" for r in messages) / len(messages)
    assert 0.03 <= insight <= 0.1, insight


def test_invalid_export_has_high_stress_at_checkins_3():
    doc = json.loads((SAMPLE / "invalid" / INVALID_NAME).read_text(encoding="utf-8"))
    assert doc["checkins"][3]["stress"] == "high"
    others = [c["stress"] for i, c in enumerate(doc["checkins"]) if i != 3 and "stress" in c]
    assert others and all(isinstance(s, int) and 0 <= s <= 10 for s in others)
    assert doc["format"] == "client-export" and doc["share"]["scope"] == "raw"
