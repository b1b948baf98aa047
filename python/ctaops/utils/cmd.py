"""Running external commands: always an argument vector, never a shell, with a timeout."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ctaops.errors import CommandError


@dataclass(frozen=True)
class CmdResult:
    """What a command did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    """Seconds."""

    @property
    def ok(self) -> bool:
        """Exit status 0."""
        return self.returncode == 0


def run_cmd(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    check: bool = False,
) -> CmdResult:
    """Run ``argv`` and capture its output as text.

    ``env`` is added to this process's environment. A missing binary, a timeout and (with
    ``check=True``) a non-zero exit raise :class:`ctaops.errors.CommandError` whose one-line
    message names the command.
    """
    args = tuple(os.fspath(a) for a in argv)
    if not args:
        raise CommandError("empty command")
    full_env = {**os.environ, **env} if env is not None else None
    start = time.monotonic()
    try:
        proc = subprocess.run(  # noqa: S603  (argument vector, no shell)
            args, input=input, capture_output=True, text=True, timeout=timeout, env=full_env, check=False
        )
    except FileNotFoundError:
        raise CommandError(f"{args[0]}: command not found") from None
    except PermissionError:
        raise CommandError(f"{args[0]}: permission denied") from None
    except subprocess.TimeoutExpired:
        raise CommandError(f"{' '.join(args)}: timed out after {timeout:g}s") from None
    result = CmdResult(args, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    if check and not result.ok:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise CommandError(f"{' '.join(args)}: exit status {result.returncode}: {first}")
    return result


__all__ = ["CmdResult", "run_cmd"]
