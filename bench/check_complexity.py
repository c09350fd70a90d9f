"""Checks an engine's complexity set against tradepipe's `complexity` table (the HS 6-digit
universe the bench data have): the same (year, reporter, product) keys, presence, diversity
and ubiquity exactly, ECI, PCI, density, COI and COG to 1e-6 relative (plus 1e-6 absolute
near zero). py-ecomplexity standardises with numpy's population sd over the countries where
Stata (and tradepipe) divide by C·P − 1 over the cells: a factor of sqrt(1 − 1/(C·P)), 4e-7
at 226 × 5,381, inside the tolerance.

    python bench/check_complexity.py TRADEPIPE_COMPLEXITY_DIR NAME=FILE.parquet ...
"""
import sys

import numpy as np
import pyarrow.dataset as ds
import pandas as pd

KEYS = ["year", "reporter", "product"]
EXACT = ["m", "diversity", "ubiquity"]
CLOSE = ["eci", "pci", "density", "coi", "cog"]


def main() -> None:
    ours = (
        ds.dataset(sys.argv[1], format="parquet", partitioning="hive")
        .to_table(columns=["year", "reporter", "product", "level", *EXACT, *CLOSE])
        .to_pandas()
    )
    ours = ours[ours["level"] == 6].drop(columns="level")
    for col in ["reporter", "product"]:
        ours[col] = ours[col].astype(str)
    ours["year"] = ours["year"].astype("int64")
    ours = ours.sort_values(KEYS).reset_index(drop=True)
    for spec in sys.argv[2:]:
        name, path = spec.split("=", 1)
        theirs = pd.read_parquet(path).sort_values(KEYS).reset_index(drop=True)
        if len(theirs) != len(ours) or not (theirs[KEYS].astype(str) == ours[KEYS].astype(str)).all().all():
            sys.exit(f"{name}: keys differ from tradepipe's ({len(theirs)} rows vs {len(ours)})")
        for col in EXACT:
            a, b = ours[col].astype("int64").to_numpy(), theirs[col].astype("int64").to_numpy()
            if not np.array_equal(a, b):
                sys.exit(f"{name}: {col} differs in {int((a != b).sum())} rows")
        for col in CLOSE:
            a, b = ours[col].to_numpy(dtype=float), theirs[col].to_numpy(dtype=float)
            bad = ~np.isclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True)
            if bad.any():
                i = int(np.argmax(bad))
                sys.exit(f"{name}: {col} differs in {int(bad.sum())} rows, e.g. {ours.loc[i, KEYS].to_dict()}: {a[i]} vs {b[i]}")
        print(f"{name}: {len(ours):,} cells equal to tradepipe's complexity table")


if __name__ == "__main__":
    main()
