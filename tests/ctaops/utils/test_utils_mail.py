"""ctaops.utils.mail: sending through a fake sendmail script."""

from __future__ import annotations

import email
import stat
from pathlib import Path

import pytest

from ctaops.errors import MailError
from ctaops.utils.config import Config, load_config
from ctaops.utils.mail import render_template, send_mail


def fake_sendmail(tmp_path: Path, exit_code: int = 0) -> Path:
    script = tmp_path / "sendmail"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{tmp_path}/argv"\n'
        f'cat > "{tmp_path}/stdin"\n'
        'echo "sendmail: refusing" >&2\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def config(tmp_path: Path, sendmail: Path) -> Config:
    p = tmp_path / "cfg.yaml"
    p.write_text(
        "global:\n"
        "  email: {recipients: [ops@example.org, 'tape-team@example.org'], sender: cta-ops@example.org}\n"
        f"  binaries: {{sendmail: {sendmail}}}\n"
    )
    return load_config(p)


def test_sends_through_configured_sendmail(tmp_path: Path) -> None:
    cfg = config(tmp_path, fake_sendmail(tmp_path))
    body = render_template("Tape $vid repacked: ${files} files\n.\nend\n", vid="V01007", files=12)
    send_mail("Repack done", body, config=cfg)
    assert (tmp_path / "argv").read_text().splitlines() == ["-t", "-oi"]
    msg = email.message_from_bytes((tmp_path / "stdin").read_bytes())
    assert msg["To"] == "ops@example.org, tape-team@example.org"
    assert msg["From"] == "cta-ops@example.org"
    assert msg["Subject"] == "Repack done"
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert payload.decode() == "Tape V01007 repacked: 12 files\n.\nend\n"


def test_explicit_recipients_override_config(tmp_path: Path) -> None:
    cfg = config(tmp_path, fake_sendmail(tmp_path))
    send_mail("s", "b", recipients=["-oQ/tmp/evil@x"], config=cfg)
    # the address only appears in the To: header, never as a sendmail argument
    assert (tmp_path / "argv").read_text().splitlines() == ["-t", "-oi"]
    assert "To: -oQ/tmp/evil@x" in (tmp_path / "stdin").read_text()


def test_failure_reports_status_and_stderr(tmp_path: Path) -> None:
    cfg = config(tmp_path, fake_sendmail(tmp_path, exit_code=75))
    with pytest.raises(MailError, match=r"exited with status 75: sendmail: refusing"):
        send_mail("s", "b", config=cfg)


def test_missing_binary_and_bad_input(tmp_path: Path) -> None:
    cfg = config(tmp_path, tmp_path / "no-sendmail")
    with pytest.raises(MailError, match="sendmail not found"):
        send_mail("s", "b", config=cfg)
    good = config(tmp_path, fake_sendmail(tmp_path))
    with pytest.raises(MailError, match="recipient"):
        send_mail("s", "b", recipients=[], config=good)
    with pytest.raises(MailError, match="one line"):
        send_mail("s\nBcc: x@y", "b", config=good)
    with pytest.raises(KeyError, match="vid"):
        render_template("$vid")
