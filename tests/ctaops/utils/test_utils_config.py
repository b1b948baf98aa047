"""ctaops.utils.config: the shared ops config file, through the Python API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ctaops.errors import ConfigError, CtaOpsFileNotFoundError
from ctaops.utils.config import DEFAULT_PATH, Config, load_config, load_yaml, locate_config

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT / "tests" / "fixtures" / "config" / "upstream-reference.yaml"
TEMPLATE = ROOT / "packaging" / "cta-ops-config.yaml"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CTAOPS_CONFIG", raising=False)


def write(tmp_path: Path, text: str, name: str = "cfg.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_upstream_reference_file_loads_unchanged() -> None:
    cfg = load_config(UPSTREAM)
    assert cfg.source == str(UPSTREAM)
    assert cfg.binaries.cta_admin == "/usr/bin/cta-admin"
    assert cfg.binaries.get("cta-admin") == "/usr/bin/cta-admin"
    assert cfg.binaries.adler32 == "/usr/bin/xrdadler32"
    assert cfg.binaries.cta_verify_file_argv == ["/usr/bin/cta-verify-file", "--id"]
    assert cfg.tape.cta_admin_config == "/etc/cta-ops/cta-cli.conf"
    assert cfg.default_user.sss_keytab_file == "/etc/cta/tape-local.keytab"
    assert cfg.logging.rotation_max_bytes == 1 << 30
    assert cfg.logging.error_translation_file == "/etc/cta-ops/error-messages.yaml"
    assert cfg.email.recipients == ("changeme",)
    assert cfg.colors.ansi_end == "\x1b[0m"
    # upstream typos: `mode:` for `model:` and a stray quote in a library name
    assert cfg.tape.drive_model("3592-70F") == "TS1170"
    assert cfg.tape.pool_suffix("IBM470'", "3592JE50T") == "_IBM4JF"
    assert cfg.tape.pool_suffix("IBM460", "3592JC7T") == "_IBM4JC"
    assert cfg.tape.library_for_drive("SPECTRALIB1-LTO9-F1C2R3") == "SPC1L9"
    assert cfg.tape.pool_ok_for_labeling("tolabel_IBM1L7")
    assert not cfg.tape.pool_ok_for_labeling("atlas_raw")
    # dict-like access, upstream style, with the tool sections as raw maps
    assert cfg["global"]["binaries"]["cta-admin"] == "/usr/bin/cta-admin"
    assert cfg["tools"]["cta-ops-repack-automation"]["priorities"][49]["name"] == "high-tolabel"
    assert cfg.get_path("tools.cta-ops-pool-supply.separator") == ","
    assert "global" in cfg
    assert isinstance(cfg, Config)
    assert cfg.unknown_keys == ("global_fragment_1",)


def test_template_loads_and_has_the_defaults(tmp_path: Path) -> None:
    template = load_config(TEMPLATE)
    defaults = load_config(write(tmp_path, ""))
    assert template.global_ == defaults.global_
    assert template.logging.log_dir == "/var/log/cta-ops/"
    assert template.logging.rotation_keep_files == 5
    assert template.table_format == "plain"
    assert template.table_max_col_width == 30
    assert template.binaries.sendmail == "/usr/sbin/sendmail"
    assert template.tape.pool_prefixes_ok_for_labeling == ("tolabel_", "erase_", "test_")
    supply = load_config(TEMPLATE, tool="cta-ops-pool-supply")
    assert supply.tool_section == {"debug": False, "timeout": 10, "separator": ",", "metrics_file": ""}


def test_defaults_fill_the_dict_view_and_unknown_keys_survive(tmp_path: Path) -> None:
    cfg = load_config(
        write(tmp_path, "global:\n  site_thing: 7\n  logging: {log_dir: /x}\ntools:\n  my-tool: {k: v}\n")
    )
    assert cfg["global"]["site_thing"] == 7
    assert cfg["global"]["logging"] == {
        "log_dir": "/x",
        "rotation_max_size": "1G",
        "rotation_keep_files": 5,
        "date_format": "%Y-%m-%d %H:%M:%S",
        "error_translation_file": "/etc/cta-ops/error-messages.yaml",
    }
    assert cfg["tools"]["my-tool"] == {"k": "v"}
    assert cfg.unknown_keys == ("global.site_thing", "tools.my-tool")
    assert load_config(cfg.source, tool="my-tool").tool_value("k") == "v"


def test_bad_yaml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    p = write(tmp_path, "global:\n  logging: {log_dir: [\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: ")
    assert "line" in msg
    assert "\n" not in msg
    assert exc.value.code == "CONFIG_ERROR"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("global:\n  logging:\n    rotation_keep_files: lots\n", "global.logging.rotation_keep_files"),
        ("global:\n  logging:\n    rotation_max_size: 12Z\n", "global.logging.rotation_max_size"),
        ("global:\n  table_max_col_width: wide\n", "global.table_max_col_width"),
        ("global:\n  binaries: [a, b]\n", "global.binaries"),
        ("global:\n  tape:\n    tape_drive_types: [{name: x}]\n", "global.tape.tape_drive_types[0]"),
        ("global:\n  tape:\n    cta-admin_transport: pigeon\n", "global.tape.cta-admin_transport"),
        ("tools:\n  cta-ops-pool-supply: {timeout: later}\n", "tools.cta-ops-pool-supply.timeout"),
        (
            "tools:\n  cta-ops-admin:\n    tape-export: {number_of_export_attempts: -1}\n",
            "tools.cta-ops-admin.tape-export",
        ),
        ("global: 3\n", "global"),
    ],
)
def test_wrong_types_name_the_key_and_the_file(tmp_path: Path, text: str, key: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    msg = str(exc.value)
    assert str(p) in msg
    assert key in msg
    assert "\n" not in msg


def test_tool_override_of_global_is_type_checked(tmp_path: Path) -> None:
    p = write(tmp_path, "tools:\n  t: {logging: {rotation_keep_files: some}}\n")
    with pytest.raises(ConfigError, match=r"tools\.t\.logging\.rotation_keep_files"):
        load_config(p, tool="t")


def test_merge_of_global_and_tool_section() -> None:
    cfg = load_config(UPSTREAM, tool="cta-ops-repack-automation")
    assert cfg.logging.log_dir == "/var/log/cta-ops/repack/"
    assert cfg.logging.rotation_keep_files == 5
    assert cfg.tool["max_active_repacks"] == 10
    assert cfg.tool["binaries"]["cta-admin"] == "/usr/bin/cta-admin"
    assert cfg["global"]["logging"]["log_dir"] == "/var/log/cta-ops/"
    nested = load_config(UPSTREAM, tool="cta-ops-tape-verify.cta-ops-verification-feeder")
    assert nested.logging.log_dir == "/var/log/cta-ops/verification/"  # from `logger:`
    assert nested.tool["default_max_verify"] == 10
    assert nested.tool["debug"] is False


def test_precedence_explicit_then_env_then_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = write(tmp_path, "global: {table_format: grid}\n", "a.yaml")
    b = write(tmp_path, "global: {table_format: github}\n", "b.yaml")
    monkeypatch.setenv("CTAOPS_CONFIG", str(b))
    assert load_config().table_format == "github"
    assert locate_config() == str(b)
    assert load_config(a).table_format == "grid"
    monkeypatch.setenv("CTAOPS_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(CtaOpsFileNotFoundError, match=r"nope\.yaml"):
        load_config()
    with pytest.raises(CtaOpsFileNotFoundError, match=r"missing\.yaml"):
        load_config(tmp_path / "missing.yaml")
    monkeypatch.setenv("CTAOPS_CONFIG", "")
    if os.path.exists(DEFAULT_PATH):
        pytest.skip(f"{DEFAULT_PATH} exists on this machine")
    cfg = load_config()
    assert cfg.source is None
    assert cfg.logging.log_dir == "/var/log/cta-ops/"


def test_empty_translation_file_disables(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "global:\n  logging:\n    error_translation_file:\n"))
    assert cfg.logging.error_translation_file is None


def test_load_yaml(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "a: &x {b: 1}\nc: {<<: *x}\n")) == {"a": {"b": 1}, "c": {"b": 1}}
    with pytest.raises(ConfigError, match="line"):
        load_yaml(write(tmp_path, "a: [\n"))
