"""The standalone tool wrappers of an instance: DIR/bin/cta-tape-label, cta-readtp, cta-statistics-update."""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path

from tests.ctaops.sim.conftest import Sim

LOG = re.compile(
    r"^\w{3} \d\d \d\d:\d\d:\d\d\.\d{9} \S+ (?P<prog>[\w-]+): "
    r'LVL="(?P<lvl>\w+)" PID="\d+" TID="\d+" MSG="(?P<msg>[^"]*)"(?P<rest>.*)$'
)


def tool(sim: Sim, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(sim.dir / "bin" / name), *args], capture_output=True, text=True, check=False, timeout=300
    )


def params(line: str) -> dict[str, str]:
    m = LOG.match(line)
    assert m, line
    return dict(re.findall(r' (\w+)="([^"]*)"', m["rest"]))


def test_config_points_at_the_tools(sim: Sim) -> None:
    text = (sim.dir / "cta-ops-config.yaml").read_text()
    assert f'cta_label: "{sim.dir / "bin" / "cta-tape-label"}"' in text


def test_tape_label(sim: Sim) -> None:
    blank = sim.ls("ta", "ls", "-t", "tolabel")[0]
    vid = str(blank["vid"])
    assert "labelLog" not in blank
    r = tool(sim, "cta-tape-label", "--vid", vid)
    assert r.returncode == 0, r.stderr
    assert LOG.match(r.stdout.strip())
    [after] = sim.ls("ta", "ls", "-v", vid)
    assert after["labelLog"]["drive"].startswith("CTAOPSLIB1")  # type: ignore[index]
    image = (sim.dir / "tapes" / f"{vid}.tap").read_bytes()
    # SIMH: 4-byte length, 80-byte VOL1 with the VSN at offset 4
    assert image[4:8] == b"VOL1"
    assert image[8:14] == vid.encode()
    for argv, msg in [
        (["-v", "v0001"], "Aborting: The -v option must only contain uppercase alphanumeric characters"),
        (["-v", "NOPE01"], "Aborting: Cannot label tape NOPE01 because it does not exist"),
        (["-v", vid, "-o", "OTHER1"], f"Aborting: The tape {vid} has label {vid}, expected OTHER1"),
    ]:
        r = tool(sim, "cta-tape-label", *argv)
        assert r.returncode == 1, argv
        assert r.stderr.startswith(msg), r.stderr
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    r = tool(sim, "cta-tape-label", "-v", "V00001", "--force")
    assert (r.returncode, r.stderr.strip()) == (1, "Aborting: Cannot label tape V00001 because it has 1 file(s)")


def test_readtp_reads_and_checks(sim: Sim, tmp_path: Path) -> None:
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "3", "--size", "300000")
    sim.ok("sim", "run", sim.dir)
    files = {str(r["tf"]["fSeq"]): r for r in sim.ls("tf", "ls", "--vid", "V00001")}
    dests = tmp_path / "dests"
    dests.write_text(f"file://{tmp_path}/f1\n{tmp_path}/f2\n")
    r = tool(sim, "cta-readtp", "v00001", "1,2-", "-f", str(dests))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [LOG.match(x)["msg"] for x in lines] == ["Read file from tape successfully"] * 3 + ["Finished reading tape"]  # type: ignore[index]
    for line in lines[:3]:
        p = params(line)
        af = files[p["fSeq"]]["af"]
        assert p["checksumValue"] == "0x" + str(af["checksum"][0]["value"]).lstrip("0x").lstrip("0")  # type: ignore[index]
        assert p["readFileSize"] == af["size"]  # type: ignore[index]
    data = (tmp_path / "f1").read_bytes()
    assert len(data) == 300000
    assert f"{zlib.adler32(data):x}" == params(lines[0])["checksumValue"][2:]
    assert (tmp_path / "f2").stat().st_size == 300000
    assert params(lines[3]) == {
        "nbFailedReads": "0",
        "nbReads": "3",
        "nbSuccessfullReads": "3",
        "tapeVid": "V00001",
    }
    # a corrupted file fails, the rest is read, the exit status stays 0
    sim.run("sim", "fault", sim.dir, "corrupt-data", "--vid", "V00001", "--fseq", "2")
    r = tool(sim, "cta-readtp", "V00001", "1-3")
    assert r.returncode == 0
    assert params(r.stdout.splitlines()[-1])["nbFailedReads"] == "1"
    assert 'MSG="Failed to read file from tape"' in r.stdout
    for argv, msg in [
        (["V00001", "0"], "Aborting: Invalid range string: '0': The lower boundary can not be '0'"),
        (
            ["V00001", "3-1"],
            "Aborting: Invalid range string: '3-1': The lower boundary cannot be greater than the upper boundary",
        ),
        (["TOOLONG1", "1"], "Aborting: The vid is too long"),
        (["NOPE01", "1"], "Aborting: Tape NOPE01 does not exist in the catalogue"),
    ]:
        r = tool(sim, "cta-readtp", *argv)
        assert r.returncode == 1, argv
        assert r.stderr.startswith(msg), r.stderr
    r = tool(sim, "cta-readtp", "V00001")
    assert (r.returncode, r.stdout.startswith("Usage: cta-readtp")) == (0, True)


def test_statistics_update(sim: Sim) -> None:
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "2", "--size", "5000")
    sim.ok("sim", "run", sim.dir)
    assert sim.admin("ta", "ch", "-v", "V00001", "--dirtybit", "true").returncode == 0
    assert sim.admin("ta", "ch", "-v", "V00002", "--dirtybit", "true").returncode == 0
    r = tool(sim, "cta-statistics-update", "/etc/cta/cta-catalogue.conf")
    assert r.returncode == 0, r.stderr
    assert params(r.stdout.strip()) == {"nbUpdatedTapes": "2"}
    [t1] = sim.ls("ta", "ls", "-v", "V00001")
    [t2] = sim.ls("ta", "ls", "-v", "V00002")
    assert (t1["dirty"], t1["nbMasterFiles"], t1["masterDataInBytes"]) == (False, "2", "10000")
    assert (t2["dirty"], t2["nbMasterFiles"], t2["masterDataInBytes"]) == (False, "0", "0")
    r = tool(sim, "cta-statistics-update", "--bogus")
    assert r.returncode == 1
    assert r.stderr.startswith("Aborting: unrecognized option '--bogus'")
