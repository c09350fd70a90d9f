"""The country-total tables: bilateral, country, concentration over partners, group, growth,
CAGR and contribution (as `crates/indices/src/{bilateral,country,concentration,group,growth,
breakdown}.rs`).

Every table carries an `ord` column: its rows' order in the native engine's files (the
configured order of countries, pairs and groups), which the writer sorts by within a year.
"""

from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from .formulas import (
    both,
    cagr,
    contribution,
    discrepancy,
    hhi_normalized,
    hm,
    index_100,
    mirror_derived,
    share,
    sum_present,
    tii,
    tii_imports,
    tsc,
    yoy,
)
from .job import Job
from .trade import WORLD, Trade


def _cells(totals: DataFrame, flow: str) -> DataFrame:
    return totals.filter(F.col("flow") == flow).select("year", "reporter", "partner", "value", "est")


def _summed(df: DataFrame, key: list[str]) -> DataFrame:
    """Sum of the present cells per key, estimated if any summed cell is."""
    return df.groupBy(*key).agg(F.sum("value").alias("value"), F.max(F.col("est").cast("int")).alias("est"))


class Terms:
    """The terms of a year's formulas as keyed DataFrames (`YearData`'s accessors)."""

    def __init__(self, job: Job, trade: Trade, economies: DataFrame):
        self.job = job
        self.x = _cells(trade.totals, "export")
        self.m = _cells(trade.totals, "import")
        econ_p = economies.select(F.col("code").alias("partner"))
        econ_r = economies.select(F.col("code").alias("reporter"))
        # Flows between two different partner economies, each side's own report.
        self.x_econ_p = self.x.join(econ_p, "partner").filter(F.col("reporter") != F.col("partner"))
        self.m_econ_p = self.m.join(econ_p, "partner").filter(F.col("reporter") != F.col("partner"))
        self.x_econ_r = self.x.join(econ_r, "reporter").filter(F.col("reporter") != F.col("partner"))
        self.m_econ_r = self.m.join(econ_r, "reporter").filter(F.col("reporter") != F.col("partner"))
        self.econ_p = econ_p

    def world_of_reporter(self, flow: str) -> DataFrame:
        """`X_i` or `M_i`: (year, reporter, value, est)."""
        cells, econ = (self.x, self.x_econ_p) if flow == "export" else (self.m, self.m_econ_p)
        if self.job.world == "source":
            return cells.filter(F.col("partner") == WORLD).select("year", "reporter", "value", "est")
        return _summed(econ, ["year", "reporter"]).withColumn("est", F.col("est") == 1)

    def world_exports_to(self) -> DataFrame:
        """`X_wj`: (year, partner, value)."""
        if self.job.world == "source":
            return self.x.filter(F.col("reporter") == WORLD).select("year", "partner", "value")
        return self.x_econ_r.groupBy("year", "partner").agg(F.sum("value").alias("value"))

    def world_total(self, flow: str) -> DataFrame:
        """`X_w` or `M_w`: (year, value)."""
        cells = self.x if flow == "export" else self.m
        if self.job.world == "source":
            return cells.filter((F.col("reporter") == WORLD) & (F.col("partner") == WORLD)).select("year", "value")
        econ = self.x_econ_r if flow == "export" else self.m_econ_r
        return econ.join(self.econ_p, "partner").groupBy("year").agg(F.sum("value").alias("value"))

    def partners_imports_from(self) -> DataFrame:
        """What reporting economies say they imported from each code: (year, partner, value)."""
        return self.m_econ_r.groupBy("year", "partner").agg(F.sum("value").alias("value"))

    def ranking(self) -> DataFrame:
        """Rank of each partner economy among a reporter's by total trade: (year, reporter,
        partner, rank), largest first, ties by code."""
        x = self.x_econ_p.select("year", "reporter", "partner", F.col("value").alias("xv"))
        m = self.m_econ_p.select("year", "reporter", "partner", F.col("value").alias("mv"))
        t = x.join(m, ["year", "reporter", "partner"], "full").filter(
            F.col("reporter").isin(self.job.countries)
        )
        t = t.withColumn("t", sum_present(F.col("xv"), F.col("mv")))
        w = Window.partitionBy("year", "reporter").orderBy(F.col("t").desc(), F.col("partner").asc())
        return t.select("year", "reporter", "partner", F.row_number().over(w).cast("int").alias("rank_total"))


def _pairs(spark: SparkSession, job: Job) -> DataFrame:
    rows = [(k, i, j) for k, (i, j) in enumerate(job.pairs)]
    pairs = spark.createDataFrame(rows, "ord int, i string, j string")
    years = spark.createDataFrame([(y,) for y in job.years], "year int")
    return years.crossJoin(F.broadcast(pairs))


