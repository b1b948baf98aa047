"""The one place the Python tools mask credentials before text reaches an error or a log line.

Same rules as the Rust core's ``redact`` module (docs/reliability.md, "Secrets"): the password
of a URL's user info, ``password=`` (and its spellings) in URL queries and libpq key=value
strings, quoted values too.
"""

from __future__ import annotations

import re

MASK = "***"

# The user info ends at the last ``@`` of the token, as a parser tolerating an unencoded ``@`` would read it.
_URL_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.\-]*://[^\s:/@'\"]*):[^\s'\"]*@")
_KEY_VALUE = re.compile(r"""(?i)\b((?:ssl)?pass(?:word|wd)?|pwd)(\s*=\s*)('(?:[^'\\]|\\.)*'?|"[^"]*"?|[^\s&;,'"]*)""")


def mask_credentials(text: str) -> str:
    """Return ``text`` with every credential replaced by ``***``."""
    text = _URL_USERINFO.sub(rf"\1:{MASK}@", text)
    return _KEY_VALUE.sub(rf"\1\2{MASK}", text)


def one_line(error: object) -> str:
    """Render an error as one line for stderr or a log, credentials masked."""
    return mask_credentials(" ".join(str(error).split()))


__all__ = ["MASK", "mask_credentials", "one_line"]
