"""The end-to-end job (bench/e2e/common.py) in pandas, from the release zip."""
import sys
import zipfile

import pandas as pd
import pyarrow as pa

from common import COLUMNS, country_codes_entry, entries

pa.set_cpu_count(2)
zpath, out = sys.argv[1], sys.argv[2]
zf = zipfile.ZipFile(zpath)
codes = pd.read_csv(zf.open(country_codes_entry(zf)), usecols=["country_code", "country_iso3"])
iso = dict(zip(codes["country_code"], codes["country_iso3"]))
raw = pd.concat(
    [
        pd.read_csv(zf.open(n), usecols=["t", "i", "j", "k", "v"], engine="pyarrow",
                    dtype={"t": "int32", "i": "int32", "j": "int32", "k": "int64", "v": "float64"})
        for n in entries(zf)
    ],
    ignore_index=True,
)
t = pd.DataFrame(
    {
        "year": raw["t"].astype("int64"),
        "reporter": raw["i"].map(iso),
        "partner": raw["j"].map(iso),
        "product": raw["k"].astype(str).str.zfill(6),
        "value_usd": raw["v"] * 1000.0,
    }
)
del raw
t["positive"] = t["value_usd"] > 0
x = t.groupby(["year", "reporter", "product"], as_index=False).agg(
    exports=("value_usd", "sum"), partners=("positive", "sum")
)
xr = x.groupby(["year", "reporter"])["exports"].transform("sum")
xp = x.groupby(["year", "product"])["exports"].transform("sum")
w = x.groupby("year")["exports"].transform("sum")
x["rca"] = (x["exports"] / xr) / (xp / w)
x["rca_sym"] = (x["rca"] - 1) / (x["rca"] + 1)
m = t[t["positive"]].groupby(["year", "product"])["partner"].nunique().rename("importers")
x = x.join(m, on=["year", "product"])
x["partners"] = x["partners"].astype("uint32")
x["market_penetration"] = x["partners"] / x["importers"]
x.sort_values(["year", "reporter", "product"])[COLUMNS].to_parquet(out, index=False)
p = t.groupby(["year", "reporter", "partner"], as_index=False)["value_usd"].sum().rename(columns={"value_usd": "x_ij"})
p["x_i"] = p.groupby(["year", "reporter"])["x_ij"].transform("sum")
p["m_j"] = p.groupby(["year", "partner"])["x_ij"].transform("sum")
p["w"] = p.groupby("year")["x_ij"].transform("sum")
p["hm"] = (p["x_ij"] / p["x_i"]) * (1 - p["x_ij"] / p["m_j"])
p["tii"] = (p["x_ij"] / p["x_i"]) / (p["m_j"] / p["w"])
p["share2"] = (p["x_ij"] / p["x_i"]) ** 2
p["hhi"] = p.groupby(["year", "reporter"])["share2"].transform("sum")
p.sort_values(["year", "reporter", "partner"]).to_parquet(out + ".pairs.parquet", index=False)