def _renamed(df: DataFrame, mapping: dict[str, str]) -> DataFrame:
    return df.select(*[F.col(a).alias(b) for a, b in mapping.items()])


def bilateral(spark: SparkSession, job: Job, terms: Terms) -> DataFrame:
    b = _pairs(spark, job)
    x, m = terms.x, terms.m
    x_i, m_i = terms.world_of_reporter("export"), terms.world_of_reporter("import")
    joins = [
        (_renamed(x, {"year": "year", "reporter": "i", "partner": "j", "value": "x_ij", "est": "x_ij_e"}), ["year", "i", "j"]),
        (_renamed(m, {"year": "year", "reporter": "i", "partner": "j", "value": "m_ij", "est": "m_ij_e"}), ["year", "i", "j"]),
        (_renamed(m, {"year": "year", "reporter": "j", "partner": "i", "value": "m_ji", "est": "m_ji_e"}), ["year", "i", "j"]),
        (_renamed(x, {"year": "year", "reporter": "j", "partner": "i", "value": "x_ji"}), ["year", "i", "j"]),
        (_renamed(x_i, {"year": "year", "reporter": "i", "value": "x_i", "est": "x_i_e"}), ["year", "i"]),
        (_renamed(m_i, {"year": "year", "reporter": "i", "value": "m_i", "est": "m_i_e"}), ["year", "i"]),
        (_renamed(m_i, {"year": "year", "reporter": "j", "value": "m_j", "est": "m_j_e"}), ["year", "j"]),
        (_renamed(terms.partners_imports_from(), {"year": "year", "partner": "i", "value": "mirror_x_i"}), ["year", "i"]),
        (_renamed(terms.world_exports_to(), {"year": "year", "partner": "j", "value": "x_wj"}), ["year", "j"]),
        (_renamed(terms.world_total("export"), {"year": "year", "value": "x_w"}), ["year"]),
        (_renamed(terms.world_total("import"), {"year": "year", "value": "m_w"}), ["year"]),
        (_renamed(terms.ranking(), {"year": "year", "reporter": "i", "partner": "j", "rank_total": "rank_total"}), ["year", "i", "j"]),
    ]
    for df, key in joins:
        b = b.join(df, key, "left")
    c = F.col
    est = lambda *names: reduce(lambda a, n: a | F.coalesce(c(n), F.lit(False)), names, F.lit(False))  # noqa: E731
    sources = {
        "baldwin": F.format_string("X_ij, X_i: %s report; M_ji, M_j: %s report", c("i"), c("j")),
        "mirror": F.format_string(
            "X_ij = M_ji and X_i = sum of partners' imports: importers' reports; M_j: %s report", c("j")
        ),
        "as-printed": F.format_string("X_ij, X_i, M_ij: %s report; M_j: %s report", c("i"), c("j")),
    }
    hm_baldwin = hm(c("x_ij"), c("x_i"), c("m_ji"), c("m_j"))
    hm_mirror = hm(c("m_ji"), c("mirror_x_i"), c("m_ji"), c("m_j"))
    hm_as_printed = hm(c("x_ij"), c("x_i"), c("m_ij"), c("m_j"))
    chosen = {"baldwin": hm_baldwin, "mirror": hm_mirror, "as-printed": hm_as_printed}[job.hm_variant]
    total = both(c("x_ij"), c("m_ij"), lambda a, b_: a + b_)
    world_total = both(c("x_i"), c("m_i"), lambda a, b_: a + b_)
    b = b.select(
        "year",
        "ord",
        c("i").alias("reporter"),
        c("j").alias("partner"),
        c("x_ij").alias("exports"),
        c("m_ij").alias("imports"),
        total.alias("total_trade"),
        both(c("x_ij"), c("m_ij"), lambda a, b_: a - b_).alias("balance"),
        tsc(c("x_ij"), c("m_ij")).alias("tsc"),
        share(c("x_ij"), c("x_i")).alias("export_share"),
        share(c("m_ij"), c("m_i")).alias("import_share"),
        share(total, world_total).alias("trade_share"),
        c("rank_total"),
        chosen.alias("hm"),
        F.lit(job.hm_variant).alias("hm_variant"),
        sources[job.hm_variant].alias("hm_sources"),
        hm_baldwin.alias("hm_baldwin"),
        hm_mirror.alias("hm_mirror"),
        hm_as_printed.alias("hm_as_printed"),
        tii(c("x_ij"), c("x_i"), c("x_wj"), c("x_w")).alias("tii"),
        tii_imports(c("x_ij"), c("x_i"), c("m_j"), c("m_w"), c("m_i")).alias("tii_imports"),
        c("m_ji").alias("mirror_exports"),
        c("x_ji").alias("mirror_imports"),
        share(c("m_ji"), c("x_ij")).alias("mirror_ratio"),
        both(c("m_ji"), c("x_ij"), lambda a, b_: a - b_).alias("mirror_gap"),
        discrepancy(c("m_ji"), c("x_ij")).alias("mirror_discrepancy"),
        c("x_i").alias("reporter_world_exports"),
        c("m_i").alias("reporter_world_imports"),
        c("m_j").alias("partner_world_imports"),
        F.lit(job.world).alias("world"),
        est("x_ij_e", "m_ij_e", "x_i_e", "m_i_e").alias("reporter_estimated"),
        est("m_ji_e", "m_j_e").alias("partner_estimated"),
        mirror_derived(c("x_ij"), c("m_ji"), c("m_ij"), c("x_ji")).alias("reporter_mirror_derived"),
    )
    factor = job.real_factors(spark)
    real = lambda name: (c(name) * c("f")).alias(name + "_real")  # noqa: E731
    if factor is None:
        reals = [F.lit(None).cast("double").alias(n + "_real") for n in ("exports", "imports", "total_trade", "balance")]
        return b.select("*", *reals)
    b = b.join(F.broadcast(factor), "year", "left")
    return b.select(*[c(n) for n in b.columns if n != "f"], *[real(n) for n in ("exports", "imports", "total_trade", "balance")])


