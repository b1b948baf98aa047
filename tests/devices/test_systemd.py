"""The scheduled tools' systemd units under a real systemd: the device test bed's guest booted with
systemd as PID 1 (issue 21).

The sandbox running the tests has no systemd as PID 1, so `tests/packaging/` can only have
`systemd-analyze verify` read the units. Here the guest boots once in the `systemd` mode
(`tests/devices/guest/systemd/`): ctaops is installed as the RPM installs it, the generated units
from `packaging/systemd/` go to `/etc/systemd/system`, and the guest suite starts every service
against a simulator lab, checks the overlap rule and enables the timers. Its JUnit XML comes back
over the 9p share and each guest test is reported here under its own name, as in test_devices.py.
Like the rest of the bed it runs with `make test-devices` only.
"""

from __future__ import annotations

from concurrent.futures import Future

import pytest

from tests.devices import vm
from tests.devices.conftest import guest_run
from tests.devices.guestrun import ENABLED, GuestRun, assert_case_passed, guest_test_ids

GUEST_TESTS = vm.GUEST_DIR / "systemd" / "tests"
pytestmark = [
    pytest.mark.skipif(not ENABLED, reason="kernel-in-the-loop tests run with `make test-devices`"),
    # A cold image build (about 5 minutes) and one boot under TCG.
    pytest.mark.timeout(2400),
]


@pytest.fixture(scope="module")
def guest(guest_boots: dict[str, Future[GuestRun]]) -> GuestRun:
    return guest_run(guest_boots, "systemd")


@pytest.mark.parametrize("case", guest_test_ids(GUEST_TESTS))
def test_in_guest(guest: GuestRun, case: str) -> None:
    assert_case_passed(guest, case, every_instance=True)


def test_every_unit_ran_under_systemd_as_pid1(guest: GuestRun) -> None:
    """The guest booted systemd, ran the check unit and powered itself off; every shipped service
    was started in the guest."""
    results = guest.boot.work / "results"
    assert guest.boot.returncode == 0
    assert (results / "pid1").read_text().strip() == "systemd"
    services = sorted(p.stem for p in vm.UNITS_DIR.glob("*.service"))
    started = {name.split("[", 1)[1].rstrip("]") for name in guest.cases if "test_service_runs_in_its_sandbox[" in name}
    assert started == set(services)
