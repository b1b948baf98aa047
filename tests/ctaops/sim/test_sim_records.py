"""Record shapes of the simulator's listings that follow CTA HEAD's frontend."""

from __future__ import annotations

import subprocess

from .conftest import Sim


def test_tape_ls_storage_class_statistics(sim: Sim) -> None:
    """frontend/common/TapeLsResponseStream.cpp::next copies the per storage class statistics that
    RdbmsCatalogueGetTapesItor::loadStorageClassStatistics loads for --get-storage-class-stats; the
    field is repeated, so CTA's JSON always prints it (`[]` when not asked for)."""
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "3", "--size", "10")
    sim.ok("sim", "run", sim.dir)
    plain = sim.ls("ta", "ls", "--all")
    assert all(t["storageClassStatistics"] == [] for t in plain)
    stats = {t["vid"]: t["storageClassStatistics"] for t in sim.ls("ta", "ls", "--all", "--get-storage-class-stats")}
    written = [t for t in plain if t["lastFseq"] != "0"]
    assert written
    for t in written:
        assert stats[t["vid"]] == [
            {
                "storageClassName": "ctaops_sc",
                "nbMasterFiles": t["nbMasterFiles"],
                "masterDataInBytes": t["masterDataInBytes"],
            }
        ]
    assert all(stats[t["vid"]] == [] for t in plain if t["lastFseq"] == "0")


def test_tapepool_ls_without_deprecated_supply(sim: Sim) -> None:
    """TapePoolLsResponseStream::next sets supply_source/supply_destination only; the table still
    shows the sources comma-joined."""
    pools = {p["name"]: p for p in sim.ls("tp", "ls")}
    assert "supply" not in pools["ctaops_user"]
    assert pools["ctaops_user"]["supplySource"] == ["supply"]
    row = next(line for line in sim.admin("tp", "ls").stdout.splitlines() if line.strip().startswith("ctaops_user"))
    assert " supply " in row


def test_failedrequest_ls_without_owner_id(sim: Sim) -> None:
    """FailedRequestLsResponseStream::fillBuffer{Archive,Retrieve} set only `af.df.path`, so CTA's
    JSON has no `af.df.ownerId`."""
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    [tf] = sim.ls("tf", "ls", "--vid", "V00001")
    af = tf["af"]
    assert isinstance(af, dict)
    # a failed verification leaves a failed retrieve request
    sim.run("sim", "fault", sim.dir, "corrupt-data", "--vid", "V00001", "--fseq", "1")
    subprocess.run(
        [str(sim.dir / "bin" / "cta-verify-file"), "--vid", "V00001", "--id", str(af["archiveId"])],
        capture_output=True,
        check=False,
    )
    [fr] = sim.ls("fr", "ls")
    fr_af = fr["af"]
    assert isinstance(fr_af, dict)
    # only the path, the one the disk side sent with the archive request (sim archive's default)
    assert fr_af["df"] == {"path": "/eos/eosctaops/ctaops/file1"}
