"""The product index set in pandas (pyarrow reader)."""
import sys

import pandas as pd
from common import pandas_export_rows

trade, out = sys.argv[1], sys.argv[2]
df = pandas_export_rows(trade)
df = df.assign(positive=df["value_usd"] > 0)
# Keys are unique in the canonical table, so a positive row is one partner market.
x = df.groupby(["year", "reporter", "product"], as_index=False, observed=True).agg(
    exports=("value_usd", "sum"), partners=("positive", "sum")
)
xr = x.groupby(["year", "reporter"], observed=True)["exports"].transform("sum")
xp = x.groupby(["year", "product"], observed=True)["exports"].transform("sum")
w = x.groupby("year", observed=True)["exports"].transform("sum")
x["rca"] = (x["exports"] / xr) / (xp / w)
x["rca_sym"] = (x["rca"] - 1) / (x["rca"] + 1)
# Mirror imports (the data are exports only): j imports k if any exporter reports it.
m = df[df["positive"]].groupby(["year", "product"], observed=True)["partner"].nunique().rename("importers")
x = x.join(m, on=["year", "product"])
x["partners"] = x["partners"].astype("uint32")
x["market_penetration"] = x["partners"] / x["importers"]
x["year"] = x["year"].astype("int64")
cols = ["year", "reporter", "product", "exports", "rca", "rca_sym", "partners", "market_penetration"]
x.sort_values(["year", "reporter", "product"])[cols].to_parquet(out, index=False)
