#!/usr/bin/env python3
"""Vulnerability audits without network, against the committed advisory subset (audit/advisories).

    audit_offline.py check          # `make audit-offline`, so `make test`
    audit_offline.py deny-config    # deny.toml plus the allowlist's RustSec exceptions, for `make audit`
    audit_offline.py ignore-vulns   # the allowlist's PyPA ids as pip-audit --ignore-vuln arguments

`check` first refuses a Cargo.lock or requirements.txt the subset's manifest was not written for
(so the subset cannot silently fall behind the lock file), prints both snapshot dates, then
matches the pinned Python packages and the installed analysis extra against the PyPA records
(osv_match.py) and runs cargo-deny's advisories check on a throwaway git repository holding the
RustSec subset, with fetching off. Exceptions come from audit/allowlist.toml, one reason each.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import tomllib

from advisory_subset import (
    ALLOWLIST,
    EXTRA,
    ROOT,
    RUSTSEC_URL,
    SUBSET,
    InputError,
    Manifest,
    Project,
    read_manifest,
    read_project,
)
from advisory_subset import uncovered as uncovered_deps
from osv_match import Finding, affects

REFRESH = "run scripts/refresh_advisories.py"
# cargo-deny's own default limit (maximum-db-staleness) on a database it is not allowed to fetch;
# the throwaway checkout would always look fresh to it, so the snapshot's age is judged here.
STALE_DAYS = 90


@dataclass(frozen=True)
class Exception_:
    """One allowlist entry."""

    id: str
    package: str
    reason: str


def read_allowlist(path: Path) -> list[Exception_]:
    try:
        entries = tomllib.loads(path.read_text()).get("exception", [])
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from e
    out = []
    for n, entry in enumerate(entries, 1):
        fields = {k: str(entry.get(k, "")).strip() for k in ("id", "package", "reason")}
        if not all(fields.values()) or set(entry) - set(fields):
            raise InputError(f"{path}: exception {n} needs exactly `id`, `package` and a non-empty `reason`")
        out.append(Exception_(**fields))
    return out


# --- cargo-deny against a local copy ------------------------------------------------------------

_P1, _P2, _P3, _P4, _P5 = (
    0x9E3779B185EBCA87,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0x85EBCA77C2B2AE63,
    0x27D4EB2F165667C5,
)
_M64 = (1 << 64) - 1


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _M64, 31) * _P1) & _M64


def xxh64(data: bytes, seed: int) -> int:
    """XXH64, which cargo-deny hashes a database URL with to name its directory under db-path."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + _P1 + _P2) & _M64, (seed + _P2) & _M64, seed, (seed - _P1) & _M64]
        while i + 32 <= n:
            v = [_round(v[j], int.from_bytes(data[i + 8 * j : i + 8 * j + 8], "little")) for j in range(4)]
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M64
        for lane in v:
            h = ((h ^ _round(0, lane)) * _P1 + _P4) & _M64
    else:
        h = (seed + _P5) & _M64
    h = (h + n) & _M64
    while i + 8 <= n:
        h = (_rotl(h ^ _round(0, int.from_bytes(data[i : i + 8], "little")), 27) * _P1 + _P4) & _M64
        i += 8
    if i + 4 <= n:
        h = (_rotl(h ^ (int.from_bytes(data[i : i + 4], "little") * _P1 & _M64), 23) * _P2 + _P3) & _M64
        i += 4
    while i < n:
        h = (_rotl(h ^ (data[i] * _P5 & _M64), 11) * _P1) & _M64
        i += 1
    h = ((h ^ (h >> 33)) * _P2) & _M64
    h = ((h ^ (h >> 29)) * _P3) & _M64
    return h ^ (h >> 32)


def db_dir_name(url: str) -> str:
    """Name the directory cargo-deny 0.20 opens for `url` under db-path (advisories/helpers/db.rs)."""
    url = url.lower()
    return f"{url.rstrip('/').rsplit('/', 1)[-1]}-{xxh64(url.encode(), 0xCA80DE71):016x}"


