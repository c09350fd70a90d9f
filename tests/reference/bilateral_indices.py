"""Independent reference for tradepipe's bilateral, growth and CAGR tables, in pandas.

Written from shared/docs/formulas.md without looking at the Rust engine's structure: group-bys
and merges instead of dense matrices. Reads the canonical trade table (Hive-partitioned
Parquet), writes one CSV row per (year, reporter, partner) with the same column names as
output/parquet/indices/bilateral and growth, plus a CAGR CSV.

    python bilateral_indices.py TRADE_DIR REPO_DATA_DIR COUNTRIES(comma) WINDOWS(a-b,...) OUT_PREFIX BASE_YEAR
"""
import sys
import itertools

import numpy as np
import pandas as pd

trade_dir, data_dir, countries, windows, out, base_year = sys.argv[1:7]
base_year = int(base_year)
countries = countries.split(",")
windows = [tuple(int(y) for y in w.split("-")) for w in windows.split(",")]

iso = set(pd.read_csv(f"{data_dir}/countries.csv", keep_default_na=False)["iso3"])
names = pd.read_csv(f"{data_dir}/imf_country_names.csv", keep_default_na=False)
economy = iso | set(names.loc[names["kind"].isin(["country", "historic", "unspecified"]), "code"])

t = pd.read_parquet(trade_dir)  # hive partitioning adds `year`
t["year"] = t["year"].astype(int)
t = t[t["product"] == "TOTAL"]
X = t[t["flow"] == "export"].set_index(["year", "reporter", "partner"])["value_usd"]
M = t[t["flow"] == "import"].set_index(["year", "reporter", "partner"])["value_usd"]


def get(s, y, i, j):
    return s.get((y, i, j), np.nan)


def div(a, b):
    return a / b if (not np.isnan(a)) and (not np.isnan(b)) and b > 0 else np.nan


# Partners' imports from i (mirror of i's exports): sum over reporting economies k != i.
Mr = M.reset_index()
Mr = Mr[Mr["reporter"].isin(economy) & (Mr["reporter"] != Mr["partner"])]
mirror_total = Mr.groupby(["year", "partner"])["value_usd"].sum()

# Totals with partner economies, for ranks.
T = t[t["partner"].isin(economy) & (t["partner"] != t["reporter"])]
T = T.groupby(["year", "reporter", "partner"])["value_usd"].agg(["sum", "count"]).reset_index()
Xs = t[(t["flow"] == "export")].set_index(["year", "reporter", "partner"])["value_usd"]
Ms = t[(t["flow"] == "import")].set_index(["year", "reporter", "partner"])["value_usd"]

rows = []
years = sorted(t["year"].unique())
for y in years:
    ty = t[t["year"] == y]
    # i's partner economies with both flows present, ranked by total trade (ties by code).
    pe = ty[ty["partner"].isin(economy) & (ty["partner"] != ty["reporter"])]
    ranks = {}
    for i, j in itertools.permutations(countries, 2):
        x_ij, m_ij = get(X, y, i, j), get(M, y, i, j)
        x_i, m_i = get(X, y, i, "WLD"), get(M, y, i, "WLD")
        m_ji, x_ji, m_j = get(M, y, j, i), get(X, y, j, i), get(M, y, j, "WLD")
        total = x_ij + m_ij if not (np.isnan(x_ij) or np.isnan(m_ij)) else np.nan
        s_x = div(x_ij, x_i)
        hm = s_x * (1 - div(m_ji, m_j))
        hm_ap = s_x * (1 - div(m_ij, m_j))
        hm_mirror = div(m_ji, mirror_total.get((y, i), np.nan)) * (1 - div(m_ji, m_j))
        x_wj, x_w = get(X, y, "WLD", j), get(X, y, "WLD", "WLD")
        weight = div(x_wj, x_w)
        tii = s_x / weight if weight and weight > 0 else np.nan
        m_w = get(M, y, "WLD", "WLD")
        weight_m = div(m_j, m_w - m_i)
        tii_m = s_x / weight_m if weight_m and weight_m > 0 else np.nan
        gap = m_ji - x_ij
        disc = abs(m_ji - x_ij) / ((m_ji + x_ij) / 2) if (m_ji + x_ij) > 0 else np.nan
        if i not in ranks:
            pi = pe[pe["reporter"] == i].groupby("partner")["value_usd"].sum(min_count=1).dropna()
            ranked = sorted(pi.items(), key=lambda kv: (-kv[1], kv[0]))
            ranks[i] = {c: k + 1 for k, (c, _) in enumerate(ranked)}
        rank = ranks[i].get(j, np.nan)
        rows.append(dict(
            year=y, reporter=i, partner=j, exports=x_ij, imports=m_ij, total_trade=total,
            balance=x_ij - m_ij, tsc=div(x_ij - m_ij, total) if total and total > 0 else np.nan,
            export_share=s_x, import_share=div(m_ij, m_i),
            trade_share=div(total, x_i + m_i), rank_total=rank,
            hm_baldwin=hm, hm_as_printed=hm_ap, hm_mirror=hm_mirror, tii=tii, tii_imports=tii_m,
            mirror_exports=m_ji, mirror_imports=x_ji, mirror_ratio=div(m_ji, x_ij),
            mirror_gap=gap, mirror_discrepancy=disc, world_balance=x_i - m_i, world_trade=x_i + m_i,
        ))
