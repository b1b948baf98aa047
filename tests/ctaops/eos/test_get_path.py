"""``cta-ops-get-path-from-eos`` against the simulator's CTA and its EOS namespace over HTTPS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ctaops.eos.eosinstance import INSTANCE, EosInst, serving
from tests.ctaops.sim.conftest import sim_exe

__all__ = ["sim_exe"]

PROG = "cta-ops-get-path-from-eos"


@pytest.fixture
def inst(sim_exe: str, tmp_path: Path) -> Iterator[tuple[EosInst, list[int], dict[str, Any]]]:
    i = EosInst.create(sim_exe, tmp_path / "inst")
    ids = i.archive(3)
    with serving(i) as ends:
        yield i, ids, ends


def path_of(a: int) -> str:
    return f"/eos/{INSTANCE}/test/f{a}"


def test_paths_by_fid_fxid_and_archive_id(inst: tuple[EosInst, list[int], dict[str, Any]]) -> None:
    i, ids, ends = inst
    assert set(ends) == {"eos", "metrics"}
    fid = ids[0] + 4_000_000_000
    r = i.script(PROG, "--fid", str(fid), "--fxid", f"{fid + 1:x}", "--archive-id", str(ids[2]))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"{fid} {path_of(ids[0])}",
        f"{fid + 1:x} {path_of(ids[1])}",
        f"{ids[2]} {path_of(ids[2])}",
    ]
    r = i.script(PROG, "--json", "--archive-id", str(ids[1]))
    assert r.returncode == 0, r.stderr
    [doc] = json.loads(r.stdout)
    assert doc == {
        "kind": "archive-id",
        "id": str(ids[1]),
        "instance": INSTANCE,
        "fid": ids[1] + 4_000_000_000,
        "fxid": f"{ids[1] + 4_000_000_000:08x}",
        "archiveId": ids[1],
        "path": path_of(ids[1]),
    }


def test_each_failure_is_reported_and_the_others_printed(inst: tuple[EosInst, list[int], dict[str, Any]]) -> None:
    i, ids, _ = inst
    r = i.script(PROG, "--fid", "12345", "--archive-id", "999", "--archive-id", str(ids[0]))
    assert r.returncode == 1
    assert r.stdout.splitlines() == [f"{ids[0]} {path_of(ids[0])}"]
    errs = r.stderr.splitlines()
    assert len(errs) == 2, r.stderr
    assert errs[0].startswith(f"{PROG}: fid 12345: EOS instance {INSTANCE}: ")
    assert "No such file or directory" in errs[0]
    assert errs[1].startswith(f"{PROG}: archive-id 999: CTA does not know archive file ID 999")
    r = i.script(PROG, "--json", "--fid", "12345")
    assert r.returncode == 1
    assert "No such file or directory" in json.loads(r.stdout)[0]["error"]


def keytab_config(i: EosInst, name: str, keytab: str) -> Path:
    return i.derived_config(
        name, f"rest_key_tab: {json.dumps(str(i.dir / 'eos.rest.keytab.yaml'))}", f"rest_key_tab: {json.dumps(keytab)}"
    )


def one_error(r: Any) -> str:
    assert r.returncode == 1
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    return str(line)


def test_keytab_token_and_instance_errors(inst: tuple[EosInst, list[int], dict[str, Any]]) -> None:
    i, ids, _ = inst
    missing = keytab_config(i, "missing.yaml", str(i.dir / "nowhere.yaml"))
    assert "REST keytab" in one_error(i.script(PROG, "--archive-id", str(ids[0]), config=missing))
    assert "cannot read it: No such file or directory" in one_error(i.script(PROG, "--fid", "1", config=missing))
    original = (i.dir / "eos.rest.keytab.yaml").read_text()
    wrong = i.dir / "wrong.keytab.yaml"
    wrong.write_text(
        "\n".join(
            line.split("token:")[0] + 'token: "not-the-token"' if "token:" in line else line
            for line in original.splitlines()
        )
    )
    err = one_error(i.script(PROG, "--archive-id", str(ids[0]), config=keytab_config(i, "wrong.yaml", str(wrong))))
    assert f"EOS instance {INSTANCE} refused the token of the REST keytab (HTTP 403)" in err
    err = one_error(i.script(PROG, "-i", "eosother", "--fid", "1"))
    assert (
        f"EOS instance eosother is not in the REST keytab {i.dir / 'eos.rest.keytab.yaml'} (it has: {INSTANCE})" in err
    )
    unreadable = i.dir / "bad.keytab.yaml"
    unreadable.write_text("- a list\n")
    err = one_error(i.script(PROG, "--fid", "1", config=keytab_config(i, "bad.yaml", str(unreadable))))
    assert "expected one key per EOS instance" in err


def test_unreachable_eos(sim_exe: str, tmp_path: Path) -> None:
    i = EosInst.create(sim_exe, tmp_path / "inst")
    ids = i.archive(1)
    with serving(i):
        pass  # the keytab now names a port nobody listens on
    err = one_error(i.script(PROG, "--archive-id", str(ids[0])))
    assert f"EOS instance {INSTANCE} at https://localhost:" in err
    assert "unreachable" in err


def test_usage_errors_are_one_line(inst: tuple[EosInst, list[int], dict[str, Any]]) -> None:
    i, _, _ = inst
    r = i.script(PROG)
    assert r.returncode == 2
    assert "give at least one --fid, --fxid or --archive-id" in r.stderr
    assert len(r.stderr.splitlines()) == 1
    r = i.script(PROG, "--fxid", "xyz")
    assert r.returncode == 2
    assert "'xyz' is not a hexadecimal ID" in r.stderr
