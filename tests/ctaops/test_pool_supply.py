"""cta-ops-pool-supply end to end against the simulator, plus the decisions on records and a fake CTA.

The simulator instance of ``ctaops sim init`` has ``ctaops_user`` (V00001-V00004) and
``ctaops_repack`` (V00005-V00006), both supplied by ``supply`` (V00007, V00008), numPartialTapes 2
everywhere, all tapes fresh in library ``ctaops_lib1``. The simulator speaks newer CTA
(``supplySource``); older CTA's ``supply`` string and ``fromCastor`` tapes come from a wrapper
``cta-admin`` that rewrites the simulator's listings.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ctaops import poolsupply
from ctaops.errors import CtaAdminUserError
from tests.ctaops.sim.conftest import sim_exe
from tests.ctaops.siminstance import SimInstance

__all__ = ["sim_exe"]

PROG = "cta-ops-pool-supply"
SCRIPT = str(Path(sys.executable).with_name(PROG))


class Inst(SimInstance):
    """A simulator instance and the tool run against it."""

    def pool_of(self) -> dict[str, str]:
        return {v: t["tapepool"] for v, t in self.tapes().items()}

    def in_pool(self, pool: str) -> list[str]:
        return sorted(v for v, p in self.pool_of().items() if p == pool)

    def target(self, pool: str, n: int) -> None:
        self.admin("tapepool", "ch", "--name", pool, "--partialtapesnumber", str(n))

    def tool(self, *args: str | Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        """cta-ops-pool-supply with the instance's config (or ``config``)."""
        return self.script(PROG, *args, config=config, timeout=120)

    def derived(self, name: str, *, cta_admin: Path | None = None, tool_section: str = "") -> Path:
        """The instance's config with another cta-admin and/or a ``tools.cta-ops-pool-supply`` section."""
        text = self.config.read_text()
        if cta_admin is not None:
            text = text.replace(f'cta-admin: "{self.dir}/bin/cta-admin"', f'cta-admin: "{cta_admin}"')
            assert str(cta_admin) in text
        if tool_section:
            # `sim init` writes the section (its metrics_file): the keys go into it
            text = text.replace("\n  cta-ops-pool-supply:\n", f"\n  cta-ops-pool-supply:\n{tool_section}", 1)
        path = self.dir / name
        path.write_text(text)
        return path


@pytest.fixture
def inst(sim_exe: str, tmp_path: Path) -> Inst:
    return Inst.create(sim_exe, tmp_path / "inst")


WRAPPER = """#!{python}
# Older CTA as seen by the tool: `tapepool ls` prints one `supply` string (SUPPLY overrides it),
# `tape ls` marks the FROM_CASTOR tapes; everything else is the simulator's answer.
import json, subprocess, sys
SUPPLY = {supply!r}
FROM_CASTOR = {from_castor!r}
r = subprocess.run([{real!r}, *sys.argv[1:]], capture_output=True, text=True)
out = r.stdout
words = [a for a in sys.argv[1:] if not a.startswith("-")]
if r.returncode == 0 and "--json" in sys.argv and out.strip().startswith("["):
    recs = json.loads(out)
    for rec in recs:
        if "supplySource" in rec:
            rec["supply"] = SUPPLY.get(rec["name"], ",".join(rec.pop("supplySource")))
            rec.pop("supplyDestination", None)
        if rec.get("vid") in FROM_CASTOR:
            rec["fromCastor"] = True
    out = json.dumps(recs)
sys.stdout.write(out)
sys.stderr.write(r.stderr)
sys.exit(r.returncode)
"""


def legacy_admin(inst: Inst, supply: dict[str, str] | None = None, from_castor: Iterable[str] = ()) -> Path:
    path = inst.dir / "bin" / "cta-admin-legacy"
    real = str(inst.dir / "bin" / "cta-admin")
    path.write_text(
        WRAPPER.format(python=sys.executable, supply=supply or {}, from_castor=sorted(from_castor), real=real)
    )
    path.chmod(0o755)
    return path


