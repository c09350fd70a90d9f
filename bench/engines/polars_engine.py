"""The product index set in Python polars (lazy, streaming where it can)."""
import sys

import polars as pl

COLUMNS = ["year", "reporter", "product", "exports", "rca", "rca_sym", "partners", "market_penetration"]


def product_table(x):
    """The product table from export rows `x` (year, reporter, partner, product, value_usd;
    a DataFrame or a LazyFrame), sorted by (year, reporter, product)."""
    # Keys are unique in the canonical table, so a positive row is one partner market.
    exports = x.group_by("year", "reporter", "product").agg(
        exports=pl.col("value_usd").sum(),
        partners=(pl.col("value_usd") > 0).sum().cast(pl.UInt32),
    )
    # Mirror imports (the data are exports only): j imports k if any exporter reports it.
    importers = (
        x.filter(pl.col("value_usd") > 0)
        .select("year", "product", "partner")
        .unique()
        .group_by("year", "product")
        .agg(importers=pl.len())
    )
    return (
        exports.with_columns(
            xr=pl.col("exports").sum().over("year", "reporter"),
            xp=pl.col("exports").sum().over("year", "product"),
            w=pl.col("exports").sum().over("year"),
        )
        .with_columns(rca=(pl.col("exports") / pl.col("xr")) / (pl.col("xp") / pl.col("w")))
        .with_columns(rca_sym=(pl.col("rca") - 1) / (pl.col("rca") + 1))
        .join(importers, on=["year", "product"], how="left")
        .with_columns(market_penetration=pl.col("partners") / pl.col("importers"))
        .select(COLUMNS)
        .sort("year", "reporter", "product")
    )


if __name__ == "__main__":
    trade, out = sys.argv[1], sys.argv[2]
    x = pl.scan_parquet(f"{trade}/**/*.parquet", hive_partitioning=True).filter(
        (pl.col("flow") == "export") & (pl.col("product") != "TOTAL") & (pl.col("partner") != pl.col("reporter"))
    )
    product_table(x).collect().write_parquet(out)
