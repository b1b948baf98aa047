"""A ``ctaops sim init`` instance as the end-to-end tests of the ops tools use it.

Its cta-admin answers (``admin``, ``tape``, ``drives``), its emulated library (``changer``), the ``ctaops sim``
commands, and a console script run against it with ``-C DIR/cta-ops-config.yaml`` as an
operator runs it. Test modules subclass it with what only they need.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, TypeVar

from ctaops.library import Library

T = TypeVar("T", bound="SimInstance")


class SimInstance:
    """One simulator instance in ``dir``; ``exe`` is the native ``ctaops`` that made it."""

    def __init__(self, d: Path, exe: str) -> None:
        self.dir = d
        self.exe = exe
        self.config = d / "cta-ops-config.yaml"

    @classmethod
    def create(cls: type[T], exe: str, d: Path, *init_args: str) -> T:
        """Run ``ctaops sim init d`` (with ``init_args``) and return the instance."""
        r = subprocess.run(
            [exe, "sim", "init", str(d), *init_args], capture_output=True, text=True, check=False, timeout=120
        )
        assert r.returncode == 0, r.stderr
        return cls(d, exe)

    def admin(self, *args: str) -> str:
        """The instance's cta-admin; it must succeed."""
        r = subprocess.run(
            [str(self.dir / "bin" / "cta-admin"), *args], capture_output=True, text=True, check=False, timeout=60
        )
        assert r.returncode == 0, r.stderr
        return r.stdout

    def tape(self, vid: str) -> dict[str, Any]:
        """CTA's record of one tape."""
        found: list[dict[str, Any]] = json.loads(self.admin("--json", "tape", "ls", "--vid", vid))
        return found[0]

    def tapes(self) -> dict[str, dict[str, Any]]:
        """CTA's record of every tape, by VID."""
        return {t["vid"]: t for t in json.loads(self.admin("--json", "tape", "ls", "--all"))}

    def drives(self) -> dict[str, dict[str, Any]]:
        """CTA's record of every drive, by name."""
        return {d["driveName"]: d for d in json.loads(self.admin("--json", "dr", "ls"))}

    def changer(self) -> Library:
        """The emulated library (opened afresh: tools change its state file)."""
        return Library.emulated(self.dir / "library" / "ctaops_lib1.json")

    def sim(self, *args: str) -> None:
        """``ctaops sim …``; it must succeed."""
        r = subprocess.run([self.exe, "sim", *args], capture_output=True, text=True, check=False, timeout=120)
        assert r.returncode == 0, r.stderr

    def script(
        self, name: str, *args: str | Path, config: Path | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Console script ``name`` with ``-C`` the instance's config (or ``config``); never a traceback."""
        exe = Path(sys.executable).with_name(name)
        argv = [str(exe), "-C", str(config or self.config), *map(str, args)]
        r = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)
        assert "Traceback" not in r.stderr, r.stderr
        return r

    def derived_config(self, name: str, old: str, new: str) -> Path:
        """A copy of the config with ``old`` replaced by ``new`` once (which must be there)."""
        text = self.config.read_text()
        assert old in text, old
        path = self.dir / name
        path.write_text(text.replace(old, new, 1))
        return path


__all__ = ["SimInstance"]
