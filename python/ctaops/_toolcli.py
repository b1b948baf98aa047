"""What the ``cta-ops-*`` console scripts share: one clean error line and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, NoReturn

from ctaops.errors import CtaOpsError
from ctaops.utils.cmd import forward_termination
from ctaops.utils.logging import LineFormatter
from ctaops.utils.redact import one_line


class ToolExit(Exception):
    """Stop the tool with ``code``; ``message`` (if any) is the one error line on stderr."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code


class _OneLineParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (cron mail, log scrapers), exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """Build an argument parser with the options every tool has (``-C``, ``-V``)."""
    p = _OneLineParser(prog=prog, description=description)
    p.add_argument(
        "-C",
        "--config-file",
        metavar="CONFIG_FILE",
        help="config file (default: $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml)",
    )
    # Upstream tools spell it -V; -v is accepted too.
    p.add_argument("-V", "-v", "--verbose", action="store_true", help="log every step on stderr")
    return p


def setup_logging(prog: str, verbose: bool) -> logging.Logger:
    """Log to stderr (stdout is for data) in the upstream line format."""
    logger = logging.getLogger(prog)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logger.propagate = False
    for old in list(logger.handlers):  # a second call (tests run tools in-process) replaces, not doubles
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter())
    logger.addHandler(handler)
    return logger


def prom_label(v: object) -> str:
    """Escape a Prometheus label value."""
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def run(prog: str, main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> NoReturn:
    """Run ``main`` and exit with its status; errors become one line on stderr."""
    if argv is None:  # the program itself (not a test or caller running it in-process)
        forward_termination()
    try:
        code = main(argv)
    except ToolExit as e:
        if str(e):
            print(f"{prog}: error: {one_line(e)}", file=sys.stderr)
        code = e.code
    except (CtaOpsError, OSError) as e:
        print(f"{prog}: error: {one_line(e)}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


__all__ = ["ToolExit", "parser", "prom_label", "run", "setup_logging"]
