#!/usr/bin/env python3
"""A ``cta-admin`` stand-in answering several commands from one scenario file.

The scenario (passed as ``--config``, like the real client's config) maps command words to the
JSON records to print: ``{"tape ls --vid V1": [...], "tapepool ls": [...]}``; the full command
is tried first, then its first two words. Unknown commands fail with exit status 1.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    argv = sys.argv[1:]
    with open(argv[argv.index("--config") + 1], encoding="utf-8") as f:
        answers = json.load(f)
    words = list(argv[argv.index("--config") + 2 :])
    for key in (" ".join(words), " ".join(words[:2])):
        if key in answers:
            sys.stdout.write(json.dumps(answers[key]) + "\n")
            return 0
    sys.stderr.write(f"fake cta-admin: no answer for {' '.join(words)}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
