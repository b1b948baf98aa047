"""``cta-ops-admin tape label``, ``tape mediacheck`` and ``drive test`` end to end on the simulator.

A fresh ``ctaops sim init`` has V00009 in pool ``erase`` (labelled) and V00010 in ``tolabel``
(blank), both labelling pools of its config; V00001-V00004 in ``ctaops_user`` (not one); drives
CTAOPSLIB1-LTO9-D01/-D02, both up. What the tools did is read back from the tape images, CTA
(``cta-admin --json``) and the emulated library.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ctaops.tape import TapeImage, inspect, label_tape, write_files
from tests.ctaops.sim.conftest import sim_exe
from tests.ctaops.siminstance import SimInstance

__all__ = ["sim_exe"]

D1, D2 = "CTAOPSLIB1-LTO9-D01", "CTAOPSLIB1-LTO9-D02"


class Inst(SimInstance):
    """A simulator instance, its tape images, and cta-ops-admin run against it."""

    def image(self, vid: str) -> Path:
        return self.dir / "tapes" / f"{vid}.tap"

    def on_tape(self, vid: str) -> tuple[str, str | None]:
        return inspect(TapeImage(self.image(vid)))

    def where(self, vid: str) -> str:
        element = self.changer().locate(vid)
        assert element is not None
        return element.kind

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """cta-ops-admin with the instance's config."""
        return self.script("cta-ops-admin", *args)

    def with_data(self, vid: str) -> None:
        """Archive two files onto ``vid`` (a ctaops_user tape), then move it to the ``tolabel`` pool."""
        self.sim("archive", "--storageclass", "ctaops_sc", "--count", "2", "--size", "1M", str(self.dir))
        self.sim("run", str(self.dir))
        assert int(self.tape(vid)["lastFseq"]) == 2
        self.admin("tape", "ch", "--vid", vid, "--tapepool", "tolabel")

    def files_behind_catalogue(self, vid: str) -> None:
        """Files on the tape the catalogue does not know (a tape written outside this CTA)."""
        with TapeImage(self.image(vid), writable=True) as tape:
            if inspect(tape)[0] == "blank":
                label_tape(tape, vid)
            write_files(tape, vid, [b"x" * 1000])
        assert self.on_tape(vid)[0] == "data"


@pytest.fixture
def inst(sim_exe: str, tmp_path: Path) -> Inst:
    return Inst.create(sim_exe, tmp_path / "inst")


