"""Tape verification tools, compatible with upstream's ``tapeverify`` package (ops-tools §7).

* ``cta-ops-verify-tape`` (:mod:`ctaops.tapeverify.verify_tape`): selects files of one tape
  (first N, last N, random N, enough data for a read time or size), submits them through
  ``cta-verify-file`` and records ``ongoing`` in the tape's verification status; with
  ``--native`` it reads them itself from an image or drive and records the outcome at once.
* ``cta-ops-verification-feeder`` (:mod:`ctaops.tapeverify.feeder`): closes finished
  verifications (``done``/``failed`` with counts) and tops the number of tapes under
  verification up to a target, choosing tapes by policy.

The JSON kept in ``TAPE.VERIFICATION_STATUS`` is :class:`~ctaops.tapeverify.status.VerificationStatus`.
"""

from __future__ import annotations

from ctaops.tapeverify.status import VerificationStatus

__all__ = ["VerificationStatus"]
