"""Upstream "Mail Sender": templating and sending through the configured sendmail."""

from __future__ import annotations

from ctaops.utils.mail import build_message, render_template, send_mail

__all__ = ["build_message", "render_template", "send_mail"]
