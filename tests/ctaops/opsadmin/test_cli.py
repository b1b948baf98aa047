"""cta-ops-admin's command table and pass-through, end to end against the simulator.

Every run goes through the console script with ``-C DIR/cta-ops-config.yaml``, as an operator
runs it; what it changed is read back with the simulator's own ``cta-admin``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ctaops.opsadmin.commands import default_table
from ctaops.utils.config import load_yaml
from ctaops.utils.tables import flatten_headers
from tests.ctaops.sim.conftest import sim_exe
from tests.ctaops.siminstance import SimInstance

__all__ = ["sim_exe"]

REPO = Path(__file__).resolve().parents[3]


class Inst(SimInstance):
    """A simulator instance and cta-ops-admin run against it."""

    def run(self, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        """cta-ops-admin with the instance's config (or ``config``)."""
        return self.script("cta-ops-admin", *args, config=config)

    def with_admin_section(self, name: str, body: str) -> Path:
        """The instance's config with ``body`` as ``tools.cta-ops-admin.cta-ops-admin``."""
        return self.derived_config(name, "\n  cta-ops-admin:\n", f"\n  cta-ops-admin:\n    cta-ops-admin:\n{body}")


@pytest.fixture
def inst(sim_exe: str, tmp_path: Path) -> Inst:
    return Inst.create(sim_exe, tmp_path / "inst")


def header_cells(line: str) -> list[str]:
    """Column titles of a plain table's header line (titles are separated by two spaces or more)."""
    return [cell.strip() for cell in line.split("  ") if cell.strip()]


def test_listing_is_a_table_with_the_configured_headers_for_people(inst: Inst) -> None:
    r = inst.run("tape", "ls", "--all")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    titles = list(flatten_headers(default_table().command("tape").table_headers).values())  # type: ignore[union-attr]
    assert header_cells(lines[0]) == titles
    tapes = json.loads(inst.admin("--json", "tape", "ls", "--all"))
    rows = [line for line in lines[1:] if line[:1] != " "]  # continuation lines of wrapped cells start blank
    assert [row.split()[0] for row in rows] == [t["vid"] for t in tapes]
    assert "18.0 TB" in rows[0]  # capacity for people, not 18000000000000
    assert "18000000000000" not in r.stdout


def test_json_passes_ctas_records_and_aliases_reach_the_same_command(inst: Inst) -> None:
    expected = json.loads(inst.admin("--json", "tape", "ls", "--all"))
    for words in (["--json", "tape", "ls", "--all"], ["ta", "ls", "--all", "--json"]):
        r = inst.run(*words)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout) == expected
    r = inst.run("--json", "ta", "ls", "--all", "--json")
    assert r.returncode == 2
    assert r.stderr.strip() == "cta-ops-admin: error: --json given twice"


