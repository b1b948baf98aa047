"""Console-script entry point: runs the Rust ``ctaops`` command line in-process."""

from __future__ import annotations

import os
import signal
import sys

from ctaops._core import cli_main


def main() -> None:
    """Run ``ctaops`` with this process's arguments and exit with its status."""
    # Behave like the native binary: Ctrl-C ends the process at once instead of waiting for
    # Python's handler, which cannot run while Rust holds the thread.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # `python -m ctaops` has argv[0] = .../ctaops/__main__.py: usage lines say `ctaops` then.
    name = os.path.basename(sys.argv[0])
    argv = ["ctaops" if name in ("", "__main__.py") else name, *sys.argv[1:]]
    sys.stdout.flush()
    # Lets `ctaops sim init` write wrappers that run this interpreter (the venv's, not the base one).
    os.environ["CTAOPS_PYTHON"] = sys.executable
    sys.exit(cli_main(argv))


def repack_manager() -> None:
    """Run ``cta-ops-repack-manager`` (``ctaops repack-manager``) with this process's arguments."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    # Under its own name, so that usage lines and errors say `cta-ops-repack-manager`.
    sys.exit(cli_main(["cta-ops-repack-manager", *sys.argv[1:]]))
