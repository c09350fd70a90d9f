"""The product index set in Python polars (lazy, streaming where it can)."""
import sys

import polars as pl

trade, out = sys.argv[1], sys.argv[2]
x = (
    pl.scan_parquet(f"{trade}/**/*.parquet", hive_partitioning=True)
    .filter((pl.col("flow") == "export") & (pl.col("product") != "TOTAL") & (pl.col("partner") != pl.col("reporter")))
    .group_by("year", "reporter", "product")
    .agg(pl.col("value_usd").sum().alias("exports"))
)
rca = (
    x.with_columns(
        xr=pl.col("exports").sum().over("year", "reporter"),
        xp=pl.col("exports").sum().over("year", "product"),
        w=pl.col("exports").sum().over("year"),
    )
    .with_columns(rca=(pl.col("exports") / pl.col("xr")) / (pl.col("xp") / pl.col("w")))
    .with_columns(rca_sym=(pl.col("rca") - 1) / (pl.col("rca") + 1))
    .select("year", "reporter", "product", "exports", "rca", "rca_sym")
    .sort("year", "reporter", "product")
)
rca.collect().write_parquet(out)
