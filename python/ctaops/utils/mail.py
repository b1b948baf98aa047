"""Mail reports through the configured ``sendmail`` (``global.binaries.sendmail``).

The message is built with :mod:`email` and piped to ``sendmail -t -oi`` as an argument
vector (no shell): ``-t`` takes the recipients from the headers, so no address is ever
parsed as an option; ``-oi`` keeps a lone ``.`` line from ending the message.
Defaults come from ``global.email`` (``recipients``, ``sender``).
"""

from __future__ import annotations

import string
import subprocess
from collections.abc import Sequence
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from ctaops.errors import MailError
from ctaops.utils.cmd import run_tracked

if TYPE_CHECKING:
    from ctaops.utils.config import Config


def render_template(template: str, /, **values: Any) -> str:
    """Fill ``$name``/``${name}`` placeholders; a missing value raises ``KeyError`` naming it."""
    return string.Template(template).substitute(values)


def build_message(
    subject: str,
    body: str,
    *,
    recipients: Sequence[str],
    sender: str,
    html: bool = False,
) -> EmailMessage:
    """Build the message that :func:`send_mail` pipes to sendmail."""
    bad = [r for r in recipients if not r.strip() or "\n" in r or "\r" in r]
    if not recipients or bad:
        raise MailError(f"invalid recipient list {list(recipients)!r}")
    if "\n" in subject or "\r" in subject:
        raise MailError("the subject must be one line")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(r.strip() for r in recipients)
    msg.set_content(body, subtype="html" if html else "plain")
    return msg


def send_mail(  # noqa: PLR0913  (keyword-only options)
    subject: str,
    body: str,
    *,
    recipients: Sequence[str] | None = None,
    sender: str | None = None,
    config: Config | None = None,
    sendmail: str | None = None,
    html: bool = False,
    timeout: float = 60.0,
) -> EmailMessage:
    """Send a mail and return the message sent.

    Raises :class:`ctaops.errors.MailError` with sendmail's exit status and stderr if it
    fails, or if it cannot be run.
    """
    if config is None and (recipients is None or sender is None or sendmail is None):
        from ctaops.utils.config import load_config  # noqa: PLC0415  (loaded only when needed)

        config = load_config()
    to = list(recipients) if recipients is not None else list(config.email.recipients if config else ())
    frm = sender if sender is not None else (config.email.sender if config else "")
    binary = sendmail if sendmail is not None else (config.binaries.sendmail if config else "/usr/sbin/sendmail")
    msg = build_message(subject, body, recipients=to, sender=frm, html=html)
    argv = [binary, "-t", "-oi"]
    try:
        proc = run_tracked(argv, input=msg.as_bytes(), text=False, timeout=timeout)
    except FileNotFoundError:
        raise MailError(f"sendmail not found: {binary} (global.binaries.sendmail)") from None
    except PermissionError:
        raise MailError(f"sendmail not executable: {binary}") from None
    except subprocess.TimeoutExpired:
        raise MailError(f"{binary} did not finish within {timeout:g}s") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().replace("\n", " ")
        raise MailError(f"{binary} exited with status {proc.returncode}: {detail or 'no message'}")
    return msg


__all__ = ["build_message", "render_template", "send_mail"]
