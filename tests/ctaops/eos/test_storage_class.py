"""``cta-ops-change-storage-class`` against the simulator's CTA and its EOS namespace over HTTPS."""

from __future__ import annotations

import contextlib
import json
import stat
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ctaops.eos.eosinstance import OTHER_VO, SAME_VO, SC, EosInst, serving
from tests.ctaops.sim.conftest import sim_exe

__all__ = ["sim_exe"]

PROG = "cta-ops-change-storage-class"


@pytest.fixture
def inst(sim_exe: str, tmp_path: Path) -> Iterator[tuple[EosInst, list[int]]]:
    i = EosInst.create(sim_exe, tmp_path / "inst")
    i.setup_classes()
    ids = i.archive(6)
    with serving(i):
        yield i, ids


def journals(i: EosInst) -> list[Path]:
    return sorted((i.dir / "log" / "eos" / "state").glob("*.journal"))


def test_change_then_check_then_rerun(inst: tuple[EosInst, list[int]]) -> None:
    i, ids = inst
    dump = i.dump("dump.json", ids, SAME_VO)
    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "--check")
    assert r.returncode == 0, r.stderr
    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "--dry-run", "-n", "4")
    assert r.returncode == 0, r.stderr
    assert "6 files in the dump, 0 finished by an earlier run" in r.stdout
    assert [line.split(":")[0] for line in r.stdout.splitlines() if line.startswith("would")] == ["would"] * 2
    assert {i.eos_class(a) for a in ids} == {SC}
    assert not journals(i)

    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "-n", "4")
    assert r.returncode == 0, r.stderr
    assert "changed 6, already in their class 0, finished by an earlier run 0, skipped 0, failed 0" in r.stdout
    assert [(i.eos_class(a), i.cta_class(a)) for a in ids] == [(SAME_VO, SAME_VO)] * 6
    assert sorted(i.attr_sets()) == sorted(f"/eos/eosctaops/test/f{a}" for a in ids)
    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "--check")
    assert r.returncode == 0, r.stdout + r.stderr

    r = i.script(PROG, "-l", dump, "-i", "eosctaops")
    assert r.returncode == 0, r.stderr
    assert "changed 0, already in their class 0, finished by an earlier run 6" in r.stdout
    assert len(i.attr_sets()) == 6


def test_check_lists_files_whose_classes_differ(inst: tuple[EosInst, list[int]]) -> None:
    i, ids = inst
    dump = i.dump("dump.json", ids, SC)
    i.admin("archivefile", "ch", "--idfile", str(write_ids(i, [ids[1]])), "--storageclass", SAME_VO)
    with contextlib.closing(i.eos()) as c:
        c.attr_set(f"fid:{ids[3] + 4_000_000_000}", "sys.archive.storage_class", SAME_VO)
    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "--check")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines == [
        f"{ids[1]} {ids[1] + 4_000_000_000} /eos/eosctaops/test/f{ids[1]} eos={SC} cta={SAME_VO}",
        f"{ids[3]} {ids[3] + 4_000_000_000} /eos/eosctaops/test/f{ids[3]} eos={SAME_VO} cta={SC}",
    ]
    assert "2 of 6 files differ between EOS and CTA" in r.stderr


def test_in_flight_and_other_vo_files_are_left_alone(inst: tuple[EosInst, list[int]]) -> None:
    i, ids = inst
    queued = i.archive(1, run=False)
    dump = i.dump("dump.json", [*ids[:2], *queued], SAME_VO)
    # One file asks for a class of another VO.
    lines = dump.read_text().splitlines()
    other = json.loads(lines[1])
    other["storageclass"] = OTHER_VO
    lines[1] = json.dumps(other)
    dump.write_text("\n".join(lines) + "\n")
    r = i.script(PROG, "-l", dump, "-i", "eosctaops")
    assert r.returncode == 1
    assert "changed 1, already in their class 0, finished by an earlier run 0, skipped 1, failed 1" in r.stdout
    report = Path(r.stdout.split("report of the skipped and failed files: ")[1].strip())
    assert report.read_text().splitlines() == [
        f"{ids[1]} {ids[1] + 4_000_000_000} failed "
        f"storage class {OTHER_VO} belongs to VO vo_repack, the file's class {SC} to VO vo_user",
        f"{queued[0]} {queued[0] + 4_000_000_000} skipped no tape copy yet (still being archived)",
    ]
    assert (i.eos_class(ids[0]), i.cta_class(ids[0])) == (SAME_VO, SAME_VO)
    assert (i.eos_class(ids[1]), i.cta_class(ids[1])) == (SC, SC)
    assert i.eos_class(queued[0]) == SC