def test_change_goes_through_and_dry_run_changes_nothing(inst: Inst) -> None:
    r = inst.run("tape", "ch", "--vid", "V00001", "--comment", "checked by ops", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "would run: cta-admin --json tape ch --vid V00001 --comment checked by ops"
    assert inst.tape("V00001")["comment"] == ""
    r = inst.run("ta", "ch", "--vid", "V00001", "--comment", "checked by ops")
    assert r.returncode == 0, r.stderr
    assert inst.tape("V00001")["comment"] == "checked by ops"


def test_cta_refusal_is_one_translated_line_and_exits_as_cta_admin(inst: Inst) -> None:
    r = inst.run("tape", "ch", "--vid", "V99999", "--comment", "x")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "V99999" in r.stderr
    assert "does not exist" in r.stderr
    table = inst.dir / "errors.yaml"
    table.write_text("'Cannot modify tape (\\S+) because it does not exist': 'no tape $1 in CTA: check the VID'\n")
    config = inst.dir / "translated.yaml"
    config.write_text(
        inst.config.read_text().replace("error_translation_file: ''", f"error_translation_file: '{table}'")
    )
    r = inst.run("tape", "ch", "--vid", "V99999", "--comment", "x", config=config)
    assert r.returncode == 2
    assert "no tape V99999 in CTA: check the VID" in r.stderr
    assert "Cannot modify" not in r.stderr


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["tape"], "tape: missing subcommand (one of: summary, location"),
        (["tape", "shred"], "tape: unknown subcommand 'shred'"),
        (["tape", "summary", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_are_one_line_exit_2(inst: Inst, words: list[str], message: str) -> None:
    r = inst.run(*words)
    assert r.returncode == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_no_command_lists_the_table_and_exits_2(inst: Inst) -> None:
    r = inst.run()
    assert r.returncode == 2
    assert "tape [ta]" in r.stderr
    assert "showqueues [sq]" in r.stderr


SITE_TABLE = """\
      empty_table_item_char: '~'
      commands:
        tapes:
          cta_admin: tape
          alias: t
          help: our tapes
          subcommands: {ls: {alias: l}, summary: {handler: tape-summary}}
          table_headers: {vid: Cartridge, stateReason: Why, labelLog: {time: Labelled}}
"""


def test_a_site_table_renames_aliases_retitles_and_hides(inst: Inst) -> None:
    config = inst.with_admin_section("site.yaml", SITE_TABLE)
    r = inst.run("t", "l", "--all", config=config)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert header_cells(lines[0]) == ["Cartridge", "Why", "Labelled"]
    first = lines[1].split()
    assert first[0] == "V00001"
    assert first[1] == "~"  # no state reason: the site's empty-cell character
    r = inst.run("tapepool", "ls", config=config)
    assert r.returncode == 2
    assert "unknown command 'tapepool' (commands: tapes)" in r.stderr
    r = inst.run("--help", config=config)
    assert r.returncode == 0
    assert "tapes [t]  {ls,summary}  our tapes" in r.stdout
    assert "tapepool" not in r.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("      commands: [tape, drive]\n", "expected a non-empty map of commands"),
        ("      commands:\n        tape: {alias: x}\n        drive: {alias: x}\n", "'x' names both tape and drive"),
        ("      commands:\n        tape: {subcommands: {ls: {handler: shred-it}}}\n", "no handler 'shred-it'"),
    ],
)
def test_a_broken_site_table_is_one_line_exit_1(inst: Inst, body: str, message: str) -> None:
    config = inst.with_admin_section("broken.yaml", body)
    r = inst.run("tape", "ls", "--all", config=config)
    assert r.returncode == 1
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_template_ships_the_default_table() -> None:
    template = load_yaml(REPO / "packaging" / "cta-ops-config.yaml")
    shipped = template["tools"]["cta-ops-admin"]["cta-ops-admin"]["commands"]
    default = load_yaml(REPO / "python" / "ctaops" / "opsadmin" / "commands.yaml")
    assert shipped == default
    # every cta-admin command has its entry, each with its upstream alias
    aliases = {c.name: c.alias for c in default_table().commands}
    assert aliases["showqueues"] == "sq"
    assert aliases["virtualorganization"] == "vo"
    assert len(aliases) == 23


def test_pass_through_help_is_cta_admins(inst: Inst) -> None:
    r = inst.run("tapepool", "ls", "--help")
    assert r.returncode == 0
    assert "passed to cta-admin as 'tapepool'" in r.stdout
    assert "cta-admin tapepool help" in r.stdout + r.stderr  # cta-admin's own words, wherever it writes them


def test_older_header_keys_show_ctas_current_fields(inst: Inst) -> None:
    r = inst.run("tp", "ls")
    assert r.returncode == 0, r.stderr
    header = header_cells(r.stdout.splitlines()[0])
    supply = header.index("Supply")
    row = next(line for line in r.stdout.splitlines() if line.startswith("ctaops_user"))
    assert "supply" in row.split()[supply:]  # newer CTA's supplySource, under upstream's `supply` header


LISTINGS = {
    "activitymountrule": [],
    "admin": [],
    "archiveroute": [],
    "diskinstance": [],
    "diskinstancespace": [],
    "disksystem": [],
    "failedrequest": [],
    "groupmountrule": [],
    "logicallibrary": [],
    "mediatype": [],
    "mountpolicy": [],
    "physicallibrary": [],
    "recycletf": ["--vid", "V00001"],
    "repack": [],
    "requestermountrule": [],
    "storageclass": [],
    "tapefile": ["--vid", "V00001"],
    "tapepool": [],
    "virtualorganization": [],
}


def test_every_listing_passes_through_by_alias_with_its_configured_headers(inst: Inst) -> None:
    table = default_table()
    assert set(LISTINGS) == {c.name for c in table.commands if c.subcommand("ls") and c.name not in ("tape", "drive")}
    for name, options in LISTINGS.items():
        cmd = table.command(name)
        assert cmd is not None
        r = inst.run(str(cmd.alias), "ls", *options)
        assert r.returncode == 0, (name, r.stderr)
        records = json.loads(inst.admin("--json", name, "ls", *options))
        if not records:
            assert r.stdout == "", name  # an empty listing prints nothing, as cta-admin
            continue
        assert header_cells(r.stdout.splitlines()[0]) == list(flatten_headers(cmd.table_headers).values()), name
    r = inst.run("v")
    assert r.returncode == 0, r.stderr
    assert "5.11.20.0-ctaops-sim" in r.stdout  # no headers configured: every field, nested ones dotted
    assert "clientVersion.ctaVersion" in r.stdout
