#!/usr/bin/env python3
"""Rewrite the committed advisory subset (audit/advisories) from full copies of both databases.

    scripts/refresh_advisories.py                    # clone both from github.com (needs the network)
    scripts/refresh_advisories.py --rustsec /path/to/advisory-db --pypa /path/to/advisory-database

Each database is a git repository (a clone, a bare mirror) or a URL to clone; files are read
from its HEAD. The subset keeps, for every crate in Cargo.lock, RustSec's `crates/<name>/*.md` as
they are (cargo-deny reads them), and for every Python package pinned in requirements.txt or
named by the analysis extra, PyPA's `vulns/<name>/*.yaml` as OSV JSON. manifest.json records each
database's commit and date and the exact crate versions and pins covered; `make audit-offline`
(scripts/audit_offline.py) refuses a lock file or pin the manifest does not name.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML comes with mkdocs in the dev venv

from advisory_subset import (
    MANIFEST,
    PYPA_URL,
    ROOT,
    RUSTSEC_URL,
    SUBSET,
    InputError,
    Manifest,
    Snapshot,
    normalize,
    read_project,
    write_manifest,
)


class Repo:
    """Read-only view of one database's HEAD, whether a work tree or a bare repository."""

    def __init__(self, git_dir: Path, source: str) -> None:
        self.git_dir = git_dir
        self.source = source

    def git(self, *args: str) -> str:
        """Run git on the repository; its output, or InputError."""
        r = subprocess.run(["git", "-C", str(self.git_dir), *args], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            raise InputError(f"git {' '.join(args)} in {self.git_dir}: {r.stderr.strip()}")
        return r.stdout

    def snapshot(self) -> Snapshot:
        """HEAD's commit and date."""
        commit, date = self.git("log", "-1", "--format=%H %cI", "HEAD").split()
        return Snapshot(source=self.source, commit=commit, date=date)

    def entries(self, tree: str) -> list[str]:
        """Names directly under `tree` at HEAD."""
        return [line.rsplit("/", 1)[-1] for line in self.git("ls-tree", "--name-only", f"HEAD:{tree}").splitlines()]

    def files(self, tree: str) -> list[str]:
        """Paths of every file below `tree` at HEAD."""
        return self.git("ls-tree", "-r", "--name-only", "HEAD", f"{tree}/").splitlines()

    def read(self, path: str) -> str:
        """Content of `path` at HEAD."""
        return self.git("show", f"HEAD:{path}")


def open_repo(where: str, dest: Path) -> Repo:
    if Path(where).exists():
        return Repo(Path(where), _origin(Path(where)) or where)
    print(f"refresh_advisories: cloning {where}", file=sys.stderr)
    r = subprocess.run(
        ["git", "clone", "-q", "--bare", "--depth", "1", where, str(dest)], capture_output=True, text=True, check=False
    )
    if r.returncode != 0:
        raise InputError(f"cannot clone {where}: {r.stderr.strip()}")
    return Repo(dest, where)


def _origin(path: Path) -> str | None:
    r = subprocess.run(
        ["git", "-C", str(path), "config", "--get", "remote.origin.url"], capture_output=True, text=True, check=False
    )
    return r.stdout.strip() or None


def copy_rustsec(repo: Repo, crates: set[str], out: Path) -> int:
    n = 0
    present = set(repo.entries("crates"))
    for name in sorted(crates & present):
        for path in repo.files(f"crates/{name}"):
            if path.endswith(".md"):
                dest = out / path
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(repo.read(path))
                n += 1
    return n


def copy_pypa(repo: Repo, packages: set[str], out: Path) -> int:
    n = 0
    by_name = {normalize(d): d for d in repo.entries("vulns")}
    for name in sorted(packages):
        if name not in by_name:
            continue
        for path in repo.files(f"vulns/{by_name[name]}"):
            if not path.endswith(".yaml"):
                continue
            record = yaml.safe_load(repo.read(path))
            dest = out / "vulns" / name / (Path(path).stem + ".json")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(json.dumps(record, indent=1, sort_keys=True, default=str) + "\n")
            n += 1
    return n


def refresh(project_root: Path, out: Path, rustsec: Repo, pypa: Repo) -> str:
    project = read_project(project_root)
    for sub in ("rustsec", "pypa"):
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    n_rust = copy_rustsec(rustsec, set(project.crates), out / "rustsec")
    n_py = copy_pypa(pypa, set(project.pins) | project.extra, out / "pypa")
    manifest = Manifest(rustsec=rustsec.snapshot(), pypa=pypa.snapshot(), covers=project)
    write_manifest(out / MANIFEST, manifest)
    return (
        f"{out}: {n_rust} RustSec advisories for {len(project.crates)} crates (snapshot {manifest.rustsec.date}), "
        f"{n_py} PyPA advisories for {len(set(project.pins) | project.extra)} Python packages "
        f"(snapshot {manifest.pypa.date})"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rustsec", default=RUSTSEC_URL, help="RustSec advisory-db: git repository path or URL")
    p.add_argument("--pypa", default=PYPA_URL, help="PyPA advisory-database: git repository path or URL")
    p.add_argument("--project", type=Path, default=ROOT, help="source tree whose dependencies are covered")
    p.add_argument("--out", type=Path, help="subset directory (default: PROJECT/audit/advisories)")
    args = p.parse_args(argv)
    out = args.out or args.project / SUBSET
    try:
        with tempfile.TemporaryDirectory(prefix="ctaops-advisories-") as tmp:
            print(
                refresh(
                    args.project,
                    out,
                    open_repo(args.rustsec, Path(tmp) / "rustsec"),
                    open_repo(args.pypa, Path(tmp) / "pypa"),
                )
            )
    except InputError as e:
        print(f"refresh_advisories: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