def test_bad_dumps_and_classes_change_nothing(inst: tuple[EosInst, list[int]]) -> None:
    i, ids = inst
    dump = i.dump("dump.json", ids, SAME_VO)
    bad = i.dir / "bad.json"
    bad.write_text(dump.read_text() + '{"fid": 1, "path": "/x"}\n')
    r = i.script(PROG, "-l", bad, "-i", "eosctaops")
    assert r.returncode == 1
    assert (
        r.stderr.strip()
        == f"{PROG}: error: dump: line 7: no archive file ID (xattr sys.archive.file_id or archiveFileId)"
    )
    wrong_instance = i.dir / "other.json"
    wrong_instance.write_text('{"fid": 1, "archiveFileId": "1", "storageclass": "x", "instance": "eosother"}\n')
    r = i.script(PROG, "-l", wrong_instance, "-i", "eosctaops")
    assert r.returncode == 1
    assert "line 1: instance eosother is not the instance given with -i (eosctaops)" in r.stderr
    nosuch = i.dump("nosuch.json", ids, "no_such_class")
    r = i.script(PROG, "-l", nosuch, "-i", "eosctaops")
    assert r.returncode == 1
    assert r.stderr.strip() == f"{PROG}: error: storage class(es) not in CTA: no_such_class: nothing changed"
    r = i.script(PROG, "-l", i.dir / "absent.json", "-i", "eosctaops")
    assert r.returncode == 1
    assert "absent.json" in r.stderr
    assert {(i.eos_class(a), i.cta_class(a)) for a in ids} == {(SC, SC)}
    assert i.attr_sets() == []


def write_ids(i: EosInst, ids: list[int]) -> Path:
    p = i.dir / "ids.txt"
    p.write_text("".join(f"{a}\n" for a in ids))
    return p


def killing_cta_admin(i: EosInst, kill_at: int) -> tuple[Path, Path]:
    """A cta-admin that logs each ``archivefile ch`` (a line in ``calls``, its IDs in ``ids``) and
    SIGKILLs its caller after the ``kill_at``-th one has run."""
    calls, ids = i.dir / "af-ch.calls", i.dir / "af-ch.ids"
    wrapper = i.dir / f"cta-admin-kill-{kill_at}"
    real = i.dir / "bin" / "cta-admin"
    wrapper.write_text(
        f"""#!/bin/sh
case " $* " in
  *" archivefile ch "*)
    "{real}" "$@"; rc=$?
    prev=""
    for a in "$@"; do [ "$prev" = "--idfile" ] && cat "$a" >> "{ids}"; prev="$a"; done
    echo "$*" >> "{calls}"
    if [ "$(wc -l < "{calls}")" -eq {kill_at} ]; then kill -9 $PPID; fi
    exit $rc;;
esac
exec "{real}" "$@"
"""
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, ids


def test_killed_run_is_finished_by_a_rerun_without_doing_anything_twice(inst: tuple[EosInst, list[int]]) -> None:
    i, ids = inst
    dump = i.dump("dump.json", ids, SAME_VO)
    wrapper, changed_ids = killing_cta_admin(i, kill_at=2)
    real = f'cta-admin: "{i.dir}/bin/cta-admin"'
    killing = i.derived_config("killing.yaml", real, f'cta-admin: "{wrapper}"')
    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "-n", "2", config=killing)
    assert r.returncode == -9, r.stdout + r.stderr
    # Two splits went through EOS; the second was killed right after its catalogue change.
    assert len(set(i.attr_sets())) == 4
    assert [i.cta_class(a) for a in ids] == [SAME_VO] * 4 + [SC] * 2

    survivor, _ = killing_cta_admin(i, kill_at=0)
    logging_only = i.derived_config("logging.yaml", real, f'cta-admin: "{survivor}"')
    r = i.script(PROG, "-l", dump, "-i", "eosctaops", "-n", "2", config=logging_only)
    assert r.returncode == 0, r.stderr
    assert "changed 2, already in their class 2, finished by an earlier run 2, skipped 0, failed 0" in r.stdout
    assert [(i.eos_class(a), i.cta_class(a)) for a in ids] == [(SAME_VO, SAME_VO)] * 6
    # Across both runs: each file's attribute set once, each file in one archivefile ch.
    assert Counter(i.attr_sets()) == Counter(f"/eos/eosctaops/test/f{a}" for a in ids)
    assert Counter(changed_ids.read_text().split()) == Counter(str(a) for a in ids)
