"""Runs the index stage on Spark: `spark-submit spark/run.py --job JOB.json`.

* Reads: the job spec (see `job.py`) and the canonical table's `year=` partitions under its
  `trade` path.
* Writes: under its `out` path, the tables of `tradepipe indices` (bilateral, country, growth,
  cagr, concentration, contribution, group and, in years with product rows, product,
  pair_structure, product_pair and, where `[indices.complexity]` is enabled, complexity,
  complexity_country and proximity), each `<table>/year=YYYY/part-0.parquet` in the native
  engine's columns and row order; and the spec's `result` file (JSON: the years computed,
  those with product tables and the complexity universes' notes), which the CLI reads to
  write `_meta.json`.
* Exit status: 0; 65 for input the stage cannot use (a mixed HS revision, a null key), with
  the message on stderr as the native engine words it.
"""

import argparse
import json
import os
import sys
import tempfile
import zipfile

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from . import complexity, country, product
from .job import Job
from .trade import DataError, read
from .write import Writer

TABLES = [
    "bilateral",
    "country",
    "growth",
    "cagr",
    "concentration",
    "contribution",
    "group",
    "product",
    "pair_structure",
    "product_pair",
    "complexity",
    "complexity_country",
    "proximity",
]


def run(spark: SparkSession, job: Job) -> dict:
    trade = read(spark, job.trade, job.years, job.countries)
    economies = job.economy_frame(spark)
    terms = country.Terms(job, trade, economies)
    cells = product.Cells(job, trade, economies)
    product.check_revisions(cells)
    product_years = sorted(r["year"] for r in cells.exports.select("year").distinct().collect())

    w = Writer(spark, job.out)
    bilateral = country.bilateral(spark, job, terms).cache()
    w.partitioned("bilateral", bilateral, ["ord"], job.years)
    w.partitioned("country", country.country(spark, job, bilateral), ["ord"], job.years)
    w.partitioned("growth", country.growth(spark, job, bilateral), ["ord"], job.years)
    w.single("cagr", country.cagr_table(spark, job, bilateral), ["ord"])
    conc = country.concentration_partners(spark, job, terms).unionByName(
        product.concentration_products(spark, job, cells)
    )
    w.partitioned("concentration", conc, ["ord"], job.years)
    parts = product.sections(cells, job)
    if trade.parts is not None:
        parts = trade.parts.unionByName(parts)
    key = ["reporter", "partner", "dimension", "component"]
    w.partitioned("contribution", country.contribution_table(spark, job, parts), key, job.years)
    w.partitioned("group", country.group(spark, job, terms), ["ord"], job.years)
    if product_years:
        w.partitioned(
            "product", product.product_table(spark, job, cells), ["reporter", "classification", "product"], product_years
        )
        pp = product.product_pair(spark, job, cells).filter(F.col("year").isin(product_years)).cache()
        structure = product.pair_structure(spark, job, cells, pp, product_years)
        w.partitioned("pair_structure", structure, ["ord"], product_years)
        w.partitioned("product_pair", pp, ["ord", "classification", "product"], product_years)
    universes = []
    if job.complexity and product_years:
        k = complexity.Tables(cells, job.complexity)
        universe = ["classification", "level"]
        w.partitioned("complexity", k.cells, [*universe, "reporter", "product"], product_years)
        w.partitioned("complexity_country", k.countries, [*universe, "reporter"], product_years)
        if k.proximity is not None:
            w.partitioned("proximity", k.proximity, [*universe, "product_1", "product_2"], product_years)
        universes = k.notes
    w.commit(TABLES)
    return {"years": job.years, "product_years": product_years, "universes": universes}


def ship_package(spark: SparkSession) -> None:
    """Sends this package to the executors: the complexity tables' grouped-map functions run
    there and are unpickled by reference to their module."""
    here = os.path.dirname(os.path.abspath(__file__))
    fd, path = tempfile.mkstemp(prefix="tradepipe_spark-", suffix=".zip")
    with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as z:
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                z.write(os.path.join(here, name), f"tradepipe_spark/{name}")
    spark.sparkContext.addPyFile(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tradepipe-spark", description=__doc__.splitlines()[0])
    ap.add_argument("--job", required=True, help="the job spec JSON the CLI wrote")
    args = ap.parse_args(argv)
    job = Job.load(args.job)
    spark = SparkSession.builder.appName("tradepipe indices").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    ship_package(spark)
    try:
        result = run(spark, job)
    except DataError as e:
        print(f"tradepipe-spark: {e}", file=sys.stderr)
        return 65
    if job.result:
        with open(job.result, "w", encoding="utf-8") as f:
            json.dump(result, f)
    spark.stop()
    return 0