def country(spark: SparkSession, job: Job, bilateral_df: DataFrame) -> DataFrame:
    """Each configured country's world totals (from its first bilateral row) beside WDI."""
    w = Window.partitionBy("year", "reporter").orderBy("ord")
    first = (
        bilateral_df.withColumn("n", F.row_number().over(w))
        .filter(F.col("n") == 1)
        .select("year", "reporter", "reporter_world_exports", "reporter_world_imports")
    )
    order = spark.createDataFrame(list(enumerate(job.countries)), "ord int, reporter string")
    wdi = job.wdi(spark)
    c = F.col
    d = first.join(F.broadcast(order), "reporter").join(F.broadcast(wdi), ["year", "reporter"], "left")
    trade = both(c("reporter_world_exports"), c("reporter_world_imports"), lambda a, b: a + b)
    return d.select(
        "year",
        "ord",
        "reporter",
        c("reporter_world_exports").alias("exports"),
        c("reporter_world_imports").alias("imports"),
        "gdp",
        "population",
        share(c("gdp"), c("population")).alias("gdp_per_capita"),
        share(trade, c("gdp")).alias("openness"),
    )


def hhi_rows(values: DataFrame, key: list[str]) -> DataFrame:
    """HHI of `value` per key over the positive values: key, count, hhi, hhi_normalized; a key
    whose values sum to nothing gets count 0 and nulls."""
    pos = values.filter(F.col("value") > 0)
    w = Window.partitionBy(*key)
    s = pos.withColumn("total", F.sum("value").over(w))
    agg = s.groupBy(*key).agg(
        F.count(F.lit(1)).cast("int").alias("count"),
        F.sum(F.pow(F.col("value") / F.col("total"), 2)).alias("hhi"),
        F.first("total").alias("total"),
    )
    agg = agg.withColumn("hhi", F.when(F.col("total") > 0, F.col("hhi"))).withColumn(
        "count", F.when(F.col("total") > 0, F.col("count")).otherwise(F.lit(0))
    )
    return agg.select(*key, "count", "hhi", hhi_normalized(F.col("hhi"), F.col("count")).alias("hhi_normalized"))


def concentration_partners(spark: SparkSession, job: Job, terms: Terms) -> DataFrame:
    """Two rows per configured country and year (exports, imports over partner economies),
    present even where the country has no data."""
    rows = []
    for k, c in enumerate(job.countries):
        rows.append((k, 0, c, "export"))
        rows.append((k, 1, c, "import"))
    base = spark.createDataFrame(rows, "k int, f int, reporter string, flow string")
    years = spark.createDataFrame([(y,) for y in job.years], "year int")
    base = years.crossJoin(F.broadcast(base))
    values = terms.x_econ_p.withColumn("flow", F.lit("export")).unionByName(
        terms.m_econ_p.withColumn("flow", F.lit("import"))
    ).filter(F.col("reporter").isin(job.countries))
    h = hhi_rows(values.select("year", "reporter", "flow", "value"), ["year", "reporter", "flow"])
    d = base.join(h, ["year", "reporter", "flow"], "left")
    return d.select(
        "year",
        # Partner rows come first in a country's block: section 0 of the order.
        (F.col("k") * 1000 + F.col("f")).alias("ord"),
        "reporter",
        "flow",
        F.lit("partners").alias("over"),
        F.lit(None).cast("int").alias("level"),
        F.coalesce(F.col("count"), F.lit(0)).alias("count"),
        "hhi",
        "hhi_normalized",
    )


