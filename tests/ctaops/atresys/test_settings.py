"""``tools.cta-ops-repack-automation`` as the steps read it: upstream defaults, checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctaops.atresys.settings import Settings
from ctaops.errors import ConfigError
from ctaops.utils.config import load_config
from ctaops.utils.repack import TOOL


def settings(tmp_path: Path, tool: dict[str, object]) -> Settings:
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps({"tools": {TOOL: tool}}))
    return Settings.from_config(load_config(path, tool=TOOL))


def test_upstream_defaults(tmp_path: Path) -> None:
    s = settings(tmp_path, {})
    assert (s.max_active_repacks, s.quarantine_days, s.default_priority) == (10, 31, 10)
    assert (s.tape_usage_threshold, s.number_of_tapes) == (0.4, 10)
    assert s.ignore_pools == ("quarantine", "quarantine")
    assert s.existing_files_on_tape == "/var/log/cta-ops/repack/repack-tapefile-$DATE-$TAPE.txt"
    assert (s.cleanup_pattern, s.keep_tf_files_days) == ("*repack-tapefile*", 14)
    assert s.repack_end_json_path == "/var/log/cta-ops/repack/cta-ops-repack-end-json.log"
    assert s.ls_out == "/var/log/cta-ops/repack/cta-ops-repack-automation-json.log"
    assert sorted(s.priorities) == [10, 11, 49, 50]
    assert s.priority(50).mount_policy == "repack_high_priority"
    assert s.prometheus_out is None


def test_quarantine_pool_is_never_scanned(tmp_path: Path) -> None:
    s = settings(tmp_path, {"quarantine_pool": "q2", "cta-ops-repack-0-scan": {"ignore_pools": ["x"]}})
    assert s.ignore_pools == ("x", "q2")


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        ({"default_priority": 3}, "default_priority 3 is not a key"),
        ({"cta-ops-repack-0-scan": {"ignore_pools": "quarantine"}}, "ignore_pools must be a list"),
        ({"cta-ops-repack-0-scan": {"tape_usage_threshold": -1}}, "tape_usage_threshold must be a non-negative"),
        ({"quarantine_pool": ""}, "quarantine_pool must be a non-empty string"),
        ({"cta-ops-repack-0-scan": {"tape_usage_threshold": "low"}}, "tape_usage_threshold: invalid type"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, tool: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, tool)


def test_unknown_priority_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="priority 7"):
        settings(tmp_path, {}).priority(7)
