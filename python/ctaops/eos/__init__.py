"""The EOS tools: ``cta-ops-get-path-from-eos`` and ``cta-ops-change-storage-class`` (docs/eos-tools.md).

Both talk to EOS through its HTTPS interface with the bearer tokens of the REST keytab
(:mod:`ctaops.eos.rest`) and to CTA through :class:`ctaops.admin.CtaAdmin`.
"""

SECTION = "cta-ops-eos"
"""``tools.cta-ops-eos``: each tool has a nested section named after it."""

KEYTAB_KEY = f"tools.{SECTION}.cta-ops-get-path-from-eos.rest_key_tab"
"""Where both tools read the REST keytab's path."""

DEFAULT_KEYTAB = "/etc/cta/eos.rest.keytab.yaml"
