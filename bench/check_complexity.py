"""Checks py-ecomplexity's complexity set against tradepipe's `complexity` table (the HS
6-digit universe the bench data have): the same (year, reporter, product) keys, presence,
diversity and ubiquity exactly, ECI and PCI to 1e-6 relative (plus 1e-6 absolute near
zero). py-ecomplexity standardises with numpy's population sd over the countries where
Stata (and tradepipe) divide by C·P − 1 over the cells: a factor of sqrt(1 − 1/(C·P)), 4e-7
at 226 × 5,381, inside the tolerance.

Density, COI and COG differ by definition: the PyPI release (0.5.3) keeps φ_pp = 1 on the
proximity diagonal, where Stata `ecomplexity` (whose published output tradepipe matches,
tests/complexity.rs) sets it to 0. The check confirms that this is the whole difference for
density: py-ecomplexity's equals (d·w + M) / (w + 1), with tradepipe's density d, presence
M and w = Σ_q≠p φ_qp recomputed here from M.

    python bench/check_complexity.py TRADEPIPE_COMPLEXITY_DIR NAME=FILE.parquet ...
"""
import sys

import numpy as np
import pyarrow.dataset as ds
import pandas as pd

KEYS = ["year", "reporter", "product"]
EXACT = ["m", "diversity", "ubiquity"]
CLOSE = ["eci", "pci"]
READ = ["eci", "pci", "density"]


def main() -> None:
    ours = (
        ds.dataset(sys.argv[1], format="parquet", partitioning="hive")
        .to_table(columns=["year", "reporter", "product", "level", *EXACT, *READ])
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
            close(name, col, ours, ours[col].to_numpy(dtype=float), theirs[col].to_numpy(dtype=float))
        close(name, "density (diagonal 1)", ours, diagonal_one_density(ours), theirs["density"].to_numpy(dtype=float))
        print(f"{name}: {len(ours):,} cells: presence, diversity, ubiquity, ECI and PCI equal to "
              "tradepipe's; density equal once its proximity diagonal of 1 is accounted for")


def close(name, col, ours, a, b):
    bad = ~np.isclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True)
    if bad.any():
        i = int(np.argmax(bad))
        sys.exit(f"{name}: {col} differs in {int(bad.sum())} rows, e.g. {ours.loc[i, KEYS].to_dict()}: {a[i]} vs {b[i]}")


def diagonal_one_density(ours):
    """Density as py-ecomplexity 0.5.3 defines it, from tradepipe's density and presence."""
    out = np.empty(len(ours))
    for year, g in ours.groupby("year", sort=False):
        reporters, products = g["reporter"].unique(), g["product"].unique()
        m = g["m"].to_numpy(dtype=float).reshape(len(reporters), len(products))
        u = m.sum(axis=0)
        co = m.T @ m
        phi = co / np.maximum(u[:, None], u[None, :])
        np.fill_diagonal(phi, 0.0)
        w = phi.sum(axis=0)
        d = g["density"].to_numpy(dtype=float).reshape(m.shape)
        out[g.index.to_numpy()] = ((d * w + m) / (w + 1.0)).ravel()
    return out


if __name__ == "__main__":
    main()
