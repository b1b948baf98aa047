"""ctaops.utils.showqueues: rendering `cta-admin --json showqueues` records."""

from __future__ import annotations

import json

import pytest

from ctaops.utils.showqueues import format_age, normalize, render_showqueues, select, summary

# The two records of cta-interfaces §1.7's example, as CTA prints them.
SQ_JSON = """[
{"mountType":"ARCHIVE_FOR_USER","tapepool":"atlas_raw_2026","logicalLibrary":"","vid":"","queuedFiles":"5210",
 "queuedBytes":"18743209871234","oldestAge":"412","priority":"200","minAge":"60","curMounts":"2","curFiles":"311",
 "curBytes":"1099511627776","tapesCapacity":"2160000000000000","tapesFiles":"183921","tapesBytes":"612345678901234",
 "fullTapes":"85","writableTapes":"31","sleepingForSpace":false,"sleepStartTime":"0","diskSystemSleptFor":"","vo":"ATLAS",
 "readMaxDrives":"8","writeMaxDrives":"10","mountPolicies":["atlas_default"],"youngestAge":"2",
 "highestPriorityMountPolicy":"atlas_default","lowestRequestAgeMountPolicy":"atlas_default",
 "schedulerBackendName":"ceph","instanceName":"ctaproduction"},
{"mountType":"RETRIEVE","tapepool":"atlas_raw_2026","logicalLibrary":"IBM460_LTO9","vid":"V01007","queuedFiles":"42",
 "queuedBytes":"150323855360","oldestAge":"1800","priority":"100","minAge":"300","curMounts":"1","curFiles":"118",
 "curBytes":"402653184000","tapesCapacity":"18000000000000","tapesFiles":"1532","tapesBytes":"5243907424211",
 "fullTapes":"0","writableTapes":"1","sleepingForSpace":false,"sleepStartTime":"0","diskSystemSleptFor":"","vo":"ATLAS",
 "readMaxDrives":"8","writeMaxDrives":"10","mountPolicies":["atlas_recall"],"youngestAge":"35",
 "highestPriorityMountPolicy":"atlas_recall","lowestRequestAgeMountPolicy":"atlas_recall",
 "schedulerBackendName":"ceph","instanceName":"ctaproduction"}
]"""
RECORDS = json.loads(SQ_JSON)


def test_normalize_converts_uint64_strings() -> None:
    rec = normalize(RECORDS[0])
    assert rec["queuedBytes"] == 18743209871234
    assert rec["priority"] == 200
    assert rec["tapepool"] == "atlas_raw_2026"
    with pytest.raises(ValueError, match="'queuedFiles'"):
        normalize({**RECORDS[0], "queuedFiles": "many"})


def test_select_by_kind_and_filters() -> None:
    assert [r["mountType"] for r in select(RECORDS, "archive")] == ["ARCHIVE_FOR_USER"]
    assert [r["vid"] for r in select(RECORDS, "retrieve")] == ["V01007"]
    assert len(select(RECORDS)) == 2
    assert select(RECORDS, vo="CMS") == []
    with pytest.raises(ValueError, match="kind"):
        select(RECORDS, "label")


def test_archive_view() -> None:
    text = render_showqueues(RECORDS, "archive", color=False, max_col_width=0)
    header, row = text.splitlines()[:2]
    assert "Files Queued" in header
    assert "Write Maximum Drives" in header
    assert "VID" not in header
    assert row.split()[:7] == ["ARCHIVE_FOR_USER", "atlas_raw_2026", "ATLAS", "5210", "17T", "6m52s", "2s"]
    assert text.splitlines()[-1] == "Total: 1 queues, 5210 files (17T) queued, 2 mounts"


def test_retrieve_view_and_raw_numbers() -> None:
    text = render_showqueues(RECORDS, "retrieve", color=False, human=False, max_col_width=0)
    row = text.splitlines()[1].split()
    assert row[:8] == ["RETRIEVE", "atlas_raw_2026", "ATLAS", "IBM460_LTO9", "V01007", "42", "150323855360", "1800"]
    assert text.endswith("Total: 1 queues, 42 files (150323855360) queued, 1 mounts")


def test_objects_with_to_dict_and_summary() -> None:
    class Rec:
        def __init__(self, d: dict[str, object]) -> None:
            self.d = d

        def to_dict(self) -> dict[str, object]:
            return self.d

    assert summary([Rec(r) for r in RECORDS]) == {
        "queues": 2,
        "queuedFiles": 5252,
        "queuedBytes": 18743209871234 + 150323855360,
        "curMounts": 3,
    }
    with pytest.raises(TypeError):
        normalize(42)


def test_format_age() -> None:
    assert format_age(0) == "0s"
    assert format_age(412) == "6m52s"
    assert format_age(93784) == "1d2h3m4s"
