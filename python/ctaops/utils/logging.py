"""Unified logging for the ops tools, configured from ``global.logging``.

Human lines look like upstream's::

    2026-03-05 14:03:07 [INFO] [get_library_type] Library type: IBM-03584L22

(``date_format`` from the config, then ``[LEVEL] [function] message``). Logs go to stderr and
to ``<log_dir>/<tool>.log`` with size-based rotation (``rotation_max_size``,
``rotation_keep_files``); data belongs on stdout and never goes through here. With
``json_lines=True`` the file gets one JSON object per line instead, for Fluentd.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ctaops.utils.redact import mask_credentials

if TYPE_CHECKING:
    from ctaops.utils.config import Config

LINE_FORMAT = "%(asctime)s [%(levelname)s] [%(funcName)s] %(message)s"
"""Upstream's human log line (``date_format`` fills ``asctime``)."""

DEFAULT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

_HANDLER_MARK = "_ctaops_handler"

# Attributes every LogRecord has; anything else was passed through ``extra=`` and goes into JSON.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class LineFormatter(logging.Formatter):
    """``YYYY-MM-DD HH:MM:SS [LEVEL] [function] message``."""

    def __init__(self, date_format: str = DEFAULT_DATE_FORMAT) -> None:
        super().__init__(LINE_FORMAT, datefmt=date_format)

    def format(self, record: logging.LogRecord) -> str:
        """Render one record, credentials masked (log files and cron mail reach many readers)."""
        return mask_credentials(super().format(record))


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: time, level, function, logger, message and ``extra`` fields."""

    def __init__(self, date_format: str = DEFAULT_DATE_FORMAT) -> None:
        super().__init__(datefmt=date_format)

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a JSON object."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, self.datefmt),
            "epoch": record.created,
            "level": record.levelname,
            "function": record.funcName,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_credentials(json.dumps(entry, default=str))


def log_file_path(tool: str, log_dir: str) -> str:
    """``<log_dir>/<tool>.log``."""
    return os.path.join(log_dir, f"{tool}.log")


def tool_log_dir(config: Config, section: str, subdir: str) -> str:
    """``tools.<section>.logging.log_dir`` if the config sets it, else ``<global log_dir>/<subdir>/``.

    Upstream's tool defaults (``/var/log/cta-ops/repack/``, ``/var/log/cta-ops/verification/``)
    are the global default plus a subdirectory; deriving them keeps a site's files under its
    moved global ``log_dir`` instead of a fixed ``/var/log`` path.
    """
    merged = config.logging.log_dir  # the tool's view: a nested tool's own override counts too
    own = config.get_path(f"tools.{section}.logging.log_dir")
    if isinstance(own, str) and own.strip() and merged == config.get_path("global.logging.log_dir"):
        return own  # set on the section, the tool (a nested one) looked at the global view
    if merged != config.get_path("global.logging.log_dir"):
        return merged
    return os.path.join(merged, subdir, "")


def _remove_our_handlers(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            logger.removeHandler(handler)
            handler.close()


def init_logger(  # noqa: PLR0913  (keyword-only options)
    tool: str,
    *,
    config: Config | None = None,
    debug: bool = False,
    log_dir: str | None = None,
    log_file: str | os.PathLike[str] | None = None,
    to_file: bool = True,
    to_stderr: bool = True,
    json_lines: bool = False,
    stream: TextIO | None = None,
    stderr_level: int = logging.NOTSET,
) -> logging.Logger:
    """Set up and return the logger named ``tool``.

    Settings come from ``config.logging`` (the default config is loaded when ``config`` is
    None); ``log_dir``/``log_file`` override the file location. Calling it again replaces the
    handlers it added before. If the log file cannot be opened the tool keeps running with
    stderr logging and says so once on stderr. ``stderr_level`` keeps stderr quieter than the
    file (the drive tools show only warnings there unless ``-V``).
    """
    if config is None:
        from ctaops.utils.config import load_config  # noqa: PLC0415  (avoid an import cycle)

        config = load_config(tool=tool)
    settings = config.logging
    date_format = settings.date_format or DEFAULT_DATE_FORMAT

    logger = logging.getLogger(tool)
    _remove_our_handlers(logger)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False

    if to_stderr:
        err = logging.StreamHandler(stream if stream is not None else sys.stderr)
        err.setFormatter(LineFormatter(date_format))
        err.setLevel(stderr_level)
        setattr(err, _HANDLER_MARK, True)
        logger.addHandler(err)

    if to_file:
        path = os.fspath(log_file) if log_file is not None else log_file_path(tool, log_dir or settings.log_dir)
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            handler = RotatingFileHandler(
                path,
                maxBytes=settings.rotation_max_bytes,
                backupCount=max(settings.rotation_keep_files, 0),
                encoding="utf-8",
            )
        except OSError as exc:
            print(f"{tool}: not logging to {path}: {exc.strerror or exc}", file=stream or sys.stderr)
        else:
            handler.setFormatter(JsonLinesFormatter(date_format) if json_lines else LineFormatter(date_format))
            setattr(handler, _HANDLER_MARK, True)
            logger.addHandler(handler)
    return logger


def log_and_exit(logger: logging.Logger, message: str, exit_code: int = 1, *, level: int = logging.ERROR) -> NoReturn:
    """Log ``message`` (as the caller's function) and exit with ``exit_code``."""
    logger.log(level, message, stacklevel=2)
    for handler in logger.handlers:
        handler.flush()
    sys.exit(exit_code)


def timestamp(date_format: str = DEFAULT_DATE_FORMAT) -> str:
    """Return the current local time in the log's format."""
    return _dt.datetime.now().strftime(date_format)


__all__ = [
    "DEFAULT_DATE_FORMAT",
    "LINE_FORMAT",
    "JsonLinesFormatter",
    "LineFormatter",
    "init_logger",
    "log_and_exit",
    "log_file_path",
    "timestamp",
    "tool_log_dir",
]