def group(spark: SparkSession, job: Job, terms: Terms) -> DataFrame:
    rows = [
        (year, k * 1000 + g, i, name, member)
        for year in job.years
        for k, i in enumerate(job.countries)
        for g, name in enumerate(job.group_names)
        for member in (job.group_members(name, year) or [None])
        if member != i
    ]
    schema = "year int, ord int, reporter string, group string, member string"
    members = spark.createDataFrame(rows, schema)
    # Every (reporter, group) row, also of a group left with no member once i is taken out.
    keys = spark.createDataFrame(
        [
            (year, k * 1000 + g, i, name)
            for year in job.years
            for k, i in enumerate(job.countries)
            for g, name in enumerate(job.group_names)
        ],
        "year int, ord int, reporter string, group string",
    )
    x = _renamed(terms.x, {"year": "year", "reporter": "reporter", "partner": "member", "value": "xv"})
    m = _renamed(terms.m, {"year": "year", "reporter": "reporter", "partner": "member", "value": "mv"})
    d = members.join(x, ["year", "reporter", "member"], "left").join(m, ["year", "reporter", "member"], "left")
    agg = d.groupBy("year", "ord", "reporter", "group").agg(
        F.count("member").cast("int").alias("members"),
        F.sum(F.when(F.col("xv").isNotNull() | F.col("mv").isNotNull(), 1).otherwise(0)).cast("int").alias(
            "members_reported"
        ),
        F.sum("xv").alias("exports"),
        F.sum("mv").alias("imports"),
    )
    x_i = _renamed(terms.world_of_reporter("export"), {"year": "year", "reporter": "reporter", "value": "x_i"})
    m_i = _renamed(terms.world_of_reporter("import"), {"year": "year", "reporter": "reporter", "value": "m_i"})
    d = (
        keys.join(agg, ["year", "ord", "reporter", "group"], "left")
        .join(x_i, ["year", "reporter"], "left")
        .join(m_i, ["year", "reporter"], "left")
    )
    c = F.col
    total = both(c("exports"), c("imports"), lambda a, b: a + b)
    return d.select(
        "year",
        "ord",
        "reporter",
        "group",
        F.coalesce(c("members"), F.lit(0)).alias("members"),
        F.coalesce(c("members_reported"), F.lit(0)).alias("members_reported"),
        "exports",
        "imports",
        total.alias("total_trade"),
        both(c("exports"), c("imports"), lambda a, b: a - b).alias("balance"),
        share(total, sum_present(c("x_i"), c("m_i"))).alias("trade_share"),
    )


def growth(spark: SparkSession, job: Job, b: DataFrame) -> DataFrame:
    c = F.col
    cols = ["exports", "imports", "total_trade", "balance", "reporter_world_exports", "reporter_world_imports"]
    cols += ["exports_real", "imports_real", "total_trade_real"]
    prev = b.select(
        (c("year") + 1).alias("year"), "reporter", "partner", *[c(n).alias("p_" + n) for n in cols]
    )
    base = b.filter(c("year") == job.index_base_year).select(
        "reporter",
        "partner",
        *[c(n).alias("b_" + n) for n in ("exports", "imports", "total_trade", "total_trade_real")],
    )
    d = b.join(prev, ["year", "reporter", "partner"], "left").join(F.broadcast(base), ["reporter", "partner"], "left")
    world_balance = both(c("reporter_world_exports"), c("reporter_world_imports"), lambda a, b_: a - b_)
    prev_balance = both(c("p_reporter_world_exports"), c("p_reporter_world_imports"), lambda a, b_: a - b_)
    prev_trade = sum_present(c("p_reporter_world_exports"), c("p_reporter_world_imports"))
    return d.select(
        "year",
        "ord",
        "reporter",
        "partner",
        yoy(c("exports"), c("p_exports")).alias("exports_yoy"),
        yoy(c("imports"), c("p_imports")).alias("imports_yoy"),
        yoy(c("total_trade"), c("p_total_trade")).alias("total_trade_yoy"),
        both(c("balance"), c("p_balance"), lambda a, b_: a - b_).alias("balance_change"),
        contribution(c("balance"), c("p_balance"), world_balance, prev_balance).alias("balance_contribution"),
        share(both(c("total_trade"), c("p_total_trade"), lambda a, b_: a - b_), prev_trade).alias(
            "total_trade_growth_contribution"
        ),
        index_100(c("exports"), c("b_exports")).alias("exports_index"),
        index_100(c("imports"), c("b_imports")).alias("imports_index"),
        index_100(c("total_trade"), c("b_total_trade")).alias("total_trade_index"),
        F.lit(job.index_base_year).cast("int").alias("index_base"),
        yoy(c("exports_real"), c("p_exports_real")).alias("exports_real_yoy"),
        yoy(c("imports_real"), c("p_imports_real")).alias("imports_real_yoy"),
        yoy(c("total_trade_real"), c("p_total_trade_real")).alias("total_trade_real_yoy"),
        index_100(c("total_trade_real"), c("b_total_trade_real")).alias("total_trade_real_index"),
    )


