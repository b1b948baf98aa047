"""The command-line conventions of `ctaops` and `cta-ops-repack-manager` (issue 18), driven
through the installed console scripts and the native binary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import ctaops
from ctaops.utils.units import parse_size
from tests.ctaops.test_tape_cli import VID, tapefile_ls

MiB = 1 << 20


def run(exe: str | list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    argv = [exe] if isinstance(exe, str) else exe
    return subprocess.run([*argv, *map(str, args)], capture_output=True, text=True, check=False, timeout=300)


def one_line_error(res: subprocess.CompletedProcess[str]) -> str:
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr, res.stderr
    assert "panicked" not in res.stderr, res.stderr
    return lines[0]


@pytest.fixture
def mib_tape(tmp_path: Path, ctaops_native: str) -> tuple[Path, Path]:
    """A labelled image holding twelve files of exactly 1 MiB, and its catalogue listing."""
    image = tmp_path / "mib.img"
    assert run(ctaops_native, "tape", "label", "--image", image, "--vid", VID).returncode == 0
    sources = []
    for i in range(12):
        p = tmp_path / f"m{i}"
        p.write_bytes(os.urandom(MiB))
        sources.append(p)
    res = run(ctaops_native, "tape", "write", "--image", image, "--vid", VID, "--json", *sources)
    assert res.returncode == 0, res.stderr
    catalogue = tmp_path / "tapefile-ls.json"
    catalogue.write_text(tapefile_ls(json.loads(res.stdout)["files"]))
    return image, catalogue


# -- 1. -V is never the version -------------------------------------------------------------


def test_upper_v_in_tape_verify_is_a_usage_error_not_the_version(exe: str, tmp_path: Path) -> None:
    # It printed the version and exited 0 without verifying: a cron line "succeeded" forever.
    res = run(exe, "tape", "verify", "--image", tmp_path / "x.img", "--vid", VID, "-V")
    assert res.returncode == 2, res.stdout + res.stderr
    assert ctaops.__version__ not in res.stdout
    assert "unexpected argument '-V'" in res.stderr
    assert run(exe, "-V").returncode == 2


def test_version_is_long_only_and_works_on_subcommands(exe: str) -> None:
    for args in (["--version"], ["tape", "verify", "--version"], ["smc", "--version"]):
        res = run(exe, *args)
        assert res.returncode == 0, (args, res.stderr)
        assert ctaops.__version__ in res.stdout, args


def test_verbose_is_accepted_everywhere(exe: str) -> None:
    for args in (["-v", "tape", "--help"], ["tape", "dump", "--verbose", "--help"], ["smc", "-vv", "--help"]):
        assert run(exe, *args).returncode == 0, args


# -- 2. spellings, and 6. one size parser ---------------------------------------------------


def test_underscore_spellings_and_10_2m_means_what_the_python_tool_means(exe: str, mib_tape: tuple[Path, Path]) -> None:
    image, catalogue = mib_tape
    base = ["tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, "--json", "--seed", "3"]

    def files(*extra: str) -> int:
        res = run(exe, *base, *extra)
        assert res.returncode == 0, res.stderr
        return len(json.loads(res.stdout)["files"])

    # 10.2M is IEC, 10 695 475 bytes: ten 1 MiB files are short of it, as cta-ops-verify-tape
    # (which uses the same parser) counts. The old SI reading stopped at 10.
    assert parse_size("10.2M") == 10_695_475
    assert files("--data-size", "10.2M") == 11
    assert files("--data_size", "10.2M") == 11
    # 10.2MB is SI: 10 200 000 bytes, ten files suffice.
    assert files("--data-size", "10.2MB") == 10
    assert files("--data-size", "10MiB") == 10
    # --read-time takes durations: 1 s at 300 MB/s is more than the tape holds.
    assert files("--read_time", "1s") == 12


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--data-size", "10XB"], "unknown unit"),
        (["--data-size", "-5M"], "negative"),
        (["--read-time", "5x"], "invalid duration"),
        (["--read-time", "-1"], "negative"),
        (["--first", "-1"], "unexpected argument '-1'"),
        (["--random", "ten"], "invalid digit"),
    ],
)
def test_bad_sizes_durations_and_counts_are_usage_errors(
    exe: str, mib_tape: tuple[Path, Path], args: list[str], needle: str
) -> None:
    image, catalogue = mib_tape
    res = run(exe, "tape", "verify", "--image", image, "--vid", VID, "--catalogue", catalogue, *args)
    assert res.returncode == 2, res.stderr
    assert res.stdout == ""
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, res.stderr
    assert needle in errors[0], res.stderr


def test_sim_sizes_and_durations_use_the_same_parser(ctaops_native: str, tmp_path: Path) -> None:
    inst = tmp_path / "inst"
    assert run(ctaops_native, "sim", "init", inst).returncode == 0
    res = run(ctaops_native, "sim", "archive", inst, "--storageclass", "ctaops_sc", "--count", "1", "--size", "3Q")
    assert res.returncode == 2
    assert "unknown unit" in one_line_error(res)
    res = run(ctaops_native, "sim", "run", inst, "--for", "5 fortnights")
    assert res.returncode == 2
    assert "invalid duration" in one_line_error(res)
    res = run(ctaops_native, "sim", "run", inst, "--for", "0.5s", "--drive_rate", "1MB")
    assert res.returncode == 0, res.stderr


# -- 3. cta-smc's long options --------------------------------------------------------------


def test_smc_takes_cta_smcs_long_options(ctaops_native: str, tmp_path: Path) -> None:
    state = tmp_path / "lib.json"
    assert run(ctaops_native, "smc", "emulated", "init", state, "--slots", "10", "--tapes", "3").returncode == 0
    smc = [ctaops_native, "smc", "--library-state", str(state)]
    help_text = run(ctaops_native, "smc", "--help").stdout
    for opt in ("--query", "--vid", "--drive", "--mount", "--dismount", "--export", "--import", "--nbelem", "--slot"):
        assert opt in help_text, opt
    assert run(smc, "--mount", "--vid", "V00001", "--drive", "0").returncode == 0
    res = run(smc, "--query", "D", "--drive", "0", "--json")
    assert json.loads(res.stdout)[0]["vid"] == "V00001"
    assert run(smc, "--dismount", "--drive", "0", "--unload").returncode == 0
    slots = json.loads(run(smc, "--query", "S", "--slot", "1025", "--nbelem", "2", "--json").stdout)
    assert [s["elementAddress"] for s in slots] == [1025, 1026]
    assert run(smc, "--export", "--vid", "V00002").returncode == 0
    ports = json.loads(run(smc, "--query", "P", "--json").stdout)
    assert ports[0]["vid"] == "V00002"
    assert run(smc, "--import").returncode == 0
    vols = json.loads(run(smc, "--query", "V", "--vid", "V0000?", "--json").stdout)
    assert sorted(v["vid"] for v in vols) == ["V00001", "V00002", "V00003"]
    # -V stays cta-smc's VID.
    assert json.loads(run(smc, "-q", "V", "-V", "V00003", "-j").stdout)[0]["vid"] == "V00003"


# -- 4. usage lines and --help ----------------------------------------------------------------


def repack_manager() -> str:
    script = Path(sys.executable).with_name("cta-ops-repack-manager")
    assert script.exists(), "cta-ops-repack-manager is not installed (run `make dev`)"
    return str(script)


def test_repack_manager_names_itself_as_invoked() -> None:
    res = run(repack_manager(), "--help")
    assert res.returncode == 0
    assert "Usage: cta-ops-repack-manager [OPTIONS] <COMMAND>" in res.stdout
    assert "ctaops repack-manager" not in res.stdout
    res = run(repack_manager(), "frobnicate")
    assert res.returncode == 2
    assert "usage: cta-ops-repack-manager" in res.stderr
    assert len(res.stderr.splitlines()) == 1, res.stderr  # one line, like every other error
    assert "ctaops" not in res.stderr
    res = run(repack_manager(), "history", "--help")
    assert "Usage: cta-ops-repack-manager history" in res.stdout
    # -V is upstream's verbose here, not the version.
    res = run(repack_manager(), "-V", "ls", "--bogus")
    assert res.returncode == 2
    assert ctaops.__version__ not in res.stdout


def test_python_dash_m_names_ctaops() -> None:
    res = run([sys.executable, "-m", "ctaops"], "smc", "--bogus")
    assert res.returncode == 2
    assert "usage: ctaops smc" in res.stderr
    assert "__main__" not in res.stderr


@pytest.mark.parametrize(
    "sub", [["sim", "cta-admin"], ["sim", "cta-admin-grpc"], ["sim", "verify-file"], ["sim", "tool"]]
)
def test_help_of_pass_through_subcommands(exe: str, sub: list[str]) -> None:
    for flag in ("--help", "-h"):
        res = run(exe, *sub, flag)
        assert res.returncode == 0, res.stderr
        assert f"Usage: ctaops {' '.join(sub)}" in res.stdout
        assert "--instance" in res.stdout


def test_the_tools_own_help_after_the_instance(ctaops_native: str, tmp_path: Path) -> None:
    inst = tmp_path / "inst"
    assert run(ctaops_native, "sim", "init", inst).returncode == 0
    res = run(ctaops_native, "sim", "cta-admin", "--instance", inst, "--help")
    assert "Usage: ctaops" not in res.stdout + res.stderr
    assert "cta-admin" in res.stdout + res.stderr


# -- 5. closed pipes ----------------------------------------------------------------------------


def closed_early(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Runs argv, reads a few bytes of its stdout and closes the pipe, as `| head -c8` does."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert len(proc.stdout.read(8)) == 8
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return proc.wait(timeout=120), err


def assert_quiet_success(code: int, err: str) -> None:
    assert code == 0, err
    # No "Broken pipe", no "failed printing to stdout" panic: nothing at all.
    assert err == "", err


def test_closed_pipe_on_checksum_ends_quietly(exe: str, tmp_path: Path) -> None:
    files = []
    for i in range(3000):
        p = tmp_path / f"small-file-with-a-longish-name-{i:05d}.dat"
        p.write_bytes(b"x")
        files.append(str(p))
    assert_quiet_success(*closed_early([exe, "checksum", *files]))


def test_closed_pipe_on_tape_dump_ends_quietly(exe: str, ctaops_native: str, tmp_path: Path) -> None:
    image = tmp_path / "many.img"
    assert run(ctaops_native, "tape", "label", "--image", image, "--vid", VID).returncode == 0
    src = tmp_path / "one"
    src.write_bytes(b"y")
    assert run(ctaops_native, "tape", "write", "--image", image, "--vid", VID, *[src] * 1500).returncode == 0
    assert_quiet_success(*closed_early([exe, "tape", "dump", "--image", str(image)]))


def test_closed_pipe_on_sim_cta_admin_ends_quietly(exe: str, ctaops_native: str, tmp_path: Path) -> None:
    inst = tmp_path / "inst"
    assert run(ctaops_native, "sim", "init", inst, "--tapes", "300").returncode == 0
    argv = [exe, "sim", "cta-admin", "--instance", str(inst), "--json", "tape", "ls", "--all"]
    assert len(run(argv).stdout) > 1 << 17, "the listing must not fit in the pipe"
    assert_quiet_success(*closed_early(argv))


# -- 7. repack-manager tables ---------------------------------------------------------------------


def test_repack_manager_history_keeps_a_long_reason_whole(tmp_path: Path) -> None:
    table = "RS_CLI_WRAP"
    config = tmp_path / "cta-ops-config.yaml"
    config.write_text(
        json.dumps(
            {
                "global": {"table_max_col_width": 30},
                "tools": {
                    "cta-ops-repack-automation": {
                        "database": {
                            "backend": "sqlite",
                            "path": str(tmp_path / "a.sqlite"),
                            "repack_table_name": table,
                        }
                    }
                },
            }
        )
    )
    rm = [repack_manager(), "-C", str(config)]
    assert run(rm, "db", "upgrade").returncode == 0
    add = run(rm, "add", "V00001", "--tapepool", "p", "--mediatype", "LTO8")
    assert add.returncode == 0, add.stderr
    reason = "returned by the vendor after a head crash in slot 1034, keep it out of every pool until checked"
    res = run(rm, "mode", "V00001", "manual", "--reason", reason)
    assert res.returncode == 0, res.stderr
    text = run(rm, "history", "V00001").stdout
    header = text.splitlines()[0].split()
    assert header == ["at", "actor", "action", "from_value", "to_value", "reason"]
    keys = set(json.loads(run(rm, "-j", "history", "V00001").stdout)[0])
    assert set(header) <= keys
    # The reason wraps over several lines of its column: every word is there, in order.
    col = text.splitlines()[0].index("reason")
    pieces = [ln[col:].strip() for ln in text.splitlines()[1:] if len(ln) > col]
    assert reason in " ".join(pieces)
    assert max(len(p) for p in pieces) <= 30
    ls_header = run(rm, "ls").stdout.splitlines()[0].split()
    assert set(ls_header) <= set(json.loads(run(rm, "-j", "ls").stdout)[0])


# -- 8. writing to a tape checks the catalogue and dry-runs -----------------------------------


@pytest.fixture
def filled_sim(ctaops_native: str, tmp_path: Path) -> Path:
    """A simulator instance whose tape V00001 holds two files the catalogue knows."""
    inst = tmp_path / "inst"
    assert run(ctaops_native, "sim", "init", inst).returncode == 0
    res = run(ctaops_native, "sim", "archive", inst, "--storageclass", "ctaops_sc", "--count", "2", "--size", "1K")
    assert res.returncode == 0, res.stderr
    assert run(ctaops_native, "sim", "run", inst, "--until-idle").returncode == 0
    return inst


def written_tape(inst: Path) -> tuple[str, Path]:
    """The VID and image of the tape the catalogue says holds the files."""
    res = run(str(inst / "bin" / "cta-admin"), "--json", "tape", "ls", "--all")
    vids = [t["vid"] for t in json.loads(res.stdout) if int(t["lastFseq"]) > 0]
    assert len(vids) == 1, res.stdout[:500]
    return vids[0], inst / "tapes" / f"{vids[0]}.tap"


def test_label_refuses_a_tape_the_catalogue_says_holds_files(exe: str, filled_sim: Path) -> None:
    vid, image = written_tape(filled_sim)
    config = filled_sim / "cta-ops-config.yaml"
    before = image.read_bytes()
    for extra in ([], ["--force"], ["--force", "--dry-run"]):
        res = run(exe, "tape", "label", "--image", image, "--vid", vid, "-C", config, *extra)
        assert res.returncode == 1, (extra, res.stderr)
        line = one_line_error(res)
        assert f"refusing to label {vid}: the catalogue says it holds 2 file(s)" in line
        assert "reclaim" in line
    assert image.read_bytes() == before
    # A drive is never opened once the catalogue has refused: an absent one gives the same reason.
    res = run(exe, "tape", "label", "--device", filled_sim / "no-such-nst0", "--vid", vid, "-C", config)
    assert res.returncode == 1
    assert "the catalogue says it holds 2 file(s)" in one_line_error(res)
    # Through $CTAOPS_CONFIG too.
    env = {**os.environ, "CTAOPS_CONFIG": str(config)}
    p = subprocess.run(
        [exe, "tape", "label", "--image", str(image), "--vid", vid, "--force"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    assert p.returncode == 1
    assert "catalogue" in p.stderr
    # Outside CTA, --no-catalogue leaves only the tape's own check (which --force overrides).
    res = run(exe, "tape", "label", "--image", image, "--vid", vid, "--no-catalogue", "--force", "--dry-run")
    assert res.returncode == 0
    assert res.stdout.startswith("would label")
    assert image.read_bytes() == before


def test_label_of_an_empty_catalogue_tape_dry_runs(exe: str, filled_sim: Path) -> None:
    written, _ = written_tape(filled_sim)
    empty = next(p for p in sorted((filled_sim / "tapes").glob("*.tap")) if p.stem != written)
    before = empty.read_bytes()
    config = filled_sim / "cta-ops-config.yaml"
    res = run(exe, "tape", "label", "--image", empty, "--vid", empty.stem, "-C", config, "--dry-run")
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"would label {empty} as {empty.stem}\n"
    assert empty.read_bytes() == before


def test_write_appends_after_the_catalogues_last_fseq_and_dry_runs(exe: str, filled_sim: Path, tmp_path: Path) -> None:
    vid, image = written_tape(filled_sim)
    config = filled_sim / "cta-ops-config.yaml"
    src = tmp_path / "extra"
    src.write_bytes(os.urandom(2500))
    before = image.read_bytes()
    res = run(exe, "tape", "write", "--image", image, "--vid", vid, "-C", config, "--last-fseq", "1", src)
    assert res.returncode == 1
    assert "the catalogue's last fSeq is 2" in one_line_error(res)
    res = run(exe, "tape", "write", "--image", image, "--vid", vid, "-C", config, "--dry-run", src, src)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"would write {src} to {vid} as fSeq 3, archive id 3, 2.5 kB",
        f"would write {src} to {vid} as fSeq 4, archive id 4, 2.5 kB",
    ]
    assert image.read_bytes() == before
    res = run(
        exe, "tape", "write", "--device", tmp_path / "no-such-nst0", "--vid", vid, "-C", config, "--last-fseq", "7", src
    )
    assert res.returncode == 1
    assert "last fSeq is 2" in one_line_error(res)


def test_write_dry_run_without_a_catalogue_reads_the_tape_only(
    exe: str, mib_tape: tuple[Path, Path], tmp_path: Path
) -> None:
    image, _ = mib_tape
    before = image.read_bytes()
    src = tmp_path / "extra"
    src.write_bytes(b"z" * 1000)
    res = run(exe, "tape", "write", "--image", image, "--vid", VID, "--dry-run", src)
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"would write {src} to {VID} as fSeq 13, archive id 13, 1.0 kB\n"
    assert image.read_bytes() == before
    # A device that is not a tape is refused in one line, dry run or not.
    res = run(exe, "tape", "write", "--device", "/dev/null", "--vid", VID, "--dry-run", src)
    assert res.returncode == 1
    assert "not a tape device" in one_line_error(res)
