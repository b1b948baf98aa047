"""cta-ops-pool-supply --dry-run on the cern-like simulator preset (5,000 tapes), target <= 1 s.

The instance gets supply relationships and raised numPartialTapes so that a run plans moves for
six pools (131 tapes, from two supply pools). Timed end to end, process start included, best of
5: the tool (`cta-ops-pool-supply --dry-run --json`), and the obvious alternative in the same
run: a plain Python script reading `cta-admin --json` (tapepool, tape, logicallibrary) with
`json` and computing the same plan with the same rule. Both plans must be equal.

    .venv/bin/python benchmarks/bench_pool_supply.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_of, verdict

REPO = Path(__file__).resolve().parent.parent
TOOL = str(Path(sys.executable).with_name("cta-ops-pool-supply"))
SUPPLIED = {"atlas_raw": 320, "atlas_raw_c2": 250, "cms_reco": 310, "lhcb_user": 230, "ctaops_user": 560}
"""Pools given the supply pools ``erase,supply`` (ctaops_user keeps ``supply``) and their new target."""


def ctaops() -> str:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "ctaops")


def admin(inst: Path, *args: str) -> str:
    return subprocess.run([inst / "bin" / "cta-admin", *args], check=True, capture_output=True, text=True).stdout


def setup(inst: Path) -> float:
    start = time.perf_counter()
    subprocess.run([ctaops(), "sim", "init", str(inst), "--preset", "cern-like"], check=True, capture_output=True)
    took = time.perf_counter() - start
    for pool, target in SUPPLIED.items():
        if pool != "ctaops_user":
            admin(inst, "tapepool", "ch", "--name", pool, "--supply", "supply,erase")
        admin(inst, "tapepool", "ch", "--name", pool, "--partialtapesnumber", str(target))
    return took


# -- the alternative: plain Python over cta-admin --json ---------------------------------------


def alternative(cta_admin: str) -> list[tuple[str, str, str]]:
    """The same plan, written the obvious way: scans of the whole tape list, no index."""

    def ls(*words: str) -> list[dict[str, Any]]:
        out = subprocess.run([cta_admin, "--json", *words], check=True, capture_output=True, text=True).stdout
        return list(json.loads(out))

    pools = ls("tapepool", "ls")
    tapes = ls("tape", "ls", "--all")
    disabled = {lib["name"] for lib in ls("logicallibrary", "ls") if lib["isDisabled"]}

    def eligible(t: dict[str, Any]) -> bool:
        return t["state"] == "ACTIVE" and not t["full"] and not t["fromCastor"] and t["logicalLibrary"] not in disabled

    def fresh(t: dict[str, Any]) -> bool:
        return eligible(t) and int(t["occupancy"]) == 0 and int(t["lastFseq"]) == 0

    def label_time(t: dict[str, Any]) -> float:
        when = int((t.get("labelLog") or {}).get("time", 0))
        return float(when) if when else float("inf")

    names = {p["name"] for p in pools}
    plan: list[tuple[str, str, str]] = []
    moved: set[str] = set()
    # no pool of this scenario both supplies and consumes: name order is the refill order
    for pool in sorted(pools, key=lambda p: p["name"]):
        sources = [s for s in pool["supplySource"] if s in names and s != pool["name"]]
        if not sources:
            continue
        dest = pool["name"]
        while sum(1 for t in tapes if t["tapepool"] == dest and eligible(t)) < int(pool["numPartialTapes"]):
            mine = [t for t in tapes if t["tapepool"] == dest]
            medias = {t["mediaType"] for t in mine}
            libs = {t["logicalLibrary"] for t in mine}

            per_lib = Counter(m["logicalLibrary"] for m in mine if eligible(m))

            def rank(
                t: dict[str, Any], medias: set[str] = medias, libs: set[str] = libs, per_lib: Counter[str] = per_lib
            ) -> tuple[int, int, int, float, str]:
                return (
                    0 if not medias or t["mediaType"] in medias else 1,
                    0 if not libs or t["logicalLibrary"] in libs else 1,
                    per_lib[t["logicalLibrary"]],
                    label_time(t),
                    t["vid"],
                )

            pick = None
            for src in sources:
                cands = [t for t in tapes if t["tapepool"] == src and fresh(t) and t["vid"] not in moved]
                if cands:
                    pick = min(cands, key=rank)
                    break
            if pick is None:
                break
            plan.append((pick["vid"], pick["tapepool"], dest))
            moved.add(pick["vid"])
            pick["tapepool"] = dest
    return plan


def main() -> None:
    if sys.argv[1:2] == ["--alternative"]:
        print(json.dumps(alternative(sys.argv[2])))
        return
    with tempfile.TemporaryDirectory(prefix="ctaops-bench-supply-") as tmp:
        inst = Path(tmp) / "cern"
        init_s = setup(inst)
        cfg = str(inst / "cta-ops-config.yaml")
        print(f"sim init --preset cern-like (5,000 tapes): {init_s:.1f} s")

        def ours() -> subprocess.CompletedProcess[str]:
            return subprocess.run([TOOL, "-C", cfg, "--dry-run", "--json"], check=False, capture_output=True, text=True)

        def theirs() -> subprocess.CompletedProcess[str]:
            cmd = [sys.executable, __file__, "--alternative", str(inst / "bin" / "cta-admin")]
            return subprocess.run(cmd, check=True, capture_output=True, text=True)

        r = ours()
        assert r.returncode == 0, r.stderr
        plan = [(m["vid"], m["from"], m["to"]) for m in json.loads(r.stdout)["moves"]]
        alt_plan = [tuple(m) for m in json.loads(theirs().stdout)]
        assert plan == alt_plan, "the two plans differ"
        ours_s = best_of(ours)
        alt_s = best_of(theirs)
        print(
            f"cta-ops-pool-supply --dry-run, 5,000 tapes, {len(plan)} moves planned   ours {ours_s:6.3f} s   "
            f"python json alternative {alt_s:6.3f} s   ratio {alt_s / ours_s:5.1f}x   "
            f"target <= 1 s: {verdict(ours_s, 1.0, higher_is_better=False)}"
        )


if __name__ == "__main__":
    main()
