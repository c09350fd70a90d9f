"""The product tables: product (RCA, market penetration, quantities, names), concentration
over products, pair_structure and product_pair (as `crates/indices/src/{product_acc,product,
structure,revisions}.rs`).

A product cell is one (year, country, classification, product). Exports to the world are the
country's `WLD` row where it has one, else the sum over partner economies; imports likewise,
but from partners' reports (the mirror) for a country that reports no product imports at all.
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from .country import hhi_rows
from .formulas import grubel_lloyd, level_of, market_penetration
from .job import Job
from .trade import WORLD, DataError, Trade

CELL = ["year", "c", "classification", "product"]


def _quantity_agg():
    """A group's quantity where every row has one in the same unit, else null."""
    valid = F.col("q").isNotNull() & ~F.isnan("q") & F.col("unit").isNotNull()
    return [
        F.sum("q").alias("qs"),
        F.min(F.when(valid, 1).otherwise(0)).alias("qvalid"),
        F.countDistinct("unit").alias("nunits"),
        F.first("unit", ignorenulls=True).alias("u"),
    ]


def _known_quantity(prefix: str):
    c = F.col
    known = (c(prefix + "qvalid") == 1) & (c(prefix + "nunits") == 1)
    return F.when(known, c(prefix + "qs")), F.when(known, c(prefix + "u"))


class Cells:
    """Export and import cells of one run, and what the product tables share."""

    def __init__(self, job: Job, trade: Trade, economies: DataFrame):
        c = F.col
        p = trade.products.withColumnRenamed("reporter", "r").withColumnRenamed("partner", "p")
        econ = economies.select(c("code").alias("p"), F.lit(True).alias("p_econ"))
        p = p.join(F.broadcast(econ), "p", "left")
        to_partner = (c("p") != WORLD) & c("p_econ").isNotNull() & (c("p") != c("r"))
        self.rows = p.withColumn("to_partner", to_partner)
        e = self.rows.filter(c("flow") == "export")
        i = self.rows.filter(c("flow") == "import")
        q = _quantity_agg() if trade.has_quantities else []

        def grouped(df, who, extra):
            return df.groupBy("year", c(who).alias("c"), "classification", "product").agg(
                F.sum("value").alias("v"), *extra
            )

        world_x = grouped(e.filter(c("p") == WORLD), "r", q)
        partner_x = grouped(
            e.filter(c("to_partner")), "r", [F.sum(F.when(c("value") > 0, 1).otherwise(0)).alias("n"), *q]
        )
        world_m = grouped(i.filter(c("p") == WORLD), "r", [])
        partner_m = grouped(i.filter(c("to_partner")), "r", [])
        mirror = grouped(e.filter(c("to_partner")), "p", [])

        def pre(df, prefix):
            return df.select(*CELL, *[c(n).alias(prefix + n) for n in df.columns if n not in CELL])

        x = pre(world_x, "w_").join(pre(partner_x, "p_"), CELL, "full")
        if trade.has_quantities:
            wq, wu = _known_quantity("w_")
            pq, pu = _known_quantity("p_")
            world = c("w_v").isNotNull()
            quantity = [F.when(world, wq).otherwise(pq).alias("quantity"), F.when(world, wu).otherwise(pu).alias("quantity_unit")]
        else:
            quantity = [F.lit(None).cast("double").alias("quantity"), F.lit(None).cast("string").alias("quantity_unit")]
        self.exports = x.select(
            *CELL,
            (F.coalesce(c("w_v"), c("p_v")) + 0.0).alias("v"),
            F.when(c("p_v").isNotNull(), c("p_n")).cast("int").alias("partners"),
            *quantity,
        ).withColumn("level", level_of(c("product")))

        reports = (
            i.filter((c("p") == WORLD) | c("to_partner"))
            .select("year", c("r").alias("c"))
            .distinct()
            .withColumn("reports", F.lit(True))
        )
        m = (
            pre(world_m, "w_")
            .join(pre(partner_m, "p_"), CELL, "full")
            .join(pre(mirror, "x_"), CELL, "full")
            .join(reports, ["year", "c"], "left")
        )
        reported = c("reports").isNotNull()
        self.imports = m.select(
            *CELL,
            F.when(reported, F.coalesce(c("w_v"), c("p_v"))).otherwise(c("x_v")).alias("v"),
            reported.alias("reports"),
        ).filter(c("v").isNotNull()).withColumn("level", level_of(c("product")))
        # Importers whose product imports are partners' reports: the side of TC_ij.
        self.mirrored = self.imports.filter(~c("reports")).select("year", "c").distinct()
        # Every product level a year's rows name, whether or not a cell survived.
        self.levels = self.rows.select("year", level_of(c("product")).alias("level")).distinct()


