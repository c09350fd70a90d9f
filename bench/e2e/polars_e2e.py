"""The end-to-end job (bench/e2e/common.py) in Python polars, from the release zip."""
import pathlib
import sys
import zipfile

import polars as pl

from common import country_codes_entry, entries

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "engines"))
from polars_engine import product_table  # noqa: E402  (the same product table as make bench)

zpath, out = sys.argv[1], sys.argv[2]
zf = zipfile.ZipFile(zpath)
codes = pl.read_csv(zf.read(country_codes_entry(zf)), columns=["country_code", "country_iso3"])
frames = [
    pl.read_csv(zf.read(name), columns=["t", "i", "j", "k", "v"], schema_overrides={"v": pl.Float64})
    for name in entries(zf)
]
raw = pl.concat(frames)
iso = codes.rename({"country_code": "i", "country_iso3": "reporter"})
t = (
    raw.join(iso, on="i")
    .join(iso.rename({"i": "j", "reporter": "partner"}), on="j")
    .select(
        year=pl.col("t"),
        reporter="reporter",
        partner="partner",
        product=pl.col("k").cast(pl.String).str.zfill(6),
        value_usd=pl.col("v") * 1000.0,
    )
)
table = product_table(t)
table.write_parquet(out)
pairs = t.group_by("year", "reporter", "partner").agg(x_ij=pl.col("value_usd").sum())
pairs = (
    pairs.with_columns(
        x_i=pl.col("x_ij").sum().over("year", "reporter"),
        m_j=pl.col("x_ij").sum().over("year", "partner"),
        w=pl.col("x_ij").sum().over("year"),
    )
    .with_columns(
        hm=(pl.col("x_ij") / pl.col("x_i")) * (1 - pl.col("x_ij") / pl.col("m_j")),
        tii=(pl.col("x_ij") / pl.col("x_i")) / (pl.col("m_j") / pl.col("w")),
        hhi=((pl.col("x_ij") / pl.col("x_i")) ** 2).sum().over("year", "reporter"),
    )
    .sort("year", "reporter", "partner")
)
pairs.write_parquet(out + ".pairs.parquet")
