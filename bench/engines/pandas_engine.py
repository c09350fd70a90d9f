"""The product index set in pandas (pyarrow reader)."""
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

pa.set_cpu_count(2)
trade, out = sys.argv[1], sys.argv[2]
df = (
    ds.dataset(trade, format="parquet", partitioning="hive")
    .to_table(columns=["year", "reporter", "partner", "flow", "product", "value_usd"])
    .to_pandas()
)
df = df[(df["flow"] == "export") & (df["product"] != "TOTAL") & (df["partner"] != df["reporter"])]
x = df.groupby(["year", "reporter", "product"], as_index=False, observed=True)["value_usd"].sum()
x = x.rename(columns={"value_usd": "exports"})
xr = x.groupby(["year", "reporter"], observed=True)["exports"].transform("sum")
xp = x.groupby(["year", "product"], observed=True)["exports"].transform("sum")
w = x.groupby("year", observed=True)["exports"].transform("sum")
x["rca"] = (x["exports"] / xr) / (xp / w)
x["rca_sym"] = (x["rca"] - 1) / (x["rca"] + 1)
x["year"] = x["year"].astype("int64")
x.sort_values(["year", "reporter", "product"]).to_parquet(out, index=False)