def report(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    doc = json.loads(r.stdout)
    assert isinstance(doc, dict)
    return doc


def row(doc: dict[str, Any], pool: str) -> dict[str, Any]:
    return next(p for p in doc["pools"] if p["pool"] == pool)


# -- end to end on the simulator -----------------------------------------------------------------


def test_pools_at_target_move_nothing(inst: Inst) -> None:
    before = inst.pool_of()
    r = inst.tool()
    assert r.returncode == 0, r.stderr
    assert inst.pool_of() == before
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["pool", "eligible_before", "target", "moved", "eligible_after", "status", "reason"]
    assert lines[1].split()[:6] == ["ctaops_repack", "2", "2", "0", "2", "ok"]
    assert lines[2].split()[:6] == ["ctaops_user", "4", "2", "0", "4", "ok"]
    assert len(lines) == 3  # supply, erase, … have no supply pools: not consumers, not listed
    log = (inst.dir / "log" / f"{PROG}.log").read_text()
    assert f"started: {PROG} -C {inst.config}" in log


def test_pool_below_target_is_refilled_to_target(inst: Inst) -> None:
    inst.target("ctaops_user", 5)
    r = inst.tool("--json")
    assert r.returncode == 0, r.stderr
    doc = report(r)
    assert [(m["vid"], m["from"], m["to"], m["result"]) for m in doc["moves"]] == [
        ("V00007", "supply", "ctaops_user", "moved")
    ]
    assert row(doc, "ctaops_user") == {
        "pool": "ctaops_user",
        "eligible_before": 4,
        "target": 5,
        "moved": 1,
        "eligible_after": 5,
        "status": "refilled",
        "reason": "",
    }
    assert doc["supply_fresh_tapes"] == {"supply": 1}
    assert inst.in_pool("ctaops_user") == ["V00001", "V00002", "V00003", "V00004", "V00007"]
    assert inst.in_pool("supply") == ["V00008"]
    # the next run finds the pool at target
    again = report(inst.tool("--json"))
    assert again["moves"] == []
    assert row(again, "ctaops_user")["status"] == "ok"


def test_pool_short_of_supply_tapes_exits_1(inst: Inst) -> None:
    inst.target("ctaops_user", 9)
    r = inst.tool()
    assert r.returncode == 1
    assert inst.in_pool("ctaops_user") == ["V00001", "V00002", "V00003", "V00004", "V00007", "V00008"]
    assert re.search(r"^ctaops_user\s+4\s+9\s+2\s+6\s+short\s+no fresh tape in supply", r.stdout, re.M), r.stdout
    assert "pool ctaops_user: 6 of 9 eligible tapes and no fresh tape in supply" in r.stderr


def test_several_supply_pools_are_used_in_order(inst: Inst) -> None:
    for pool in ("supA", "supB"):
        inst.admin("tapepool", "add", "--name", pool, "--vo", "vo_user", "--partialtapesnumber", "0", "--comment", "t")
    inst.admin("tape", "ch", "--vid", "V00007", "--tapepool", "supB")
    inst.admin("tape", "ch", "--vid", "V00008", "--tapepool", "supB")
    inst.admin("tape", "ch", "--vid", "V00009", "--tapepool", "supA")
    inst.admin("tape", "ch", "--vid", "V00009", "--state", "DISABLED", "--reason", "bad cartridge")
    # newer CTA keeps the supply pools as a set: supA comes first whatever order they are given in
    inst.admin("tapepool", "ch", "--name", "ctaops_user", "--supply", "supB,supA")
    inst.target("ctaops_user", 5)
    doc = report(inst.tool("--json", "--pool", "ctaops_user"))
    # supA's only tape is DISABLED: not fresh, so the next supply pool gives one
    assert [(m["vid"], m["from"]) for m in doc["moves"]] == [("V00007", "supB")]
    inst.admin("tape", "ch", "--vid", "V00009", "--state", "ACTIVE", "--reason", "fixed")
    inst.target("ctaops_user", 7)
    doc = report(inst.tool("--json", "--pool", "ctaops_user"))
    assert [(m["vid"], m["from"]) for m in doc["moves"]] == [("V00009", "supA"), ("V00008", "supB")]
    assert inst.in_pool("ctaops_user") == ["V00001", "V00002", "V00003", "V00004", "V00007", "V00008", "V00009"]
    assert [p["pool"] for p in doc["pools"]] == ["ctaops_user"]  # --pool: ctaops_repack left alone


def test_disabled_library_tapes_do_not_count_and_are_not_chosen(inst: Inst) -> None:
    inst.admin("ll", "add", "--name", "lib2", "--comment", "second library")
    for vid in ("V00003", "V00004", "V00007"):
        inst.admin("tape", "ch", "--vid", vid, "--logicallibrary", "lib2")
    inst.admin("ll", "ch", "--name", "lib2", "--disabled", "true", "--disabledreason", "maintenance")
    inst.target("ctaops_user", 3)
    doc = report(inst.tool("--json", "--pool", "ctaops_user"))
    assert row(doc, "ctaops_user")["eligible_before"] == 2
    assert [m["vid"] for m in doc["moves"]] == ["V00008"]  # V00007 is fresh but in the disabled library
    assert inst.in_pool("supply") == ["V00007"]


def test_disabled_full_and_castor_tapes_do_not_count(inst: Inst) -> None:
    inst.admin("tape", "ch", "--vid", "V00001", "--state", "DISABLED", "--reason", "drive error")
    inst.admin("tape", "ch", "--vid", "V00002", "--full", "true")
    cfg = inst.derived("legacy.yaml", cta_admin=legacy_admin(inst, from_castor={"V00003"}))
    r = inst.tool("--json", "--pool", "ctaops_user", config=cfg)
    assert r.returncode == 0, r.stderr
    doc = report(r)
    assert row(doc, "ctaops_user")["eligible_before"] == 1  # only V00004
    assert [m["vid"] for m in doc["moves"]] == ["V00007"]
    assert row(doc, "ctaops_user")["eligible_after"] == 2


def test_tape_with_data_counts_and_is_never_taken_from_supply(inst: Inst, sim_exe: str) -> None:
    r = subprocess.run(
        [sim_exe, "sim", "archive", "--storageclass", "ctaops_sc", "--count", "2", "--size", "1M", str(inst.dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sim_exe, "sim", "run", str(inst.dir)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    written = [v for v, t in inst.tapes().items() if int(t["lastFseq"]) > 0]
    assert len(written) == 1
    inst.admin("tape", "ch", "--vid", written[0], "--tapepool", "supply")
    inst.target("ctaops_user", 4)
    doc = report(inst.tool("--json", "--pool", "ctaops_user"))
    assert row(doc, "ctaops_user")["eligible_before"] == 3
    assert [m["vid"] for m in doc["moves"]] == ["V00007"]
    assert written[0] in inst.in_pool("supply")


def test_legacy_supply_string_and_misconfigurations(inst: Inst) -> None:
    # a cycle (newer CTA accepts it), and through older CTA's string: a pool supplying itself and
    # a supply pool that does not exist, with the site's separator
    inst.admin("tapepool", "ch", "--name", "supply", "--supply", "ctaops_repack")
    wrapper = legacy_admin(inst, supply={"ctaops_user": "supply; ctaops_user ;nosuch"})
    cfg = inst.derived("legacy.yaml", cta_admin=wrapper, tool_section="    separator: ';'\n")
    inst.target("ctaops_user", 5)
    r = inst.tool("--json", config=cfg)
    assert r.returncode == 1
    doc = report(r)
    assert doc["problems"] == [
        "pool ctaops_user lists itself as a supply pool: ignored",
        "pool ctaops_user: supply pool nosuch does not exist: ignored",
        "supply cycle ctaops_repack → supply → ctaops_repack: the supply relationships among ctaops_repack, "
        "supply are ignored",
    ]
    for problem in doc["problems"]:
        assert r.stderr.count(problem) == 1, r.stderr
    # the usable relationship still works; the cycle's pools keep their tapes
    assert [(m["vid"], m["from"], m["to"]) for m in doc["moves"]] == [("V00007", "supply", "ctaops_user")]
    assert inst.in_pool("ctaops_repack") == ["V00005", "V00006"]
    assert inst.in_pool("supply") == ["V00008"]
    assert row(doc, "supply") == {
        "pool": "supply",
        "eligible_before": 1,
        "target": 2,
        "moved": 0,
        "eligible_after": 1,
        "status": "misconfigured",
        "reason": "no usable supply pool; misconfigured supply relationships ignored",
    }
    assert row(doc, "ctaops_user")["status"] == "refilled"


def test_dry_run_prints_the_plan_and_changes_nothing(inst: Inst) -> None:
    inst.target("ctaops_user", 6)
    before = inst.tapes()
    metrics = inst.dir / "metrics" / "pool-supply.prom"
    r = inst.tool("--dry-run", "--metrics-file", metrics)
    assert r.returncode == 0, r.stderr
    assert inst.tapes() == before
    assert not metrics.exists()
    plan = [line for line in r.stdout.splitlines() if line.startswith("would: ")]
    assert [line.split(" (")[0] for line in plan] == [
        "would: move V00007 from supply to ctaops_user",
        "would: move V00008 from supply to ctaops_user",
    ]
    assert "(LTO9, ctaops_lib1, labelled " in plan[0]
    assert re.search(r"^ctaops_user\s+4\s+6\s+2\s+6\s+would refill", r.stdout, re.M), r.stdout
    assert f"{PROG}: would run: " in r.stderr
    assert "tape ch --vid V00007 --tapepool ctaops_user" in r.stderr
    assert f"{PROG}: would write {metrics}" in r.stderr
    # the real run does what the dry run said
    r = inst.tool("--json")
    assert [m["vid"] for m in report(r)["moves"]] == ["V00007", "V00008"]
    assert inst.in_pool("supply") == []


def test_dry_run_json_marks_the_moves(inst: Inst) -> None:
    inst.target("ctaops_repack", 3)
    doc = report(inst.tool("--dry-run", "--json"))
    assert doc["dry_run"] is True
    assert doc["moves"] == [
        {
            "vid": "V00007",
            "from": "supply",
            "to": "ctaops_repack",
            "why": doc["moves"][0]["why"],
            "result": "would",
            "would": True,
        }
    ]
    assert inst.in_pool("ctaops_repack") == ["V00005", "V00006"]


def test_metrics_file(inst: Inst) -> None:
    inst.target("ctaops_user", 9)
    metrics = inst.dir / "metrics" / "pool-supply.prom"  # the metrics_file `sim init` configures
    r = inst.tool()
    assert r.returncode == 1
    values = dict(line.rsplit(" ", 1) for line in metrics.read_text().splitlines() if not line.startswith("#"))
    assert values['ctaops_pool_supply_eligible_partial_tapes{pool="ctaops_user"}'] == "6"
    assert values['ctaops_pool_supply_target_partial_tapes{pool="ctaops_user"}'] == "9"
    assert values['ctaops_pool_supply_eligible_partial_tapes{pool="ctaops_repack"}'] == "2"
    assert values['ctaops_pool_supply_fresh_tapes{pool="supply"}'] == "0"
    assert values["ctaops_pool_supply_pools_below_target"] == "1"
    assert values["ctaops_pool_supply_tapes_moved"] == "2"
    assert values["ctaops_pool_supply_misconfigurations"] == "0"
    assert float(values["ctaops_pool_supply_last_run_timestamp_seconds"]) > 1.7e9
    assert values["ctaops_pool_supply_last_run_success"] == "0"  # exit 1: ctaops_user left short
    text = metrics.read_text()
    for name in {k.split("{")[0] for k in values}:
        assert f"# TYPE {name} gauge" in text
    elsewhere = inst.dir / "metrics" / "override.prom"
    assert inst.tool("--metrics-file", elsewhere).returncode == 1
    assert "ctaops_pool_supply_pools_below_target 1" in elsewhere.read_text()  # the option wins over the key


def test_metrics_pass_promtool(inst: Inst) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed")
    metrics = inst.dir / "metrics" / "pool-supply.prom"
    assert inst.tool("--metrics-file", metrics).returncode == 0
    text = metrics.read_text()
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_second_run_on_the_host_waits_for_nothing_and_does_nothing(inst: Inst) -> None:
    inst.target("ctaops_user", 6)
    lock = inst.dir / "log" / "cta-ops-pool-supply.lock"
    metrics = inst.dir / "metrics" / "pool-supply.prom"
    assert not metrics.exists()
    with poolsupply.run_lock(str(lock)) as ours:
        assert ours
        r = inst.tool()
    assert r.returncode == 0, r.stderr
    assert f"{PROG}: another run holds the lock {lock} (pid {os.getpid()}): nothing done" in r.stderr
    assert r.stdout == ""
    assert inst.in_pool("supply") == ["V00007", "V00008"]
    assert not metrics.exists()  # the run holding the lock owns the pools' metrics
    # once released the next run proceeds
    assert inst.tool().returncode == 0
    assert inst.in_pool("supply") == []


def test_move_raced_by_another_run_is_reported_not_doubled(
    inst: Inst, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inst.target("ctaops_user", 5)
    real = poolsupply.Mover._reread_tape

    def other_run_first(self: poolsupply.Mover, tape: poolsupply.Tape, dest: str) -> None:
        if tape.vid == "V00007":  # another host moves it between our planning and our move
            inst.admin("tape", "ch", "--vid", "V00007", "--tapepool", "ctaops_user")
        real(self, tape, dest)

    monkeypatch.setattr(poolsupply.Mover, "_reread_tape", other_run_first)
    with pytest.raises(SystemExit) as exit_:
        poolsupply.main(["-C", str(inst.config), "--json", "--pool", "ctaops_user"])
    assert exit_.value.code == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert [(m["vid"], m["result"], m.get("detail")) for m in doc["moves"]] == [
        ("V00007", "raced", "already moved by another run")
    ]
    assert row(doc, "ctaops_user")["eligible_after"] == 5
    assert inst.in_pool("supply") == ["V00008"]  # the pool was at target again: V00008 stays
    assert "V00007: not moved to ctaops_user: already moved by another run" in out.err


def test_in_process_run_and_exit_status(inst: Inst, capsys: pytest.CaptureFixture[str]) -> None:
    inst.target("ctaops_repack", 4)
    assert poolsupply.run(["-C", str(inst.config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in lines[:2]] == [
        "moved V00007 from supply to ctaops_repack",
        "moved V00008 from supply to ctaops_repack",
    ]
    assert lines[2].startswith("pool ")
    assert inst.in_pool("ctaops_repack") == ["V00005", "V00006", "V00007", "V00008"]


def test_unknown_option_is_a_usage_error(inst: Inst) -> None:
    r = inst.tool("--frobnicate")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"{PROG}: error: unrecognized arguments: --frobnicate"]
    assert r.stdout == ""


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    r = subprocess.run([SCRIPT, "-C", str(tmp_path / "nope.yaml")], capture_output=True, text=True, check=False)
    assert r.returncode == 1
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith(f"{PROG}: error: ")
    assert "nope.yaml" in r.stderr
    assert "Traceback" not in r.stderr


def test_log_json_and_the_tools_own_log_dir(inst: Inst, tmp_path: Path) -> None:
    own = inst.dir / "log" / "supply"
    cfg = inst.derived("own-log.yaml", tool_section=f'    logging: {{log_dir: "{own}/"}}\n')
    inst.target("ctaops_user", 5)
    r = inst.tool("--log-json", config=cfg)
    assert r.returncode == 0, r.stderr
    entries = [json.loads(line) for line in (own / f"{PROG}.log").read_text().splitlines()]
    moved = [e for e in entries if e["message"].startswith("moved V00007 from supply to ctaops_user")]
    assert len(moved) == 1
    assert moved[0]["level"] == "INFO"
    assert (own / "cta-ops-pool-supply.lock").exists()  # the lock lives beside the log
    assert not (inst.dir / "log" / f"{PROG}.log").exists()


def test_debug_in_the_config_logs_every_step_on_stderr(inst: Inst) -> None:
    quiet = inst.tool()
    assert "[INFO]" not in quiet.stderr
    cfg = inst.derived("debug.yaml", tool_section="    debug: true\n")
    r = inst.tool(config=cfg)
    assert r.returncode == 0, r.stderr
    assert f"[INFO] [run] started: {PROG} -C {cfg}" in r.stderr


def test_cta_admin_failing_is_one_line(inst: Inst) -> None:
    cfg = inst.derived("broken.yaml", cta_admin=inst.dir / "bin" / "no-such-cta-admin")
    r = inst.tool(config=cfg)
    assert r.returncode == 1
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith(f"{PROG}: error: ")
    assert "no-such-cta-admin" in r.stderr
    assert r.stdout == ""


def test_unknown_pool_is_one_line(inst: Inst) -> None:
    r = inst.tool("--pool", "nosuch", "ctaops_user")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == f"{PROG}: error: no such tape pool: nosuch"
    assert "Traceback" not in r.stderr


# -- decisions on records, and a fake CTA --------------------------------------------------------


def tape(vid: str, pool: str, **kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "vid": vid,
        "tapepool": pool,
        "state": "ACTIVE",
        "full": False,
        "fromCastor": False,
        "logicalLibrary": "lib1",
        "mediaType": "LTO9",
        "occupancy": "0",
        "lastFseq": "0",
        "labelLog": {"drive": "d", "time": "1000"},
    }
    rec.update(kw)
    return rec


def test_supply_sources_reads_both_cta_forms() -> None:
    assert poolsupply.supply_sources({"supplySource": ["a", "b"], "supply": "a,b"}) == ("a", "b")
    assert poolsupply.supply_sources({"supply": "b, a,,b"}) == ("b", "a")
    assert poolsupply.supply_sources({"supply": "b;a"}, ";") == ("b", "a")
    # ctaops' reader split a legacy ';' string at commas only: split again at the site's separator
    assert poolsupply.supply_sources({"supplySource": ["b;a"], "supply": "b;a"}, ";") == ("b", "a")
    assert poolsupply.supply_sources({"supplySource": [], "supply": ""}) == ()
    assert poolsupply.supply_sources({}) == ()


def pools(**sources: str) -> dict[str, poolsupply.Pool]:
    return {n: poolsupply.Pool(n, 1, tuple(s.split(",")) if s else ()) for n, s in sources.items()}


def test_graph_finds_long_cycles_and_orders_consumers_first() -> None:
    g = poolsupply.build_graph(pools(a="b", b="c", c="a", user="a,top", top="base", base=""))
    assert [p.message for p in g.problems] == [
        "supply cycle a → c → b → a: the supply relationships among a, b, c are ignored"
    ]
    assert g.sources == {"user": ("a", "top"), "top": ("base",)}
    assert g.order.index("user") < g.order.index("top")
    assert set(g.order) == {"a", "b", "c", "user", "top"}
    assert g.troubled == {"a", "b", "c"}


def test_rank_prefers_media_library_spread_then_label_time() -> None:
    dest = [
        tape("D1", "u", logicalLibrary="lib1"),
        tape("D2", "u", logicalLibrary="lib1"),
        tape("D3", "u", logicalLibrary="lib2"),
    ]
    cands = [
        tape("S1", "s", mediaType="3592JC", labelLog={"time": "1"}),
        tape("S2", "s", logicalLibrary="lib9", labelLog={"time": "1"}),
        tape("S3", "s", logicalLibrary="lib1", labelLog={"time": "2"}),
        tape("S4", "s", logicalLibrary="lib2", labelLog={"time": "5"}),
        tape("S5", "s", logicalLibrary="lib2", labelLog={"time": "3"}),
        tape("S6", "s", logicalLibrary="lib2", labelLog=None),
        tape("S0", "s", logicalLibrary="lib2", labelLog={"time": "3"}),
        tape("S7", "s", logicalLibrary="lib2", full=True),
        tape("S8", "s", logicalLibrary="lib2", lastFseq="3", occupancy="1000"),
    ]
    fleet = poolsupply.Fleet(map(poolsupply.Tape.from_record, dest + cands), poolsupply.Eligibility(frozenset()))
    order = []
    while (picked := poolsupply.choose(fleet, "u", ["s"])) is not None:
        order.append(picked[0].vid)
        # taken elsewhere, so that the destination's counts stay as they are
        fleet.moved.add(picked[0].vid)
        fleet.update([replace(picked[0], pool="elsewhere")])
    assert order == ["S0", "S5", "S4", "S6", "S3", "S2", "S1"]


def test_spread_goes_to_the_library_with_fewest_eligible_tapes() -> None:
    recs = [tape("D1", "u", logicalLibrary="lib1"), tape("D2", "u", logicalLibrary="lib2")]
    recs += [tape(f"A{i}", "s", logicalLibrary="lib1", labelLog={"time": str(1 + i)}) for i in range(3)]
    recs += [tape(f"B{i}", "s", logicalLibrary="lib2", labelLog={"time": str(10 + i)}) for i in range(3)]
    fleet = poolsupply.Fleet(map(poolsupply.Tape.from_record, recs), poolsupply.Eligibility(frozenset()))
    order = []
    for _ in range(4):
        picked = poolsupply.choose(fleet, "u", ["s"])
        assert picked is not None
        order.append(picked[0].vid)
        fleet.moved.add(picked[0].vid)
        fleet.update([replace(picked[0], pool="u")])
    assert order == ["A0", "B0", "A1", "B1"]  # the libraries take turns, the oldest label first in each
    assert fleet.eligible_count("u") == 6
    assert fleet.fresh_count("s") == 2


class FakeCta:
    """Tape pools and tapes in memory, answering as CtaAdmin does; ``tape_ch`` calls are recorded."""

    def __init__(self, pool_recs: list[dict[str, Any]], tape_recs: list[dict[str, Any]]) -> None:
        self.pools = pool_recs
        self.tape_recs = {t["vid"]: t for t in tape_recs}
        self.changes: list[tuple[str, str]] = []
        self.before_ch: dict[str, str] = {}
        """VID → pool another run moves it to the moment we look it up."""
        self.before_pool_ls: dict[str, dict[str, str]] = {}
        """Pool → {VID: pool} another run does the moment we list that pool."""

    def tapes(self, **filters: Any) -> list[dict[str, Any]]:
        if "vid" in filters and filters["vid"] in self.before_ch:
            self.tape_recs[filters["vid"]]["tapepool"] = self.before_ch.pop(filters["vid"])
        for vid, pool in self.before_pool_ls.pop(filters.get("tapepool", ""), {}).items():
            self.tape_recs[vid]["tapepool"] = pool
        return [
            dict(t)
            for t in self.tape_recs.values()
            if all(t.get({"vid": "vid", "tapepool": "tapepool"}[k]) == v for k, v in filters.items())
        ]

    def tape_pools(self) -> list[dict[str, Any]]:
        return self.pools

    def logical_libraries(self) -> list[dict[str, Any]]:
        return [{"name": "lib1", "isDisabled": False}]

    def tape_ch(self, vid: str, *, dry_run: bool = False, **changes: Any) -> str:
        assert not dry_run
        self.changes.append((vid, changes["tapepool"]))
        self.tape_recs[vid]["tapepool"] = changes["tapepool"]
        return ""


def test_a_chain_refills_consumers_first_and_moves_each_tape_once() -> None:
    cta = FakeCta(
        [
            {"name": "user", "numPartialTapes": 1, "supplySource": ["mid"]},
            {"name": "mid", "numPartialTapes": 1, "supplySource": ["base"]},
            {"name": "base", "numPartialTapes": 0, "supplySource": []},
        ],
        [tape("M1", "mid"), tape("B1", "base"), tape("B2", "base")],
    )
    out = poolsupply.supply(cta, separator=",", dry_run=False, only=None, log=logging.getLogger("t"))
    assert cta.changes == [("M1", "user"), ("B1", "mid")]
    rows = [(p.pool, p.eligible_after, p.status) for p in out.pools]
    assert rows == [("user", 1, "refilled"), ("mid", 1, "refilled")]
    assert not out.failed


def test_raced_tape_taken_elsewhere_is_skipped_and_the_next_one_moved() -> None:
    cta = FakeCta(
        [
            {"name": "user", "numPartialTapes": 1, "supplySource": ["sup"]},
            {"name": "sup", "numPartialTapes": 0, "supplySource": []},
            {"name": "other", "numPartialTapes": 0, "supplySource": []},
        ],
        [tape("S1", "sup"), tape("S2", "sup")],
    )
    cta.before_ch["S1"] = "other"  # another run gave S1 to another pool after we listed the tapes
    out = poolsupply.supply(cta, separator=",", dry_run=False, only=None, log=logging.getLogger("t"))
    assert cta.changes == [("S2", "user")]
    assert [(m.vid, m.result, m.detail) for m in out.moves] == [
        ("S1", "raced", "now in pool other"),
        ("S2", "moved", ""),
    ]
    assert out.pools[0].status == "refilled"


def test_pool_refilled_by_another_run_meanwhile_gets_nothing_more() -> None:
    cta = FakeCta(
        [
            {"name": "user", "numPartialTapes": 2, "supplySource": ["sup"]},
            {"name": "sup", "numPartialTapes": 0, "supplySource": []},
        ],
        [tape("U1", "user"), tape("S1", "sup"), tape("S2", "sup"), tape("S3", "sup")],
    )
    cta.before_pool_ls["user"] = {"S3": "user"}  # another host's move, between our listing and our move
    out = poolsupply.supply(cta, separator=",", dry_run=False, only=None, log=logging.getLogger("t"))
    assert cta.changes == []
    assert out.moves == []
    report = out.pools[0]
    assert (report.eligible_before, report.eligible_after, report.moved) == (1, 2, 0)
    assert (report.status, report.reason) == ("ok", "target reached by another run")
    assert out.fresh == {"sup": 2}
    assert not out.failed


def test_a_move_cta_refuses_fails_the_pool_and_the_run() -> None:
    cta = FakeCta(
        [
            {"name": "user", "numPartialTapes": 1, "supplySource": ["sup"]},
            {"name": "sup", "numPartialTapes": 0, "supplySource": []},
        ],
        [tape("S1", "sup")],
    )

    def refuse(vid: str, *, dry_run: bool = False, **changes: Any) -> str:
        raise CtaAdminUserError("Cannot modify tape S1: it is busy")

    cta.tape_ch = refuse  # type: ignore[method-assign]
    out = poolsupply.supply(cta, separator=",", dry_run=False, only=None, log=logging.getLogger("t"))
    assert [(m.vid, m.result) for m in out.moves] == [("S1", "failed")]
    assert out.pools[0].status == "failed"
    assert "it is busy" in out.pools[0].reason
    assert out.failed
