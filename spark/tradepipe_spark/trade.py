"""The canonical trade table as the index stage reads it, split into the row kinds each table
uses: country totals, product rows and breakdowns (as `crates/indices/src/year_data.rs`).

Text columns are compared as they are; `WLD` is the world and `TOTAL` the all-products code.
"""

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

WORLD = "WLD"
TOTAL = "TOTAL"


class DataError(Exception):
    """Input the index stage cannot use (exit 65, as the native engine)."""


@dataclass
class Trade:
    """One run's rows, every DataFrame carrying `year`."""

    # Country-total flows: year, reporter, partner, flow (export|import), value, est.
    totals: DataFrame
    # Product flows: year, reporter, partner, flow (export|import), classification, product,
    # value, and q, unit where the table has quantities.
    products: DataFrame
    has_quantities: bool
    # Province and regime parts of configured reporters' totals: year, reporter, partner,
    # dimension, component, flow, value.
    parts: DataFrame


def read(spark: SparkSession, root: str, years: list[int], countries: list[str]) -> Trade:
    paths = [f"{root.rstrip('/')}/year={y}" for y in years]
    t = spark.read.option("basePath", root).parquet(*paths)
    cols = set(t.columns)
    for c in ("reporter", "partner", "flow", "classification", "product", "value_usd"):
        if c not in cols:
            raise DataError(f"unexpected table layout in {root}: no column {c!r}")
    t = t.withColumn("year", F.col("year").cast("int")).withColumnRenamed("value_usd", "value")
    has_parts = {"province", "regime"} <= cols
    has_quantities = {"quantity", "quantity_unit"} <= cols
    configured = F.col("reporter").isin(countries)

    if has_parts:
        # A row is whole when both breakdown columns say TOTAL; a null in either is no row.
        whole_cond = F.coalesce((F.col("province") == TOTAL) & (F.col("regime") == TOTAL), F.lit(False))
    else:
        whole_cond = F.lit(True)
    whole = t.filter(whole_cond)

    total_rows = whole.filter(F.col("product") == TOTAL)
    bad = total_rows.filter(
        F.col("reporter").isNull() | F.col("partner").isNull() | F.col("flow").isNull() | F.isnan("value")
    ).select("year").limit(1).collect()
    if bad:
        raise DataError(
            f"unexpected table layout in {root}/year={bad[0]['year']}: a total row has a null key or value"
        )
    totals = total_rows.filter(F.col("flow").isin("export", "import")).select(
        "year",
        "reporter",
        "partner",
        "flow",
        "value",
        F.coalesce(F.col("is_estimate"), F.lit(False)).alias("est")
        if "is_estimate" in cols
        else F.lit(False).alias("est"),
    )

    keyed = (
        F.col("reporter").isNotNull()
        & F.col("partner").isNotNull()
        & F.col("classification").isNotNull()
        & F.col("product").isNotNull()
        & ~F.isnan("value")
        & F.col("value").isNotNull()
        & F.col("flow").isin("export", "import")
    )
    product_cols = ["year", "reporter", "partner", "flow", "classification", "product", "value"]
    if has_quantities:
        product_cols += [F.col("quantity").alias("q"), F.col("quantity_unit").alias("unit")]
    products = whole.filter((F.col("product") != TOTAL) & keyed).select(*product_cols)

    if has_parts:
        p = t.filter(
            ~whole_cond
            & configured
            & (F.col("product") == TOTAL)
            & F.col("partner").isNotNull()
            & F.col("province").isNotNull()
            & F.col("regime").isNotNull()
            & ~F.isnan("value")
            & F.col("flow").isin("export", "import", "re-export", "re-import")
        )
        province_part = (F.col("province") != TOTAL) & (F.col("regime") == TOTAL)
        regime_part = (F.col("province") == TOTAL) & (F.col("regime") != TOTAL)
        parts = p.filter(province_part | regime_part).select(
            "year",
            "reporter",
            "partner",
            F.when(province_part, F.lit("province")).otherwise(F.lit("regime")).alias("dimension"),
            F.when(province_part, F.col("province")).otherwise(F.col("regime")).alias("component"),
            "flow",
            "value",
        )
    else:
        parts = None
    return Trade(totals=totals, products=products, has_quantities=has_quantities, parts=parts)
