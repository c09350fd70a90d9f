"""Write the HS concordance tables the binary embeds, from the published workbooks and weights.

    pip install python-calamine
    python3 data/tools/build_hs_concordance.py --unsd path/to/hs/correlation --weights path/to/hs/weights

Inputs, as published and never edited by hand (provenance in data/README.md):
- `--unsd`: the UN Statistics Division "Correlation and conversion tables" between adjacent HS
  editions (`unsd_HS96_to_HS92.xls` ... `unsd_HS22_to_HS17.xlsx`) and the two direct ones
  (`unsd_HS17_to_HS92.xlsx`, `unsd_HS22_to_HS92.xlsx`), read with calamine. Each has a
  correlation sheet (every link and its relationship) whose name and header row differ between
  editions; old tables write the relationship with a leading apostrophe (`'1:1`) and a few code
  cells are floats (`380999.0`).
- `--weights`: the Harvard Growth Lab trade-value conversion weights
  `conversion_weights_H{a}_to_H{b}.csv` (H0 = HS92 ... H5 = HS17), codes without their leading
  zero.

Outputs (under data/):
- `hs/concordance/links-<NEWER>-<OLDER>.csv.gz`: `newer,older,relationship` for each adjacent
  pair, one row per link of 6-digit codes, sorted; relationship is `1:1`, `n:1`, `1:n` or `n:n`
  read from the newer edition's side, as the UN writes it.
- `hs/concordance/weights-<FROM>-<TO>.csv.gz`: `from,to,weight`, the links with a positive weight
  (for every `from` code the weights sum to 1), weights as the source writes them.
- `hs/HS92.csv`: the HS 1992 code list (the "HS 1992" column of the HS96 table, with headings and
  chapters derived, plus Comtrade's 99/9999/999999), as the other lists in `hs/`.
- `../tests/fixtures/hs-direct/links-HS17-HS92.csv.gz` and `links-HS22-HS92.csv.gz`: the direct
  tables, which the tests check chained conversions against (not embedded).

gzip is written with mtime 0, so a rebuild gives byte-identical files.
"""
import argparse, csv, gzip, io, os, re
import python_calamine as pc

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
ROOT = os.path.dirname(DATA)

EDITIONS = ["HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22"]
ADJACENT = [("HS96", "HS92", "unsd_HS96_to_HS92.xls"),
            ("HS02", "HS96", "unsd_HS02_to_HS96.xls"),
            ("HS07", "HS02", "unsd_HS07_to_HS02.xls"),
            ("HS12", "HS07", "unsd_HS12_to_HS07.xls"),
            ("HS17", "HS12", "unsd_HS17_to_HS12.xlsx"),
            ("HS22", "HS17", "unsd_HS22_to_HS17.xlsx")]
DIRECT = [("HS17", "HS92", "unsd_HS17_to_HS92.xlsx"),
          ("HS22", "HS92", "unsd_HS22_to_HS92.xlsx")]
RELATIONSHIPS = {"1:1", "n:1", "1:n", "n:n"}


def code(cell):
    """A 6-digit code from a cell: text, or a float the workbook stored (380999.0)."""
    if isinstance(cell, float):
        if cell != int(cell):
            raise ValueError(f"code cell {cell!r} is not a whole number")
        cell = str(int(cell))
    text = str(cell).strip()
    if re.fullmatch(r"\d{5,6}", text):
        return text.zfill(6)
    return None


