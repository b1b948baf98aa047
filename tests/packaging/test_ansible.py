"""packaging/ansible: the example playbook parses, its timers exist, and its config template renders a valid config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ctaops.utils.config import load_yaml

ROOT = Path(__file__).resolve().parents[2]
ANSIBLE = ROOT / "packaging" / "ansible"
ROLE = ANSIBLE / "roles" / "ctaops"
PLAYBOOK = shutil.which("ansible-playbook")
needs_ansible = pytest.mark.skipif(PLAYBOOK is None, reason="ansible-playbook is not installed (Debian: ansible-core)")
TIMERS = {p.stem for p in (ROOT / "packaging" / "systemd").glob("*.timer")}


def _env(tmp_path: Path) -> dict[str, str]:
    # Neither a user's ansible.cfg nor one in the working directory applies.
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\nretry_files_enabled = False\n")
    return {**os.environ, "ANSIBLE_CONFIG": str(config), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp")}


@needs_ansible
def test_playbook_syntax_check(tmp_path: Path) -> None:
    r = subprocess.run(
        [str(PLAYBOOK), "--syntax-check", "-i", str(ANSIBLE / "inventory.example"), str(ANSIBLE / "site.yml")],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING" not in r.stderr, r.stderr


def test_role_enables_only_shipped_timers() -> None:
    defaults = load_yaml(str(ROLE / "defaults" / "main.yml"))
    frontend = set(defaults["ctaops_timers"])
    site = load_yaml(str(ANSIBLE / "site.yml"))
    (tapeserver_role,) = [r for play in site if play["hosts"] == "cta_tapeservers" for r in play["roles"]]
    tapeserver = set(tapeserver_role["vars"]["ctaops_timers"])
    assert frontend | tapeserver <= TIMERS
    assert not frontend & tapeserver
    # Every scheduled tool is enabled on one kind of host or the other, except the daily data
    # monitoring, which needs an InfluxDB a site must configure first.
    assert TIMERS - frontend - tapeserver == {"cta-ops-data-monitoring"}
    assert defaults["ctaops_user"] == "tape-local"
    assert defaults["ctaops_venv"] == "/opt/ctaops"
    for key in ("ctaops_config_src", "ctaops_error_messages_src", "ctaops_units_src"):
        path = Path(defaults[key].replace("{{ role_path }}", str(ROLE)))
        assert path.exists(), key


@needs_ansible
def test_config_template_renders_a_config_ctaops_accepts(tmp_path: Path) -> None:
    """The role's template, fed the shipped config as ctaops_config, on localhost."""
    out = tmp_path / "cta-ops-config.yaml"
    playbook = tmp_path / "render.yml"
    playbook.write_text(
        f"""\
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ctaops_config: "{{{{ lookup('file', '{ROOT / "packaging" / "cta-ops-config.yaml"}') | from_yaml }}}}"
  tasks:
    - ansible.builtin.template:
        src: "{ROLE / "templates" / "cta-ops-config.yaml.j2"}"
        dest: "{out}"
        mode: "0640"
"""
    )
    r = subprocess.run(
        [str(PLAYBOOK), "-i", "localhost,", str(playbook)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert load_yaml(str(out)) == load_yaml(str(ROOT / "packaging" / "cta-ops-config.yaml"))
    ctaops = Path(sys.executable).parent / "ctaops"
    check = subprocess.run(
        [str(ctaops), "config", "check", "-C", str(out)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
