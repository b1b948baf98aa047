"""What a Jupyter user gets from ctaops with no glue: timestamps, flat tables, parsed verification
status, an HTML preview, bulk file listings, the ATRESYS table, the compatibility packages, and
``docs/examples/fleet.py`` run as written against a simulated instance."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import REPO, Sim, sim_serving

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

from ctaops import __version__  # noqa: E402
from ctaops.admin import CtaAdmin  # noqa: E402
from ctaops.atresys import Store  # noqa: E402
from ctaops.errors import InvalidArgumentError  # noqa: E402
from ctaops.tapeverify.status import VerificationStatus  # noqa: E402
from ctaops.utils.config import load_config  # noqa: E402

UTC_SECONDS = pa.timestamp("s", tz="UTC")


@pytest.fixture(scope="module")
def lab(sim_exe: str, tmp_path_factory: pytest.TempPathFactory) -> Sim:
    """An instance with files on two tapes and a verification status on the first."""
    d = tmp_path_factory.mktemp("nb") / "lab"
    sim = Sim(sim_exe, d)
    r = sim.run("sim", "init", d)
    assert r.returncode == 0, r.stderr
    sim.ok("sim", "archive", d, "--storageclass", "ctaops_sc", "--count", "3", "--size", "1000")
    sim.ok("sim", "run", d)
    first = [t["vid"] for t in sim.ls("tape", "ls", "--all") if int(str(t["lastFseq"])) > 0]
    assert len(first) == 1, first
    # The next files go to another tape once the first is full.
    assert sim.admin("tape", "ch", "--vid", str(first[0]), "--full", "true").returncode == 0
    sim.ok("sim", "archive", d, "--storageclass", "ctaops_sc", "--count", "2", "--size", "1000")
    sim.ok("sim", "run", d)
    status = VerificationStatus("2026-11-26 06:10:00", "failed", 3, 2, 1).to_json()
    r = sim.admin("tape", "ch", "--vid", str(first[0]), "--verificationstatus", status)
    assert r.returncode == 0, r.stderr
    return sim


@pytest.fixture(scope="module")
def cta(lab: Sim) -> CtaAdmin:
    return CtaAdmin(lab.dir / "cta-ops-config.yaml")


def filled(lab: Sim) -> list[str]:
    return sorted(str(t["vid"]) for t in lab.ls("tape", "ls", "--all") if int(str(t["lastFseq"])) > 0)


def test_times_are_utc_timestamps_and_never_is_null(cta: CtaAdmin, lab: Sim) -> None:
    tapes = cta.tapes()
    table = tapes.to_arrow()
    assert table.schema.field("stateUpdateTime").type == UTC_SECONDS
    assert table.schema.field("creationLog").type.field("time").type == UTC_SECONDS
    # The records themselves keep CTA's integers (what --json and to_dicts give).
    raw = {str(t["vid"]): t for t in lab.ls("tape", "ls", "--all")}
    first = tapes.to_dicts()[0]
    assert first["stateUpdateTime"] == int(str(raw[first["vid"]]["stateUpdateTime"]))
    df = tapes.to_pandas()
    assert str(df["stateUpdateTime"].dtype) == "datetime64[s, UTC]"
    when = df.loc[df["vid"] == first["vid"], "stateUpdateTime"].iloc[0]
    assert int(when.timestamp()) == first["stateUpdateTime"]
    # A tape never written has no last-written time: null, not 1970.
    never = [v for v, t in raw.items() if "lastWrittenLog" not in t]
    assert never, "the instance has unwritten tapes"
    flat = tapes.to_pandas(flatten=True).set_index("vid")
    assert pd.isna(flat.loc[never[0], "lastWrittenLog.time"])
    assert not pd.isna(flat.loc[filled(lab)[0], "lastWrittenLog.time"])


def test_tapefile_listing_flattens_to_dotted_columns(cta: CtaAdmin, lab: Sim) -> None:
    vid = filled(lab)[0]
    records = cta.tape_files(vid)
    df = records.to_pandas(flatten=True)
    assert {"af.archiveId", "af.size", "tf.vid", "tf.fSeq", "df.diskId"} <= set(df.columns)
    assert list(df["tf.vid"]) == [vid] * len(records)
    assert sorted(df["af.archiveId"]) == sorted(r["af"]["archiveId"] for r in records.to_dicts())
    assert str(df["af.creationTime"].dtype) == "datetime64[s, UTC]"
    polars = records.to_polars(flatten=True)
    assert polars.columns == list(df.columns)
    # Without flatten the sub-messages stay structs.
    assert "af" in records.to_pandas().columns


def test_verification_status_is_parsed_beside_the_text(cta: CtaAdmin, lab: Sim) -> None:
    first, second = filled(lab)
    df = cta.tapes().to_pandas(flatten=True).set_index("vid")
    assert df.loc[first, "verification.status"] == "failed"
    assert (df.loc[first, "verification.files_verified"], df.loc[first, "verification.files_failed"]) == (2, 1)
    assert df.loc[first, "verificationStatus"].startswith("{")
    assert pd.isna(df.loc[second, "verification.status"])


def test_html_preview_is_an_escaped_table(cta: CtaAdmin, lab: Sim) -> None:
    vid = filled(lab)[0]
    assert lab.admin("tape", "ch", "--vid", vid, "--comment", "<b>fragile</b> & old").returncode == 0
    html = cta.tapes()._repr_html_()
    assert html.startswith("<table>")
    assert "<th>vid</th>" in html
    assert "&lt;b&gt;fragile&lt;/b&gt; &amp; old" in html
    assert "<b>fragile" not in html
    assert f"{len(lab.ls('tape', 'ls', '--all'))} tape records" in html


def test_bulk_tape_files_is_one_collection_in_order(cta: CtaAdmin, lab: Sim) -> None:
    first, second = filled(lab)
    each = [cta.tape_files(v).to_dicts() for v in (second, first)]
    bulk = cta.tape_files([second, first, second])
    assert bulk.kind == "tapefile"
    assert bulk.to_dicts() == each[0] + each[1]  # each VID once, in the order given
    assert len(cta.tape_files([])) == 0
    with pytest.raises(InvalidArgumentError, match="concurrency"):
        cta.tape_files([first], concurrency=0)


@pytest.fixture
def served(lab: Sim) -> Iterator[CtaAdmin]:
    with sim_serving(lab.exe, lab.dir, lab.dir.parent / "serve.log"):
        yield CtaAdmin(transport="grpc", config_file=lab.dir / "cta-cli.conf", timeout=30)


def test_bulk_tape_files_over_grpc_matches_cta_admin(served: CtaAdmin, cta: CtaAdmin, lab: Sim) -> None:
    vids = filled(lab)
    assert served.tape_files(vids).to_dicts() == cta.tape_files(vids).to_dicts()


def test_atresys_store_takes_a_config_and_gives_a_table(lab: Sim) -> None:
    cfg = load_config(lab.dir / "cta-ops-config.yaml", tool="cta-ops-repack-automation")
    store = Store(cfg)
    store.upgrade()  # what `cta-ops-repack-manager db upgrade` does on a new instance
    vid = filled(lab)[0]
    assert store.add(vid, tapepool="ctaops_user", mediatype="LTO9", files=3, reason="notebook test")
    df = store.to_pandas()
    row = df.set_index("tape").loc[vid]
    assert row["state"] == "entered"
    assert row["files"] == 3
    assert str(df["entered"].dtype) == "datetime64[s, UTC]"
    assert pd.isna(row["started"])
    assert store.to_polars(state="started").height == 0


def test_compatibility_packages_work_as_upstream_scripts_use_them() -> None:
    code = (
        "import ctautils, tapeadmin, atresys, atresys.prepare, ctaops.atresys.prepare as p\n"
        "assert callable(ctautils.config_holder.load_config)\n"
        "assert tapeadmin.library.__name__ == 'tapeadmin.library'\n"
        "assert atresys.prepare is p and callable(atresys.prepare.main)\n"
        "print(ctautils.__version__, tapeadmin.__version__, atresys.__version__)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [__version__] * 3
    r = subprocess.run(
        [sys.executable, "-c", "import ctautils; ctautils.nope"], capture_output=True, text=True, check=False
    )
    assert "has no attribute 'nope'" in r.stderr


def test_fleet_example_runs_as_written(lab: Sim, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "fleet.png"
    r = subprocess.run(
        [
            sys.executable,
            str(REPO / "docs" / "examples" / "fleet.py"),
            "-C",
            str(lab.dir / "cta-ops-config.yaml"),
            "--png",
            str(png),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "ctaops_user" in r.stdout  # tapes per pool and state
    assert "vo_user" in r.stdout  # data per VO
    assert "failed" in r.stdout  # verification coverage
    assert "5 tape copies on 2 tapes with data" in r.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
