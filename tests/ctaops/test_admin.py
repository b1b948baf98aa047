"""ctaops.admin: parsing every cta-admin listing, records, tables, and the runner (fake cta-admin)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import ctaops.admin as adm
from ctaops.errors import (
    CtaAdminEmptyOutputError,
    CtaAdminError,
    CtaAdminKilledError,
    CtaAdminNotFoundError,
    CtaAdminNotJsonError,
    CtaAdminParseError,
    CtaAdminRecordTooLargeError,
    CtaAdminTimeoutError,
    CtaAdminTruncatedError,
    CtaAdminUserError,
    InvalidArgumentError,
)
from ctaops.utils.config import load_config

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "rust/ctaops-core/tests/fixtures/admin"
FAKE = ROOT / "tests/fake_cta_admin.py"

pa = pytest.importorskip("pyarrow")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sample_value(t: Any, name: str, seed: int) -> Any:
    """A CTA-shaped value for an Arrow type (uint64 as a string, as CTA prints it)."""
    if pa.types.is_uint64(t) or pa.types.is_timestamp(t):  # CTA prints times as integers too
        return str(seed * 7919 + 3)
    if pa.types.is_uint32(t):
        return seed % 3 + 1
    if pa.types.is_boolean(t):
        return seed % 2 == 0
    if pa.types.is_string(t):
        return f"{name}-{seed}"
    if pa.types.is_struct(t):
        return {f.name: sample_value(f.type, f.name, seed) for f in t}
    if pa.types.is_list(t):
        return [sample_value(t.value_type, name, seed), sample_value(t.value_type, name, seed + 1)]
    raise AssertionError(f"unexpected type {t}")


# Columns ctaops derives beside CTA's keys (not keys of a record).
DERIVED = {"verification"}


def sample(kind: str, seed: int) -> dict[str, Any]:
    schema = adm.parse_arrow(kind, b"[]\n").schema
    rec = {f.name: sample_value(f.type, f.name, seed) for f in schema if f.name not in DERIVED}
    if kind == "failedrequest":
        del rec["totalFiles"], rec["totalSize"]
    return rec


@pytest.mark.parametrize(
    "name",
    ["tape.json", "tapepool.json", "drive.json", "repack.json", "tapefile.json", "showqueues.json", "admin.json"],
)
def test_spec_examples_round_trip(name: str) -> None:
    data = fixture(name)
    recs = adm.parse(name.removesuffix(".json"), data)
    assert len(recs) == len(json.loads(data))
    assert json.loads(recs.to_json()) == json.loads(data)
    for i, r in enumerate(recs):
        assert json.loads(r.to_json()) == json.loads(data)[i]


@pytest.mark.parametrize("kind", sorted(adm.KINDS))
def test_every_kind_parses_generated_samples(kind: str) -> None:
    items = [sample(kind, i) for i in range(3)]
    as_json = json.dumps(items, separators=(",", ":")) + "\n"
    as_jsonl = "".join(json.dumps(x) + "\n" for x in items)
    recs = adm.parse(kind, as_json)
    recs_l = adm.parse(adm.KINDS[kind], as_jsonl.encode(), "jsonl")
    assert recs.kind == kind == recs_l.kind
    assert json.loads(recs.to_json()) == items
    assert recs.to_dicts() == recs_l.to_dicts()
    table = recs.to_arrow()
    assert table.num_rows == 3
    assert table.equals(adm.parse_arrow(kind, as_json))
    first = recs[0].to_dict()
    for key, col in zip(table.schema.names, table.to_pylist()[0].items()):
        assert col[0] == key
        value = int(col[1].timestamp()) if isinstance(col[1], datetime) else col[1]
        assert first.get(key) == value or isinstance(value, (dict, list)) or key in DERIVED


def test_typed_values_and_attribute_access() -> None:
    recs = adm.parse("tape", fixture("tape.json"))
    t = recs[0]
    assert t.vid == "V01007" == t["vid"]
    assert t.capacity == 18_000_000_000_000
    assert t.media_type == t.mediaType == "LTO9"
    assert t.labelLog.drive == "I4550721"
    assert t.creation_log.time == 1_709_640_001
    assert t.to_dict()["lastFseq"] == 1532
    assert t.kind == "tape"
    assert recs[-1] == recs[0]
    assert "vid" in t
    with pytest.raises(AttributeError, match="no field 'nope'"):
        _ = t.nope
    with pytest.raises(IndexError):
        recs[1]
    files = adm.parse("tf", fixture("tapefile.json"))
    f = files[0]
    assert f.af.archiveId == 4_294_967_296
    assert f.af.checksum[0].value == "0a0b0c0d"
    assert f.tf.copyNb == 1
    assert f.df.owner_id.uid == 10763


def test_records_are_a_sequence() -> None:
    recs = adm.parse("admin", fixture("admin.json"))
    assert isinstance(recs, Sequence)
    assert [r.user for r in recs[::-1]] == ["jdoe", "ctaops"]
    assert [r.user for r in recs[1:]] == ["jdoe"]
    assert recs[5:] == []


def test_unknown_fields_and_enum_values_kept() -> None:
    rec = sample("drive", 1)
    rec["driveStatus"] = "LEVITATING"
    rec["newFeature"] = {"x": [1, 2]}
    recs = adm.parse("dr", json.dumps([rec]))
    assert recs[0].driveStatus == "LEVITATING"
    assert recs[0].newFeature.x == [1, 2]
    assert json.loads(recs.to_json()) == [rec]


def test_tables_pandas_polars() -> None:
    recs = adm.parse("tapefile", fixture("tapefile.json"))
    t = recs.to_arrow()
    assert t.column("af").type.field("size").type == pa.uint64()
    assert t.to_pylist()[0]["af"]["size"] == 600000
    df = recs.to_pandas()
    assert df.shape[0] == 1
    pl = pytest.importorskip("polars")
    pdf = recs.to_polars()
    assert isinstance(pdf, pl.DataFrame)
    assert pdf.height == 1


def test_parse_errors_name_record_and_field() -> None:
    one = fixture("tape.json").decode().strip()[1:-1]
    two = f"[{one},{one}]\n"
    with pytest.raises(CtaAdminTruncatedError, match="record 2"):
        adm.parse("tape", two[:-40])
    with pytest.raises(CtaAdminTruncatedError, match="closing"):
        adm.parse("tape", two[:-2])
    with pytest.raises(CtaAdminTruncatedError, match="record 2"):
        adm.parse("tape", f"{one}\n{one[:50]}\n{one}\n", "jsonl")
    with pytest.raises(CtaAdminNotJsonError, match="Error from XRootD"):
        adm.parse("tape", "Error from XRootD SSI Framework: [FATAL] Auth failed\n", "json")
    with pytest.raises(CtaAdminParseError, match=r"record 2, field `capacity`"):
        adm.parse("tape", f"[{one},{one.replace('18000000000000', 'big')}]")
    with pytest.raises(CtaAdminParseError, match=r"record 1, field `tf.fSeq`: missing field"):
        adm.parse("tapefile", fixture("tapefile.json").replace(b'"fSeq":"1"', b'"other":"1"'))
    with pytest.raises(CtaAdminEmptyOutputError):
        adm.parse("tape", b"", "json")
    assert len(adm.parse("tape", b"", "jsonl")) == 0
    assert len(adm.parse("tape", b"[]\n")) == 0
    with pytest.raises(CtaAdminRecordTooLargeError, match="record 1"):
        adm.parse("admin", b'[{"user":"' + b"x" * (17 << 20) + b'"}]')
    with pytest.raises(InvalidArgumentError, match="unknown cta-admin record kind"):
        adm.parse("tapes", b"[]")
    with pytest.raises(CtaAdminParseError, match="record 1"):
        adm.parse_arrow("tape", two.replace('"full":false', '"full":"no"'))
    assert issubclass(CtaAdminParseError, CtaAdminError)


# -- the runner, against a fake cta-admin ---------------------------------------------------


class Fake:
    def __init__(self, tmp: Path, **scenario: Any) -> None:
        self.tmp = tmp
        self.log = tmp / "log.json"
        scenario["log"] = str(self.log)
        (tmp / "sc.json").write_text(json.dumps(scenario))

    def admin(self, timeout: float = 30.0) -> adm.CtaAdmin:
        return adm.CtaAdmin(cta_admin=FAKE, config_file=self.tmp / "sc.json", sss_keytab="/k.keytab", timeout=timeout)

    def argv(self) -> list[str]:
        return list(json.loads(self.log.read_text())["argv"][3:])


def test_runner_lists_and_passes_argv(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout=fixture("tape.json").decode())
    recs = fake.admin().tapes(tapepool="atlas_raw_2026", full=False, capacity=18_000_000_000_000)
    assert recs[0].vid == "V01007"
    assert fake.argv() == [
        "tape",
        "ls",
        "--tapepool",
        "atlas_raw_2026",
        "--full",
        "false",
        "--capacity",
        "18000000000000",
    ]
    log = json.loads(fake.log.read_text())
    assert log["argv"][:2] == ["--json", "--config"]
    assert log["env"] == {"XrdSecPROTOCOL": "sss", "XrdSecSSSKT": "/k.keytab"}
    fake.admin().tapes()
    assert fake.argv() == ["tape", "ls", "--all"]


def test_runner_exit_codes(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout="[]\n", stderr="Tape VID NOPE does not exist.\n", exit=2)
    with pytest.raises(CtaAdminUserError) as e:
        fake.admin().tapes(vid="NOPE")
    assert str(e.value) == "cta-admin tape ls --vid NOPE: Tape VID NOPE does not exist."
    assert e.value.code == "CTA_ADMIN_USER_ERROR"
    fake = Fake(tmp_path, stdout="", stderr="Caught exception: boom\n", exit=1)
    with pytest.raises(CtaAdminError, match="Caught exception: boom") as e2:
        fake.admin().drives()
    assert type(e2.value) is CtaAdminError
    with pytest.raises(CtaAdminNotFoundError, match="tape ls --all"):
        adm.CtaAdmin(cta_admin="/nonexistent/cta-admin").tapes()


def test_runner_timeout_and_signal(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout="[", mode="hang")
    t0 = time.monotonic()
    with pytest.raises(CtaAdminTimeoutError, match=r"no answer within 0\.5 s"):
        fake.admin(timeout=0.5).repacks()
    assert time.monotonic() - t0 < 10
    fake = Fake(tmp_path, stdout="[", mode="kill")
    with pytest.raises(CtaAdminKilledError, match="signal 9"):
        fake.admin().show_queues()


def test_runner_bad_output(tmp_path: Path) -> None:
    data = fixture("showqueues.json").decode()
    with pytest.raises(CtaAdminTruncatedError, match="showqueues"):
        Fake(tmp_path, stdout=data[:-30]).admin().show_queues()
    with pytest.raises(CtaAdminNotJsonError):
        Fake(tmp_path, stdout="Error from XRootD SSI Framework: x\n").admin().show_queues()
    with pytest.raises(CtaAdminEmptyOutputError):
        Fake(tmp_path, stdout="").admin().show_queues()


def test_state_changes(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout="[]\n")
    admin = fake.admin()
    assert admin.tape_ch("V1", state="REPACKING", reason="repack 2026", full=True, dirty=False) == ""
    assert fake.argv() == [
        "tape",
        "ch",
        "--vid",
        "V1",
        "--state",
        "REPACKING",
        "--reason",
        "repack 2026",
        "--full",
        "true",
        "--dirtybit",
        "false",
    ]
    admin.tape_ch("V1", verificationstatus="OK")
    assert fake.argv()[-2:] == ["--verificationstatus", "OK"]
    admin.tape_reclaim("V1")
    assert fake.argv() == ["tape", "reclaim", "--vid", "V1"]
    admin.repack_add("repack_mp", vid="V1", bufferurl="root://eos//repack", justmove=True)
    assert fake.argv() == [
        "repack",
        "add",
        "--mountpolicy",
        "repack_mp",
        "--vid",
        "V1",
        "--bufferurl",
        "root://eos//repack",
        "--justmove",
    ]
    admin.repack_rm("V1")
    assert fake.argv() == ["repack", "rm", "--vid", "V1"]
    dry = admin.tape_ch("V2", state="BROKEN", reason="x", dry_run=True)
    assert dry.endswith("tape ch --vid V2 --state BROKEN --reason x")
    assert fake.argv() == ["repack", "rm", "--vid", "V1"], "dry run ran nothing"
    with pytest.raises(InvalidArgumentError, match="unknown option 'colour'"):
        admin.tape_ch("V1", colour="red")
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        admin.tapes(capacity=-1)
    with pytest.raises(ValueError, match="non-blank reason"):
        admin.drive_down("D1", " ")
    fake = Fake(tmp_path, stdout="Drive I1: set Down (forced).\n[]\n")
    assert fake.admin().drive_down("I1", "maintenance", force=True) == "Drive I1: set Down (forced)."
    assert fake.argv() == ["drive", "down", "I1", "--reason", "maintenance", "--force"]


def test_run_any_command_and_version(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout=fixture("admin.json").decode())
    recs = fake.admin().run("admin", "ls")
    assert isinstance(recs, adm.AdminRecords)
    assert [r.user for r in recs] == ["ctaops", "jdoe"]
    version = [
        {
            "clientVersion": {"ctaVersion": "5.11.7.0-1", "xrootdSsiProtobufInterfaceVersion": "v1.x"},
            "serverVersion": {"ctaVersion": "5.11.2.0-1", "xrootdSsiProtobufInterfaceVersion": "v1.x"},
            "catalogueConnectionString": "postgresql:postgresql://cta:******@db/cta",
            "catalogueVersion": "15.0",
            "isUpgrading": False,
            "schedulerBackendName": "ceph",
            "instanceName": "ctaproduction",
        }
    ]
    fake = Fake(tmp_path, stdout=json.dumps(version))
    assert fake.admin().cta_version() == "5.11.2.0-1"
    assert fake.admin().version()[0].serverVersion.ctaVersion == "5.11.2.0-1"


def test_tape_pools_show_both_supply_shapes(tmp_path: Path) -> None:
    pools = Fake(tmp_path, stdout=fixture("tapepool.json").decode()).admin().tape_pools()
    assert pools[0].supply == "supply_lto9"
    old = json.loads(fixture("tapepool.json"))
    del old[0]["supplySource"], old[0]["supplyDestination"]
    old[0]["supply"] = "a,b"
    pools = Fake(tmp_path, stdout=json.dumps(old)).admin().tape_pools()
    assert pools[0].supplySource == ["a", "b"]
    assert pools[0].supplyDestination == []


def test_async_variants(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout=fixture("tape.json").decode(), mode="slow", delay=2.0)
    admin = fake.admin()

    async def main() -> list[Any]:
        return list(
            await asyncio.gather(admin.tapes_async(), admin.tapes_async(vid="V01007"), admin.run_async("ta", "ls"))
        )

    t0 = time.monotonic()
    results = asyncio.run(main())
    assert all(r[0].vid == "V01007" for r in results)
    # one after the other they would take at least 3 x 2 s
    assert time.monotonic() - t0 < 5.0, "the three runs overlap"

    async def fail() -> None:
        await (
            Fake(tmp_path, stdout="[]\n", stderr="No repack request for this VID.\n", exit=2)
            .admin()
            .repacks_async("V9")
        )

    with pytest.raises(CtaAdminUserError, match="No repack request"):
        asyncio.run(fail())


def test_arrow_from_runner(tmp_path: Path) -> None:
    t = Fake(tmp_path, stdout=fixture("drive.json").decode()).admin().arrow("drive")
    assert t.num_rows == 1
    assert t.column("driveStatus").to_pylist() == ["TRANSFERRING"]


# -- bad input through both parsers (records and Arrow) --------------------------------------


@pytest.mark.parametrize("parser", [adm.parse, adm.parse_arrow], ids=["records", "arrow"])
def test_every_bad_input_names_record_and_field(parser: Any) -> None:
    one = fixture("tape.json").decode().strip()[1:-1]
    two = f"[{one},{one}]\n"
    with pytest.raises(CtaAdminTruncatedError, match=r"truncated output: record 2"):
        parser("tape", two[:-40])
    with pytest.raises(CtaAdminTruncatedError, match=r"record 2: line ends before the record is complete"):
        parser("tape", f"{one}\n{one[:50]}\n{one}\n", "jsonl")
    with pytest.raises(CtaAdminNotJsonError, match="Error from XRootD"):
        parser("tape", "Error from XRootD SSI Framework: [FATAL] Auth failed\n", "json")
    with pytest.raises(CtaAdminParseError, match=r"record 2, field `capacity`"):
        parser("tape", f"[{one},{one.replace('18000000000000', 'big')}]")
    wrong_type = one.replace('"full":false', '"full":"no"')
    with pytest.raises(CtaAdminParseError, match=r"record 2, field `full`"):
        parser("tape", f"[{one},{wrong_type}]")
    with pytest.raises(CtaAdminParseError, match=r"record 1, field `tf.fSeq`: missing field"):
        parser("tapefile", fixture("tapefile.json").replace(b'"fSeq":"1"', b'"other":"1"'))
    duplicate = one.replace("{", '{"vid":"X",', 1)
    with pytest.raises(CtaAdminParseError, match=r"record 2, field `vid`: duplicate field"):
        parser("tape", f"[{one},{duplicate}]")
    with pytest.raises(CtaAdminEmptyOutputError):
        parser("tape", b"", "json")
    with pytest.raises(CtaAdminRecordTooLargeError, match="record 1"):
        parser("admin", b'[{"user":"' + b"x" * (17 << 20) + b'"}]')
    with pytest.raises(CtaAdminNotJsonError, match="end of output"):
        parser("tape", two + "garbage\n")


def test_arrow_from_bytes_equals_records_to_arrow_on_many_rows() -> None:
    # More than one Arrow batch (65,536 rows) and absent optional sub-messages in between.
    one = json.loads(fixture("tape.json"))[0]
    bare = {k: v for k, v in one.items() if k not in ("labelLog", "lastWrittenLog", "lastReadLog")}
    data = json.dumps([dict(one if i % 3 else bare, vid=f"V{i:06d}") for i in range(70_000)]).encode()
    table = adm.parse_arrow("tape", data)
    assert table.num_rows == 70_000
    assert table.equals(adm.parse("tape", data).to_arrow())
    assert table.column("labelLog").null_count == len(range(0, 70_000, 3))
    assert table.column("vid")[69_999].as_py() == "V069999"


# -- the runner wired to the ops config ------------------------------------------------------


def ops_config(tmp: Path, fake: Fake, *, keytab: bool = True, extra: str = "") -> Path:
    kt = tmp / "ops.keytab"
    if keytab:
        kt.write_text("0 u ops 0 0 0 x\n")
    (tmp / "errors.yaml").write_text(
        "'^Tape VID (\\S+) does not exist\\.?': 'Tape $1 is not in the CTA catalogue.'\n"
        "'^Caught exception: (.*)': 'The CTA frontend failed ($1).'\n"
    )
    cfg = tmp / "cta-ops-config.yaml"
    cfg.write_text(
        "global:\n"
        f"  binaries:\n    cta-admin: {FAKE}\n"
        f"  tape:\n    cta-admin_config: {fake.tmp / 'sc.json'}\n"
        f"  default_user:\n    sss_keytab_file: {kt}\n"
        f"  logging:\n    error_translation_file: {tmp / 'errors.yaml'}\n"
        "tools:\n  cta-ops-pool-supply:\n    timeout: 1\n" + extra
    )
    return cfg


def test_config_gives_binary_config_keytab_and_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Fake(tmp_path, stdout=fixture("tape.json").decode())
    cfg = ops_config(tmp_path, fake)
    admin = adm.CtaAdmin(cfg)
    assert admin.settings.cta_admin == str(FAKE)
    assert admin.settings.source == str(cfg)
    assert admin.tapes()[0].vid == "V01007"
    log = json.loads(fake.log.read_text())
    assert log["argv"][:3] == ["--json", "--config", str(tmp_path / "sc.json")]
    assert log["env"] == {"XrdSecPROTOCOL": "sss", "XrdSecSSSKT": str(tmp_path / "ops.keytab")}
    # CTAOPS_CONFIG is found when no config is given; keywords override single settings.
    monkeypatch.setenv("CTAOPS_CONFIG", str(cfg))
    assert len(adm.CtaAdmin(sss_keytab="/other.keytab").tapes()) == 1
    log = json.loads(fake.log.read_text())
    assert log["env"] == {"XrdSecPROTOCOL": "sss", "XrdSecSSSKT": "/other.keytab"}
    assert log["argv"][:2] == ["--json", "--config"]
    # A loaded Config object works too; the tool's timeout applies.
    hang = Fake(tmp_path, stdout="[", mode="hang")
    admin = adm.CtaAdmin(load_config(cfg), tool="cta-ops-pool-supply")
    assert admin.settings.timeout == 1.0
    t0 = time.monotonic()
    with pytest.raises(CtaAdminTimeoutError, match=r"within 1 s"):
        admin.repacks()
    assert time.monotonic() - t0 < 10
    assert hang.log.exists()


def test_config_keytab_left_out_when_absent(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout="[]\n")
    cfg = ops_config(tmp_path, fake, keytab=False)
    admin = adm.CtaAdmin(cfg)
    assert admin.settings.sss_keytab is None
    assert len(admin.drives()) == 0
    assert json.loads(fake.log.read_text())["env"] == {"XrdSecPROTOCOL": None, "XrdSecSSSKT": None}


def test_errors_translated_with_original_kept(tmp_path: Path) -> None:
    fake = Fake(tmp_path, stdout="[]\n", stderr="Tape VID NOPE does not exist.\n", exit=2)
    admin = adm.CtaAdmin(ops_config(tmp_path, fake))
    with pytest.raises(CtaAdminUserError) as e:
        admin.tapes(vid="NOPE")
    assert str(e.value) == "cta-admin tape ls --vid NOPE: Tape NOPE is not in the CTA catalogue."
    assert e.value.original == "cta-admin tape ls --vid NOPE: Tape VID NOPE does not exist."
    assert e.value.cta_message == "Tape VID NOPE does not exist."
    with pytest.raises(CtaAdminUserError, match="not in the CTA catalogue") as e2:
        asyncio.run(admin.tapes_async(vid="NOPE"))
    assert e2.value.original is not None
    Fake(tmp_path, stdout="", stderr="Caught exception: boom\n", exit=1)
    with pytest.raises(CtaAdminError, match=r"failed \(exit 1\): The CTA frontend failed \(boom\)\.") as e3:
        admin.drives()
    assert e3.value.cta_message == "Caught exception: boom"
    # No matching pattern: CTA's message unchanged, nothing extra.
    Fake(tmp_path, stdout="[]\n", stderr="Something else\n", exit=2)
    with pytest.raises(CtaAdminUserError) as e4:
        admin.tapes(vid="X")
    assert str(e4.value) == "cta-admin tape ls --vid X: Something else"
    assert e4.value.original is None
    # Explicit table, or none at all.
    plain = adm.CtaAdmin(cta_admin=FAKE, config_file=tmp_path / "sc.json", translations=None)
    with pytest.raises(CtaAdminUserError, match="Something else"):
        plain.tapes(vid="X")


def test_missing_file_warns_only_when_the_config_names_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A site-written path that is absent is a warning; an absent built-in default is not."""
    written = tmp_path / "written.yaml"
    written.write_text(f"global:\n  default_user:\n    sss_keytab_file: {tmp_path / 'absent.keytab'}\n")
    defaults_only = tmp_path / "defaults.yaml"
    defaults_only.write_text(f"global:\n  binaries:\n    cta-admin: {FAKE}\n")
    with caplog.at_level("DEBUG", logger="ctaops.admin"):
        assert adm.runner_settings(written).sss_keytab is None
        assert adm.runner_settings(defaults_only).sss_keytab is None
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"configured file {tmp_path / 'absent.keytab'} does not exist: not used"]
    # The built-in defaults (client config, keytab) were looked at, quietly.
    assert any("tape-local.keytab" in r.getMessage() for r in caplog.records if r.levelname == "DEBUG")


