"""Running external commands: always an argument vector, never a shell, with a timeout.

A child is stopped with the tool when the tool is terminated (``forward_termination``).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ctaops import _core
from ctaops.errors import CommandError


def forward_termination() -> None:
    """Make this process pass SIGTERM, SIGINT and SIGHUP on to its children, then exit 128+signo.

    For a program's entry point only (it replaces the process's handlers of those signals once
    the first child starts); children are those of :func:`run_tracked` and ``cta-admin``.
    """
    _core.forward_termination()


def run_tracked(
    args: Sequence[str],
    *,
    input: str | bytes | None = None,
    text: bool = True,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[Any]:
    """Run like ``subprocess.run(args, capture_output=True, check=False, ...)``, the child tracked.

    A terminated tool stops the child instead of orphaning it. Raises ``TimeoutExpired`` (the
    child killed) and the spawn errors as ``subprocess.run`` does.
    """
    with subprocess.Popen(  # noqa: S603  (argument vector, no shell)
        list(args),
        stdin=subprocess.PIPE if input is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=text,
        env=env,
    ) as proc:
        _core.track_child(proc.pid)
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except BaseException:
            # As subprocess.run: wait, not communicate (a grandchild may hold the pipes open).
            proc.kill()
            proc.wait()
            raise
        finally:
            _core.untrack_child(proc.pid)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


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
        proc = run_tracked(args, input=input, timeout=timeout, env=full_env)
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


__all__ = ["CmdResult", "forward_termination", "run_cmd", "run_tracked"]
