"""The job spec the CLI hands the Spark engine (`tradepipe indices --engine spark` writes it
from `pipeline.toml` and the registry), read as one value.

Everything the native engine takes from its `IndicesInput` is here, resolved: the pairs in
their configured order, each group's members by year, the deflator's factor for each year,
the partner economies of the registry and WDI's GDP and population of the configured
countries. So both engines read one configuration and cannot drift apart in what they read.
"""

import json
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession

# The spec's version (`crates/spark/src/spec.rs` VERSION).
VERSION = 2


@dataclass
class Job:
    trade: str
    out: str
    years: list[int]
    countries: list[str]
    pairs: list[list[str]]
    hm_variant: str
    world: str
    index_base_year: int
    cagr_windows: list[list[int]]
    economies: list[str]
    group_names: list[str]
    groups: dict[str, dict[str, list[str]]]
    factors: dict[str, float] | None
    gdp: dict[str, dict[str, float]]
    population: dict[str, dict[str, float]]
    # `[indices.complexity]` where enabled: its options (the config's kebab-case keys), the
    # population by year and country where one is set, and WDI's GDP per head by year and country.
    complexity: dict | None = None
    result: str | None = None
    # Directory of the HS editions' product lists (the spec's `product_names`).
    product_names_dir: str | None = None

    @staticmethod
    def load(path: str) -> "Job":
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        version = spec.pop("version", None)
        if version != VERSION:
            raise ValueError(f"{path}: job spec version {version!r}, this engine reads version {VERSION}")
        spec["product_names_dir"] = spec.pop("product_names", None)
        return Job(**spec)

    def group_members(self, name: str, year: int) -> list[str]:
        return self.groups.get(name, {}).get(str(year), [])

    def real_factors(self, spark: SparkSession) -> DataFrame | None:
        """(year, f): a dollar of the year in constant dollars, where a deflator is set."""
        if self.factors is None:
            return None
        rows = [(int(y), float(f)) for y, f in self.factors.items()]
        return spark.createDataFrame(rows, "year int, f double")

    def wdi(self, spark: SparkSession) -> DataFrame:
        keys = sorted({(c, y) for s in (self.gdp, self.population) for c, ys in s.items() for y in ys})
        rows = [
            (int(y), c, self.gdp.get(c, {}).get(y), self.population.get(c, {}).get(y)) for c, y in keys
        ]
        return spark.createDataFrame(rows, "year int, reporter string, gdp double, population double")

    def economy_frame(self, spark: SparkSession) -> DataFrame:
        return spark.createDataFrame([(c,) for c in self.economies], "code string")

    def product_names(self, spark: SparkSession) -> DataFrame | None:
        """(classification, product, product_name) of the HS editions' 6-digit codes, from the
        BACI product lists the binary embeds (written beside the spec)."""
        import os

        from pyspark.sql import functions as F

        d = self.product_names_dir
        if not d:
            return None
        frames = []
        for name in sorted(os.listdir(d)):
            # product_codes_HS17_V202401.csv.gz -> HS17
            edition = name.split("_")[2]
            df = (
                spark.read.option("header", True)
                .option("escape", '"')
                .option("multiLine", True)
                .csv(os.path.join(d, name))
            )
            code, desc = df.columns[0], df.columns[1]
            frames.append(
                df.select(
                    F.lit(edition).alias("classification"),
                    F.lpad(F.col(code), 6, "0").alias("product"),
                    F.trim(F.col(desc)).alias("product_name"),
                )
            )
        out = frames[0]
        for f in frames[1:]:
            out = out.unionByName(f)
        return out.dropDuplicates(["classification", "product"])