# -- CTA versions ----------------------------------------------------------------------------


def calls(path: Path) -> list[list[str]]:
    """Every command the fake ran (argv after ``--json --config <file>``)."""
    if not path.exists():
        return []
    return [json.loads(line)[3:] for line in path.read_text().splitlines()]


def test_argument_vectors_follow_the_detected_cta_version(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    fake = Fake(tmp_path, stdout="[]\n", cta_version="5.10.11.0-1", calls=str(log))
    admin = fake.admin()
    assert admin.run("af", "ch", "--idfile", "/tmp/ids", "--storageclass", "sc1") == ""
    assert list(admin.drives(all=True)) == []
    assert admin.argv("drive", "ls", all=True)[-2:] == ["drive", "ls"]
    assert list(admin.tapes(all=True)) == []
    assert admin.cta_version() == "5.10.11.0-1"
    assert calls(log) == [
        ["version"],
        ["af", "ch", "--id", "/tmp/ids", "--storageclass", "sc1"],
        ["drive", "ls"],
        ["tape", "ls", "--all"],
    ]

    log.unlink()
    fake = Fake(tmp_path, stdout="[]\n", cta_version="5.11.20.0-1", calls=str(log))
    admin = fake.admin()
    admin.run("af", "ch", "--idfile", "/tmp/ids", "--storageclass", "sc1")
    admin.drives(all=True)
    assert calls(log) == [
        ["version"],
        ["af", "ch", "--idfile", "/tmp/ids", "--storageclass", "sc1"],
        ["drive", "ls", "--all"],
    ]


def test_what_the_cta_version_cannot_do_is_refused_before_running(tmp_path: Path) -> None:
    from ctaops.errors import CtaVersionUnsupportedError  # noqa: PLC0415

    log = tmp_path / "calls.jsonl"
    fake = Fake(tmp_path, stdout="[]\n", cta_version="5.11.4.0-1", calls=str(log))
    with pytest.raises(CtaVersionUnsupportedError) as e:
        fake.admin().tapes(missingfilecopies=True)
    assert str(e.value) == (
        "cta-admin tape ls --missingfilecopies: option --missingfilecopies needs CTA 5.11.5 or newer "
        "(this CTA is 5.11.4.0-1)"
    )
    assert e.value.code == "CTA_VERSION_UNSUPPORTED"
    assert calls(log) == [["version"]]


def test_configured_cta_version_replaces_detection(tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    Fake(tmp_path, stdout="[]\n", cta_version="unavailable", calls=str(log))
    cfg = tmp_path / "ops.yaml"
    cfg.write_text(
        "global:\n"
        f"  binaries: {{cta-admin: '{FAKE}'}}\n"
        f"  tape: {{cta-admin_config: '{tmp_path / 'sc.json'}', cta_version: '5.11.4.0-1'}}\n"
    )
    admin = adm.CtaAdmin(cfg)
    assert admin.settings.cta_version == "5.11.4.0-1"
    admin.tape_files(diskfileid="31")
    assert calls(log) == [["tapefile", "ls", "--fxid", "31"]]
    assert adm.CtaAdmin(cfg, cta_version="5.11.20.0-1").cta_version() == "5.11.20.0-1"
    # Without the key, `version` fails here and the command goes out as written.
    log.unlink()
    unset = Fake(tmp_path, stdout="[]\n", cta_version="unavailable", calls=str(log)).admin()
    unset.tape_files(diskfileid="31")
    assert calls(log) == [["version"], ["tapefile", "ls", "--diskfileid", "31"]]
    with pytest.raises(InvalidArgumentError, match="'five' is not a CTA version"):
        adm.CtaAdmin(cfg, cta_version="five").tape_files(diskfileid="31")


def test_cli_admin_follows_the_cta_version(tmp_path: Path, ctaops_native: str) -> None:
    import subprocess  # noqa: PLC0415

    log = tmp_path / "calls.jsonl"
    Fake(tmp_path, stdout="[]\n", cta_version="5.11.4.0-1", calls=str(log))
    cfg = tmp_path / "ops.yaml"
    ops = f"global:\n  binaries: {{cta-admin: '{FAKE}'}}\n  tape: {{cta-admin_config: '{tmp_path / 'sc.json'}'"

    def admin(*words: str) -> subprocess.CompletedProcess[str]:
        cmd = [ctaops_native, "admin", "-C", str(cfg), "--", *words]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)

    cfg.write_text(ops + "}\n")
    r = admin("tape", "ls", "--mfc")
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "tape ls --mfc: option --mfc needs CTA 5.11.5 or newer (this CTA is 5.11.4.0-1)" in r.stderr
    assert calls(log) == [["version"]]
    cfg.write_text(ops + ", cta_version: '5.11.4.0-1'}\n")
    r = admin("tf", "ls", "--dfid", "31")
    assert r.returncode == 0, r.stderr
    assert calls(log)[1:] == [["tf", "ls", "--fxid", "31"]]


# -- one record size limit on every path ------------------------------------------------------

LIMIT = 16 << 20


def tape_with_comment(size: int) -> bytes:
    """The fixture's tape record, valid, grown to exactly ``size`` bytes by its comment."""
    rec = json.loads(fixture("tape.json"))[0]
    rec["comment"] = ""
    base = len(json.dumps(rec, separators=(",", ":")))
    rec["comment"] = "c" * (size - base)
    out = json.dumps(rec, separators=(",", ":")).encode()
    assert len(out) == size
    return out


def test_a_valid_record_over_the_limit_is_refused_by_every_path(tmp_path: Path, ctaops_native: str) -> None:
    small = fixture("tape.json").strip()[1:-1]
    for size, refused in ((LIMIT, False), (LIMIT + 1, True)):
        big = tape_with_comment(size)
        json_out = b"[" + small + b"," + big + b"," + small + b"]\n"
        jsonl_out = small + b"\n" + big + b"\n" + small + b"\n"
        stream = tmp_path / "out.json"
        stream.write_bytes(json_out)
        with stream.open("rb") as f:
            calls: list[tuple[Any, tuple[Any, ...]]] = [
                (adm.parse, ("tape", json_out)),
                (adm.parse_arrow, ("tape", json_out)),
                (adm.parse, ("tape", jsonl_out, "jsonl")),
                (adm.parse_arrow, ("tape", jsonl_out, "jsonl")),
                (adm.read_arrow_fd, ("tape", f.fileno())),
            ]
            for fn, args in calls:
                if refused:
                    with pytest.raises(CtaAdminRecordTooLargeError, match=r"record too large: record 2"):
                        fn(*args)
                else:
                    assert len(fn(*args)) == 3
        # the CLI, which parses cta-admin's output
        fake = Fake(tmp_path, stdout_file=str(stream))
        cli = subprocess.run(
            [ctaops_native, "admin", "-C", str(ops_config(tmp_path, fake)), "--json", "--", "tape", "ls", "--all"],
            capture_output=True,
            check=False,
        )
        if refused:
            assert cli.returncode == 1
            assert cli.stdout == b""
            assert b"record too large: record 2" in cli.stderr
            assert len(cli.stderr.decode().strip().splitlines()) == 1
        else:
            assert cli.returncode == 0, cli.stderr
            assert len(json.loads(cli.stdout)) == 3
