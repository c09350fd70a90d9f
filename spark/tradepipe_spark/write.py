"""Writes the index tables in the native engine's layout, through Hadoop's FileSystem API so
that any path Spark can write (local, `hdfs://`, `s3a://`) works alike:
`<table>/year=YYYY/part-0.parquet`, rows in the native order, one file per year.

Every table is first written under `<out>/_spark_staging/`; only when all of them are written
are their files moved into place and the partitions of years no longer computed removed, so a
job that fails leaves the previous tables as they were.
"""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

PART = "part-0.parquet"


class Writer:
    def __init__(self, spark: SparkSession, out: str):
        self.spark = spark
        self.out = out.rstrip("/")
        self.staging = f"{self.out}/_spark_staging"
        jvm = spark.sparkContext._jvm
        self.Path = jvm.org.apache.hadoop.fs.Path
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        fs = self.Path(self.out).getFileSystem(conf)
        # The local file system writes a .crc beside every file; the tables are moved through
        # the raw one so that none follows them into place.
        self.fs = fs.getRawFileSystem() if fs.getUri().getScheme() == "file" else fs
        self.fs.delete(self.Path(self.staging), True)
        # (table, years written, partitioned)
        self.tables: list[tuple[str, list[int], bool]] = []

    def partitioned(self, name: str, df: DataFrame, order: list[str], years: list[int]) -> None:
        """`df` has `year`, the table's columns and an `ord` column where the native order is
        not a sort of the table's own columns (dropped after sorting). One file per year, an
        empty one (schema only) for a year without rows."""
        data = [c for c in df.columns if c not in ("year", "ord")]
        sorted_df = df.repartition("year").sortWithinPartitions("year", *order).select("year", *data)
        sorted_df.write.mode("overwrite").partitionBy("year").parquet(f"{self.staging}/{name}")
        empty = sorted_df.limit(0).drop("year")
        for y in years:
            if not self._part(f"{self.staging}/{name}/year={y}"):
                empty.coalesce(1).write.mode("overwrite").parquet(f"{self.staging}/{name}/year={y}")
        self.tables.append((name, years, True))

    def single(self, name: str, df: DataFrame, order: list[str]) -> None:
        data = [c for c in df.columns if c != "ord"]
        df.coalesce(1).sortWithinPartitions(*order).select(*data).write.mode("overwrite").parquet(
            f"{self.staging}/{name}"
        )
        self.tables.append((name, [], False))

    def _part(self, directory: str):
        p = self.Path(directory)
        if not self.fs.exists(p):
            return None
        parts = [s.getPath() for s in self.fs.listStatus(p) if s.getPath().getName().startswith("part-")]
        parts = [q for q in parts if q.getName().endswith(".parquet")]
        if len(parts) > 1:
            raise RuntimeError(f"{directory}: {len(parts)} part files where the writer makes one")
        return parts[0] if parts else None

    def _move(self, src_dir: str, dst_dir: str) -> None:
        src = self._part(src_dir)
        if src is None:
            raise RuntimeError(f"{src_dir}: no part file was written")
        dst = self.Path(f"{dst_dir}/{PART}")
        self.fs.mkdirs(self.Path(dst_dir))
        self.fs.delete(dst, False)
        if not self.fs.rename(src, dst):
            raise RuntimeError(f"cannot move {src} to {dst}")

    def commit(self, all_tables: list[str]) -> None:
        """Moves every staged file into place; removes year partitions no longer computed, and
        the partitions of tables this run did not write at all (`all_tables`)."""
        written = {name for name, _, _ in self.tables}
        for name, years, partitioned in self.tables:
            if not partitioned:
                self._move(f"{self.staging}/{name}", f"{self.out}/{name}")
                continue
            for y in years:
                self._move(f"{self.staging}/{name}/year={y}", f"{self.out}/{name}/year={y}")
            self._remove_stale(name, set(years))
        for name in all_tables:
            if name not in written:
                self._remove_stale(name, set())
        self.fs.delete(self.Path(self.staging), True)

    def _remove_stale(self, name: str, keep: set[int]) -> None:
        root = self.Path(f"{self.out}/{name}")
        if not self.fs.exists(root):
            return
        for s in self.fs.listStatus(root):
            n = s.getPath().getName()
            if n.startswith("year=") and int(n[5:]) not in keep:
                self.fs.delete(s.getPath(), True)
