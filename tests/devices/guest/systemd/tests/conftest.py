"""Fixtures of the systemd-mode suite: the lab the units run against, systemctl and the journal.

Runs inside the QEMU guest only, as root under a real systemd (PID 1), after check.sh installed
ctaops as the RPM does. The units are the shipped ones from packaging/systemd in
/etc/systemd/system; what is particular to the lab (the data-monitoring dry run, a short timer)
goes into drop-ins under /run/systemd/system, as a site's `systemctl edit` would.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

UNITS = Path("/work/units")
STATE_DIR = Path("/var/lib/cta-ops")
LAB = STATE_DIR / "lab"
CONFIG = Path("/etc/cta-ops/cta-ops-config.yaml")
DROPINS = Path("/run/systemd/system")
SLOW = LAB / "slow-cta-admin"
"""While this file exists, every cta-admin call of a tool systemd started first sleeps its number
of seconds."""
USER = "tape-local"
GROUP = "tape"
VENV_BIN = Path("/opt/ctaops/bin")
# journald's catalogue ids of PID 1's job messages (systemd's sd-messages.h).
UNIT_STARTING = "7d4958e842da4a758f6c1cdc7b36dcc5"
UNIT_STARTED = "39f53479d3a045ac8e11786248231fbf"


def run(*args: str | Path, timeout: float = 600, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False, **kw)


def must(*args: str | Path, timeout: float = 600, **kw: Any) -> subprocess.CompletedProcess[str]:
    done = run(*args, timeout=timeout, **kw)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}: {done.stdout}{done.stderr}"
    return done


def as_user(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run as tape-local, as cron or an operator's `sudo -u tape-local` would: outside any unit
    (this suite's own unit sets $INVOCATION_ID, which the slow cta-admin looks for)."""
    return run("runuser", "-u", USER, "--", "env", "-u", "INVOCATION_ID", f"USER={USER}", "sh", "-c",
               "umask 007; exec \"$@\"", "sh", *args, timeout=timeout, cwd=STATE_DIR)  # fmt: skip


def systemctl(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return run("systemctl", "--no-pager", *args, timeout=timeout)


def show(unit: str, *props: str) -> dict[str, str]:
    out = must("systemctl", "show", unit, *(f"--property={p}" for p in props)).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def journal(unit: str, since_us: int) -> list[dict[str, Any]]:
    """The unit's journal entries (its processes' output and PID 1's messages about it) since then."""
    out = must("journalctl", "--no-pager", "-o", "json", "-u", unit).stdout
    entries = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [e for e in entries if int(e["__REALTIME_TIMESTAMP"]) >= since_us]


def tool_output(entries: list[dict[str, Any]], unit: str) -> list[dict[str, Any]]:
    """What the unit's own processes wrote (stdout and stderr go to the journal), not PID 1's lines."""
    return [e for e in entries if e.get("_SYSTEMD_UNIT") == unit and e.get("_PID") != "1"]


def message(entry: dict[str, Any]) -> str:
    value = entry.get("MESSAGE", "")
    # journald gives a message that is not valid UTF-8 as a list of bytes.
    return bytes(value).decode(errors="replace") if isinstance(value, list) else str(value)


def now_us() -> int:
    return time.time_ns() // 1000


def wait_for(what: str, probe: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def dropin(unit: str, text: str) -> Path:
    """A runtime drop-in (gone at reboot), then daemon-reload."""
    path = DROPINS / f"{unit}.d" / "ctaops-vm.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    must("systemctl", "daemon-reload")
    return path


def remove_dropin(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
    must("systemctl", "daemon-reload")


@dataclass(frozen=True)
class Lab:
    """The simulated instance the units run against through /etc/cta-ops/cta-ops-config.yaml."""

    dir: Path
    uid: int
    gid: int

    @property
    def taped_log(self) -> Path:
        return self.dir / "log" / "cta" / "cta-taped.log"


SLOW_WRAPPER = """#!/bin/sh
# The lab's cta-admin, made slow on demand for runs systemd started (a service has $INVOCATION_ID)
# so that one is still going when the next start comes.
[ -n "$INVOCATION_ID" ] && [ -r '{slow}' ] && sleep "$(cat '{slow}')"
exec '{lab}/bin/cta-admin' "$@"
"""


@pytest.fixture(scope="session")
def lab() -> Lab:
    """`ctaops sim init` as tape-local under /var/lib/cta-ops (the units' ReadWritePaths), some
    archived files for the tools to find, the ATRESYS schema, and the lab's config installed as
    /etc/cta-ops/cta-ops-config.yaml (root:tape 0640, as the RPM installs it)."""
    ctaops = VENV_BIN / "ctaops"
    if not (LAB / "cta-ops-config.yaml").exists():
        for step in (
            (ctaops, "sim", "init", LAB),
            (ctaops, "sim", "archive", LAB, "--storageclass", "ctaops_sc", "--count", "3", "--size", "300K"),
            (ctaops, "sim", "run", LAB, "--until-idle"),
            (VENV_BIN / "cta-ops-repack-manager", "-C", LAB / "cta-ops-config.yaml", "db", "upgrade"),
        ):
            done = as_user(*step)
            assert done.returncode == 0, f"{step} exited {done.returncode}: {done.stderr}"
        # The RPM's directories are 2770 tape-local:tape so that the drive tools, root without
        # capabilities (no CAP_DAC_OVERRIDE), can write there through group tape; sim init makes
        # the lab 0755/0644 whatever the umask, so give the lab the same group write.
        must("find", LAB, "-perm", "-g+r", "-exec", "chmod", "g+w", "{}", "+")
    user = pwd.getpwnam(USER)
    wrapper = LAB / "bin" / "slow-cta-admin"
    wrapper.write_text(SLOW_WRAPPER.format(slow=SLOW, lab=LAB))
    os.chown(wrapper, user.pw_uid, user.pw_gid)
    wrapper.chmod(0o750)
    text = (LAB / "cta-ops-config.yaml").read_text()
    admin = f'cta-admin: "{LAB}/bin/cta-admin"'
    assert admin in text, "the lab config no longer names its cta-admin as expected"
    text = text.replace(admin, f'cta-admin: "{wrapper}"')
    # Room for the slow cta-admin: pool supply gives each call 10 s by default.
    supply = "\n  cta-ops-pool-supply:\n"
    assert supply in text, "the lab config has no cta-ops-pool-supply section to extend"
    CONFIG.write_text(text.replace(supply, supply + "    timeout: 120\n"))
    os.chown(CONFIG, 0, user.pw_gid)
    CONFIG.chmod(0o640)
    return Lab(LAB, user.pw_uid, user.pw_gid)
