"""What a guest run reports back: its JUnit XML read into one result per guest test case.

Shared by the host-side modules of the device test bed (test_devices.py, test_systemd.py), which
each boot the guest once and report every guest test under its own name.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from tests.devices import vm

ENABLED = os.environ.get("CTAOPS_DEVICE_TESTS") == "1"


@dataclass(frozen=True)
class CaseResult:
    outcome: str  # passed, failed, error, skipped
    detail: str


@dataclass
class GuestRun:
    boot: vm.BootResult
    cases: dict[str, CaseResult]


def guest_cases(junit: Path) -> dict[str, CaseResult]:
    """`module::test[param]` -> its outcome, from the JUnit XML the guest's pytest wrote."""
    out: dict[str, CaseResult] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 (our own guest wrote it)
        module = case.get("classname", "").rsplit(".", 1)[-1]
        name = f"{module}::{case.get('name')}"
        outcome, detail = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                detail = (child.get("message") or "") + "\n" + (child.text or "")
        out[name] = CaseResult(outcome, detail)
    return out


def guest_test_ids(tests: Path) -> list[str]:
    """Test functions of a guest suite, found without importing it (it needs the guest)."""
    ids = []
    for path in sorted(tests.glob("test_*.py")):
        for line in path.read_text().splitlines():
            if line.startswith("def test_"):
                ids.append(f"{path.stem}::{line[4:].split('(')[0]}")
    return ids


def assert_case_passed(guest: GuestRun, case: str, *, every_instance: bool) -> None:
    """The guest ran `case` (every parametrised instance of it) with no failure or error, and
    passed every instance (`every_instance`) or at least one (the others skipped in the guest)."""
    ran = {name: r for name, r in guest.cases.items() if name == case or name.startswith(case + "[")}
    assert ran, f"{case} did not run in the guest"
    failed = {name: r.detail for name, r in ran.items() if r.outcome in ("failed", "error")}
    assert not failed, "\n\n".join(f"{name}:\n{detail}" for name, detail in failed.items())
    if every_instance:
        assert all(r.outcome == "passed" for r in ran.values()), {n: r.outcome for n, r in ran.items()}
    else:
        assert any(r.outcome == "passed" for r in ran.values()), f"{case}: every instance skipped in the guest"


class GuestFailed(RuntimeError):
    """A boot that did not run its guest suite: the status and the tail of its logs."""


def inputs() -> tuple[Path, Path]:
    """The binary and wheel `make test-devices` passes (CTAOPS_DEVICE_BINARY, _WHEEL_DIR)."""
    binary = Path(os.environ.get("CTAOPS_DEVICE_BINARY", ""))
    wheels = sorted(Path(os.environ.get("CTAOPS_DEVICE_WHEEL_DIR", "dist")).glob("ctaops-*.whl"))
    if not binary.is_file() or not wheels:
        raise GuestFailed("set CTAOPS_DEVICE_BINARY and CTAOPS_DEVICE_WHEEL_DIR (make test-devices does)")
    return binary, wheels[-1]


def run_mode(image: vm.Image, mode: str, work: Path, timeout: float) -> GuestRun:
    """Boot `image` once in `mode` (test or systemd) and read back what its suite reported."""
    binary, wheel = inputs()
    vm.prepare_work(work, binary, wheel, mode)
    boot = vm.boot(image, work, timeout)
    results = work / "results"
    status = (results / "status").read_text().strip() if (results / "status").exists() else "no status"
    junit = results / "junit.xml"
    if status != "ran" or not junit.exists():
        logs = "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(results.glob("*.log"))
        )
        raise GuestFailed(f"the guest ({mode} mode) did not run its suite (status: {status})\n{logs}")
    return GuestRun(boot, guest_cases(junit))
