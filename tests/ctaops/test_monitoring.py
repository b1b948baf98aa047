"""``monitoring/`` against what ctaops really exports (issue 20).

One simulator instance runs every scheduled tool once (``global.metrics.textfile_dir`` is
``DIR/metrics/``); their textfiles must pass ``promtool check metrics``. The alert rules pass
``promtool check rules`` and their unit tests, the scrape example ``promtool check config``, the
rsyslog examples ``rsyslogd -N1``. No dashboard query or alert expression may name a metric,
measurement, field or tag that ctaops does not write: the names are collected from the
textfiles, from ``ctaops sim serve``'s ``/metrics`` and from ``cta-ops-data-monitoring
--dry-run``'s line protocol.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ctaops.utils.config import load_yaml
from tests.ctaops.sim.conftest import sim_serving
from tests.ctaops.siminstance import SimInstance

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "monitoring"
DASHBOARDS = sorted((MONITORING / "grafana").glob("*.json"))
ALERTS = MONITORING / "prometheus" / "ctaops-alerts.yml"
STEPS = ("0-scan", "1-prepare", "2-start", "3-end", "4-quarantine", "5-reclaim", "6-finish", "monitor")
# The retention policies data monitoring writes to (its contract: daily and monthly points);
# line protocol does not carry them.
RETENTION_POLICIES = ("long_term_1d", "long_term_1mo")
_NAME = re.compile(r"\bctaops_[a-z0-9_]*[a-z0-9]")


@dataclass
class Exported:
    inst: SimInstance
    textfiles: dict[str, str] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)


def _metric_names(text: str) -> set[str]:
    """Metric family names of a text exposition: TYPE lines and sample lines."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


