"""The offline vulnerability audits: the OSV matcher, the committed advisory subset, the refresh
script and the `make audit-offline` check, driven through their command lines on throwaway
projects holding real vulnerable versions (pyarrow 14.0.0, rsa 0.9) and on this tree."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
SUBSET = ROOT / "audit" / "advisories"
DENY = Path(os.environ.get("CTAOPS_TOOLS_DIR", "/var/cache/ctaops-tools")) / "bin" / "cargo-deny"
needs_cargo_deny = pytest.mark.skipif(
    not os.access(DENY, os.X_OK), reason="cargo-deny not installed (scripts/audit.sh)"
)


def _script_module(name: str) -> ModuleType:
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module(name)


osv_match = _script_module("osv_match")
audit_offline = _script_module("audit_offline")


def run(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *map(str, args)], capture_output=True, text=True, check=False
    )


# --- the matcher ----------------------------------------------------------------------------------


def record(*ranges: list[dict[str, str]], versions: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    return {
        "id": "PYSEC-0000-1",
        "affected": [
            {
                "package": {"name": "Some_Pkg", "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": events} for events in ranges],
                "versions": list(versions),
            }
        ],
        **extra,
    }


def affected(rec: dict[str, Any], version: str, package: str = "some-pkg") -> bool:
    return osv_match.affects(rec, package, version) is not None


def test_a_range_is_introduced_inclusive_and_fixed_exclusive() -> None:
    rec = record([{"introduced": "1.2"}, {"fixed": "1.4.1"}])
    assert [affected(rec, v) for v in ("1.1.9", "1.2", "1.3", "1.4.1rc1", "1.4.1", "2.0")] == [
        False,
        True,
        True,
        True,  # a pre-release of the fix comes before it (PEP 440)
        False,
        False,
    ]
    assert osv_match.affects(rec, "some-pkg", "1.3").fixed == ("1.4.1",)


def test_introduced_zero_last_affected_limit_and_reintroduction() -> None:
    assert affected(record([{"introduced": "0"}, {"fixed": "2.0"}]), "0.0.1")
    last = record([{"introduced": "0"}, {"last_affected": "2.0"}])
    assert affected(last, "2.0")
    assert not affected(last, "2.0.1")
    # Events listed out of order, with the bug back in 3.0 and never fixed again.
    again = record([{"introduced": "3.0"}, {"fixed": "2.0"}, {"introduced": "1.0"}])
    assert [affected(again, v) for v in ("0.9", "1.5", "2.5", "3.0", "9.0")] == [False, True, False, True, True]
    limited = record([{"introduced": "1.0"}, {"limit": "1.5"}])
    assert affected(limited, "1.4")
    assert not affected(limited, "1.5")


def test_versions_list_names_matching_and_what_is_not_matched() -> None:
    listed = record(versions=("0.14.0", "0.14.1"))
    assert affected(listed, "0.14.1")
    assert not affected(listed, "0.14.2")
    rng = record([{"introduced": "1.0"}, {"fixed": "2.0"}])
    assert affected(rng, "1.5", package="SOME.pkg")  # PEP 503 names
    assert not affected(rng, "1.5", package="other-pkg")
    assert not affected(record([{"introduced": "1.0"}], withdrawn="2024-01-01T00:00:00Z"), "1.5")
    git = {**rng, "affected": [{**rng["affected"][0], "ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}]}
    assert not affected(git, "1.5")
    assert not affected(rng, "not a version")


def test_a_real_pypa_record_from_the_subset() -> None:
    rec = json.loads((SUBSET / "pypa" / "vulns" / "pyarrow" / "PYSEC-2023-238.json").read_text())
    hit = osv_match.affects(rec, "pyarrow", "14.0.0")
    assert hit is not None
    assert hit.fixed == ("14.0.1",)
    assert "CVE-2023-47248" in hit.aliases
    assert osv_match.affects(rec, "pyarrow", "14.0.1") is None


def test_xxh64_and_cargo_denys_directory_name() -> None:
    # Reference values of XXH64 (xxHash's own test vectors and python-xxhash's README).
    assert audit_offline.xxh64(b"", 0) == 0xEF46DB3751D8E999
    assert audit_offline.xxh64(b"a", 0) == 0xD24EC4F1A98C6E5B
    assert audit_offline.xxh64(b"abc", 0) == 0x44BC2CF5AD770999
    assert audit_offline.xxh64(b"Nobody inspects the spammish repetition", 0) == 0xFBCEA83C8A378BF1
    # The real-tree test below shows cargo-deny opens this directory (it fails on any other).
    assert audit_offline.db_dir_name("https://github.com/RustSec/advisory-db").startswith("advisory-db-")


# --- the subset -----------------------------------------------------------------------------------


def test_the_subset_is_small_dated_and_covers_this_tree() -> None:
    size = sum(p.stat().st_size for p in SUBSET.rglob("*") if p.is_file())
    assert size < 512 * 1024
    manifest = json.loads((SUBSET / "manifest.json").read_text())
    for db in ("rustsec", "pypa"):
        assert len(manifest[db]["commit"]) == 40
        assert manifest[db]["date"][:4].isdigit()
    assert "rsa" in manifest["crates"]
    assert set(manifest["python_extra"]) == {"pyarrow", "pandas", "polars", "matplotlib"}
    # Only advisories of covered crates and packages are kept.
    assert {p.name for p in (SUBSET / "rustsec" / "crates").iterdir()} <= set(manifest["crates"])
    covered = set(manifest["python_pins"]) | set(manifest["python_extra"])
    assert {p.name for p in (SUBSET / "pypa" / "vulns").iterdir()} <= covered


# --- a throwaway project, audited through the command lines ----------------------------------------


def git_repo(path: Path) -> Path:
    env = dict(os.environ, GIT_AUTHOR_DATE="2025-01-02T03:04:05Z", GIT_COMMITTER_DATE="2025-01-02T03:04:05Z")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-gpg-sign", "-m", "db"]):
        subprocess.run(
            ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@localhost", *args], check=True, env=env
        )
    return path


@pytest.fixture
def databases(tmp_path: Path) -> tuple[Path, Path]:
    """Two "full" databases (git repositories laid out as upstream's), built from the subset's
    real records: JSON is YAML, so the PyPA records go back under their upstream names."""
    rustsec = tmp_path / "rustsec-db"
    shutil.copytree(SUBSET / "rustsec" / "crates", rustsec / "crates")
    pypa = tmp_path / "pypa-db"
    for rec in (SUBSET / "pypa" / "vulns").rglob("*.json"):
        dest = pypa / "vulns" / rec.parent.name / (rec.stem + ".yaml")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(rec.read_text())
    return git_repo(rustsec), git_repo(pypa)


@pytest.fixture
def project(tmp_path: Path, databases: tuple[Path, Path]) -> Path:
    """A crate depending on rsa 0.9 (RUSTSEC-2023-0071) with ctaops's own lock file (cargo prunes
    it; every source is already in cargo's cache), and pyarrow==14.0.0 (PYSEC-2023-238) pinned."""
    proj = tmp_path / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "lib.rs").write_text("")
    (proj / "Cargo.toml").write_text(
        '[package]\nname = "auditprobe"\nversion = "0.1.0"\nedition = "2021"\npublish = false\nlicense = "MIT"\n\n'
        '[dependencies]\nrsa = "0.9"\n\n[workspace]\n'
    )
    shutil.copy(ROOT / "Cargo.lock", proj / "Cargo.lock")
    # Resolve now, so the lock the refresh reads is the pruned one cargo-deny will see.
    subprocess.run(
        ["cargo", "metadata", "-q", "--offline", "--format-version", "1", "--manifest-path", str(proj / "Cargo.toml")],
        check=True,
        capture_output=True,
    )
    shutil.copy(ROOT / "deny.toml", proj / "deny.toml")
    (proj / "requirements.txt").write_text("# pins\ntabulate==0.10.0\npyarrow==14.0.0\n")
    (proj / "pyproject.toml").write_text(
        '[project]\nname = "p"\n[project.optional-dependencies]\nanalysis = ["pandas>=1.5"]\n'
    )
    (proj / "audit").mkdir()
    (proj / "audit" / "allowlist.toml").write_text("")
    rustsec, pypa = databases
    r = run("refresh_advisories.py", "--project", proj, "--rustsec", rustsec, "--pypa", pypa)
    assert r.returncode == 0, r.stderr
    assert "PyPA advisories for 3 Python packages" in r.stdout
    return proj


