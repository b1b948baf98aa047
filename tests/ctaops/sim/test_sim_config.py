"""cta-admin add/ch/rm of the configuration tables, and the other non-`ls` commands, on the simulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim

# (command, add options, ch options, key of the record, expected key value, field changed by ch, new value, rm options)
FAMILIES = [
    (
        "storageclass",
        ["-n", "sc2", "-c", "2", "--vo", "vo_user", "-m", "two"],
        ["-n", "sc2", "-m", "changed"],
        "name",
        "sc2",
        "comment",
        "changed",
        ["-n", "sc2"],
    ),
    (
        "archiveroute",
        ["-s", "ctaops_sc", "-c", "2", "-t", "erase", "-m", "second"],
        ["-s", "ctaops_sc", "-c", "2", "--art", "default", "-m", "changed"],
        "copyNumber",
        2,
        "comment",
        "changed",
        ["-s", "ctaops_sc", "-c", "2", "--art", "DEFAULT"],
    ),
    (
        "virtualorganization",
        ["--vo", "vo2", "--rmd", "1", "--wmd", "2", "-m", "x", "--di", "eosctaops"],
        ["--vo", "vo2", "--wmd", "5"],
        "name",
        "vo2",
        "writeMaxDrives",
        "5",
        ["--vo", "vo2"],
    ),
    (
        "mediatype",
        ["-n", "LTO10", "-t", "LTO-10", "-c", "30000000000000", "-p", "100", "-m", "x"],
        ["-n", "LTO10", "-w", "280"],
        "name",
        "LTO10",
        "numberOfWraps",
        "280",
        ["-n", "LTO10"],
    ),
    (
        "mountpolicy",
        ["-n", "mp2", "--ap", "2", "--aa", "60", "--rp", "3", "--ra", "120", "-m", "x"],
        ["-n", "mp2", "--rp", "9"],
        "name",
        "mp2",
        "retrievePriority",
        "9",
        ["-n", "mp2"],
    ),
    (
        "requestermountrule",
        ["-i", "eosctaops", "-n", "alice", "-u", "ctaops_mp", "-m", "x"],
        ["-i", "eosctaops", "-n", "alice", "-u", "repack"],
        "requesterMountRule",
        "alice",
        "mountPolicy",
        "repack",
        ["-i", "eosctaops", "-n", "alice"],
    ),
    (
        "groupmountrule",
        ["-i", "eosctaops", "-n", "atlas", "-u", "ctaops_mp", "-m", "x"],
        ["-i", "eosctaops", "-n", "atlas", "-m", "changed"],
        "groupMountRule",
        "atlas",
        "comment",
        "changed",
        ["-i", "eosctaops", "-n", "atlas"],
    ),
    (
        "activitymountrule",
        ["-i", "eosctaops", "-n", "bob", "--ar", "T0.*", "-u", "ctaops_mp", "-m", "x"],
        ["-i", "eosctaops", "-n", "bob", "--ar", "T0.*", "-u", "repack"],
        "activityMountRule",
        "bob",
        "mountPolicy",
        "repack",
        ["-i", "eosctaops", "-n", "bob", "--ar", "T0.*"],
    ),
    (
        "admin",
        ["-u", "carol", "-m", "new admin"],
        ["-u", "carol", "-m", "changed"],
        "user",
        "carol",
        "comment",
        "changed",
        ["-u", "carol"],
    ),
    (
        "diskinstance",
        ["-n", "eos2", "-m", "x"],
        ["-n", "eos2", "-m", "changed"],
        "name",
        "eos2",
        "comment",
        "changed",
        ["-n", "eos2"],
    ),
    (
        "diskinstancespace",
        ["-n", "space1", "--di", "eosctaops", "-u", "eos:ctaeos:default", "-i", "10", "-m", "x"],
        ["-n", "space1", "--di", "eosctaops", "-i", "30"],
        "name",
        "space1",
        "refreshInterval",
        "30",
        ["-n", "space1", "--di", "eosctaops"],
    ),
    (
        "logicallibrary",
        ["-n", "ll2", "--pl", "ctaops_lib1", "-m", "x"],
        ["-n", "ll2", "-m", "changed"],
        "name",
        "ll2",
        "comment",
        "changed",
        ["-n", "ll2"],
    ),
    (
        "physicallibrary",
        ["-n", "pl2", "--ma", "IBM", "--mo", "TS4500", "--npcs", "100", "--npds", "4"],
        ["-n", "pl2", "-d", "true", "--dr", "maintenance"],
        "name",
        "pl2",
        "disabledReason",
        "maintenance",
        ["-n", "pl2"],
    ),
    (
        "tapepool",
        ["-n", "pool2", "--vo", "vo_user", "-p", "3", "-s", "supply", "-m", "x"],
        ["-n", "pool2", "-p", "4"],
        "name",
        "pool2",
        "numPartialTapes",
        "4",
        ["-n", "pool2"],
    ),
]


def _find(sim: Sim, cmd: str, key: str, value: object) -> list[dict[str, object]]:
    return [r for r in sim.ls(cmd, "ls") if r[key] == value]


@pytest.mark.parametrize("fam", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_add_ch_rm(sim: Sim, fam: tuple[str, list[str], list[str], str, object, str, str, list[str]]) -> None:
    cmd, add, ch, key, value, field, new, rm = fam
    r = sim.admin("--json", cmd, "add", *add)
    assert (r.returncode, r.stdout, r.stderr) == (0, "[]\n", ""), r.stderr
    rows = _find(sim, cmd, key, value)
    assert len(rows) == 1
    created, modified = ("created", "modified") if cmd == "tapepool" else ("creationLog", "lastModificationLog")
    assert rows[0][created] == rows[0][modified]
    again = sim.admin("--json", cmd, "add", *add)
    assert (again.returncode, again.stdout) == (2, "[]\n")
    assert again.stderr  # each family's own text: test_sim_refusals.py
    r = sim.admin(cmd, "ch", *ch)
    assert r.returncode == 0, r.stderr
    assert _find(sim, cmd, key, value)[0][field] == new
    r = sim.admin(cmd, "rm", *rm)
    assert r.returncode == 0, r.stderr
    assert _find(sim, cmd, key, value) == []
    gone = sim.admin(cmd, "rm", *rm)
    assert gone.returncode == 2
    assert "not exist" in gone.stderr


def test_disksystem_and_typed_records(sim: Sim) -> None:
    assert (
        sim.admin("dis", "add", "-n", "sp", "--di", "eosctaops", "-u", "eos:x:default", "-i", "5", "-m", "c").returncode
        == 0
    )
    r = sim.admin(
        "ds",
        "add",
        "-n",
        "ds1",
        "-r",
        "^root://",
        "--di",
        "eosctaops",
        "--dis",
        "nope",
        "-f",
        "10",
        "-s",
        "6",
        "-m",
        "c",
    )
    # CTA has no check of its own here: its schema's foreign key fails, a server error (exit 1)
    assert r.returncode == 1
    assert "disk instance space nope of disk instance eosctaops does not exist" in r.stderr
    r = sim.admin(
        "ds", "add", "-n", "ds1", "-r", "^root://", "--di", "eosctaops", "--dis", "sp", "-f", "10", "-s", "6", "-m", "c"
    )
    assert r.returncode == 0, r.stderr
    assert sim.admin("ds", "ch", "-n", "ds1", "-s", "60").returncode == 0
    [ds] = sim.ls("ds", "ls")
    assert (ds["name"], ds["sleepTime"], ds["targetedFreeSpace"], ds["diskInstanceSpace"]) == ("ds1", "60", "10", "sp")
    [space] = sim.ls("dis", "ls")
    # CTA's quirks: instanceName carries the space name, lastRefreshTime is always "0"
    assert (space["instanceName"], space["lastRefreshTime"], space["freeSpace"]) == ("sp", "0", "0")
    r = sim.admin("dis", "rm", "-n", "sp", "--di", "eosctaops")
    assert r.returncode == 1
    assert "it is used by a disk system (foreign key)" in r.stderr
    admin = pytest.importorskip("ctaops.admin")
    for kind, argv in [("disksystem", ["ds", "ls"]), ("diskinstancespace", ["dis", "ls"])]:
        assert len(admin.parse(kind, sim.admin("--json", *argv).stdout)) == 1
    tab = sim.admin("amr", "ls")
    assert tab.stdout.split()[:4] == ["disk", "buffer", "username", "policy"]


def test_server_rules(sim: Sim) -> None:
    """A few rules end to end; every family's texts are in test_sim_refusals.py (CTA's, cited there)."""
    for argv, msg in [
        (
            ["sc", "add", "-n", "x", "-c", "1", "--vo", "nope", "-m", "c"],
            "Cannot create storage class : x because the vo : nope does not exist",
        ),
        (
            ["sc", "rm", "-n", "ctaops_sc"],
            "The ctaops_sc storage class is being used by one or more archive routes",
        ),
        (
            ["ar", "add", "-s", "ctaops_sc", "-c", "2", "--art", "bogus", "-t", "ctaops_user", "-m", "c"],
            "The type given (BOGUS) does not exist. Possible values are DEFAULT and REPACK.",
        ),
        (
            ["ar", "add", "-s", "ctaops_sc", "-c", "0", "-t", "erase", "-m", "c"],
            "Cannot create archive route because copy number is zero",
        ),
        (
            ["mt", "add", "-n", "M", "-t", "c", "-c", "1", "-s", "256", "-m", "c"],
            "Secondary density code cannot be larger than 255: value=256",
        ),
        (
            ["vo", "add", "--vo", "v2", "--rmd", "1", "--wmd", "1", "-m", "c", "--di", "eosctaops", "--irvo", "true"],
            "There already exists a default VO for repacking",
        ),
        (
            ["pl", "ch", "-n", "ctaops_lib1", "-d", "true"],
            "Cannot disable physical library ctaops_lib1 because the reason has not been provided",
        ),
        (
            ["tp", "rm", "-n", "ctaops_user"],
            "Cannot delete tape-pool 'ctaops_user' because it is used in an archive route",
        ),
        (
            ["tp", "add", "-n", "p", "--vo", "vo_user", "-p", "1", "-s", "p", "-m", "c"],
            "Cannot create tape pool 'p' because the supply tape pool 'p' does not exist",
        ),
        (["mp", "ch", "-n", "nope", "--ap", "1"], "Cannot modify mount policy nope because they do not exist"),
        (
            ["sc", "add", "-n", "x", "-c", "1", "--vo", "vo_user", "-m", ""],
            "Cannot create storage class because the comment is an empty string",
        ),
        (["af", "ch", "-F", "/dev/null", "-s", "ctaops_sc"], "No archive file IDs were given (--idfile)"),
    ]:
        r = sim.admin("--json", *argv)
        assert (r.returncode, r.stdout, r.stderr.strip()) == (2, "[]\n", msg), argv
    # nothing half-written by the refused commands
    assert [p["name"] for p in sim.ls("tp", "ls") if p["name"] == "p"] == []


def test_drive_rm(sim: Sim) -> None:
    r = sim.admin("dr", "rm", "CTAOPSLIB1-LTO9-D01")
    assert (r.returncode, r.stdout) == (0, "Drive CTAOPSLIB1-LTO9-D01 in state Free and force is not set (skipped).\n")
    assert sim.admin("dr", "down", "CTAOPSLIB1-LTO9-D01", "-r", "gone").returncode == 0
    r = sim.admin("dr", "rm", "CTAOPSLIB1-LTO9-D01")
    assert r.stdout == "Drive CTAOPSLIB1-LTO9-D01 removed.\n"
    r = sim.admin("dr", "rm", "CTAOPSLIB1-LTO9-D02", "-f")
    assert r.stdout == "Drive CTAOPSLIB1-LTO9-D02 removed (forced).\n"
    assert sim.ls("dr", "ls") == []
    r = sim.admin("dr", "rm", "NOSUCH")
    assert r.stdout == 'No drives match "^NOSUCH$". No drives were removed.\n'


def test_archivefile_ch_and_failedrequest_rm(sim: Sim, tmp_path: Path) -> None:
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "2", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    ids = [str(r["af"]["archiveId"]) for r in sim.ls("tf", "ls", "--vid", "V00001")]
    idfile = tmp_path / "ids"
    idfile.write_text("\n".join(ids) + "\n")
    assert sim.admin("sc", "add", "-n", "sc2", "-c", "1", "--vo", "vo_user", "-m", "c").returncode == 0
    r = sim.admin("af", "ch", "-F", str(idfile), "-s", "sc2")
    assert r.returncode == 0, r.stderr
    assert {r["af"]["storageClass"] for r in sim.ls("tf", "ls", "--vid", "V00001")} == {"sc2"}
    one = tmp_path / "one"
    one.write_text(ids[0])
    r = sim.admin("af", "ch", "-F", str(one), "-f", "ff", "--di", "eosctaops")
    assert r.returncode == 0, r.stderr
    [rec] = sim.ls("tf", "ls", "--id", ids[0])
    assert rec["df"]["diskId"] == "255"
    r = sim.admin("af", "ch", "-F", str(idfile), "-f", "ff", "--di", "eosctaops")
    assert r.returncode == 2
    # a failed verification leaves a failed request that fr rm removes
    sim.run("sim", "fault", sim.dir, "corrupt-data", "--vid", "V00001", "--fseq", "1")
    v = subprocess_verify(sim, ids[0])
    assert v != 0
    [fr] = sim.ls("fr", "ls")
    assert sim.admin("fr", "rm", "-o", str(fr["objectId"])).returncode == 0
    assert sim.ls("fr", "ls") == []


def subprocess_verify(sim: Sim, archive_id: str) -> int:
    r = subprocess.run(
        [str(sim.dir / "bin" / "cta-verify-file"), "--vid", "V00001", "--id", archive_id],
        capture_output=True,
        text=True,
        check=False,
    )
    return r.returncode


def test_config_json_is_one_line_per_call(sim: Sim) -> None:
    r = sim.admin("--json", "amr", "ls")
    assert (r.returncode, r.stdout) == (0, "[]\n")
    assert json.loads(r.stdout) == []
