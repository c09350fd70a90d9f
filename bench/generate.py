"""Seeded generator of BACI-shaped trade data, written as tradepipe's canonical table.

BACI's shape: 226 countries, 5,381 HS6 products, one FOB value per (year, exporter,
importer, product). Country sizes are Zipf-skewed (exporter and importer drawn with weights
1/rank^1.1), values lognormal. The numbers are synthetic -- this is a benchmark input, not
data -- and the same seed and size always give the same bytes.

    python bench/generate.py ROWS OUT_DIR

writes OUT_DIR/output/parquet/trade/year=YYYY/part-0.parquet (five years), its
_provenance.json, and OUT_DIR/pipeline.toml for `tradepipe indices`.
"""

import csv
import json
import pathlib
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N_COUNTRIES = 226
N_PRODUCTS = 5381
YEARS = [2015, 2016, 2017, 2018, 2019]
SEED = 20261123


def countries(repo: pathlib.Path) -> list[str]:
    # Real ISO3 codes from the shipped registry, so every code resolves.
    with open(repo / "data" / "countries.csv", newline="") as f:
        codes = sorted(r["iso3"] for r in csv.DictReader(f))
    return codes[:N_COUNTRIES]


def products() -> list[str]:
    # 5,381 six-digit codes spread over HS chapters 01-97 (synthetic codes, real shape).
    rng = np.random.default_rng(SEED + 1)
    codes = set()
    while len(codes) < N_PRODUCTS:
        chapter = int(rng.integers(1, 98))
        codes.add(f"{chapter:02d}{int(rng.integers(1, 10000)):04d}")
    return sorted(codes)


def generate(rows: int, out: pathlib.Path, repo: pathlib.Path) -> None:
    rng = np.random.default_rng(SEED)
    ctry = countries(repo)
    prods = products()
    weights = 1.0 / np.arange(1, N_COUNTRIES + 1) ** 1.1
    weights /= weights.sum()
    trade = out / "output" / "parquet" / "trade"
    per_year = rows // len(YEARS)
    total = 0
    for y_i, year in enumerate(YEARS):
        want = per_year + (rows - per_year * len(YEARS) if y_i == 0 else 0)
        # Draw keys until `want` distinct ones are in hand (keys are unique, as in BACI); with
        # Zipf-skewed countries many draws repeat, so draw in rounds.
        keys = np.empty(0, dtype=np.int64)
        while len(keys) < want:
            n = (want - len(keys)) * 2 + 1000
            e = rng.choice(N_COUNTRIES, size=n, p=weights)
            i = rng.choice(N_COUNTRIES, size=n, p=weights)
            i = np.where(i == e, (i + 1) % N_COUNTRIES, i)
            k = rng.integers(0, N_PRODUCTS, size=n)
            drawn = (e.astype(np.int64) * N_COUNTRIES + i) * N_PRODUCTS + k
            merged = np.concatenate([keys, drawn])
            _, first = np.unique(merged, return_index=True)
            keys = merged[np.sort(first)]
        keys = keys[:want]
        k = keys % N_PRODUCTS
        i = (keys // N_PRODUCTS) % N_COUNTRIES
        e = keys // (N_PRODUCTS * N_COUNTRIES)
        first = keys
        v = np.round(rng.lognormal(mean=10.0, sigma=2.5, size=len(first)), 3)
        order = np.lexsort((k, i, e))
        e, i, k, v = e[order], i[order], k[order], v[order]
        m = len(e)
        table = pa.table(
            {
                "reporter": pa.array(np.array(ctry, dtype=object)[e], pa.string()),
                "partner": pa.array(np.array(ctry, dtype=object)[i], pa.string()),
                "flow": pa.array(["export"] * m, pa.string()),
                "classification": pa.array(["HS92"] * m, pa.string()),
                "product": pa.array(np.array(prods, dtype=object)[k], pa.string()),
                "value_usd": pa.array(v, pa.float64()),
                "source": pa.array(["bench"] * m, pa.string()),
                "vintage": pa.array([f"synthetic seed {SEED}"] * m, pa.string()),
                "reported_by": pa.array(["reporter"] * m, pa.string()),
                "is_estimate": pa.array(np.zeros(m, dtype=bool)),
            }
        )
        part = trade / f"year={year}"
        part.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, part / "part-0.parquet", compression="zstd")
        total += m
    provenance = {
        "sources": [
            {
                "source": "bench",
                # `format` is the reader normalize used (a closed list, the provenance
                # contract): these rows stand for a BACI release's, written directly.
                "format": "baci-zip",
                "location": "bench/generate.py",
                "sha256": "",
                "vintage": f"synthetic seed {SEED}",
                "description": "BACI-shaped synthetic benchmark data",
                "rows": total,
                "exact_duplicates_dropped": 0,
                "negative_values": 0,
                "estimated_rows": 0,
                "skipped_rows": 0,
                "superseded_rows": 0,
                "first_year": YEARS[0],
                "last_year": YEARS[-1],
                "blobs": 1,
            }
        ]
    }
    (trade / "_provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    (out / "pipeline.toml").write_text(
        f"""[run]
years = {{ from = {YEARS[0]}, to = {YEARS[-1]} }}
output = "output"
templates = "{repo / 'templates'}"

[[source]]
name = "bench"
kind = "file"
format = "imf-dots-csv"
path = "unused.csv"
vintage = "synthetic"

[indices]
countries = ["{ctry[0]}", "{ctry[1]}"]
"""
    )
    (out / "rows.txt").write_text(f"{total}\n")


if __name__ == "__main__":
    generate(int(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(__file__).resolve().parent.parent)
