"""Shared fixtures: hypothesis profiles, the ctaops executables, a throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.pgcluster import PgCluster

settings.register_profile("fast", max_examples=50, deadline=None)
settings.register_profile("slow", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

REPO = Path(__file__).resolve().parent.parent

# The guest half of the device test bed runs only inside the QEMU guest (tests/devices/vm.py).
collect_ignore = ["devices/guest"]


@pytest.fixture(scope="session")
def ctaops_script() -> str:
    """The `ctaops` console script installed by the wheel into this interpreter's environment."""
    script = Path(sys.executable).with_name("ctaops")
    if not script.exists():
        found = shutil.which("ctaops")
        assert found, "the ctaops console script is not installed (run `make dev`)"
        return found
    return str(script)


@pytest.fixture(scope="session")
def ctaops_native() -> str:
    """The Rust `ctaops` binary built by cargo (`make dev` builds it)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("release", "debug"):
        exe = target / profile / "ctaops"
        if exe.exists():
            return str(exe)
    pytest.fail(f"native ctaops binary not found under {target} (run `make dev`)")


@pytest.fixture(params=["script", "native"])
def exe(request: pytest.FixtureRequest, ctaops_script: str, ctaops_native: str) -> str:
    """Both ways an operator runs ctaops: the console script (Python) and the Rust binary."""
    return ctaops_script if request.param == "script" else ctaops_native


@pytest.fixture(scope="session")
def postgresql_cluster() -> Iterator[PgCluster]:
    """A real PostgreSQL server in a temp dir on a free 127.0.0.1 port, removed afterwards."""
    cluster = PgCluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
