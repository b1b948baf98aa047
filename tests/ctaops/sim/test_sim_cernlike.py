"""`sim init --preset cern-like`: an instance with a production history (issue 16), checked through
`cta-admin --json` listings as dashboards and scans read them. State names and the rule that every
state but ACTIVE carries a reason follow CTA (common/dataStructures/Tape.cpp,
catalogue/rdbms/RdbmsTapeCatalogue.cpp; cta-interfaces §5.3)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from .conftest import Sim


@pytest.fixture
def cern(sim_exe: str, tmp_path: Path, catalogue_args: list[str]) -> Sim:
    d = tmp_path / "cern"
    r = subprocess.run(
        [sim_exe, "sim", "init", str(d), "--preset", "cern-like", "--tapes", "60", "--drives", "4",
         "--synthetic-files-per-tape", "6", *catalogue_args],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return Sim(sim_exe, d)


def test_cern_like_has_a_production_history(cern: Sim) -> None:
    tapes = cern.ls("tape", "ls", "--all")
    assert len(tapes) == 60
    states = Counter(str(t["state"]) for t in tapes)
    for s in ("ACTIVE", "DISABLED", "BROKEN", "REPACKING", "EXPORTED", "REPACKING_DISABLED"):
        assert states[s] >= 1, states
    for t in tapes:
        # CTA refuses every state but ACTIVE without a reason.
        assert (t["state"] == "ACTIVE") or str(t["stateReason"]).strip(), t

    holding = [t for t in tapes if int(str(t["lastFseq"])) > 0]
    assert len(holding) >= 10
    # Tapes that hold data say when and where they were written; many also when they were read.
    assert all("lastWrittenLog" in t and t["full"] for t in holding)
    assert sum("lastReadLog" in t for t in holding) >= 2
    written = [int(str(t["lastWrittenLog"]["time"])) for t in holding]  # type: ignore[index]
    assert max(written) - min(written) > 30 * 86400  # written over months, not at init
    occupancy = {int(str(t["occupancy"])) for t in holding}
    assert len(occupancy) >= 5  # a spread of fill levels
    # Files deleted since they were written: less data alive than written on some tapes.
    assert any(int(str(t["nbMasterFiles"])) < int(str(t["lastFseq"])) for t in holding)
    # Empty, writable tapes remain in the pools.
    assert any(t["state"] == "ACTIVE" and not t["full"] and int(str(t["lastFseq"])) == 0 for t in tapes)

    vos = {str(v["name"]) for v in cern.ls("virtualorganization", "ls")}
    assert {"vo_user", "vo_repack", "atlas", "cms", "lhcb"} <= vos
    classes = {str(c["name"]): int(str(c["nbCopies"])) for c in cern.ls("storageclass", "ls")}
    assert set(classes.values()) == {1, 2}
    routes = {
        (str(r["storageClass"]), int(str(r["copyNumber"]))): str(r["tapepool"]) for r in cern.ls("archiveroute", "ls")
    }
    assert routes[("atlas_raw", 1)] != routes[("atlas_raw", 2)]

    # A 2-copy file has one tape file on a tape of each of its two pools.
    pool_of = {str(t["vid"]): str(t["tapepool"]) for t in tapes}
    first = next(str(t["vid"]) for t in holding if t["tapepool"] == routes[("atlas_raw", 1)])
    archive_id = str(cern.ls("tapefile", "ls", "--vid", first)[0]["af"]["archiveId"])  # type: ignore[index]
    copies = cern.ls("tapefile", "ls", "--id", archive_id)
    assert sorted((int(str(c["tf"]["copyNb"])), pool_of[str(c["tf"]["vid"])]) for c in copies) == [  # type: ignore[index]
        (1, routes[("atlas_raw", 1)]),
        (2, routes[("atlas_raw", 2)]),
    ]

    # Failed retrieves and a repack half way through.
    failed = cern.ls("failedrequest", "ls")
    assert failed
    assert all(f["requestType"] == "RETRIEVE_REQUEST" for f in failed)
    repacks = cern.ls("repack", "ls")
    assert [r["status"] for r in repacks] == ["Running"]
    [repack] = repacks
    assert next(t for t in tapes if t["vid"] == repack["vid"])["state"] == "REPACKING"
    assert 0 < int(str(repack["retrievedFiles"])) < int(str(repack["totalFilesToRetrieve"]))


def test_cern_like_config_names_every_logical_library(cern: Sim) -> None:
    text = (cern.dir / "cta-ops-config.yaml").read_text()
    libraries = [str(x["name"]) for x in cern.ls("logicallibrary", "ls")]
    assert len(libraries) == 4
    for ll in libraries:
        assert f'"{ll}": {{LTO9: ' in text
    pools = {str(p["name"]) for p in cern.ls("tapepool", "ls")}
    assert {"quarantine", "tolabel_LIB1LTO9", "erase_LIB2LTO9B"} <= pools
    assert json.loads(cern.admin("--json", "mountpolicy", "ls").stdout)
