"""cta-ops-admin tape ls rendering 50,000 tapes, target <= 2 s.

A simulator instance gives one real tape record; 50,000 copies with distinct VIDs make the
``cta-admin --json tape ls --all`` answer, served by a stand-in cta-admin that prints the file
(so the figure is cta-ops-admin's work, not the simulator's). Timed, best of 3:

* end to end: ``cta-ops-admin -C CONFIG tape ls --all > /dev/null`` (process start, config,
  spawning cta-admin, parsing, rendering with the configured ``table_headers``);
* in process: parsing and rendering only (``ctaops.admin.parse`` + ``AdminRecords.to_table``)
  against the obvious alternative, what upstream cta-ops-admin does: ``json.loads`` and
  ``tabulate`` with the same headers and column width.

    .venv/bin/python benchmarks/bench_opsadmin.py [N]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_of, verdict
from ctaops import admin
from ctaops.opsadmin.commands import default_table
from ctaops.opsadmin.context import table_columns

REPO = Path(__file__).resolve().parent.parent
TOOL = str(Path(sys.executable).with_name("cta-ops-admin"))
TARGET_SECONDS = 2.0


def ctaops() -> str:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "ctaops")


def tapes(inst: Path, n: int) -> str:
    """``n`` tape records shaped as CTA prints them, from the simulator's first tape."""
    subprocess.run([ctaops(), "sim", "init", str(inst)], check=True, capture_output=True)
    one = json.loads(
        subprocess.run(
            [inst / "bin" / "cta-admin", "--json", "tape", "ls", "--vid", "V00001"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )[0]
    records = []
    for i in range(n):
        record = dict(one)
        record["vid"] = f"B{i:05d}"
        record["occupancy"] = str(i * 1_000_000_007)
        records.append(record)
    return json.dumps(records)


def stand_in(inst: Path, listing: Path) -> Path:
    """A config whose cta-admin prints ``listing`` for any command (``--json`` framing as CTA's)."""
    script = inst / "bin" / "cta-admin-listing"
    script.write_text(f"#!/bin/sh\nexec cat '{listing}'\n")
    script.chmod(0o755)
    config = inst / "bench.yaml"
    text = (inst / "cta-ops-config.yaml").read_text()
    config.write_text(text.replace(f'cta-admin: "{inst}/bin/cta-admin"', f'cta-admin: "{script}"'))
    return config


def upstream_way(text: str, headers: dict[str, Any]) -> str:
    """json.loads then tabulate, the columns picked by dotted key, as a pure-Python tool would."""
    columns = table_columns(headers)
    rows = []
    for record in json.loads(text):
        row = []
        for key, _ in columns:
            value: Any = record
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            row.append("-" if value in (None, "") else value)
        rows.append(row)
    titles = [title for _, title in columns]
    return str(tabulate(rows, headers=titles, tablefmt="plain", maxcolwidths=[30] * len(titles)))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    headers = dict(default_table().command("tape").table_headers)  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        inst = Path(tmp) / "inst"
        text = tapes(inst, n)
        listing = Path(tmp) / "tapes.json"
        listing.write_text(text)
        config = stand_in(inst, listing)

        def tool() -> None:
            with open(os.devnull, "w") as sink:
                subprocess.run([TOOL, "-C", str(config), "tape", "ls", "--all"], check=True, stdout=sink)

        end_to_end = best_of(tool, runs=3)
        columns = table_columns(headers)
        ours_text = admin.parse("tape", text).to_table(columns)
        ours = best_of(lambda: admin.parse("tape", text).to_table(columns), runs=3)
        theirs = best_of(lambda: upstream_way(text, headers), runs=1)
        lines = ours_text.count("\n")
        print(f"cta-ops-admin tape ls, {n} tapes ({lines} lines, {len(ours_text) / 1e6:.1f} MB of table)")
        print(
            f"  end to end (process start included)   {end_to_end:6.2f} s   target <= {TARGET_SECONDS} s: "
            f"{verdict(end_to_end, TARGET_SECONDS, higher_is_better=False)}"
        )
        print(f"  parse + render in process              {ours:6.2f} s")
        print(f"  json.loads + tabulate (upstream's way) {theirs:6.2f} s   ratio {theirs / ours:5.1f}x")


if __name__ == "__main__":
    main()
