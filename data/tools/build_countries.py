"""Build data/countries.csv from datasets/country-codes (ODC-PDDL-1.0).

    python3 data/tools/build_countries.py ../shared/data/reference/country-codes.csv > data/countries.csv

Keeps the columns the pipeline uses; rows without an ISO alpha-3 code are dropped.
"""
import csv, sys

COLS = [("iso3", "ISO3166-1-Alpha-3"), ("iso2", "ISO3166-1-Alpha-2"),
        ("iso_numeric", "ISO3166-1-numeric"), ("m49", "M49"), ("name", "CLDR display name"),
        ("official_name", "official_name_en"), ("unterm_short", "UNTERM English Short"),
        ("region", "Region Name"), ("subregion", "Sub-region Name")]

rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["ISO3166-1-Alpha-3"]]
rows.sort(key=lambda r: r["ISO3166-1-Alpha-3"])
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow([c for c, _ in COLS])
for r in rows:
    out.writerow([r[src].strip() for _, src in COLS])
