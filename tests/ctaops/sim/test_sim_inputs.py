"""Issue 17, items 12 and 14: the simulator's cta-admin and `sim archive` with input past the limits.

List files (`--fxidfile`, `--vidfile`) are read at most 64 MiB (CTA's cta-admin reads them whole,
without a limit); unsigned options beyond `i64::MAX` are "out of range", as CTA's client reads them
with `std::stol`; a file size the catalogue cannot hold is refused before anything is queued.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import Sim

LIMIT = "larger than 64 MiB (67108864 bytes), the limit for list files"
U64_MAX = "18446744073709551615"


@pytest.fixture
def sparse(tmp_path: Path) -> str:
    f = tmp_path / "huge-list"
    with open(f, "wb") as h:
        h.truncate(1 << 40)
    return str(f)


def test_list_file_past_the_limit_is_refused_quickly(sim: Sim, sparse: str) -> None:
    for path in ("/dev/zero", sparse):
        for argv in (
            ["ta", "ls", "--fxidfile", path],
            ["tf", "ls", "--fxidfile", path],
            ["re", "add", "--vidfile", path, "-m", "repack"],
        ):
            t0 = time.monotonic()
            r = sim.admin(*argv)
            assert time.monotonic() - t0 < 30, argv
            assert r.returncode != 0, argv
            assert r.stderr == f"{path}: {LIMIT}\n", argv


def test_list_file_that_is_not_utf8_names_the_offset(sim: Sim, tmp_path: Path) -> None:
    f = tmp_path / "vids"
    f.write_bytes(b"V00001\n\xffV00002\n")
    r = sim.admin("re", "add", "--vidfile", str(f), "-m", "repack")
    assert r.returncode != 0
    assert r.stderr == f"{f}: not UTF-8 text (invalid byte at offset 7)\n"


def test_list_file_within_the_limit_still_works(sim: Sim, tmp_path: Path) -> None:
    f = tmp_path / "fids"
    f.write_text("path=/eos/x fid=00000001 # comment\n")
    r = sim.admin("--json", "ta", "ls", "--fxidfile", str(f))
    assert r.returncode == 0, r.stderr


def test_unsigned_option_beyond_i64_is_out_of_range(sim: Sim) -> None:
    for value in ("9223372036854775808", U64_MAX, "-1"):
        r = sim.admin("ta", "ls", "--capacity", value)
        assert (r.returncode != 0, r.stderr) == (True, f"{value} is out of range\n")


def test_archive_size_beyond_the_catalogue_is_refused_and_queues_stay_readable(sim: Sim) -> None:
    r = sim.run("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", U64_MAX)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert "--size:" in r.stderr
    assert "9223372036854775807 bytes" in r.stderr
    # Nothing half-written: showqueues still answers for the whole instance, with no queue.
    q = sim.admin("--json", "sq")
    assert (q.returncode, q.stderr, q.stdout) == (0, "", "[]\n")
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "9223372036854775807")
    q = sim.admin("--json", "sq")
    assert q.returncode == 0, q.stderr
    assert '"9223372036854775807"' in q.stdout