def correlation_links(path):
    """Every (newer, older, relationship) of the workbook's correlation sheet."""
    wb = pc.CalamineWorkbook.from_path(path)
    sheets = [s for s in wb.sheet_names if "orrelation" in s]
    if len(sheets) != 1:
        raise SystemExit(f"{path}: expected one correlation sheet, found {wb.sheet_names}")
    rows = wb.get_sheet_by_name(sheets[0]).to_python()
    # The header row is the one whose last column is "Relationship" (row 1 or 2).
    head = next(i for i, r in enumerate(rows[:5]) if str(r[-1]).strip() == "Relationship")
    header = [str(c).strip() for c in rows[head]]
    # Newer code first, older code in the last column but one; old tables have an "ex." column
    # between them (a partial link, which the relationship already says).
    newer_col, older_col, rel_col = 0, len(header) - 2, len(header) - 1
    links = set()
    for n, r in enumerate(rows[head + 1:], start=head + 2):
        if all(str(c).strip() == "" for c in r):
            continue
        a, b = code(r[newer_col]), code(r[older_col])
        rel = str(r[rel_col]).strip().lstrip("'")
        if a is None or b is None or rel not in RELATIONSHIPS:
            raise SystemExit(f"{path}, sheet {sheets[0]!r}, row {n}: cannot read {r!r}")
        links.add((a, b, rel))
    return sorted(links), header


def write_gz(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(buf.getvalue().encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unsd", required=True, help="directory of the UNSD workbooks")
    ap.add_argument("--weights", required=True, help="directory of the Growth Lab weights")
    args = ap.parse_args()
    out = os.path.join(DATA, "hs", "concordance")

    hs92 = set()
    # The codes of each edition: its list in hs/ and every code on its side of a UNSD table
    # (the lists come from other UN tables, which differ on a few codes, e.g. 930110/930111).
    valid = {e: set() for e in EDITIONS}
    for e in EDITIONS[1:]:
        with open(os.path.join(DATA, "hs", f"{e}.csv")) as f:
            valid[e] |= {l.strip() for l in f if len(l.strip()) == 6}
    for newer, older, name in ADJACENT:
        links, header = correlation_links(os.path.join(args.unsd, name))
        valid[newer] |= {a for a, _, _ in links}
        valid[older] |= {b for _, b, _ in links}
        write_gz(os.path.join(out, f"links-{newer}-{older}.csv.gz"), ["newer", "older", "relationship"], links)
        print(f"{name}: {len(links)} links ({header})")
        if older == "HS92":
            hs92 = {b for _, b, _ in links}
    for newer, older, name in DIRECT:
        links, _ = correlation_links(os.path.join(args.unsd, name))
        write_gz(os.path.join(ROOT, "tests", "fixtures", "hs-direct", f"links-{newer}-{older}.csv.gz"),
                 ["newer", "older", "relationship"], links)
        print(f"{name}: {len(links)} links (direct, for the tests)")

    for a in range(5):
        for src, dst in ((a, a + 1), (a + 1, a)):
            name = f"conversion_weights_H{src}_to_H{dst}.csv"
            by_code = {}
            with open(os.path.join(args.weights, name), newline="") as f:
                for r in csv.DictReader(f):
                    if float(r["weight"]) > 0:
                        by_code.setdefault(code(r[f"H{src}"]), []).append((code(r[f"H{dst}"]), r["weight"]))
            # A source code whose weights reach codes its target edition does not have (the
            # tables spread HS92/HS96 271000 over HS02's 2710xx codes) is left out: it falls
            # back to the UNSD links, which the binary uses wherever no weight is given.
            dropped = sorted(c for c, ts in by_code.items()
                             if c not in valid[EDITIONS[src]] or any(t not in valid[EDITIONS[dst]] for t, _ in ts))
            rows = sorted((c, t, w) for c, ts in by_code.items() if c not in dropped for t, w in ts)
            path = os.path.join(out, f"weights-{EDITIONS[src]}-{EDITIONS[dst]}.csv.gz")
            write_gz(path, ["from", "to", "weight"], rows)
            print(f"{name}: {len(rows)} positive weights; left out, reaching codes outside "
                  f"{EDITIONS[dst]} or from codes outside {EDITIONS[src]}: {dropped}")

    codes = set(hs92) | {"999999"}
    levels = {c[:2] for c in codes} | {c[:4] for c in codes} | codes
    with open(os.path.join(DATA, "hs", "HS92.csv"), "w", newline="") as f:
        f.write("code\n")
        for c in sorted(levels):
            f.write(c + "\n")
    print(f"HS92.csv: {len(hs92)} subheadings from the HS96 table, {len(levels)} codes with 999999 and the levels")


if __name__ == "__main__":
    main()