def check(proj: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run("audit_offline.py", "check", "--project", proj, "--cargo-deny", DENY, *extra)


def test_refresh_writes_the_manifest_and_only_the_project_s_advisories(project: Path) -> None:
    subset = project / "audit" / "advisories"
    manifest = json.loads((subset / "manifest.json").read_text())
    assert manifest["python_pins"] == {"pyarrow": "14.0.0", "tabulate": "0.10.0"}
    assert manifest["python_extra"] == ["pandas"]
    assert manifest["rustsec"]["date"] == "2025-01-02T03:04:05Z"
    assert "serde" not in manifest["crates"]  # pruned with the rest of ctaops's lock
    assert sorted(p.name for p in (subset / "pypa" / "vulns").iterdir()) == ["pandas", "pyarrow"]
    assert (subset / "rustsec" / "crates" / "rsa" / "RUSTSEC-2023-0071.md").is_file()
    assert not (subset / "rustsec" / "crates" / "tokio").exists()


def test_a_vulnerable_pin_fails_the_python_audit(project: Path) -> None:
    r = check(project, "--no-cargo")
    assert r.returncode == 1
    assert "audit: advisories RustSec as of 2025-01-02" in r.stdout
    assert "the RustSec and PyPA snapshots are older than 90 days: refresh" in r.stdout
    line = next(x for x in r.stdout.splitlines() if "PYSEC-2023-238" in x)
    assert "affects pyarrow 14.0.0 (requirements.txt), fixed in 14.0.1" in line
    assert "CVE-2023-47248" in line
    assert "Traceback" not in r.stderr


@needs_cargo_deny
def test_a_vulnerable_crate_fails_cargo_denys_offline_advisories(project: Path) -> None:
    (project / "requirements.txt").write_text("pyarrow==14.0.0\ntabulate==0.10.0\n")
    (project / "audit" / "allowlist.toml").write_text(
        '[[exception]]\nid = "PYSEC-2023-238"\npackage = "pyarrow"\nreason = "probe: Python side allowed"\n'
    )
    r = check(project)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "allowed PYSEC-2023-238 in pyarrow 14.0.0 (requirements.txt): probe: Python side allowed" in r.stdout
    assert "RUSTSEC-2023-0071" in r.stderr
    assert "advisories FAILED" in r.stdout


@needs_cargo_deny
def test_the_allowlist_suppresses_both_with_their_reasons(project: Path) -> None:
    (project / "audit" / "allowlist.toml").write_text(
        '[[exception]]\nid = "CVE-2023-47248"\npackage = "pyarrow"\nreason = "probe: allowed by its CVE alias"\n\n'
        '[[exception]]\nid = "RUSTSEC-2023-0071"\npackage = "rsa"\nreason = "probe: no private-key use"\n'
    )
    r = check(project)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "allowed PYSEC-2023-238 in pyarrow 14.0.0 (requirements.txt): probe: allowed by its CVE alias" in r.stdout
    assert "allow RUSTSEC-2023-0071 in rsa 0.9" in r.stdout
    assert "advisories ok" in r.stdout


def test_a_pin_or_crate_the_manifest_does_not_cover_asks_for_a_refresh(project: Path) -> None:
    (project / "requirements.txt").write_text("tabulate==0.10.0\npyarrow==14.0.1\n")
    r = check(project, "--no-cargo")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"audit: {project / 'audit' / 'advisories'} does not cover pyarrow==14.0.1 (requirements.txt): "
        "run scripts/refresh_advisories.py"
    ]
    (project / "requirements.txt").write_text("tabulate==0.10.0\npyarrow==14.0.0\n")
    lock = project / "Cargo.lock"
    lock.write_text(lock.read_text().replace('name = "rsa"\nversion = "0.9.', 'name = "rsa"\nversion = "0.8.'))
    r = check(project, "--no-cargo")
    assert r.returncode == 1
    assert "does not cover crate rsa 0.8." in r.stderr
    assert r.stderr.rstrip().endswith("run scripts/refresh_advisories.py")


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("requirements.txt", "pyarrow>=14\n", "requirements.txt:1: not a `name==version` pin: pyarrow>=14"),
        ("audit/allowlist.toml", '[[exception]]\nid = "X-1"\npackage = "p"\n', "needs exactly `id`, `package`"),
        ("audit/advisories/manifest.json", "{", "run scripts/refresh_advisories.py"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(project: Path, file: str, text: str, message: str) -> None:
    (project / file).write_text(text)
    r = check(project, "--no-cargo")
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1
    assert message in r.stderr


@needs_cargo_deny
def test_an_advisory_exception_in_deny_toml_is_refused(project: Path) -> None:
    deny = project / "deny.toml"
    deny.write_text(deny.read_text().replace("[advisories]\n", '[advisories]\nignore = ["RUSTSEC-2023-0071"]\n'))
    r = check(project)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "audit: deny.toml: advisory exceptions belong in audit/allowlist.toml, not in [advisories] ignore"
    ]


