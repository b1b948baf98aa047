"""What both verification tools share: command-line conventions, config, cta-admin, state files."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ctaops import _toolcli
from ctaops.errors import CtaOpsError
from ctaops.utils.cmd import forward_termination
from ctaops.utils.config import Config, load_config
from ctaops.utils.files import write_atomic
from ctaops.utils.logging import init_logger, tool_log_dir
from ctaops.utils.redact import one_line

SECTION = "cta-ops-tape-verify"
"""``tools.cta-ops-tape-verify``: each tool has a nested section named after it."""


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """Return a parser with the options every ops tool takes (:func:`ctaops._toolcli.parser`) and ``--dry-run``."""
    p = _toolcli.parser(prog, description)
    p.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    return p


def setup(tool: str, args: argparse.Namespace) -> tuple[Config, logging.Logger]:
    """Load ``global`` merged with ``tools.cta-ops-tape-verify.<tool>`` and start the logger."""
    cfg = load_config(args.config_file, tool=f"{SECTION}.{tool}")
    debug = bool(args.verbose or cfg.tool_value("debug", False))
    logger = init_logger(
        tool, config=cfg, debug=debug, log_dir=log_dir(cfg), json_lines=bool(getattr(args, "log_json", False))
    )
    logger.info("Executed as: %s", " ".join([tool, *sys.argv[1:]]))
    return cfg, logger


def setting(cfg: Config, key: str, default: Any) -> Any:
    """Return a key of the tool's section (``default_first`` …), ``default`` when absent or null."""
    value = cfg.tool_value(key)
    return default if value is None else value


def xrd_env(cfg: Config) -> dict[str, str]:
    """Environment for XRootD clients (``cta-verify-file``): sss with the configured keytab, if any."""
    env = dict(os.environ)
    keytab = cfg.default_user.sss_keytab_file
    if keytab and os.path.exists(keytab):
        env.update(XrdSecPROTOCOL="sss", XrdSecSSSKT=keytab)
    return env


def log_dir(cfg: Config) -> str:
    """``tools.cta-ops-tape-verify.logging.log_dir``, else ``<global log_dir>/verification/``."""
    return tool_log_dir(cfg, SECTION, "verification")


def state_dir(cfg: Config) -> Path:
    """Where submitted verifications are remembered: ``state_dir``, default ``<log_dir>/state``."""
    configured = cfg.tool_value("state_dir")
    return Path(configured) if configured else Path(log_dir(cfg)) / "state"


def save_submission(cfg: Config, vid: str, record: dict[str, Any]) -> Path:
    """Remember what was submitted for ``vid`` (replaced atomically: a crash leaves the old record or the new)."""
    d = state_dir(cfg)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{vid}.json"
    write_atomic(path, json.dumps(record))
    return path


def load_submission(cfg: Config, vid: str) -> dict[str, Any] | None:
    """Return what was submitted for ``vid``, if this host remembers it."""
    try:
        data = json.loads((state_dir(cfg) / f"{vid}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def forget_submission(cfg: Config, vid: str) -> None:
    """Drop the record of a finished verification."""
    (state_dir(cfg) / f"{vid}.json").unlink(missing_ok=True)


def run_main(prog: str, body: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None) -> NoReturn:
    """Run a tool: known failures are one line on stderr and exit 1, never a traceback."""
    if argv is None:  # the program itself (not a test or caller running it in-process)
        forward_termination()
    try:
        code = body(argv)
    except SystemExit as e:  # argparse: --help, --version, usage errors; stdout still to be flushed
        code = _toolcli.exit_code(e)
    except BrokenPipeError:  # `| head -1`: the reader has what it wanted
        _toolcli.finish(0)
    except (CtaOpsError, OSError, ValueError) as exc:
        log = logging.getLogger(prog)
        if log.handlers:
            log.error("%s", one_line(exc))  # noqa: TRY400 - one line, no traceback
        else:
            print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    _toolcli.finish(code)
