"""Host side of the kernel-in-the-loop test bed: boot the guest once, one host test per guest test.

`make test-devices` (part of `make test`) sets CTAOPS_DEVICE_TESTS=1 and gives the binary and wheel
to test in CTAOPS_DEVICE_BINARY / CTAOPS_DEVICE_WHEEL; a plain `pytest` skips this module, as the
guest takes minutes to build and boot. The guest's JUnit XML comes back over the 9p share and each
of its test cases is reported here under its own name, so a failure reads the same on both sides.
"""

from __future__ import annotations

import json
from concurrent.futures import Future

import pytest

from tests.devices import vm
from tests.devices.conftest import guest_run
from tests.devices.guestrun import ENABLED, GuestRun, assert_case_passed, guest_test_ids

GUEST_TESTS = vm.GUEST_DIR / "tests"
pytestmark = [
    pytest.mark.skipif(not ENABLED, reason="kernel-in-the-loop tests run with `make test-devices`"),
    # The first test waits for the image build (cold: about 3 minutes) and the whole guest run.
    pytest.mark.timeout(1800),
]


@pytest.fixture(scope="module")
def guest(guest_boots: dict[str, Future[GuestRun]]) -> GuestRun:
    return guest_run(guest_boots, "test")


@pytest.mark.parametrize("case", guest_test_ids(GUEST_TESTS))
def test_in_guest(guest: GuestRun, case: str) -> None:
    assert_case_passed(guest, case, every_instance=False)


def test_guest_saw_every_library_through_the_kernel(guest: GuestRun) -> None:
    """The kernel's sg/st drivers made a node for every changer and drive of every layout."""
    assert guest.boot.returncode == 0
    assert "ctaops-vm: done" in guest.boot.console
    seen = json.loads((guest.boot.work / "results" / "devices.json").read_text())["libraries"]
    layout = json.loads((vm.GUEST_DIR / "libraries.json").read_text())["libraries"]
    assert [lib["name"] for lib in seen] == [lib["name"] for lib in layout]
    for lib, want in zip(seen, layout, strict=True):
        assert lib["changer"].startswith("/dev/sg")
        assert len(lib["drive_devices"]) == want["drives"][1]
        assert all(d["nst"].startswith("/dev/nst") for d in lib["drive_devices"])
