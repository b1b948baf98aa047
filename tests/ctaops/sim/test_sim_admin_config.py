"""ctaops.admin.CtaAdmin driven by a simulator instance's own cta-ops-config.yaml."""

from __future__ import annotations

import pytest

import ctaops.admin as adm

from .conftest import Sim


def test_ctaadmin_from_simulator_config(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = sim.dir / "cta-ops-config.yaml"
    admin = adm.CtaAdmin(cfg)
    assert admin.settings.cta_admin == str(sim.dir / "bin" / "cta-admin")
    tapes = admin.tapes()
    assert len(tapes) == len(sim.ls("tape", "ls", "--all")) > 0
    assert {t.vid for t in tapes} == {t["vid"] for t in sim.ls("tape", "ls", "--all")}
    version = admin.cta_version()
    assert version
    pools = admin.tape_pools()
    assert all(p.supply is not None and p.supplySource is not None for p in pools)
    table = admin.arrow("tape", all=True)
    assert table.num_rows == len(tapes)
    monkeypatch.setenv("CTAOPS_CONFIG", str(cfg))
    assert len(adm.CtaAdmin().drives()) == len(sim.ls("drive", "ls"))
