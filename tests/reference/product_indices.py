"""Independent reference for tradepipe's product-level tables, in pandas.

Written from shared/docs/formulas.md and the README's table definitions with group-bys and
merges (no dense matrices): the product table (exports, RCA, partners, market penetration),
concentration over products, pair structure (trade complementarity, export similarity,
aggregate Grubel-Lloyd) and contributions by province / customs regime / HS section.

    python product_indices.py TRADE_DIR REPO_DATA_DIR COUNTRIES(comma) OUT_PREFIX
"""
import itertools
import sys

import numpy as np
import pandas as pd

trade_dir, data_dir, countries, out = sys.argv[1:5]
countries = countries.split(",")

iso = set(pd.read_csv(f"{data_dir}/countries.csv", keep_default_na=False)["iso3"])
names = pd.read_csv(f"{data_dir}/imf_country_names.csv", keep_default_na=False)
economy = iso | set(names.loc[names["kind"].isin(["country", "historic", "unspecified"]), "code"])

t = pd.read_parquet(trade_dir)
t["year"] = t["year"].astype(int)
if "province" not in t.columns:
    t["province"] = "TOTAL"
    t["regime"] = "TOTAL"
whole = t[(t["province"] == "TOTAL") & (t["regime"] == "TOTAL")]
prod = whole[(whole["product"] != "TOTAL") & whole["flow"].isin(["export", "import"])].copy()


def level(code):
    return 0 if code.startswith("S") else len(code)


prod["level"] = prod["product"].map(level)
key = ["year", "reporter", "classification", "product"]
to_partner = prod[prod["partner"].isin(economy) & (prod["partner"] != prod["reporter"])]
to_world = prod[prod["partner"] == "WLD"]


def by_side(flow):
    w = to_world[to_world["flow"] == flow].groupby(key)["value_usd"].sum()
    p = to_partner[to_partner["flow"] == flow].groupby(key)["value_usd"].sum()
    return w.combine_first(p)  # the world row where there is one, else the partner sum


X = by_side("export")
xp = to_partner[to_partner["flow"] == "export"]
partners = xp.groupby(key)["value_usd"].apply(lambda v: int((v > 0).sum()))
# Imports: each importer's own report where it reports product imports at all, else the
# mirror (partner economies' exports to it).
M_own = by_side("import")
mirror = xp.groupby(["year", "partner", "classification", "product"])["value_usd"].sum()
mirror.index = mirror.index.set_names(key)
reporting = set(zip(M_own.index.get_level_values(0), M_own.index.get_level_values(1)))
mirror = mirror[[(y, r) not in reporting for y, r in zip(mirror.index.get_level_values(0),
                                                          mirror.index.get_level_values(1))]]
M = pd.concat([M_own, mirror]).sort_index()
mirrored = {(y, r) for y, r in zip(mirror.index.get_level_values(0), mirror.index.get_level_values(1))}

# Product table.
p = X.rename("exports").reset_index()
p["level"] = p["product"].map(level)
p["xr"] = p.groupby(["year", "reporter", "level"])["exports"].transform("sum")
p["xk"] = p.groupby(["year", "classification", "product"])["exports"].transform("sum")
p["w"] = p.groupby(["year", "level"])["exports"].transform("sum")
ok = (p["xr"] > 0) & (p["xk"] > 0) & (p["w"] > 0)
p["rca"] = np.where(ok, (p["exports"] / p["xr"]) / (p["xk"] / p["w"]), np.nan)
p["rca_sym"] = (p["rca"] - 1) / (p["rca"] + 1)
p = p.merge(partners.rename("partners").reset_index(), on=key, how="left")
importers = M[M > 0].reset_index().groupby(["year", "classification", "product"]).size().rename("importers")
p = p.merge(importers.reset_index(), on=["year", "classification", "product"], how="left")
p["market_penetration"] = np.where(p["importers"] > 0, p["partners"] / p["importers"], np.nan)
p[["year", "reporter", "classification", "product", "level", "exports", "rca", "rca_sym", "partners",
   "market_penetration"]].to_csv(f"{out}_product.csv", index=False)

# Concentration over products, per configured country, flow and level.
years = sorted(t["year"].unique())
c_rows = []
for flow, s in [("export", X), ("import", M)]:
    s = s.reset_index()
    s["level"] = s["product"].map(level)
    for (y, r, lv), v in s.groupby(["year", "reporter", "level"])["value_usd"]:
        if r not in countries:
            continue
        v = v[v > 0]
        if len(v) == 0:
            continue
        sh = v / v.sum()
        h = float((sh ** 2).sum())
        n = len(v)
        c_rows.append(dict(year=y, reporter=r, flow=flow, level=lv, count=n, hhi=h,
                           hhi_normalized=(h - 1 / n) / (1 - 1 / n) if n > 1 else np.nan))
pd.DataFrame(c_rows, columns=["year", "reporter", "flow", "level", "count", "hhi", "hhi_normalized"]).to_csv(
    f"{out}_concentration.csv", index=False)

