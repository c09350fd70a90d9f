"""The complexity set with py-ecomplexity (the Growth Lab's Python port of Stata
`ecomplexity`, PyPI `ecomplexity`): exports by (year, reporter, product) summed over
partners, as the product table has them, then `ecomplexity()` with its defaults (RCA >= 1,
discrete symmetric proximity). Its log-supermodularity diagnostic is switched off: it is a
check of the ranking, not one of the indices, and tradepipe does not compute it. Writes
year, reporter, product, m, diversity, ubiquity, eci, pci, density, coi, cog, sorted."""
import sys
import warnings

from common import pandas_export_rows
from ecomplexity import ecomplexity

trade, out = sys.argv[1], sys.argv[2]
df = pandas_export_rows(trade)
x = df.groupby(["year", "reporter", "product"], as_index=False, observed=True)["value_usd"].sum()
x["reporter"] = x["reporter"].astype(str)
x["product"] = x["product"].astype(str)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    cx = ecomplexity(
        x,
        {"time": "year", "loc": "reporter", "prod": "product", "val": "value_usd"},
        check_logsupermodularity=False,
        verbose=False,
    )
cx = cx.rename(columns={"mcp": "m"})
cx["year"] = cx["year"].astype("int64")
cols = ["year", "reporter", "product", "m", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]
cx.sort_values(["year", "reporter", "product"])[cols].to_parquet(out, index=False)
