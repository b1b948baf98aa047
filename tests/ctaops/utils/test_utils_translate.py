"""ctaops.utils.translate: the error-translation file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctaops.errors import ConfigError, CtaOpsFileNotFoundError
from ctaops.utils.config import load_config
from ctaops.utils.translate import ErrorTranslations, load_translations, translate_error

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "packaging" / "error-messages.yaml"


def test_shipped_example_translates_cta_admin_messages() -> None:
    table = load_translations(EXAMPLE)
    assert len(table) >= 3
    out = translate_error("Tape VID NOPE does not exist.", translations=table)
    assert "NOPE" in out
    assert out != "Tape VID NOPE does not exist."
    assert translate_error("something else entirely", translations=table) == "something else entirely"


def test_from_config(tmp_path: Path) -> None:
    rules = tmp_path / "errors.yaml"
    rules.write_text("'^Cannot specify --all together with other search options': 'Use --all alone'\n")
    cfg_path = tmp_path / "cfg.yaml"
    cfg_path.write_text(f"global: {{logging: {{error_translation_file: {rules}}}}}\n")
    cfg = load_config(cfg_path)
    assert translate_error("Cannot specify --all together with other search options", config=cfg) == "Use --all alone"


def test_first_match_wins_and_captures() -> None:
    table = ErrorTranslations("'VID (?P<vid>\\w+)': 'tape ${vid}'\n'VID': 'never'\n")
    assert table.translate("bad VID V01007 here") == "tape V01007"
    assert table.translate("nothing") is None


def test_missing_configured_file_leaves_messages_alone(tmp_path: Path) -> None:
    cfg_path = tmp_path / "cfg.yaml"
    cfg_path.write_text(f"global: {{logging: {{error_translation_file: {tmp_path / 'none.yaml'}}}}}\n")
    assert translate_error("x", config=load_config(cfg_path)) == "x"


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("'([': 'x'\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: \(\[: invalid pattern"):
        load_translations(bad)
    with pytest.raises(CtaOpsFileNotFoundError):
        load_translations(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="mapping"):
        ErrorTranslations("- a list\n")
