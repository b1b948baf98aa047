"""The simulator's cta-taped log: one CTA-schema `Tape session finished` record per session."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from tests.ctaops.siminstance import SimInstance

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "cta" / "cta-logging.schema.json"


def run(inst: SimInstance, code: int = 0) -> dict[str, Any]:
    r = subprocess.run(
        [inst.exe, "sim", "run", str(inst.dir)], capture_output=True, text=True, check=False, timeout=120
    )
    assert r.returncode == code, r.stderr
    report: dict[str, Any] = json.loads(r.stdout)
    return report


def test_every_session_is_logged_in_ctas_schema(ctaops_native: str, tmp_path: Path) -> None:
    inst = SimInstance.create(ctaops_native, tmp_path / "sim", "--drives", "2")
    inst.sim("archive", str(inst.dir), "--storageclass", "ctaops_sc", "--count", "3", "--size", "5000")
    first = run(inst)
    ids = [
        f["af"]["archiveId"] for f in json.loads(inst.admin("--json", "tf", "ls", "--vid", first["sessions"][0]["vid"]))
    ]
    inst.sim("retrieve", str(inst.dir), "--id", ",".join(str(i) for i in ids[:2]))
    second = run(inst)
    sessions = first["sessions"] + second["sessions"]
    log = inst.dir / "log" / "cta" / "cta-taped.log"
    lines = log.read_text().splitlines()
    assert len(lines) == len(sessions) == 2
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    records = [json.loads(line) for line in lines]
    for rec in records:
        validator.validate(rec)
        assert rec["event_name"] == "tape_session_finished"  # the schema's session rules applied
    by_mount = {r["mountType"]: r for r in records}
    archive, retrieve = by_mount["ArchiveForUser"], by_mount["Retrieve"]
    assert (archive["dataVolume"], archive["filesCount"], archive["status"]) == ("15000", "3", "success")
    assert (retrieve["dataVolume"], retrieve["filesCount"]) == ("10000", "2")
    assert (retrieve["userFilesCount"], retrieve["userBytesCount"], retrieve["repackFilesCount"]) == (2, 10000, 0)
    for rec, s in zip(records, sessions):
        assert (rec["tapeDrive"], rec["tapeVid"], rec["tapePool"], rec["vo"]) == (
            s["drive"],
            s["vid"],
            s["tapepool"],
            s["vo"],
        )
        # times in simulated time: the record is stamped when the cartridge is home
        assert rec["epoch_time"] == s["end"]
        assert rec["totalTime"] == s["end"] - s["start"]
        assert rec["mountTime"] + rec["transferTime"] + rec["unmountTime"] == rec["totalTime"]
        assert rec["headerVolume"] == 480 * int(rec["filesCount"])
        assert rec["logicalLibrary"] == "ctaops_lib1"


def test_a_failed_mount_is_logged_as_a_failure(ctaops_native: str, tmp_path: Path) -> None:
    inst = SimInstance.create(ctaops_native, tmp_path / "sim", "--drives", "1")
    inst.sim("archive", str(inst.dir), "--storageclass", "ctaops_sc", "--count", "1", "--size", "100")
    vid = run(inst)["sessions"][0]["vid"]
    ids = [f["af"]["archiveId"] for f in json.loads(inst.admin("--json", "tf", "ls", "--vid", vid))]
    inst.sim("fault", str(inst.dir), "unreadable", "--vid", vid)
    inst.sim("retrieve", str(inst.dir), "--id", str(ids[0]))
    assert run(inst, 1)["errors"] == [f"tape {vid} cannot be read (injected fault)"]
    last = json.loads((inst.dir / "log" / "cta" / "cta-taped.log").read_text().splitlines()[-1])
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(last)
    assert (last["mountType"], last["status"], last["filesCount"], last["dataVolume"]) == (
        "Retrieve",
        "failure",
        "0",
        "0",
    )
