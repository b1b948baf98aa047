"""Compatibility package for scripts written against upstream's ``tapeadmin``.

Upstream's tape infrastructure library shells out to ``cta-smc``, ``sg_inq``, ``sg_logs``,
``lsscsi`` and ``mt``; these modules re-export ctaops, which speaks SCSI itself. The paths in
``global.binaries`` stay honoured where a tool is still run (``tapeadmin.binaries``). See
docs/tapeadmin.md for the mapping.
"""

from __future__ import annotations

from ctaops import __version__
from ctaops.utils.lazy import submodule_loader

__all__ = ["__version__", "binaries", "drive", "library", "scsi", "tapealert"]


# `tapeadmin.library` after a bare `import tapeadmin`, as upstream scripts do.
__getattr__ = submodule_loader(__name__, (n for n in __all__ if n != "__version__"))
