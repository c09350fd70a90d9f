"""Runs the index stage on Spark: `spark-submit spark/run.py --job JOB.json`.

* Reads: the job spec (see `job.py`) and the canonical table's `year=` partitions under its
  `trade` path.
* Writes: under its `out` path, the tables of `tradepipe indices` (bilateral, country, growth,
  cagr, concentration, contribution, group and, in years with product rows, product,
  pair_structure and product_pair), each `<table>/year=YYYY/part-0.parquet` in the native
  engine's columns and row order; and the spec's `result` file (JSON: the years computed and
  those with product tables), which the CLI reads to write `_meta.json`.
* Exit status: 0; 65 for input the stage cannot use (a mixed HS revision, a null key), with
  the message on stderr as the native engine words it; 78 when the config asks for a table
  this engine does not compute (the complexity family, on product data).
"""

import argparse
import json
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from . import country, product
from .job import Job
from .trade import DataError, read
from .write import Writer

class Unsupported(Exception):
    """A configured table this engine does not compute (exit 78)."""


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
]


def run(spark: SparkSession, job: Job) -> dict:
    trade = read(spark, job.trade, job.years, job.countries)
    economies = job.economy_frame(spark)
    terms = country.Terms(job, trade, economies)
    cells = product.Cells(job, trade, economies)
    product.check_revisions(cells)
    product_years = sorted(r["year"] for r in cells.exports.select("year").distinct().collect())
    if job.complexity and product_years:
        raise Unsupported(
            "the Spark engine does not compute the complexity tables yet: set "
            "[indices.complexity] enabled = false or run `tradepipe indices --engine native`"
        )

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
    w.commit(TABLES)
    return {"years": job.years, "product_years": product_years}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tradepipe-spark", description=__doc__.splitlines()[0])
    ap.add_argument("--job", required=True, help="the job spec JSON the CLI wrote")
    args = ap.parse_args(argv)
    job = Job.load(args.job)
    spark = SparkSession.builder.appName("tradepipe indices").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        result = run(spark, job)
    except DataError as e:
        print(f"tradepipe-spark: {e}", file=sys.stderr)
        return 65
    except Unsupported as e:
        print(f"tradepipe-spark: {e}", file=sys.stderr)
        return 78
    if job.result:
        with open(job.result, "w", encoding="utf-8") as f:
            json.dump(result, f)
    spark.stop()
    return 0