def deny_config(deny_toml: str, exceptions: list[Exception_], db_path: Path | None) -> str:
    """deny.toml with the allowlist's RustSec ids as `ignore` (and the local database, if given)."""
    lines = ["ignore = ["]
    lines += [
        f"    {{ id = {json.dumps(e.id)}, reason = {json.dumps(e.reason)} }},"
        for e in exceptions
        if e.id.startswith("RUSTSEC-")
    ]
    lines.append("]")
    if db_path is not None:
        lines += [f"db-path = {json.dumps(str(db_path))}", f"db-urls = [{json.dumps(RUSTSEC_URL)}]"]
    if "ignore" in tomllib.loads(deny_toml).get("advisories", {}):
        raise InputError(f"deny.toml: advisory exceptions belong in {ALLOWLIST}, not in [advisories] ignore")
    head, sep, tail = deny_toml.partition("\n[advisories]\n")
    if not sep:
        raise InputError("deny.toml has no [advisories] table")
    return head + sep + "\n".join(lines) + "\n" + tail


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=ctaops", "-c", "user.email=ctaops@localhost", *args],
        check=True,
        capture_output=True,
        env=env,
    )


def cargo_deny_advisories(
    project: Path, subset: Path, manifest: Manifest, exceptions: list[Exception_], deny: Path
) -> int:
    source = subset / "rustsec" / "crates"
    if not source.is_dir() or not any(source.iterdir()):
        print("audit: no RustSec advisory names a crate in Cargo.lock")
        return 0
    if not os.access(deny, os.X_OK):
        raise InputError(f"{deny}: cargo-deny not found (scripts/audit.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="ctaops-rustsec-") as tmp:
        # cargo-deny reads crates/**.md under db-path/<name>-<hash of the URL>, a git checkout
        # whose age it takes from HEAD's file time: this fresh checkout always passes its
        # staleness limit, so report_snapshots judges the snapshot's real age instead.
        repo = Path(tmp) / "dbs" / db_dir_name(RUSTSEC_URL)
        shutil.copytree(source, repo / "crates")
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        date = manifest.rustsec.date
        env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        _git(repo, "commit", "-q", "--no-gpg-sign", "-m", f"RustSec subset of {manifest.rustsec.commit}", env=env)
        config = Path(tmp) / "deny.toml"
        config.write_text(deny_config((project / "deny.toml").read_text(), exceptions, Path(tmp) / "dbs"))
        cmd = [
            str(deny),
            "--log-level",
            "warn",
            "--offline",
            "--manifest-path",
            str(project / "Cargo.toml"),
            "--config",
            str(config),
        ]
        cmd += ["check", "--hide-inclusion-graph", "advisories"]
        sys.stdout.flush()  # our lines before cargo-deny's, in a log
        return subprocess.run(cmd, check=False).returncode


# --- Python ---------------------------------------------------------------------------------------


def python_findings(subset: Path, versions: dict[str, str]) -> list[Finding]:
    findings = []
    for name, version in sorted(versions.items()):
        for path in sorted((subset / "pypa" / "vulns" / name).glob("*.json")):
            finding = affects(json.loads(path.read_text()), name, version)
            if finding is not None:
                findings.append(finding)
    return findings


def installed(names: set[str]) -> tuple[dict[str, str], list[str]]:
    """Versions of the extra's packages in this interpreter; the ones not installed."""
    found, missing = {}, []
    for name in sorted(names):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return found, missing


def report_snapshots(manifest: Manifest) -> None:
    today = datetime.datetime.now(datetime.timezone.utc)
    ages, stale = [], []
    for label, snap in (("RustSec", manifest.rustsec), ("PyPA", manifest.pypa)):
        days = (today - datetime.datetime.fromisoformat(snap.date)).days
        ages.append(f"{label} as of {snap.date[:10]} ({snap.commit[:10]}, {days} days old)")
        if days > STALE_DAYS:
            stale.append(label)
    print(f"audit: advisories {'; '.join(ages)}")
    if stale:
        are = "snapshots are" if len(stale) > 1 else "snapshot is"
        print(f"audit: warning: the {' and '.join(stale)} {are} older than {STALE_DAYS} days: refresh")
    print("audit: later advisories are unseen until scripts/refresh_advisories.py (`make audit` asks online)")


def python_audit(subset: Path, project: Project, exceptions: list[Exception_]) -> int:
    allowed = {e.id: e for e in exceptions if not e.id.startswith("RUSTSEC-")}
    extra, not_installed = installed(project.extra - set(project.pins))
    if not_installed:
        print(f"audit: not installed here, so not checked: {', '.join(not_installed)} (the [{EXTRA}] extra)")
    status, seen = 0, set()
    for f in python_findings(subset, {**extra, **project.pins}):
        where = "requirements.txt" if f.package in project.pins else f"installed, [{EXTRA}] extra"
        hit = next((allowed[i] for i in sorted({f.id, *f.aliases}) if i in allowed), None)
        if hit is not None:
            seen.add(hit.id)
            print(f"audit: allowed {f.id} in {f.package} {f.version} ({where}): {hit.reason}")
            continue
        status = 1
        fix = f"fixed in {', '.join(f.fixed)}" if f.fixed else "no fixed version"
        aliases = ", ".join(f.aliases) or "no alias"
        print(f"audit: {f.id} ({aliases}) affects {f.package} {f.version} ({where}), {fix}: {f.summary}")
    for e in allowed.values():
        if e.id not in seen:
            print(f"audit: warning: allowlist entry {e.id} ({e.package}) matches no Python package any more")
    return status


def check(project_root: Path, subset: Path, allowlist: Path, deny: Path | None) -> int:
    manifest = read_manifest(subset)
    project = read_project(project_root)
    missing = uncovered_deps(project, manifest.covers)
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        print(f"audit: {subset} does not cover {', '.join(missing[:3])}{more}: {REFRESH}", file=sys.stderr)
        return 1
    report_snapshots(manifest)
    exceptions = read_allowlist(allowlist)
    status = python_audit(subset, project, exceptions)
    if deny is not None:
        for e in exceptions:
            if e.id.startswith("RUSTSEC-") and e.package in project.crates:
                versions = ", ".join(sorted(project.crates[e.package]))
                print(f"audit: cargo deny is told to allow {e.id} in {e.package} {versions}: {e.reason}")
        if cargo_deny_advisories(project_root, subset, manifest, exceptions, deny) != 0:
            status = 1
    if status:
        print(
            "audit: known vulnerabilities (above): upgrade, or add an exception to audit/allowlist.toml",
            file=sys.stderr,
        )
    return status


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["check", "deny-config", "ignore-vulns"])
    p.add_argument("--project", type=Path, default=ROOT, help="source tree (Cargo.lock, requirements.txt, deny.toml)")
    p.add_argument("--subset", type=Path, help="advisory subset (default: PROJECT/audit/advisories)")
    p.add_argument("--allowlist", type=Path, help="exceptions (default: PROJECT/audit/allowlist.toml)")
    tools = Path(os.environ.get("CTAOPS_TOOLS_DIR", "/var/cache/ctaops-tools"))
    p.add_argument("--cargo-deny", type=Path, default=tools / "bin" / "cargo-deny", help="cargo-deny binary")
    p.add_argument("--no-cargo", action="store_true", help="check only the Python packages")
    args = p.parse_args(argv)
    subset = args.subset or args.project / SUBSET
    allowlist = args.allowlist or args.project / ALLOWLIST
    try:
        if args.command == "check":
            return check(args.project, subset, allowlist, None if args.no_cargo else args.cargo_deny)
        exceptions = read_allowlist(allowlist)
        if args.command == "deny-config":
            print(deny_config((args.project / "deny.toml").read_text(), exceptions, None), end="")
        else:
            print(" ".join(f"--ignore-vuln {e.id}" for e in exceptions if not e.id.startswith("RUSTSEC-")))
    except (InputError, OSError, tomllib.TOMLDecodeError) as e:
        print(f"audit: {e}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as e:
        print(
            f"audit: {' '.join(map(str, e.cmd))} failed: {e.stderr.decode(errors='replace').strip()}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