def check_revisions(cells: Cells) -> None:
    """One classification per product level and year, as `revisions::check`: else a data error
    naming the year, the level and who reports in which."""
    c = F.col
    per = cells.exports.groupBy("year", "level").agg(F.countDistinct("classification").alias("n"))
    bad = per.filter(c("n") > 1).orderBy("year", "level").limit(1).collect()
    if not bad:
        return
    year, level = bad[0]["year"], bad[0]["level"]
    users = (
        cells.exports.filter((c("year") == year) & (c("level") == level))
        .groupBy("classification")
        .agg(F.array_sort(F.collect_set("c")).alias("reporters"))
        .orderBy("classification")
        .collect()
    )
    what = "HS section" if level == 0 else f"{level}-digit"
    listed = " and ".join(f"{u['classification']} ({', '.join(u['reporters'])})" for u in users)
    raise DataError(
        f"in {year}, the {what} product rows come in {listed}: product indices would compare "
        "disjoint product sets; give each classification its own run, or bring the sources to one "
        "revision before normalize"
    )


def product_table(spark: SparkSession, job: Job, cells: Cells) -> DataFrame:
    c = F.col
    x = cells.exports
    row = Window.partitionBy("year", "c", "level")
    col = Window.partitionBy("year", "classification", "product")
    world = Window.partitionBy("year", "level")
    x = x.withColumn("row", F.sum("v").over(row)).withColumn("col", F.sum("v").over(col))
    x = x.withColumn("world", F.sum("v").over(world))
    importers = (
        cells.imports.filter(c("v") > 0)
        .groupBy("year", "classification", "product")
        .agg(F.count(F.lit(1)).alias("importers"))
    )
    x = x.join(importers, ["year", "classification", "product"], "left")
    names = job.product_names(spark)
    if names is not None:
        x = x.join(F.broadcast(names), ["classification", "product"], "left")
    else:
        x = x.withColumn("product_name", F.lit(None).cast("string"))
    rca = F.when((c("row") > 0) & (c("col") > 0) & (c("world") > 0), (c("v") / c("row")) / (c("col") / c("world")))
    factor = job.real_factors(spark)
    if factor is not None:
        x = x.join(F.broadcast(factor), "year", "left")
        real = c("v") * c("f")
    else:
        real = F.lit(None).cast("double")
    x = x.withColumn("rca", rca)
    return x.select(
        "year",
        c("c").alias("reporter"),
        "classification",
        "product",
        "level",
        c("v").alias("exports"),
        real.alias("exports_real"),
        "rca",
        ((c("rca") - 1.0) / (c("rca") + 1.0)).alias("rca_sym"),
        "partners",
        market_penetration(c("partners"), F.coalesce(c("importers"), F.lit(0))).alias("market_penetration"),
        "product_name",
        "quantity",
        "quantity_unit",
        F.when(c("quantity") > 0, c("v") / c("quantity")).alias("unit_value"),
    )


def concentration_products(spark: SparkSession, job: Job, cells: Cells) -> DataFrame:
    """After each country's two partner rows: its export mix by level, then its import mix."""
    c = F.col
    order = spark.createDataFrame(list(enumerate(job.countries)), "k int, reporter string")
    sides = [(cells.exports, "export", 0), (cells.imports, "import", 1)]
    out = None
    for df, flow, f in sides:
        v = df.filter(c("c").isin(job.countries)).select("year", c("c").alias("reporter"), "level", "v")
        keys = v.select("year", "reporter", "level").distinct()
        h = hhi_rows(v.withColumnRenamed("v", "value"), ["year", "reporter", "level"])
        d = keys.join(h, ["year", "reporter", "level"], "left").join(F.broadcast(order), "reporter")
        d = d.select(
            "year",
            (c("k") * 1000 + 10 + f * 300 + c("level")).alias("ord"),
            "reporter",
            F.lit(flow).alias("flow"),
            F.lit("products").alias("over"),
            "level",
            F.coalesce(c("count"), F.lit(0)).alias("count"),
            "hhi",
            "hhi_normalized",
        )
        out = d if out is None else out.unionByName(d)
    return out


def _pairs(spark: SparkSession, job: Job) -> DataFrame:
    return spark.createDataFrame([(k, i, j) for k, (i, j) in enumerate(job.pairs)], "ord int, i string, j string")


