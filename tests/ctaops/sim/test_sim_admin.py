"""cta-admin compatibility of the simulator, driven only through its command lines."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim

LS = [
    ("tape", ["ta", "ls", "--all"]),
    ("tapepool", ["tp", "ls"]),
    ("tapefile", ["tf", "ls", "--vid", "V00001"]),
    ("drive", ["dr", "ls"]),
    ("storageclass", ["sc", "ls"]),
    ("archiveroute", ["ar", "ls"]),
    ("virtualorganization", ["vo", "ls"]),
    ("mediatype", ["mt", "ls"]),
    ("logicallibrary", ["ll", "ls"]),
    ("physicallibrary", ["pl", "ls"]),
    ("mountpolicy", ["mp", "ls"]),
    ("admin", ["ad", "ls"]),
    ("diskinstance", ["di", "ls"]),
    ("groupmountrule", ["gmr", "ls"]),
    ("requestermountrule", ["rmr", "ls"]),
    ("activitymountrule", ["amr", "ls"]),
    ("diskinstancespace", ["dis", "ls"]),
    ("disksystem", ["ds", "ls"]),
    ("repack", ["re", "ls"]),
    ("failedrequest", ["fr", "ls"]),
    ("recycletf", ["rtf", "ls", "--vid", "V00001"]),
    ("showqueues", ["sq"]),
    ("version", ["v"]),
]


@pytest.mark.parametrize(("kind", "argv"), LS, ids=[k for k, _ in LS])
def test_every_ls_framing(sim: Sim, kind: str, argv: list[str]) -> None:
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "2", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    j = sim.admin("--json", *argv)
    assert j.returncode == 0, j.stderr
    assert j.stdout.endswith("\n")
    assert j.stdout.count("\n") == 1, "--json is one line"
    records = json.loads(j.stdout)
    jl = sim.admin("--jsonl", *argv)
    assert jl.returncode == 0
    lines = [json.loads(x) for x in jl.stdout.splitlines()]
    assert lines == records
    if not records:
        assert j.stdout == "[]\n"
        assert jl.stdout == ""
    # uint64 as strings, as protobuf's JSON mapping prints them
    if kind == "tape":
        assert records[0]["lastFseq"] in ("0", "2")
        assert isinstance(records[0]["full"], bool)
    if kind == "tapefile":
        assert [r["tf"]["fSeq"] for r in records] == ["1", "2"]
        assert records[0]["tf"]["blockId"] == "0"
        assert records[0]["af"]["checksum"][0]["type"] == "ADLER32"
    admin = pytest.importorskip("ctaops.admin")
    parsed = admin.parse(kind, j.stdout)  # the shared typed records accept it
    assert len(parsed) == len(records)


def test_tabular_tape_ls(sim: Sim) -> None:
    r = sim.admin("tape", "ls", "--tapepool", "ctaops_user")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["vid", "media", "type"]
    assert all(line.endswith(" ") for line in lines)
    assert [line.split()[0] for line in lines[1:]] == ["V00001", "V00002", "V00003", "V00004"]


def test_client_errors_exit_1(sim: Sim) -> None:
    for argv, msg in [
        (["tape", "ls", "--bogus"], "Invalid option: --bogus"),
        (["tape", "ch"], "Missing option: --vid"),
        (["ta", "ls", "--full", "yes"], "yes is not a boolean value"),
        (["dr", "down", "--reason", "x"], "Missing option: <drive_name>"),
    ]:
        r = sim.admin("--json", *argv)
        assert r.returncode == 1, argv
        assert r.stdout == ""
        assert r.stderr.strip() == msg


def test_user_errors_exit_2_with_empty_array(sim: Sim) -> None:
    for argv, msg in [
        (["tape", "ls", "--vid", "NOPE01"], "Tape VID NOPE01 does not exist."),
        (["tape", "ls"], "Must specify at least one search option, or --all"),
        (["tape", "ls", "--all", "-t", "ctaops_user"], "Cannot specify --all together with other search options"),
        (["tape", "ch", "-v", "NOPE01", "-f", "true"], "Cannot modify tape NOPE01 because it does not exist"),
        (["re", "ls", "-v", "V00001"], "No repack request for this VID."),
        (["sc", "ls", "-n", "x", "-v", "y"], "Cannot specify both storage class name and VID"),
        (
            ["rtf", "ls", "-c", "1"],
            "Must specify at least one of the following search options: vid, fxid, fxidfile, archiveFileId, instance,"
            " vo, ltmin, ltmax",
        ),
    ]:
        r = sim.admin("--json", *argv)
        assert (r.returncode, r.stdout, r.stderr.strip()) == (2, "[]\n", msg), argv
    # without --json nothing on stdout
    r = sim.admin("tape", "ls", "--vid", "NOPE01")
    assert (r.returncode, r.stdout) == (2, "")


def test_non_admin_refused(sim: Sim) -> None:
    env = dict(os.environ, USER="intruder", LOGNAME="intruder")
    r = sim.admin("--json", "tape", "ls", "--all", env=env)
    assert r.returncode == 2
    assert r.stdout == "[]\n"
    assert "intruder" in r.stderr


def test_state_transitions(sim: Sim) -> None:
    def ch(*a: str) -> tuple[int, str]:
        r = sim.admin("tape", "ch", "--vid", "V00001", *a)
        return r.returncode, r.stderr.strip()

    def state() -> tuple[object, object]:
        t = sim.ls("tape", "ls", "--vid", "V00001")[0]
        return t["state"], t["stateReason"]

    assert ch("--state", "DISABLED") == (
        2,
        "Cannot modify the state of the tape V00001 to DISABLED because the reason has not been provided.",
    )
    assert ch("--state", "DISABLED", "--reason", "   ")[0] == 2
    assert ch("--state", "BROKEN_PENDING", "--reason", "x") == (2, "Internal states cannot be set directly by the user")
    assert ch("--state", "weird", "--reason", "x")[1].startswith("The state given (weird) does not exist.")
    assert ch("--state", "REPACKING_DISABLED", "--reason", "x") == (
        2,
        "Cannot modify tape V00001 state from ACTIVE to REPACKING_DISABLED",
    )
    assert ch("-s", "disabled", "-r", "dusty") == (0, "")
    assert state() == ("DISABLED", "dusty")
    assert ch("-s", "REPACKING", "-r", "move it") == (0, "")
    assert ch("-s", "REPACKING_DISABLED", "-r", "hold") == (0, "")
    assert ch("-s", "ACTIVE") == (2, "Cannot modify tape V00001 state from REPACKING_DISABLED to ACTIVE")
    assert ch("-s", "REPACKING", "-r", "go") == (0, "")
    assert ch("-s", "ACTIVE") == (0, "")
    assert state() == ("ACTIVE", "")
    t = sim.ls("tape", "ls", "--vid", "V00001")[0]
    assert str(t["stateModifiedBy"]).startswith(os.environ.get("USER", "root") + "@")


def test_full_dirty_verification_and_reclaim_preconditions(sim: Sim) -> None:
    assert sim.admin("ta", "ch", "-v", "V00002", "--db", "true", "--vs", "VERIFIED").returncode == 0
    t = sim.ls("ta", "ls", "-v", "V00002")[0]
    assert (t["dirty"], t["verificationStatus"]) == (True, "VERIFIED")
    r = sim.admin("ta", "reclaim", "-v", "V00002")
    assert (r.returncode, r.stderr.strip()) == (2, "Cannot reclaim tape V00002 because it is not FULL")
    sim.admin("ta", "ch", "-v", "V00002", "-s", "REPACKING", "-r", "x")
    r = sim.admin("ta", "reclaim", "-v", "V00002")
    assert r.stderr.strip() == "Cannot reclaim tape V00002 because it is not on ACTIVE, DISABLED or BROKEN state"
    r = sim.admin("ta", "reclaim", "-v", "NOPE01")
    assert r.stderr.strip() == "Cannot reclaim tape NOPE01 because it does not exist"


def test_repack_add_preconditions(sim: Sim) -> None:
    def add(*a: str) -> tuple[int, str]:
        r = sim.admin("--json", "repack", "add", *a)
        return r.returncode, r.stderr.strip()

    assert add("-v", "V00001", "-u", "nope") == (
        2,
        "The mount policy name provided does not match any existing mount policy.",
    )
    assert add("-u", "repack") == (2, "Must specify at least one vid, using --vid or --vidfile options")
    assert add("-v", "V00001", "-u", "repack") == (2, "You must set the tape as full before repacking it.")
    sim.admin("ta", "ch", "-v", "V00001", "-f", "true")
    assert add("-v", "V00001", "-u", "repack") == (
        2,
        "You cannot repack a tape that is ACTIVE. You must first change its state to REPACKING.",
    )
    sim.admin("ta", "ch", "-v", "V00001", "-s", "REPACKING", "-r", "r")
    assert add("-v", "V00001", "-u", "repack", "-m", "-a") == (
        2,
        "--justaddcopies and --justmove are mutually exclusive",
    )
    assert add("-v", "V00001", "-u", "repack") == (0, "")
    assert add("-v", "V00001", "-u", "repack") == (2, "A repack request already exists for this VID.")
    r = sim.admin("ta", "ch", "-v", "V00001", "-s", "ACTIVE")
    assert r.stderr.strip() == "Cannot modify tape V00001 state because there is a repack for that tape"
    r = sim.admin("re", "err", "-v", "V00001")
    assert (r.returncode, r.stdout) == (0, "Not implemented")
    assert sim.admin("re", "rm", "-v", "V00001").returncode == 0
    assert sim.admin("re", "rm", "-v", "V00001").stderr.strip() == "No repack request for this VID."


def test_drive_up_down_and_logical_library_disable(sim: Sim) -> None:
    r = sim.admin("dr", "down", "CTAOPSLIB1-LTO9-D01", "-r", "cleaning")
    assert (r.returncode, r.stdout) == (0, "Drive CTAOPSLIB1-LTO9-D01: set Down.\n")
    d = {x["driveName"]: x for x in sim.ls("dr", "ls")}
    assert d["CTAOPSLIB1-LTO9-D01"]["driveStatus"] == "DOWN"
    assert d["CTAOPSLIB1-LTO9-D01"]["reason"] == "cleaning"
    r = sim.admin("dr", "up", "CTAOPSLIB1-LTO9-D.*")
    assert r.stdout == "Drive CTAOPSLIB1-LTO9-D01: set Up.\nDrive CTAOPSLIB1-LTO9-D02: set Up.\n"
    r = sim.admin("dr", "up", "nosuch")
    assert r.stdout == 'No drives match "^nosuch$". No action was taken.\n'
    r = sim.admin("ll", "ch", "-n", "ctaops_lib1", "-d", "true")
    assert r.returncode == 2
    assert sim.admin("ll", "ch", "-n", "ctaops_lib1", "-d", "true", "--dr", "maintenance").returncode == 0
    assert all(x["logicalLibraryDisabled"] for x in sim.ls("dr", "ls"))
    # a disabled library gets no mounts
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "10")
    assert sim.ok("sim", "run", sim.dir)["mounts"] == 0
    assert sim.admin("ll", "ch", "-n", "ctaops_lib1", "-d", "false").returncode == 0
    assert sim.ok("sim", "run", sim.dir)["files_archived"] == 1


def test_tapepool_supply(sim: Sim) -> None:
    pools = {p["name"]: p for p in sim.ls("tp", "ls")}
    assert pools["ctaops_user"]["supplySource"] == ["supply"]
    assert pools["supply"]["supplyDestination"] == ["ctaops_repack", "ctaops_user"]
    assert sim.admin("tp", "ch", "-n", "erase", "-s", "supply,tolabel").returncode == 0
    assert sim.ls("tp", "ls", "-n", "erase")[0]["supplySource"] == ["supply", "tolabel"]
    r = sim.admin("tp", "ch", "-n", "erase", "-s", "erase")
    assert r.returncode == 2
    r = sim.admin("tp", "ch", "-n", "erase", "-s", "nosuch")
    assert (r.returncode, r.stderr.strip()) == (
        2,
        "Cannot modify tape pool 'erase' because the supply tape pool 'nosuch' does not exist",
    )


def test_tape_add_and_rm(sim: Sim) -> None:
    base = ["ta", "add", "--mt", "LTO9", "--ve", "IBM", "-l", "ctaops_lib1", "-t", "tolabel", "-f", "false"]
    assert sim.admin(*base, "-v", "new001").stderr.strip() == (
        "Cannot create tape because the VID has non uppercase characters"
    )
    assert sim.admin(*base, "-v", "NEW001", "-s", "DISABLED").returncode == 2
    assert sim.admin(*base, "-v", "NEW001").returncode == 0
    assert sim.admin(*base, "-v", "NEW001").stderr.strip() == (
        "Cannot create tape NEW001 because a tape with the same volume identifier already exists"
    )
    t = sim.ls("ta", "ls", "-v", "NEW001")[0]
    assert (t["state"], t["dirty"], t["lastFseq"]) == ("ACTIVE", True, "0")
    assert sim.admin("ta", "rm", "-v", "NEW001").returncode == 0
    assert sim.admin("ta", "rm", "-v", "NEW001").stderr.strip() == "Cannot delete tape NEW001 because it does not exist"


SPEC = Path("/work/shared/spec/cta-interfaces.md")


def _option_matrix() -> list[tuple[str, str, str, list[str]]]:
    """(command, subcommand, option, value) for every option of cta-interfaces.md §1.3."""
    text = SPEC.read_text()
    section = text[text.index("#### `activitymountrule`") : text.index("#### 1.3.1")]
    out: list[tuple[str, str, str, list[str]]] = []
    cmd = ""
    for line in section.splitlines():
        if m := re.match(r"#### `(\w+)`", line):
            cmd = m[1]
        elif m := re.match(r"\| (\w+) \| `(--[\w-]+)` / `(-[\w-]+)` \| ([^|]+)\|", line):
            sub, long, short, kind = m.groups()
            kind = kind.strip()
            value = (
                []
                if kind == "flag"
                else ["true"]
                if "true" in kind
                else ["1"]
                if kind == "uint64"
                else ["/dev/null"]
                if "file" in kind
                else ["x"]
            )
            out += [(cmd, sub, long, value), (cmd, sub, short, value)]
    return out


@pytest.mark.skipif(not SPEC.exists(), reason="the interface spec is not on this machine")
def test_every_option_of_the_spec_is_accepted(sim: Sim) -> None:
    matrix = _option_matrix()
    assert len(matrix) > 400
    refused = []
    for cmd, sub, opt, value in matrix:
        positional = ["NO_SUCH_DRIVE"] if cmd == "drive" else []
        r = sim.admin(cmd, sub, *positional, opt, *value)
        if "Invalid option" in r.stderr or "not implemented" in r.stderr or "Invalid subcommand" in r.stderr:
            refused.append((cmd, sub, opt, r.stderr.strip()))
    assert refused == []