# Pair structure per ordered pair of configured countries and product level.
pairs_own = prod[prod["reporter"].isin(countries) & prod["partner"].isin(countries)
                 & prod["partner"].isin(economy) & (prod["partner"] != prod["reporter"])]
own = pairs_own.groupby(["year", "reporter", "partner", "flow", "classification", "product"])["value_usd"].sum()
s_rows = []
for y in years:
    levels = sorted(set(prod[prod["year"] == y]["level"]))
    if not levels:
        continue
    for i, j in itertools.permutations(countries, 2):
        def row(series, c):
            try:
                v = series.loc[(y, c)]
            except KeyError:
                return pd.Series(dtype=float)
            return v.groupby(level=[0, 1]).sum()

        xi, xj, mj = row(X, i), row(X, j), row(M, j)
        # GL: i's exports to j and imports from j, or j's exports to i where i reports none.
        try:
            oi = own.loc[(y, i, j)]
        except KeyError:
            oi = pd.Series(dtype=float)
        xe = oi.loc["export"] if "export" in oi.index.get_level_values(0) else pd.Series(dtype=float)
        reports_m = "import" in oi.index.get_level_values(0)
        if reports_m:
            me = oi.loc["import"]
        else:
            try:
                oj = own.loc[(y, j, i)]
                me = oj.loc["export"] if "export" in oj.index.get_level_values(0) else pd.Series(dtype=float)
            except KeyError:
                me = pd.Series(dtype=float)
        for lv in levels:
            def at(s):
                if len(s) == 0:
                    return s
                return s[[level(k) == lv for k in s.index.get_level_values(1)]]

            def aligned(a, b):
                a, b = at(a), at(b)
                d = pd.concat([a.rename("a"), b.rename("b")], axis=1)
                return d["a"].fillna(0.0), d["b"].fillna(0.0)

            a, b = aligned(xi, mj)
            tc = 100 * (1 - 0.5 * (b / b.sum() - a / a.sum()).abs().sum()) if a.sum() > 0 and b.sum() > 0 else np.nan
            a, b = aligned(xi, xj)
            es = 100 * np.minimum(a / a.sum(), b / b.sum()).sum() if a.sum() > 0 and b.sum() > 0 else np.nan
            x, m = aligned(xe, me)
            tot = (x + m).sum()
            gl = 1 - (x - m).abs().sum() / tot if tot > 0 else np.nan
            s_rows.append(dict(year=y, reporter=i, partner=j, level=lv, trade_complementarity=tc,
                               export_similarity=es, grubel_lloyd=gl, products=int(((x + m) > 0).sum()),
                               partner_imports_side="mirror" if (y, j) in mirrored else "reported"))
pd.DataFrame(s_rows).to_csv(f"{out}_pair_structure.csv", index=False)

# Contributions of provinces, regimes and HS sections of configured reporters.
parts = []
bd = t[(t["product"] == "TOTAL") & t["reporter"].isin(countries)]
prov = bd[(bd["province"] != "TOTAL") & (bd["regime"] == "TOTAL")].assign(dimension="province")
prov["component"] = prov["province"]
reg = bd[(bd["province"] == "TOTAL") & (bd["regime"] != "TOTAL")].assign(dimension="regime")
reg["component"] = reg["regime"]
sec = whole[(whole["product"].str.startswith("S")) & whole["reporter"].isin(countries)].assign(dimension="section")
sec["component"] = sec["product"]
parts = pd.concat([prov, reg, sec])
parts = parts[parts["flow"].isin(["export", "import"])]
k = ["year", "reporter", "partner", "dimension", "component"]
v = parts.pivot_table(index=k, columns="flow", values="value_usd", aggfunc="sum").reset_index()
for f in ["export", "import"]:
    if f not in v.columns:
        v[f] = np.nan
v = v.rename(columns={"export": "exports", "import": "imports"})
v["balance"] = v["exports"] - v["imports"]
prev = v[k + ["exports", "imports", "balance"]].copy()
prev["year"] += 1
v = v.merge(prev, on=k, how="left", suffixes=("", "_prev"))
v["balance_change"] = v["balance"] - v["balance_prev"]
g = ["year", "reporter", "partner", "dimension"]
tot_db = v.groupby(g)["balance_change"].transform(lambda s: s.sum(min_count=1))
v["balance_contribution"] = np.where(tot_db != 0, v["balance_change"] / tot_db, np.nan)
for f in ["exports", "imports"]:
    tot_prev = v.groupby(g)[f"{f}_prev"].transform(lambda s: s.sum(min_count=1))
    v[f"{f}_growth_contribution"] = np.where(tot_prev > 0, (v[f] - v[f"{f}_prev"]) / tot_prev, np.nan)
    tot = v.groupby(g)[f].transform(lambda s: s.sum(min_count=1))
    v[f"{f}_share"] = np.where(tot > 0, v[f] / tot, np.nan)
v[k + ["exports", "imports", "balance", "balance_change", "balance_contribution", "exports_growth_contribution",
       "imports_growth_contribution", "exports_share", "imports_share"]].to_csv(f"{out}_contribution.csv", index=False)
