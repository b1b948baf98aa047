"""What the ``cta-ops-*`` console scripts share: options, logging, one clean error line and an exit code.

Every script builds its parser with :func:`parser` (``-C/--config-file``, ``-V/-v/--verbose``,
``--version``, ``--log-json``) and ends through :func:`run` or :func:`finish`: 0 success,
1 failure, 2 usage error, never a traceback, and a reader that closes the pipe early
(``| head -1``) ends the tool quietly with 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
from typing import TYPE_CHECKING, Callable, NoReturn

from ctaops.errors import CtaOpsError
from ctaops.utils.cmd import forward_termination
from ctaops.utils.logging import LineFormatter, init_logger
from ctaops.utils.redact import one_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ctaops.utils.config import Config


class ToolExit(Exception):
    """Stop the tool with ``code``; ``message`` (if any) is the one error line on stderr."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code


class WholePathsFormatter(argparse.HelpFormatter):
    """argparse's help layout, never wrapping inside a word, so ``/etc/cta-ops/...`` stays whole.

    The default breaks at hyphens, printing ``/etc/cta-`` on one line and ``ops/...`` on the next.
    """

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False, break_long_words=False)


class OneLineParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (cron mail, log scrapers), exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def _version() -> str:
    from ctaops import __version__  # noqa: PLC0415  (the compiled module; keeps the import graph flat)
    from ctaops._versions import version_line  # noqa: PLC0415

    return version_line(str(__version__))


class _VersionAction(argparse.Action):
    """Print ``--version`` as one unwrapped line, as the Rust ``ctaops`` does.

    argparse's own action wraps it to the terminal, splitting the CTA range over two lines.
    """

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, p: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(f"{p.prog} {_version()}\n")
        p.exit(0)


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """Build an argument parser with the options every ``cta-ops-*`` tool has.

    ``-V`` is upstream's verbose flag, never the version (that is ``--version``).
    """
    p = OneLineParser(prog=prog, description=description, formatter_class=WholePathsFormatter)
    p.add_argument(
        "-C",
        "--config-file",
        metavar="CONFIG_FILE",
        help="config file (default: $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml)",
    )
    p.add_argument("-V", "-v", "--verbose", action="store_true", help="log every step on stderr")
    p.add_argument("--version", action=_VersionAction, help="print the version and the CTA releases it was tested with")
    p.add_argument(
        "--log-json",
        action="store_true",
        help="write the log file as JSON lines (one object per line, for Fluentd) instead of text",
    )
    return p


def setup_logging(prog: str, verbose: bool, *, config: Config | None = None, log_json: bool = False) -> logging.Logger:
    """Log to stderr (stdout is for data) in the upstream line format, and to ``<log_dir>/<prog>.log``.

    stderr gets warnings and errors (everything with ``verbose``); the file, when a ``config``
    gives its ``logging.log_dir``, gets info and up, so a site keeps the trail of every
    scheduled run (cron mail alone loses it).
    """
    if config is not None:
        return init_logger(
            prog,
            config=config,
            debug=verbose,
            json_lines=log_json,
            stderr_level=logging.DEBUG if verbose else logging.WARNING,
        )
    logger = logging.getLogger(prog)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logger.propagate = False
    for old in list(logger.handlers):  # a second call (tests run tools in-process) replaces, not doubles
        logger.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter())
    logger.addHandler(handler)
    return logger


def _error(prog: str, message: str) -> None:
    """Print the one error line on stderr, and put it in the tool's log file (the trail of a cron run)."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    for handler in logging.getLogger(prog).handlers:
        if isinstance(handler, logging.FileHandler):
            handler.emit(logging.LogRecord(prog, logging.ERROR, "", 0, "%s", (message,), None, func="main"))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (in-process callers): nothing to flush into
        pass
    finally:
        os.close(devnull)


def exit_code(e: SystemExit) -> int:
    """Return the status a ``SystemExit`` (argparse's ``--help``, ``--version``, usage errors) stands for."""
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    print(e.code, file=sys.stderr)
    return 1


def finish(code: int) -> NoReturn:
    """Flush stdout and exit with ``code``; a reader that went away is not an error (exit 0)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = 0
    sys.exit(code)


def run(
    prog: str,
    main: Callable[[list[str] | None], int] | Callable[[Sequence[str] | None], int],
    argv: Sequence[str] | None = None,
) -> NoReturn:
    """Run ``main`` and exit with its status; errors become one line on stderr, a closed pipe exit 0."""
    if argv is None:  # the program itself (not a test or caller running it in-process)
        forward_termination()
    try:
        code = main(None if argv is None else list(argv))
    except SystemExit as e:  # argparse: --help, --version, usage errors; stdout still to be flushed
        code = exit_code(e)
    except ToolExit as e:
        if str(e):
            _error(prog, one_line(e))
        code = e.code
    except BrokenPipeError:  # `| head -1`: the reader has what it wanted
        _silence_stdout()
        code = 0
    except (CtaOpsError, OSError) as e:
        _error(prog, one_line(e))
        code = 1
    except KeyboardInterrupt:
        code = 130
    finish(code)


__all__ = ["OneLineParser", "ToolExit", "WholePathsFormatter", "finish", "parser", "run", "setup_logging"]
