"""Run a command without the power to bypass file permissions, even when the tests run as root."""

from __future__ import annotations

import os


def without_dac_override(cmd: list[str]) -> list[str]:
    """Prefix `cmd` so that, under root, it loses CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *cmd]
