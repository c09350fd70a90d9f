"""Build data/imf_country_names.csv: every IMF DOTS country/area name -> code.

Run once by hand when the embedded IMF file changes:
    python3 data/tools/build_imf_names.py data/imf_dots_bilateral_annual_1960_2020.csv.gz \
        data/countries.csv > data/imf_country_names.csv

Countries are matched to ISO 3166-1 alpha-3 through the English names in data/countries.csv
(datasets/country-codes); names the matcher cannot place are mapped in HAND below, each with
the reason. Aggregates and unallocated areas get ISO 3166 user-assigned codes (X..), historical
entities their ISO 3166-3 code where one exists.
"""
import csv, gzip, re, sys

HAND = {
    # name: (code, kind, note)
    "China, P.R.: Mainland": ("CHN", "country", ""),
    "China, P.R.: Hong Kong": ("HKG", "country", ""),
    "China, P.R.: Macao": ("MAC", "country", ""),
    "Congo, Dem. Rep. of the": ("COD", "country", ""),
    "Côte d'Ivoire": ("CIV", "country", ""),
    "Czech Rep.": ("CZE", "country", ""),
    "Kyrgyz Rep.": ("KGZ", "country", ""),
    "Slovak Rep.": ("SVK", "country", ""),
    "Falkland Islands (Malvinas)": ("FLK", "country", ""),
    "Korea, Dem. People's Rep. of": ("PRK", "country", ""),
    "Korea, Rep. of": ("KOR", "country", ""),
    "Kosovo, Rep. of": ("XKX", "country", "not in ISO 3166; XKX as used by the EU and IMF"),
    "Lao People's Dem. Rep.": ("LAO", "country", ""),
    "Micronesia, Federated States of": ("FSM", "country", ""),
    "St. Kitts and Nevis": ("KNA", "country", ""),
    "St. Vincent and the Grenadines": ("VCT", "country", ""),
    "São Tomé and Príncipe, Dem. Rep. of": ("STP", "country", ""),
    "Taiwan Province of China": ("TWN", "country", "Comtrade reports it as 'Other Asia, nes' (490)"),
    "Turkey": ("TUR", "country", ""),
    "United Kingdom": ("GBR", "country", ""),
    "United States": ("USA", "country", ""),
    "Venezuela, Rep. Bolivariana de": ("VEN", "country", ""),
    "West Bank and Gaza": ("PSE", "country", ""),
    "Belgium-Luxembourg": ("BLX", "historic", "customs union reported jointly until 1998; BLX as in WITS"),
    "Czechoslovakia": ("CSK", "historic", "ISO 3166-3; split 1993 into CZE and SVK"),
    "Eastern Germany": ("DDR", "historic", "ISO 3166-3; merged into DEU 1990"),
    "Malaysia, West": ("XMW", "historic", "user-assigned; peninsular Malaysia in early IMF years"),
    "Netherlands Antilles": ("ANT", "historic", "ISO 3166-3; dissolved 2010 into CUW, SXM, BES"),
    "Serbia and Montenegro": ("SCG", "historic", "ISO 3166-3; split 2006 into SRB and MNE"),
    "USSR": ("SUN", "historic", "ISO 3166-3; dissolved 1991"),
    "Yemen Arab Rep.": ("XYA", "historic", "user-assigned; North Yemen before unification in 1990"),
    "Yemen, People's Dem. Rep. of": ("YMD", "historic", "ISO 3166-3; South Yemen before 1990"),
    "Yugoslavia": ("YUG", "historic", "ISO 3166-3; SFR Yugoslavia"),
    "World": ("WLD", "aggregate", "the reporter's total with all partners"),
    "European Union": ("EUU", "aggregate", "IMF's EU aggregate (membership of the vintage)"),
    "Euro Area": ("EMU", "aggregate", ""),
    "Advanced Economies": ("XAD", "aggregate", "IMF WEO group"),
    "Emerging and Developing Economies": ("XED", "aggregate", "IMF WEO group"),
    "Emerging and Developing Asia": ("XEA", "aggregate", "IMF WEO group"),
    "Emerging and Developing Europe": ("XEE", "aggregate", "IMF WEO group"),
    "Emerging Market and Developing Economies by Source of Export Earnings: Fuel": ("XEF", "aggregate", "IMF WEO group"),
    "Emerging Market and Developing Economies by Source of Export Earnings: Nonfuel": ("XEN", "aggregate", "IMF WEO group"),
    "Middle East and Central Asia": ("XMC", "aggregate", "IMF WEO group"),
    "Middle East": ("XME", "aggregate", "IMF region"),
    "Sub-Saharan Africa": ("XSS", "aggregate", "IMF WEO group"),
    "Western Hemisphere": ("XWH", "aggregate", "IMF WEO group"),
    "Africa": ("XAF", "aggregate", "IMF region"),
    "South African Common Customs Area (SACCA)": ("XSA", "aggregate", "customs union reported jointly"),
    "Special Categories": ("XSC", "unspecified", "IMF: trade not allocated to a partner"),
    "Countries & Areas not specified": ("XNS", "unspecified", "IMF: partner not specified"),
    "Other Countries not included elsewhere": ("XOC", "unspecified", "IMF: not included elsewhere"),
    "Africa not specified": ("XAN", "unspecified", ""),
    "Asia not specified": ("XSN", "unspecified", ""),
    "Europe not specified": ("XUN", "unspecified", ""),
    "Middle East and Central Asia not specified": ("XMN", "unspecified", ""),
    "Western Hemisphere not specified": ("XWN", "unspecified", ""),
}
SUFFIX = re.compile(r", (Rep\. of|Islamic Rep\. of|Kingdom of|Kingdom of the Netherlands|The|"
                    r"Dem\. Rep\. of|Rep\. of the|Union of the|The State of|"
                    r"The Federal Dem\. Rep\. of|Republic of|United Rep\. of|Arab Rep\. of)$")

def main(dots_path, countries_path):
    names = set()
    with gzip.open(dots_path, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.add(row["reporter"]); names.add(row["partner"])
    by_name = {}
    with open(countries_path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            by_name.setdefault(r["name"].lower(), r["iso3"])
            by_name.setdefault(r["official_name"].lower(), r["iso3"])
            by_name.setdefault(r["unterm_short"].lower(), r["iso3"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["imf_name", "code", "kind", "note"])
    unmapped = []
    for n in sorted(names):
        if n in HAND:
            out.writerow([n, *HAND[n]]); continue
        for c in (n, SUFFIX.sub("", n), n.replace(" Rep.", " Republic")):
            c = c.strip().lower()
            code = by_name.get(c) or by_name.get("the " + c)
            if code:
                out.writerow([n, code, "country", ""]); break
        else:
            unmapped.append(n)
    if unmapped:
        sys.exit(f"unmapped IMF names (add them to HAND): {unmapped}")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
