"""Append the UN M49 region groups to data/groups.csv.

    python3 data/tools/build_region_groups.py

Writes group ASIA: every country of data/countries.csv whose M49 region is Asia (Central,
Eastern, South-eastern, Southern and Western Asia; Taiwan as listed there) plus the two
historic Yemens, each from the first year it existed (data/country_history.csv; empty when
open) to its last. The USSR, partly in Asia, is not a member. Rerunning replaces the block.
"""
import csv, os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
HISTORIC_ASIA = ["XYA", "YMD"]

history = {r["code"]: r for r in csv.DictReader(open(os.path.join(DATA, "country_history.csv"), encoding="utf-8"))}
members = sorted(r["iso3"] for r in csv.DictReader(open(os.path.join(DATA, "countries.csv"), encoding="utf-8"))
                 if r["region"] == "Asia") + HISTORIC_ASIA

path = os.path.join(DATA, "groups.csv")
rows = [r for r in csv.reader(open(path, encoding="utf-8")) if r and r[0] != "ASIA"]
for m in members:
    h = history.get(m, {})
    rows.append(["ASIA", m, h.get("from", ""), h.get("to", "")])
with open(path, "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
