"""``cta-ops-admin``: the operator's cta-admin (upstream package ``ctaopsadmin``).

:mod:`.cli` parses the command words, :mod:`.commands` holds the command table, :mod:`.context`
is what handlers get and :mod:`.handlers` the handlers themselves. docs/cta-ops-admin.md has
the operator's view.
"""

from __future__ import annotations

from ctaops.opsadmin.cli import console, main

__all__ = ["console", "main"]
