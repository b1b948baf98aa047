"""What the committed advisory subset (audit/advisories) has to cover, and what it says it covers.

Shared by scripts/refresh_advisories.py, which writes the subset, and scripts/audit_offline.py,
which checks the project against it. The subset holds every advisory of each crate in Cargo.lock
and of each Python package the project ships (requirements.txt pins) or offers (the `analysis`
extra); manifest.json records the source commit and date of both databases and exactly which
crate versions and pins were in the project when it was written, so a changed lock file or pin is
noticed instead of being checked against a database that never looked at it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

ROOT = Path(__file__).resolve().parents[1]
SUBSET = Path("audit") / "advisories"
ALLOWLIST = Path("audit") / "allowlist.toml"
MANIFEST = "manifest.json"
# The URL cargo-deny knows the RustSec database by; its directory name under db-path derives from it.
RUSTSEC_URL = "https://github.com/rustsec/advisory-db"
PYPA_URL = "https://github.com/pypa/advisory-database"
# The optional-dependencies group whose packages are checked besides the pins.
EXTRA = "analysis"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)\s*(?:[;#].*)?$")
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class InputError(Exception):
    """A project file the audit reads is missing or malformed (reported as one line)."""


def normalize(name: str) -> str:
    """PEP 503 name: the PyPA database's directory names and PyPI's own comparison."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Project:
    """The dependency set of one source tree, as the audits see it."""

    crates: dict[str, set[str]]  # crates.io crate -> versions in Cargo.lock
    pins: dict[str, str]  # normalized Python name -> pinned version (requirements.txt)
    extra: set[str]  # normalized names of the analysis extra (ranges, no pins)


def read_project(root: Path) -> Project:
    return Project(crates=_lock_crates(root / "Cargo.lock"), pins=_pins(root / "requirements.txt"), extra=_extra(root))


def _lock_crates(path: Path) -> dict[str, set[str]]:
    try:
        lock = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from e
    crates: dict[str, set[str]] = {}
    for pkg in lock.get("package", []):
        # Workspace members and path dependencies have no source: nothing is published to advise on.
        if str(pkg.get("source", "")).startswith("registry+"):
            crates.setdefault(pkg["name"], set()).add(pkg["version"])
    return crates


def _pins(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e}") from e
    pins: dict[str, str] = {}
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _PIN.match(line)
        if m is None:
            raise InputError(f"{path}:{n}: not a `name==version` pin: {line}")
        pins[normalize(m.group(1))] = m.group(2)
    return pins


def _extra(root: Path) -> set[str]:
    path = root / "pyproject.toml"
    try:
        reqs = tomllib.loads(path.read_text())["project"]["optional-dependencies"][EXTRA]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as e:
        raise InputError(f"cannot read the [{EXTRA}] extra from {path}: {e}") from e
    names = set()
    for req in reqs:
        m = _REQ_NAME.match(req)
        if m is None:
            raise InputError(f"{path}: unreadable requirement {req!r} in the [{EXTRA}] extra")
        names.add(normalize(m.group(1)))
    return names


@dataclass(frozen=True)
class Snapshot:
    """Where one database came from."""

    source: str
    commit: str
    date: str  # ISO 8601 commit date of the snapshot's HEAD


@dataclass(frozen=True)
class Manifest:
    """What manifest.json says: both snapshots and the dependency set they were cut for."""

    rustsec: Snapshot
    pypa: Snapshot
    covers: Project


def write_manifest(path: Path, manifest: Manifest) -> None:
    data: dict[str, Any] = {
        "about": "Advisories of the crates and Python packages below only; written by scripts/refresh_advisories.py",
        "rustsec": vars(manifest.rustsec),
        "pypa": vars(manifest.pypa),
        "crates": {name: sorted(vs) for name, vs in sorted(manifest.covers.crates.items())},
        "python_pins": dict(sorted(manifest.covers.pins.items())),
        "python_extra": sorted(manifest.covers.extra),
    }
    # One line per crate or package: a refresh then diffs as the lock file changed.
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items() if k not in ("crates", "python_pins")]
    for key in ("crates", "python_pins"):
        items = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in data[key].items()]
        lines.append(f" {json.dumps(key)}: {{\n" + ",\n".join(items) + "\n }")
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")


def read_manifest(subset: Path) -> Manifest:
    path = subset / MANIFEST
    try:
        data = json.loads(path.read_text())
        return Manifest(
            rustsec=Snapshot(**data["rustsec"]),
            pypa=Snapshot(**data["pypa"]),
            covers=Project(
                crates={k: set(v) for k, v in data["crates"].items()},
                pins=dict(data["python_pins"]),
                extra=set(data["python_extra"]),
            ),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"cannot read {path}: {e}: run scripts/refresh_advisories.py") from e


def uncovered(project: Project, covers: Project) -> list[str]:
    """List what the project depends on that the subset was not written for, as `what (where)`."""
    missing = [
        f"crate {name} {v} (Cargo.lock)"
        for name, versions in sorted(project.crates.items())
        for v in sorted(versions - covers.crates.get(name, set()))
    ]
    missing += [
        f"{name}=={v} (requirements.txt)" for name, v in sorted(project.pins.items()) if covers.pins.get(name) != v
    ]
    missing += [f"{name} (the [{EXTRA}] extra)" for name in sorted(project.extra - covers.extra)]
    return missing
