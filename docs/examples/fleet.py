"""A tape fleet at a glance: what an operator's notebook starts with.

Run it as a script (``python fleet.py -C /etc/cta-ops/cta-ops-config.yaml --png fleet.png``) or
paste the cells into Jupyter. It needs ``pip install ctaops[analysis]`` (pyarrow, pandas,
polars, matplotlib). Every number comes from ``cta-admin`` through ctaops: tapes per pool and
state, data per VO, how full the tapes are, and how much of the fleet has been verified.
"""

from __future__ import annotations

import argparse
import sys

import matplotlib as mpl

mpl.use("Agg")  # no display needed: the figure goes to a file
import matplotlib.pyplot as plt
import pandas as pd

from ctaops.admin import CtaAdmin


def fleet(admin: CtaAdmin) -> pd.DataFrame:
    """One row per tape, sub-messages flattened (``creationLog.time``), times as UTC timestamps."""
    return admin.tapes().to_pandas(flatten=True)


def tapes_per_pool_and_state(tapes: pd.DataFrame) -> pd.DataFrame:
    """Count of tapes by pool (rows) and state (columns)."""
    return tapes.pivot_table(index="tapepool", columns="state", values="vid", aggfunc="count", fill_value=0)


def data_per_vo(tapes: pd.DataFrame) -> pd.Series:
    """Bytes of master data by VO, largest first."""
    return tapes.groupby("vo")["masterDataInBytes"].sum().sort_values(ascending=False)


def fill_fraction(tapes: pd.DataFrame) -> pd.Series:
    """Occupancy over capacity of every tape (0 to 1)."""
    return (tapes["occupancy"] / tapes["capacity"].where(tapes["capacity"] > 0)).fillna(0.0)


def verification_coverage(tapes: pd.DataFrame) -> pd.Series:
    """Tapes with data by verification outcome (``never`` where no verification was recorded)."""
    with_data = tapes[tapes["lastFseq"] > 0]
    return with_data["verification.status"].fillna("never").value_counts()


def files_on(admin: CtaAdmin, vids: list[str]) -> pd.DataFrame:
    """Every tape copy on ``vids`` in one table (``af.archiveId``, ``tf.fSeq``, …), one bulk call."""
    return admin.tape_files(vids).to_pandas(flatten=True)


def plot(tapes: pd.DataFrame, png: str) -> None:
    """Save the fill histogram and the data per VO as one PNG."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.hist(fill_fraction(tapes) * 100, bins=20, range=(0, 100))
    left.set_xlabel("fill (%)")
    left.set_ylabel("tapes")
    left.set_title("How full the tapes are")
    (data_per_vo(tapes) / 1e9).plot.bar(ax=right)
    right.set_ylabel("GB")
    right.set_title("Data per VO")
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Print the summaries and save the figure; the exit status."""
    p = argparse.ArgumentParser(prog="fleet.py", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("-C", "--config-file", help="ops config file (default: as every ctaops tool)")
    p.add_argument("--png", default="fleet.png", help="where to save the figure (default: fleet.png)")
    args = p.parse_args(argv)
    admin = CtaAdmin(args.config_file)
    tapes = fleet(admin)
    print(tapes_per_pool_and_state(tapes).to_string())
    print()
    print(data_per_vo(tapes).to_string())
    print()
    print(verification_coverage(tapes).to_string())
    filled = tapes.loc[tapes["lastFseq"] > 0, "vid"].tolist()
    files = files_on(admin, filled)
    print(f"\n{len(files)} tape copies on {len(filled)} tapes with data")
    plot(tapes, args.png)
    print(f"figure saved to {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
