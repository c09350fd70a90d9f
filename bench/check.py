"""Checks every engine's product table against tradepipe's: same keys in the same order,
the same partner counts, values equal to rtol 1e-9 (rca_sym, which lies in [-1, 1] and is near 0 where RCA is near 1,
also to atol 1e-12: there a 1e-16 difference in summation order is a large relative one).

    python bench/check.py TRADEPIPE_PRODUCT_DIR NAME=PATH...
"""
import sys

import numpy as np
import pyarrow.dataset as ds


KEYS = ["year", "reporter", "product"]
EXACT = ["partners"]
VALUES = ["exports", "rca", "rca_sym", "market_penetration"]


def read_sorted(path: str, hive: bool):
    df = ds.dataset(path, format="parquet", partitioning="hive" if hive else None).to_table().to_pandas()
    df["year"] = df["year"].astype("int64")
    return df[KEYS + EXACT + VALUES].sort_values(
        ["year", "reporter", "product"], ignore_index=True
    )


def main() -> None:
    ours = read_sorted(sys.argv[1], hive=True)
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        theirs = read_sorted(path, hive=False)
        if len(ours) != len(theirs):
            sys.exit(f"{name}: {len(theirs)} rows, tradepipe has {len(ours)}")
        for c in KEYS + EXACT:
            if not (ours[c].to_numpy() == theirs[c].to_numpy()).all():
                sys.exit(f"{name}: column {c} differs")
        for c in VALUES:
            a, b = ours[c].to_numpy(), theirs[c].to_numpy()
            atol = 1e-12 if c == "rca_sym" else 0.0
            if not np.allclose(a, b, rtol=1e-9, atol=atol, equal_nan=True):
                sys.exit(f"{name}: {c} differs (largest relative difference {np.nanmax(np.abs(a / b - 1)):.3g})")
    print(f"all engines agree with tradepipe ({len(ours):,} product rows)", flush=True)


if __name__ == "__main__":
    main()