b = pd.DataFrame(rows)

# Growth: previous year of the same pair.
prev = b[["year", "reporter", "partner", "exports", "imports", "total_trade", "balance", "world_balance",
          "world_trade"]].copy()
prev["year"] += 1
g = b.merge(prev, on=["year", "reporter", "partner"], how="left", suffixes=("", "_prev"))
for c in ["exports", "imports", "total_trade"]:
    g[f"{c}_yoy"] = np.where(g[f"{c}_prev"] > 0, g[c] / g[f"{c}_prev"] - 1, np.nan)
g["balance_change"] = g["balance"] - g["balance_prev"]
dwb = g["world_balance"] - g["world_balance_prev"]
g["balance_contribution"] = np.where(dwb != 0, g["balance_change"] / dwb, np.nan)
g["total_trade_growth_contribution"] = np.where(
    g["world_trade_prev"] > 0, (g["total_trade"] - g["total_trade_prev"]) / g["world_trade_prev"], np.nan)
# Index numbers, 100 at the base year of the same pair.
base = b[b["year"] == base_year][["reporter", "partner", "exports", "imports", "total_trade"]]
g = g.merge(base, on=["reporter", "partner"], how="left", suffixes=("", "_base"))
for c in ["exports", "imports", "total_trade"]:
    g[f"{c}_index"] = np.where(g[f"{c}_base"] > 0, 100 * g[c] / g[f"{c}_base"], np.nan)
b = b.merge(g[["year", "reporter", "partner", "exports_yoy", "imports_yoy", "total_trade_yoy", "balance_change",
              "balance_contribution", "total_trade_growth_contribution", "exports_index", "imports_index",
              "total_trade_index"]],
            on=["year", "reporter", "partner"])
b.to_csv(f"{out}_bilateral.csv", index=False)

c_rows = []
for (a, z) in windows:
    for i, j in itertools.permutations(countries, 2):
        r = {"reporter": i, "partner": j, "from": a, "to": z}
        for c in ["exports", "imports", "total_trade"]:
            v0 = b[(b.year == a) & (b.reporter == i) & (b.partner == j)][c]
            v1 = b[(b.year == z) & (b.reporter == i) & (b.partner == j)][c]
            v0 = v0.iloc[0] if len(v0) else np.nan
            v1 = v1.iloc[0] if len(v1) else np.nan
            r[f"{c}_cagr"] = (v1 / v0) ** (1 / (z - a)) - 1 if v0 > 0 and v1 > 0 else np.nan
        c_rows.append(r)
pd.DataFrame(c_rows).to_csv(f"{out}_cagr.csv", index=False)

# Concentration: HHI of each country's exports and imports over its partner economies.
h_rows = []
for y in years:
    ty = t[(t["year"] == y) & t["partner"].isin(economy) & (t["partner"] != t["reporter"])]
    for c in countries:
        for flow in ["export", "import"]:
            v = ty[(ty["reporter"] == c) & (ty["flow"] == flow)]["value_usd"]
            v = v[v > 0]
            if len(v) == 0:
                h_rows.append(dict(year=y, reporter=c, flow=flow, partners=0, hhi=np.nan, hhi_normalized=np.nan))
                continue
            s_ = v / v.sum()
            h = float((s_ ** 2).sum())
            n = len(v)
            h_rows.append(dict(year=y, reporter=c, flow=flow, partners=n, hhi=h,
                               hhi_normalized=(h - 1 / n) / (1 - 1 / n) if n > 1 else np.nan))
pd.DataFrame(h_rows).to_csv(f"{out}_concentration.csv", index=False)