def product_pair(spark: SparkSession, job: Job, cells: Cells) -> DataFrame:
    c = F.col
    own = (
        cells.rows.filter(c("to_partner") & c("r").isin(job.countries) & c("p").isin(job.countries))
        .groupBy("year", "r", "p", "classification", "product")
        .agg(
            F.sum(F.when(c("flow") == "export", c("value"))).alias("x"),
            F.sum(F.when(c("flow") == "import", c("value"))).alias("m"),
        )
    )
    pairs = F.broadcast(_pairs(spark, job))
    ij = own.join(pairs, (own.r == pairs.i) & (own.p == pairs.j)).select(
        "year", "ord", "i", "j", "classification", "product", "x", "m"
    )
    reports = ij.groupBy("year", "ord").agg(F.max(c("m").isNotNull().cast("int")).alias("reports"))
    ji = (
        own.filter(c("x").isNotNull())
        .join(pairs, (own.r == pairs.j) & (own.p == pairs.i))
        .select("year", "ord", "i", "j", "classification", "product", c("x").alias("mx"))
    )
    key = ["year", "ord", "i", "j", "classification", "product"]
    d = ij.join(reports, ["year", "ord"], "left")
    reported = d.filter(c("reports") == 1).select(*key, "x", "m", F.lit("reported").alias("imports_side"))
    # A pair whose reporter reports no imports from the partner: the partner's exports stand in.
    mirror_pairs = reports.filter(c("reports") == 0).select("year", "ord")
    all_pairs = pairs.crossJoin(spark.createDataFrame([(y,) for y in job.years], "year int"))
    no_own = all_pairs.join(reports, ["year", "ord"], "left_anti").select("year", "ord")
    mirror_keys = mirror_pairs.unionByName(no_own)
    x_side = d.join(mirror_keys, ["year", "ord"]).select(*key, "x")
    m_side = ji.join(mirror_keys, ["year", "ord"]).select(*key, c("mx").alias("m"))
    mirrored = x_side.join(m_side, key, "full").select(*key, "x", "m", F.lit("mirror").alias("imports_side"))
    rows = reported.unionByName(mirrored)
    return rows.select(
        "year",
        "ord",
        c("i").alias("reporter"),
        c("j").alias("partner"),
        "classification",
        "product",
        level_of(c("product")).alias("level"),
        c("x").alias("exports"),
        c("m").alias("imports"),
        "imports_side",
        grubel_lloyd(F.coalesce(c("x"), F.lit(0.0)), F.coalesce(c("m"), F.lit(0.0))).alias("grubel_lloyd"),
    )


def _aligned_index(a: DataFrame, b: DataFrame, f) -> DataFrame:
    """Per (year, ord, level): an index of the aligned shares of two mixes (products where
    either side has a value, the other 0), null where a side sums to nothing."""
    key = ["year", "ord", "level", "classification", "product"]
    d = a.join(b, key, "full").fillna(0.0, subset=["a", "b"])
    w = Window.partitionBy("year", "ord", "level")
    d = d.withColumn("ta", F.sum("a").over(w)).withColumn("tb", F.sum("b").over(w))
    d = d.filter((F.col("ta") > 0) & (F.col("tb") > 0))
    return d.groupBy("year", "ord", "level").agg(F.sum(f(F.col("a") / F.col("ta"), F.col("b") / F.col("tb"))).alias("s"))


def pair_structure(spark: SparkSession, job: Job, cells: Cells, product_pair_df: DataFrame, product_years: list[int]) -> DataFrame:
    c = F.col
    pairs = F.broadcast(_pairs(spark, job))
    x, m = cells.exports, cells.imports

    def side(df, who, name):
        return df.join(pairs, df.c == pairs[who]).select("year", "ord", "level", "classification", "product", c("v").alias(name))

    xi, xj, mj = side(x, "i", "a"), side(x, "j", "b"), side(m, "j", "b")
    tc = _aligned_index(xi, mj, lambda a, b: F.abs(b - a)).select(
        "year", "ord", "level", (F.lit(100.0) * (F.lit(1.0) - c("s") / 2.0)).alias("trade_complementarity")
    )
    es = _aligned_index(xi, xj, lambda a, b: F.least(a, b)).select(
        "year", "ord", "level", (F.lit(100.0) * c("s")).alias("export_similarity")
    )
    pp = product_pair_df.select(
        "year", "ord", "level", F.coalesce(c("exports"), F.lit(0.0)).alias("x"), F.coalesce(c("imports"), F.lit(0.0)).alias("m")
    )
    gl = pp.groupBy("year", "ord", "level").agg(
        F.sum(F.abs(c("x") - c("m"))).alias("gap"),
        F.sum(c("x") + c("m")).alias("total"),
        F.sum(F.when(c("x") + c("m") > 0, 1).otherwise(0)).cast("int").alias("products"),
    )
    years = spark.createDataFrame([(y,) for y in product_years], "year int")
    levels = cells.levels.join(years, "year")
    base = levels.crossJoin(pairs)
    mirrored = cells.mirrored.select("year", c("c").alias("j"), F.lit(True).alias("mirrored"))
    d = (
        base.join(tc, ["year", "ord", "level"], "left")
        .join(es, ["year", "ord", "level"], "left")
        .join(gl, ["year", "ord", "level"], "left")
        .join(mirrored, ["year", "j"], "left")
    )
    return d.select(
        "year",
        (c("ord") * 1000 + c("level")).alias("ord"),
        c("i").alias("reporter"),
        c("j").alias("partner"),
        "level",
        "trade_complementarity",
        "export_similarity",
        F.when(c("total") > 0, F.lit(1.0) - c("gap") / c("total")).alias("grubel_lloyd"),
        F.coalesce(c("products"), F.lit(0)).alias("products"),
        F.when(c("mirrored").isNotNull(), F.lit("mirror")).otherwise(F.lit("reported")).alias("partner_imports_side"),
    )


def sections(cells: Cells, job: Job) -> DataFrame:
    """HS-section rows of configured reporters as breakdown parts (every partner, the world too)."""
    c = F.col
    return cells.rows.filter(c("r").isin(job.countries) & (level_of(c("product")) == 0)).select(
        "year",
        c("r").alias("reporter"),
        c("p").alias("partner"),
        F.lit("section").alias("dimension"),
        c("product").alias("component"),
        "flow",
        "value",
    )
