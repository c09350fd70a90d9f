"""Build data/comtrade_codes.csv: UN Comtrade reporter/partner codes -> registry codes.

    python3 data/tools/build_comtrade_codes.py \
        ../shared/data/api-samples/comtrade_v1/files_v1_app_reference_Reporters.json \
        data/countries.csv data/imf_country_names.csv > data/comtrade_codes.csv

Source: the UN Comtrade API v1 reference table files/v1/app/reference/Reporters.json as
recorded in repository ropensci/comtradr (tests/testthat/re_tb2/..., commit
3d5b52d6a3e10093b24b7883fb62f3d49b1ba4c8). Comtrade's own ISO column is kept except where it
would merge entities the registry keeps apart (OVERRIDES, each with its reason).
"""
import csv, json, sys

OVERRIDES = {
    0: ("WLD", "World (partner code 0)"),
    58: ("BLX", "Belgium-Luxembourg until 1998; Comtrade labels it BEL"),
    97: ("EUU", "European Union; Comtrade ISO column says EUR"),
    490: ("TWN", "'Other Asia, nes' is Taiwan in Comtrade practice (ISO column S19)"),
}

reporters = json.load(open(sys.argv[1], encoding="utf-8"))["results"]
known = {r["iso3"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}
known |= {r["code"] for r in csv.DictReader(open(sys.argv[3], encoding="utf-8"))}
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["comtrade_code", "code", "comtrade_name", "note"])
rows = {0: (OVERRIDES[0][0], "World", OVERRIDES[0][1])}
skipped = []
for r in reporters:
    code = r["reporterCode"]
    if code in OVERRIDES:
        rows[code] = (OVERRIDES[code][0], r["text"], OVERRIDES[code][1])
        continue
    iso = (r["reporterCodeIsoAlpha3"] or "").strip()
    if iso in known:
        rows[code] = (iso, r["text"], "")
    else:
        skipped.append((code, iso, r["text"]))
for code in sorted(rows):
    out.writerow([code, *rows[code]])
if skipped:
    print(f"not mapped (no registry code): {skipped}", file=sys.stderr)