def cagr_table(spark: SparkSession, job: Job, b: DataFrame) -> DataFrame:
    """Windows in configured order, pairs sorted by code within each."""
    c = F.col
    names = ["exports", "imports", "total_trade", "exports_real", "imports_real", "total_trade_real"]
    pairs = sorted(set(tuple(p) for p in job.pairs))
    out = []
    # Without a window the table is written empty, with its columns.
    windows = job.cagr_windows or [[0, 0]]
    for w, (start, end) in enumerate(windows):
        rows = [(w * 1_000_000 + k, i, j) for k, (i, j) in enumerate(pairs)]
        keys = spark.createDataFrame(rows, "ord int, reporter string, partner string")
        a = b.filter(c("year") == start).select("reporter", "partner", *[c(n).alias("a_" + n) for n in names])
        z = b.filter(c("year") == end).select("reporter", "partner", *[c(n).alias("z_" + n) for n in names])
        d = keys.join(a, ["reporter", "partner"], "left").join(z, ["reporter", "partner"], "left")
        out.append(
            d.select(
                "ord",
                "reporter",
                "partner",
                F.lit(start).cast("int").alias("from"),
                F.lit(end).cast("int").alias("to"),
                *[cagr(c("a_" + n), c("z_" + n), end - start).alias(n + "_cagr") for n in names],
            )
        )
    table = reduce(DataFrame.unionByName, out)
    return table if job.cagr_windows else table.limit(0)


def contribution_table(spark: SparkSession, job: Job, parts: DataFrame) -> DataFrame:
    """Components of configured reporters' trade (province, regime, HS section) and their
    shares of the changes, each year against the year before where it was computed."""
    c = F.col
    key = ["reporter", "partner", "dimension", "component"]
    sums = parts.groupBy("year", *key).agg(
        F.sum(F.when(c("flow") == "export", c("value"))).alias("x"),
        F.sum(F.when(c("flow") == "import", c("value"))).alias("m"),
    )
    # A year's sums shifted one on: they meet the next year's only where it was computed.
    prev = sums.select(
        (c("year") + 1).alias("year"), *key, c("x").alias("x0"), c("m").alias("m0")
    )
    d = sums.join(prev, ["year", *key], "left")
    bal = both(c("x"), c("m"), lambda a, b: a - b)
    bal0 = both(c("x0"), c("m0"), lambda a, b: a - b)
    d = d.withColumn("balance", bal).withColumn("db", both(bal, bal0, lambda a, b: a - b))
    w = Window.partitionBy("year", "reporter", "partner", "dimension")
    d = (
        d.withColumn("tx", F.sum("x").over(w))
        .withColumn("tm", F.sum("m").over(w))
        .withColumn("tdb", F.sum("db").over(w))
        .withColumn("tx0", F.sum("x0").over(w))
        .withColumn("tm0", F.sum("m0").over(w))
    )
    return d.select(
        "year",
        *key,
        c("x").alias("exports"),
        c("m").alias("imports"),
        "balance",
        c("db").alias("balance_change"),
        F.when(c("db").isNotNull() & c("tdb").isNotNull() & (c("tdb") != 0), c("db") / c("tdb")).alias(
            "balance_contribution"
        ),
        share(both(c("x"), c("x0"), lambda a, b: a - b), c("tx0")).alias("exports_growth_contribution"),
        share(both(c("m"), c("m0"), lambda a, b: a - b), c("tm0")).alias("imports_growth_contribution"),
        share(c("x"), c("tx")).alias("exports_share"),
        share(c("m"), c("tm")).alias("imports_share"),
    )