def rows(r: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    """The label run's JSON rows by VID (stdout is the document alone: ``would:`` lines go to stderr)."""
    return {row["vid"]: row for row in json.loads(r.stdout)}


# -- tape label ---------------------------------------------------------------------------------


def test_label_labels_tapes_of_labelling_pools(inst: Inst) -> None:
    assert inst.on_tape("V00010") == ("blank", None)
    assert not inst.tape("V00010").get("labelLog")
    r = inst.tool("tape", "label", "V00010", "V00009", "--json")
    assert r.returncode == 0, r.stderr
    assert {v: row["result"] for v, row in rows(r).items()} == {"V00010": "labelled", "V00009": "labelled"}
    assert inst.on_tape("V00010") == ("labelled", "V00010")
    assert inst.on_tape("V00009") == ("labelled", "V00009")
    assert inst.tape("V00010")["labelLog"]["drive"]  # cta-tape-label recorded the label in CTA


def test_label_in_a_named_drive_keeps_it_down_meanwhile_and_puts_it_back(inst: Inst) -> None:
    r = inst.tool("tape", "label", "V00010", "--drive", D2)
    assert r.returncode == 0, r.stderr
    assert f"drive {D2} down in CTA (cta-ops-admin tape label V00010)" in r.stdout
    assert inst.tape("V00010")["labelLog"]["drive"] == D2
    assert inst.drives()[D2]["desiredDriveState"] == "UP"
    assert inst.on_tape("V00010") == ("labelled", "V00010")


def test_label_table_names_each_result(inst: Inst) -> None:
    r = inst.tool("tape", "label", "V00010", "V00002")
    assert r.returncode == 1
    lines = {line.split()[0]: line for line in r.stdout.splitlines() if line.startswith("V000")}
    assert "labelled" in lines["V00010"]
    assert "refused" in lines["V00002"]
    assert inst.on_tape("V00010") == ("labelled", "V00010")


def test_label_refuses_a_tape_the_catalogue_says_holds_data(inst: Inst) -> None:
    inst.with_data("V00001")
    r = inst.tool("tape", "label", "V00001", "--json")
    assert r.returncode == 1
    row = rows(r)["V00001"]
    assert row["result"] == "refused"
    assert "catalogue lists data" in row["reason"]
    assert inst.on_tape("V00001") == ("data", "V00001")
    assert int(inst.tape("V00001")["lastFseq"]) == 2


def test_label_refuses_a_pool_without_a_labelling_prefix(inst: Inst) -> None:
    before = inst.image("V00002").read_bytes()
    r = inst.tool("tape", "label", "V00002", "--json")
    assert r.returncode == 1
    assert "pool 'ctaops_user'" in rows(r)["V00002"]["reason"]
    assert inst.image("V00002").read_bytes() == before


def test_label_refuses_files_on_the_tape_the_catalogue_does_not_know(inst: Inst) -> None:
    inst.files_behind_catalogue("V00009")
    for extra in ((), ("--native", "--drive", D1)):
        r = inst.tool("tape", "label", "V00009", "--json", *extra)
        assert r.returncode == 1
        assert "holds files" in rows(r)["V00009"]["reason"]
        assert inst.on_tape("V00009")[0] == "data"
    assert inst.drives()[D1]["desiredDriveState"] == "UP"


def test_label_refuses_unsuitable_states(inst: Inst) -> None:
    inst.admin("tape", "ch", "--vid", "V00009", "--state", "BROKEN", "--reason", "bad media")
    r = inst.tool("tape", "label", "V00009", "--json")
    assert r.returncode == 1
    assert "state BROKEN" in rows(r)["V00009"]["reason"]


def test_label_refuses_a_mounted_tape_and_an_unknown_one(inst: Inst) -> None:
    inst.changer().mount("V00010", 1)
    r = inst.tool("tape", "label", "V00010", "V09999", "--json")
    assert r.returncode == 1
    found = rows(r)
    assert "mounted" in found["V00010"]["reason"]
    assert found["V09999"]["reason"] == "not in the catalogue"
    assert inst.on_tape("V00010") == ("blank", None)


def test_label_refuses_while_another_run_holds_the_lock(inst: Inst) -> None:
    lock = inst.dir / "run" / "tape-label.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = inst.tool("tape", "label", "V00010")
    assert r.returncode == 1
    assert f"another label run holds {lock}" in r.stderr
    assert inst.on_tape("V00010") == ("blank", None)
    assert inst.tool("tape", "label", "V00010").returncode == 0  # the lock is free again


def test_label_dry_run_changes_nothing(inst: Inst) -> None:
    before = inst.image("V00009").read_bytes()
    label_log = inst.tape("V00009")["labelLog"]
    r = inst.tool("tape", "label", "V00010", "V00009", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    assert "would: label V00010 with cta-tape-label" in r.stderr  # stdout is the JSON document alone
    assert {row["result"] for row in rows(r).values()} == {"would label"}
    assert inst.on_tape("V00010") == ("blank", None)
    assert inst.image("V00009").read_bytes() == before
    assert inst.tape("V00009")["labelLog"] == label_log


def test_label_native_mounts_labels_and_unmounts(inst: Inst) -> None:
    r = inst.tool("tape", "label", "V00010", "--native", "--drive", D2, "--json")
    assert r.returncode == 0, r.stderr
    assert rows(r)["V00010"]["result"] == "labelled"
    assert inst.on_tape("V00010") == ("labelled", "V00010")
    assert inst.where("V00010") == "slot"
    assert inst.drives()[D2]["desiredDriveState"] == "UP"


def test_label_oldlabel_relabels_another_vsn_only_when_named(inst: Inst) -> None:
    with TapeImage(inst.image("V00009"), writable=True) as tape:
        label_tape(tape, "X00001", force=True)
    r = inst.tool("tape", "label", "V00009", "--json")
    assert r.returncode == 1
    assert "labelled X00001" in rows(r)["V00009"]["reason"]
    assert inst.on_tape("V00009") == ("labelled", "X00001")
    r = inst.tool("tape", "label", "V00009", "--oldlabel", "X00001")
    assert r.returncode == 0, r.stdout + r.stderr
    assert inst.on_tape("V00009") == ("labelled", "V00009")


def test_label_native_needs_a_drive(inst: Inst) -> None:
    r = inst.tool("tape", "label", "V00010", "--native")
    assert r.returncode == 2
    assert "--native needs --drive" in r.stderr
    assert inst.on_tape("V00010") == ("blank", None)


# -- tape mediacheck ----------------------------------------------------------------------------


def test_mediacheck_writes_reads_and_leaves_the_cartridge_labelled_and_empty(inst: Inst) -> None:
    r = inst.tool("tape", "mediacheck", "V00010", "--drive", D1, "--files", "3", "--size", "300k", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True
    assert [f["status"] for f in report["files"]] == ["ok", "ok", "ok"]
    assert report["total"]["bytes"] == 3 * 300 * 1024
    assert report["total"]["write_mb_s"] > 0
    assert report["total"]["read_mb_s"] > 0
    assert inst.on_tape("V00010") == ("labelled", "V00010")
    assert inst.where("V00010") == "slot"
    assert inst.drives()[D1]["desiredDriveState"] == "UP"
    assert int(inst.tape("V00010")["lastFseq"]) == 0


def test_mediacheck_refuses_a_used_tape(inst: Inst) -> None:
    inst.with_data("V00001")
    before = inst.image("V00001").read_bytes()
    r = inst.tool("tape", "mediacheck", "V00001", "--drive", D1, "--files", "1", "--size", "1k")
    assert r.returncode == 1
    assert "refused: V00001: the catalogue lists data" in r.stderr
    assert inst.image("V00001").read_bytes() == before
    assert inst.drives()[D1]["desiredDriveState"] == "UP"


def test_mediacheck_refuses_files_on_the_tape(inst: Inst) -> None:
    inst.files_behind_catalogue("V00009")
    before = inst.image("V00009").read_bytes()
    r = inst.tool("tape", "mediacheck", "V00009", "--drive", D1, "--files", "1", "--size", "1k")
    assert r.returncode == 1
    assert "holds files" in r.stderr
    assert inst.image("V00009").read_bytes() == before
    assert inst.where("V00009") == "slot"


def test_mediacheck_dry_run_changes_nothing(inst: Inst) -> None:
    before = inst.image("V00009").read_bytes()
    r = inst.tool("tape", "mediacheck", "V00009", "--drive", D1, "--files", "2", "--size", "1k", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"would: put {D1} down, mount V00009")
    assert inst.image("V00009").read_bytes() == before
    assert inst.drives()[D1]["desiredDriveState"] == "UP"
    assert inst.where("V00009") == "slot"


@pytest.mark.parametrize("size", ["5X", "-1", "0"])
def test_mediacheck_bad_size_is_a_usage_error(inst: Inst, size: str) -> None:
    r = inst.tool("tape", "mediacheck", "V00009", "--drive", D1, f"--size={size}")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1


# -- drive test ---------------------------------------------------------------------------------


def test_drive_test_reports_each_file_and_cleans_up(inst: Inst) -> None:
    work = inst.dir / "run" / "tape-drivetest"
    r = inst.tool("drive", "test", D2, "--vid", "V00009", "--files", "2", "--size", "512k")
    assert r.returncode == 0, r.stderr
    assert f"V00009 on {D2}: 2 files" in r.stdout
    assert "0 errors" in r.stdout
    assert r.stdout.count(" ok") == 2
    assert not work.exists()
    assert inst.on_tape("V00009") == ("labelled", "V00009")
    assert inst.drives()[D2]["desiredDriveState"] == "UP"
    assert inst.where("V00009") == "slot"


def test_drive_test_refuses_an_unsafe_tape(inst: Inst) -> None:
    before = inst.image("V00002").read_bytes()
    r = inst.tool("drive", "test", D1, "--vid", "V00002", "--files", "1", "--size", "1k")
    assert r.returncode == 1
    assert "refused: V00002: pool 'ctaops_user'" in r.stderr
    assert inst.image("V00002").read_bytes() == before
    assert inst.drives()[D1]["desiredDriveState"] == "UP"


def test_drive_test_puts_the_drive_back_when_the_mount_fails(inst: Inst) -> None:
    inst.sim("fault", str(inst.dir), "jam-slot", "--vid", "V00010")
    r = inst.tool("drive", "test", D1, "--vid", "V00010", "--files", "1", "--size", "1k")
    assert r.returncode == 1
    assert f"cannot mount V00010 in {D1}" in r.stderr
    assert inst.drives()[D1]["desiredDriveState"] == "UP"
    assert not (inst.dir / "run" / "tape-drivetest").exists()


def test_drive_test_keeps_a_down_drive_down_with_its_reason(inst: Inst) -> None:
    inst.admin("dr", "down", D2, "--reason", "kept down by ops")
    inst.sim("fault", str(inst.dir), "jam-slot", "--vid", "V00010")
    r = inst.tool("drive", "test", D2, "--vid", "V00010", "--files", "1", "--size", "1k")
    assert r.returncode == 1
    drive = inst.drives()[D2]
    assert drive["desiredDriveState"] == "DOWN"
    assert drive["reason"] == "kept down by ops"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give --vid"),
        (("--vid", "V00010", "--block-size", "64k"), "262144-byte blocks only"),
        (("--vid", "V00010", "--size", "10parsecs"), "is not a size"),
        (("--vid", "V00010", "--files", "0"), "not positive"),
    ],
)
def test_drive_test_usage_errors(inst: Inst, args: tuple[str, ...], message: str) -> None:
    r = inst.tool("drive", "test", D1, *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert inst.on_tape("V00010") == ("blank", None)
    assert inst.drives()[D1]["desiredDriveState"] == "UP"


def test_drive_test_refuses_an_unknown_drive(inst: Inst) -> None:
    r = inst.tool("drive", "test", "CTAOPSLIB1-LTO9-D09", "--vid", "V00010", "--files", "1", "--size", "1k")
    assert r.returncode == 1
    assert "CTA has no drive CTAOPSLIB1-LTO9-D09" in r.stderr
    assert inst.on_tape("V00010") == ("blank", None)


STUCK_LABEL = """#!{python}
# cta-tape-label whose dismount never ends: the real tool, then the cartridge left in drive 0.
import subprocess, sys
from ctaops.library import Library
done = subprocess.run([{real!r}, *sys.argv[1:]])
Library.emulated({library!r}).mount(sys.argv[sys.argv.index("--vid") + 1], 0)
sys.exit(done.returncode)
"""


def with_label_section(inst: Inst, lines: str, cta_label: Path | None = None) -> Path:
    """The instance's config with more ``tape-label`` settings (and another cta_label)."""
    text = inst.config.read_text()
    text = text.replace("    tape-label:\n", f"    tape-label:\n{lines}", 1)
    if cta_label is not None:
        text = text.replace(f'cta_label: "{inst.dir}/bin/cta-tape-label"', f'cta_label: "{cta_label}"')
        assert str(cta_label) in text
    path = inst.dir / "derived.yaml"
    path.write_text(text)
    return path


def test_label_fails_a_tape_still_in_its_drive_after_not_free_timeout(inst: Inst) -> None:
    stuck = inst.dir / "bin" / "stuck-label"
    library = str(inst.dir / "library" / "ctaops_lib1.json")
    stuck.write_text(
        STUCK_LABEL.format(python=sys.executable, real=str(inst.dir / "bin" / "cta-tape-label"), library=library)
    )
    stuck.chmod(0o755)
    inst.config = with_label_section(inst, "      not_free_timeout: 1\n", stuck)
    r = inst.tool("tape", "label", "V00010", "V00009", "--json")
    assert r.returncode == 1
    found = rows(r)
    assert found["V00010"]["result"] == "failed"
    assert "still in a drive 1 s later (not_free_timeout)" in found["V00010"]["reason"]
    # V00010 sits in drive 0 now: the next tape's label ran, and its own dismount was never seen either.
    assert inst.where("V00010") == "drive"


def test_label_bad_not_free_timeout_refuses_before_any_tape(inst: Inst) -> None:
    inst.config = with_label_section(inst, "      not_free_timeout: soon\n")
    r = inst.tool("tape", "label", "V00010")
    assert r.returncode == 1
    assert "tape-label.not_free_timeout" in r.stderr  # the config's own check names the key
    assert len(r.stderr.strip().splitlines()) == 1
    assert inst.on_tape("V00010") == ("blank", None)