def test_refresh_clones_a_url_and_reproduces_the_committed_subset(tmp_path: Path, databases: tuple[Path, Path]) -> None:
    rustsec, pypa = (f"file://{db}" for db in databases)
    out = tmp_path / "out"
    r = run("refresh_advisories.py", "--rustsec", rustsec, "--pypa", pypa, "--out", out)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "manifest.json").read_text())["rustsec"]["source"] == rustsec
    # The committed files are exactly what the refresh writes for this tree: none edited by hand.
    for sub in ("rustsec", "pypa"):
        written = {p.relative_to(out): p.read_bytes() for p in (out / sub).rglob("*") if p.is_file()}
        committed = {p.relative_to(SUBSET): p.read_bytes() for p in (SUBSET / sub).rglob("*") if p.is_file()}
        assert written == committed


def test_refresh_from_a_missing_database_is_one_line(tmp_path: Path) -> None:
    r = run("refresh_advisories.py", "--project", ROOT, "--out", tmp_path, "--rustsec", tmp_path, "--pypa", tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("refresh_advisories: git ")
    assert len(r.stderr.strip().splitlines()) == 1


# --- this tree ------------------------------------------------------------------------------------


@needs_cargo_deny
def test_this_tree_passes_the_offline_audit() -> None:
    r = check(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "advisories ok" in r.stdout
    assert "allow RUSTSEC-2023-0071 in rsa" in r.stdout


def test_the_allowlist_reaches_cargo_deny_and_pip_audit() -> None:
    config = run("audit_offline.py", "deny-config")
    assert config.returncode == 0, config.stderr
    assert '{ id = "RUSTSEC-2023-0071", reason = ' in config.stdout
    assert "[licenses]" in config.stdout
    r = run("audit_offline.py", "ignore-vulns")
    assert r.returncode == 0, r.stderr
    assert "RUSTSEC" not in r.stdout
