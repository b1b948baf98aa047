"""Fixtures of the data-monitoring tests: a real InfluxDB 1.x, a simulator instance whose
config points the tool at it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ctaops.datamon.influxserver import INFLUXD, PASSWORD, USER, InfluxServer
from tests.ctaops.siminstance import SimInstance


@pytest.fixture(scope="session")
def influx() -> Iterator[InfluxServer]:
    """A running influxd with an admin user (skipped only where influxd is not installed)."""
    if not os.access(INFLUXD, os.X_OK):
        pytest.skip("influxd is not installed")
    server = InfluxServer.start()
    try:
        yield server
    finally:
        server.stop()


class DatamonInstance(SimInstance):
    """A simulator instance with a config whose InfluxDB endpoints are the test server's."""

    taped_log: Path
    influx_config: Path
    db: str

    def derived(self, name: str, old: str, new: str) -> Path:
        """A copy of the InfluxDB config with ``old`` replaced by ``new`` once (which must be there)."""
        text = self.influx_config.read_text()
        assert old in text, old
        path = self.dir / name
        path.write_text(text.replace(old, new, 1))
        return path

    def datamon(self, *args: str | Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        return self.script("cta-ops-data-monitoring", *args, config=config or self.influx_config)


_counter = iter(range(1_000_000))


@pytest.fixture
def inst(ctaops_native: str, tmp_path: Path, influx: InfluxServer) -> DatamonInstance:
    """A fresh instance; its own dst/src/import databases (unique names) on the test server."""
    d = DatamonInstance.create(ctaops_native, tmp_path / "sim", "--drives", "2")
    d.taped_log = d.dir / "log" / "cta" / "cta-taped.log"
    n = next(_counter)
    text = d.config.read_text()
    for side in ("src", "dst", "import"):
        text = text.replace(f"{side}_influxdb_database: ctaops_", f"{side}_influxdb_database: t{n}_")
    text = text.replace("_port: 8086", f"_port: {influx.port}")
    text = text.replace("_username: ctaops", f"_username: {USER}").replace(
        "_password: ctaops", f"_password: {PASSWORD}"
    )
    d.influx_config = d.dir / "influx-config.yaml"
    d.influx_config.write_text(text)
    for db in ("taped", "datamon", "import"):
        influx.query(f'CREATE DATABASE "t{n}_{db}"')
    d.db = f"t{n}_datamon"
    return d
