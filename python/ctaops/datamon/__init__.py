"""``cta-ops-data-monitoring``: daily and monthly totals of the data CTA's tape sessions moved.

Sources: cta-taped's JSON ``Tape session finished`` records (``--taped-logs``), the daily points
a collector already put in the ``src`` InfluxDB (default mode: monthly points only), and the
``import`` database's CTA and CASTOR measurements (``--import-data``). Destination: measurement
``dst_influxdb_measurement``, daily points (00:00 UTC of the day) in
``dst_daily_retention_policy`` and monthly points (00:00 UTC of the 1st) in
``dst_monthly_retention_policy``, tags ``mountType``, ``vo``, ``tapePool``, ``drive``,
``library``, integer fields ``dataVolume``, ``filesCount``, ``sessions``, ``failedSessions``.
Recomputing a day or a month replaces all its points. See docs/data-monitoring.md.
"""

from ctaops.datamon.cli import main, run

__all__ = ["main", "run"]
