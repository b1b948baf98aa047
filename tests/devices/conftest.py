"""The device test bed's boots, started together.

Each guest is one TCG vCPU, so on a machine with two cores the test-mode guest (drivers and
tools against tgt's libraries) and the systemd-mode guest (the shipped units under systemd as
PID 1) run side by side and the bed costs about one boot's time instead of two. The image is
built (or found) first, once, so the two boots never race to build it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.devices import vm
from tests.devices.guestrun import GuestFailed, GuestRun, run_mode

MODES = {"test": "CTAOPS_VM_TIMEOUT", "systemd": "CTAOPS_VM_SYSTEMD_TIMEOUT"}
DEFAULT_TIMEOUT = {"test": 1200.0, "systemd": 1800.0}


@pytest.fixture(scope="session")
def guest_boots() -> Iterator[dict[str, Future[GuestRun]]]:
    image = vm.build_image()
    works = {mode: Path(tempfile.mkdtemp(prefix=f"ctaops-vm-{mode}-")) for mode in MODES}
    pool = ThreadPoolExecutor(max_workers=len(MODES), thread_name_prefix="ctaops-vm")
    try:
        yield {
            mode: pool.submit(
                run_mode, image, mode, works[mode], float(os.environ.get(var, str(DEFAULT_TIMEOUT[mode])))
            )
            for mode, var in MODES.items()
        }
    finally:
        # A boot still running is waited for (its QEMU ends at its own timeout), then cleaned up.
        pool.shutdown(wait=True)
        keep = os.environ.get("CTAOPS_VM_KEEP")
        for mode, work in works.items():
            if keep:
                shutil.copytree(work, Path(keep) / mode, dirs_exist_ok=True)
            shutil.rmtree(work, ignore_errors=True)


def guest_run(boots: dict[str, Future[GuestRun]], mode: str) -> GuestRun:
    """The result of `mode`'s boot, waiting for it; a boot that failed fails the test asking."""
    try:
        return boots[mode].result()
    except (GuestFailed, vm.VmError) as e:
        pytest.fail(str(e))
