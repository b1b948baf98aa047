"""``cta-ops-change-storage-class``: change the storage class of archived files in EOS and CTA.

See :mod:`ctaops.eos.storage_class.cli` for the command line and docs/eos-tools.md for the
procedure.
"""

from ctaops.eos.storage_class.cli import main

__all__ = ["main"]