@pytest.fixture(scope="module")
def exported(ctaops_native: str, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """A simulator instance with archived files on which every tool ran once."""
    inst = SimInstance.create(ctaops_native, tmp_path_factory.mktemp("monitoring") / "inst")
    for seed in (1, 2):
        inst.sim(
            "archive",
            str(inst.dir),
            "--storageclass",
            "ctaops_sc",
            "--count",
            "3",
            "--size",
            "200K",
            "--seed",
            str(seed),
        )
        inst.sim("run", str(inst.dir), "--until-idle")
    r = subprocess.run(
        [ctaops_native, "repack-manager", "-C", str(inst.config), "db", "upgrade"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = Exported(inst)
    runs = [(f"cta-ops-repack-{s}",) for s in STEPS] + [
        ("cta-ops-pool-supply",),
        ("cta-ops-drive-environmentals",),
        ("cta-ops-tape-alerting",),
        ("cta-ops-verification-feeder", "--maxverify", "2"),
    ]
    for name, *args in runs:
        out.runs[name] = inst.script(name, *args).returncode
    out.textfiles = {p.name: p.read_text() for p in sorted((inst.dir / "metrics").glob("*.prom"))}
    return out


def test_every_tool_writes_its_textfile(exported: Exported) -> None:
    assert set(exported.runs.values()) == {0}, exported.runs
    steps = {f"ctaops_repack_{s.split('-', 1)[1]}.prom" for s in STEPS if s != "monitor"}
    assert set(exported.textfiles) == {
        *steps,
        "atresys.prom",  # the monitor's prometheus_out (sim init sets it), which wins over the directory
        "pool-supply.prom",  # pool supply's metrics_file, likewise
        "ctaops_drive_environmentals.prom",
        "ctaops_tape_alerting.prom",
        "ctaops_verification_feeder.prom",
        "ctaops_verify_tape.prom",  # the feeder's submissions ran cta-ops-verify-tape
    }
    for name, text in exported.textfiles.items():
        assert re.search(r"^ctaops_[a-z_]+_last_run_success(\{step=\"\w+\"\})? 1$", text, re.M), (name, text)
        assert all(n.startswith("ctaops_") for n in _metric_names(text)), name
    feeder = exported.textfiles["ctaops_verification_feeder.prom"]
    # The archived files all went to one tape: it is the one submitted, never verified before.
    assert "ctaops_verification_feeder_submitted_tapes 1" in feeder
    assert "ctaops_verification_feeder_in_flight_tapes 1" in feeder
    assert 'ctaops_verification_feeder_tapes{since="never"} 1' in feeder
    verify = exported.textfiles["ctaops_verify_tape.prom"]
    assert re.search(r'^ctaops_verify_tape_files\{vid="\w+",outcome="submitted"\} [1-9]', verify, re.M), verify


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed (Debian: prometheus)")
    return found


def test_textfiles_pass_promtool(exported: Exported) -> None:
    promtool = _promtool()
    for name, text in exported.textfiles.items():
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False)
        assert r.returncode == 0, (name, r.stdout + r.stderr)


def test_alert_rules_check_and_unit_tests() -> None:
    promtool = _promtool()
    r = subprocess.run([promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    tests = sorted((MONITORING / "prometheus" / "tests").glob("*.yml"))
    assert tests
    r = subprocess.run(
        [promtool, "test", "rules", *map(str, tests)], capture_output=True, text=True, check=False, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout


def test_scrape_example_is_a_valid_config() -> None:
    promtool = _promtool()
    r = subprocess.run(
        [promtool, "check", "config", str(MONITORING / "prometheus" / "scrape-example.yml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("conf", sorted(p.name for p in (MONITORING / "rsyslog").glob("*.conf")))
def test_rsyslog_examples_validate(conf: str, tmp_path: Path) -> None:
    rsyslogd = shutil.which("rsyslogd") or next((p for p in ("/usr/sbin/rsyslogd",) if Path(p).exists()), None)
    if rsyslogd is None:
        pytest.skip("rsyslogd is not installed (Debian: rsyslog)")
    text = (MONITORING / "rsyslog" / conf).read_text()
    for module in re.findall(r'module\(load="(\w+)"', text):
        if not any(
            Path(d).glob(f"rsyslog/{module}.so") for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib")
        ):
            pytest.skip(f"rsyslog module {module} is not installed")
    # As in /etc/rsyslog.d/: the main config sets the work directory, then includes the example.
    main = tmp_path / "rsyslog.conf"
    main.write_text(f'global(workDirectory="{tmp_path}")\ninclude(file="{MONITORING / "rsyslog" / conf}")\n')
    r = subprocess.run([rsyslogd, "-N1", "-f", str(main)], capture_output=True, text=True, check=False, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


# -- dashboards -------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def _panels(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for p in doc["panels"]:
        yield p
        yield from p.get("panels", [])


def _queries(doc: dict[str, Any]) -> list[str]:
    """Every query of a dashboard: panel targets and template variables."""
    out = [t.get("expr") or t.get("query") or "" for p in _panels(doc) for t in p.get("targets", [])]
    for v in doc.get("templating", {}).get("list", []):
        q = v.get("query")
        out.append(q.get("query", "") if isinstance(q, dict) else str(q or ""))
    return out


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_dashboard_is_importable(path: Path) -> None:
    doc = _load(path)
    inputs = {i["name"] for i in doc["__inputs"]}
    assert inputs
    assert all(i["type"] == "datasource" for i in doc["__inputs"])
    assert {r["type"] for r in doc["__requires"]} >= {"grafana", "datasource", "panel"}
    assert doc["uid"].startswith("ctaops-")
    assert doc["title"]
    assert doc["schemaVersion"] >= 36
    assert doc["id"] is None  # importable anywhere: Grafana assigns the id
    uids = {_load(p)["uid"] for p in DASHBOARDS}
    assert len(uids) == len(DASHBOARDS)
    ids = [p["id"] for p in _panels(doc)]
    assert len(ids) == len(set(ids))
    for p in _panels(doc):
        if p["type"] == "row":
            continue
        assert p["title"], p
        assert p["targets"], p["title"]
        assert p["datasource"]["uid"] in {f"${{{i}}}" for i in inputs}, p["title"]
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]


def _prometheus_names(exported: Exported, needed: set[str]) -> set[str]:
    names = {n for text in exported.textfiles.values() for n in _metric_names(text)}
    if any(n.startswith("ctaops_sim_") for n in needed):
        names |= _sim_metric_names(exported.inst)
    return names


def _sim_metric_names(inst: SimInstance) -> set[str]:
    """Scrape ``ctaops sim serve``'s ``/metrics`` (URL in ``DIR/serve.json``, key ``metrics``)."""
    with sim_serving(inst.exe, inst.dir, inst.dir / "serve-monitoring.log"):
        serve = json.loads((inst.dir / "serve.json").read_text())
        url = serve["metrics"]
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the simulator's self-signed certificate
        with urllib.request.urlopen(url, context=ctx, timeout=30) as resp:  # noqa: S310 - our own https URL
            text = resp.read().decode()
    return _metric_names(text)


@dataclass
class InfluxSchema:
    measurements: set[str]
    keys: set[str]
    """Tag and field keys."""


def _split_unescaped(text: str, sep: str) -> list[str]:
    return re.split(rf"(?<!\\){re.escape(sep)}", text)


def _influx_schema(exported: Exported) -> InfluxSchema:
    """Measurements, tags and fields of ``cta-ops-data-monitoring --dry-run`` on the simulator's taped log."""
    inst = exported.inst
    r = inst.script("cta-ops-data-monitoring", "--taped-logs", inst.dir / "log" / "cta" / "cta-taped.log", "--dry-run")
    assert r.returncode == 0, r.stderr
    return _parse_line_protocol(r.stdout)


def _parse_line_protocol(text: str) -> InfluxSchema:
    schema = InfluxSchema(set(), set())
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        series, fields = _split_unescaped(line, " ")[:2]
        measurement, *tags = _split_unescaped(series, ",")
        schema.measurements.add(measurement)
        schema.keys |= {t.split("=", 1)[0] for t in tags}
        schema.keys |= {f.split("=", 1)[0] for f in _split_unescaped(fields, ",")}
    assert schema.measurements, text
    return schema


def _check_influxql(query: str, schema: InfluxSchema) -> None:
    froms = re.findall(r'FROM\s+(?:"(\w+)"\.)?"(\w+)"', query)
    assert froms, f"query names no measurement: {query}"
    for rp, measurement in froms:
        assert measurement in schema.measurements, (measurement, query)
        assert not rp or rp in RETENTION_POLICIES, (rp, query)
    aliases = set(re.findall(r'AS\s+"(\w+)"', query))
    quoted = set(re.findall(r'"(\w+)"', query)) - aliases - {m for _, m in froms} - set(RETENTION_POLICIES)
    assert quoted <= schema.keys, (quoted - schema.keys, query)


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_dashboard_queries_name_only_what_ctaops_writes(path: Path, exported: Exported) -> None:
    doc = _load(path)
    queries = [q for q in _queries(doc) if q]
    assert queries
    if any(i["pluginId"] == "influxdb" for i in doc["__inputs"]):
        schema = _influx_schema(exported)
        for q in queries:
            _check_influxql(q, schema)
        return
    needed = {n for q in queries for n in _NAME.findall(q)}
    known = _prometheus_names(exported, needed)
    for q in queries:
        found = set(_NAME.findall(q))
        assert found, f"query names no ctaops metric: {q}"
        assert found <= known, (sorted(found - known), q)


def test_influxql_check_catches_drift() -> None:
    """The checker itself, on a point shaped as data monitoring's contract says."""
    schema = _parse_line_protocol(
        "downsampled_ctataped_tapeSessionFinished,mountType=ARCHIVE_FOR_USER,vo=atlas,tapePool=ctaops_user,"
        "drive=DRV1,library=lib1 dataVolume=1000i,filesCount=3i,sessions=1i,failedSessions=0i 1796601600000000000\n"
    )
    doc = _load(MONITORING / "grafana" / "ctaops-data-volume.json")
    for q in _queries(doc):
        _check_influxql(q, schema)
    for bad in (  # a field, a tag, a measurement, a retention policy that do not exist; nothing named
        'SELECT sum("bytes") FROM "long_term_1d"."downsampled_ctataped_tapeSessionFinished"',  # no such field
        'SELECT sum("dataVolume") FROM "long_term_1d"."downsampled_ctataped_tapeSessionFinished" GROUP BY "pool"',
        'SELECT sum("dataVolume") FROM "long_term_1d"."tapeSessions" WHERE $timeFilter',  # no such measurement
        'SELECT sum("dataVolume") FROM "autogen"."downsampled_ctataped_tapeSessionFinished"',  # no such policy
        "SELECT 1",  # names nothing
    ):
        with pytest.raises(AssertionError):
            _check_influxql(bad, schema)


def _rules() -> list[dict[str, Any]]:
    doc = load_yaml(ALERTS)
    return [r for g in doc["groups"] for r in g["rules"]]


def test_alerts_name_only_what_ctaops_writes(exported: Exported) -> None:
    known = _prometheus_names(exported, set())
    rules = _rules()
    assert len(rules) >= 10
    for rule in rules:
        found = set(_NAME.findall(rule["expr"]))
        assert found, f"{rule['alert']} names no ctaops metric"
        assert found <= known, (rule["alert"], sorted(found - known))
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]


def test_every_exported_metric_is_documented(exported: Exported) -> None:
    doc = (REPO / "docs" / "monitoring.md").read_text()
    names = {n for text in exported.textfiles.values() for n in _metric_names(text)}
    standard = re.compile(r"ctaops_(\w+?)_(last_run_(?:timestamp_seconds|success|duration_seconds))")

    def documented(name: str) -> bool:
        m = standard.fullmatch(name)
        if m:  # documented once as ctaops_<tool>_last_run_…, with the tool id in the table
            return f"`ctaops_<tool>_{m.group(2)}`" in doc and f"`{m.group(1)}`" in doc
        return f"`{name}`" in doc

    missing = sorted(n for n in names if not documented(n))
    assert not missing, missing
