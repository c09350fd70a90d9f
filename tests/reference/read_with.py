"""Reads a table tradepipe wrote with other Parquet readers, so the suite can check that they
see what tradepipe's own reader sees (tradepipe writes some column chunks itself: dictionary
and PLAIN pages straight from its arrays, which a reader other than polars must accept).

    python read_with.py TABLE OUT_PREFIX [SORT_KEY ...]

TABLE is one Parquet file or a Hive-partitioned directory (`year=YYYY/part-0.parquet`).
Writes OUT_PREFIX_duckdb.csv and OUT_PREFIX_pyarrow.csv: every row, ordered by the sort keys
(default: year, reporter, product), doubles written so that they read back to the same bits
(pandas writes the shortest round-trip repr), nulls as empty fields.
"""
import pathlib
import sys

import duckdb
import pyarrow.dataset as ds

table, out = sys.argv[1:3]
keys = sys.argv[3:] or ["year", "reporter", "product"]
is_dir = pathlib.Path(table).is_dir()

with duckdb.connect() as con:
    pattern = f"{table}/*/*.parquet" if is_dir else table
    duck = con.sql(f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = {is_dir})").df()
arrow = ds.dataset(table, format="parquet", partitioning="hive" if is_dir else None)
arrow = arrow.to_table().to_pandas()

for name, df in [("duckdb", duck), ("pyarrow", arrow)]:
    if "year" in df.columns:
        df = df.astype({"year": "int64"})
    df.sort_values(keys).to_csv(f"{out}_{name}.csv", index=False, na_rep="")
