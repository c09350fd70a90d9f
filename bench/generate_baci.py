"""Seeded generator of a release zip in CEPII BACI's real layout, for `make bench-e2e`.

The zip holds what a BACI release holds (see https://www.cepii.fr/DATA_DOWNLOAD/baci/doc/):

* one entry a year, `BACI_<REV>_Y<year>_V<version>.csv`, header `t,i,j,k,v,q`: `i` and `j`
  numeric country codes (UN Comtrade's, as BACI's), `k` the HS6 code written as a number, so
  chapters 01-09 lose their leading zero (`10121`), `v` thousands of US$ with 3 decimals,
  `q` tonnes with 3 decimals or `NA` padded with spaces as BACI pads it;
* `country_codes_V<version>.csv` (`country_code,country_name,country_iso2,country_iso3`),
  `product_codes_<REV>_V<version>.csv` (`code,description`) and a readme.

Countries are the current entities of the project's registry that have a Comtrade code and
existed over the whole span (`data/comtrade_codes.csv`, `data/countries.csv`,
`data/country_history.csv`); products are the six-digit codes of the embedded HS17 list
(`data/hs/HS17.csv`), at most 5,381 as BACI has. Exporter and importer are drawn Zipf-skewed
(weights 1/rank^1.1), values lognormal, keys unique within a year. The numbers are synthetic --
a benchmark input, not data -- and the same arguments always give the same bytes.

    python bench/generate_baci.py SIZE OUT_DIR      (SIZE: 10M = 5 years x 2M records of HS17
                                                     from 2017, panel = 30 years x 9M of HS92
                                                     from 1995, or YEARSxRECORDS, e.g. 4x1M,
                                                     HS92 from 1995)

writes OUT_DIR/BACI_<REV>_V202501.zip, OUT_DIR/pipeline.toml (a `baci-zip` file source) and
OUT_DIR/records.txt. Years are formatted by polars and compressed on both cores (one process
per year, entries written in year order).
"""

import concurrent.futures
import csv
import io
import pathlib
import sys
import zipfile
import zlib

import numpy as np
import polars as pl

REPO = pathlib.Path(__file__).resolve().parent.parent
VERSION = "V202501"
N_PRODUCTS = 5381
SEED = 20261207
SIZES = {"10M": (2017, 5, 2_000_000, "HS17"), "panel": (1995, 30, 9_000_000, "HS92")}


def countries(first_year: int) -> list[tuple[int, str, str, str]]:
    """(comtrade code, name, iso2, iso3) of entities that existed from `first_year` on."""
    with open(REPO / "data" / "countries.csv", newline="") as f:
        current = {r["iso3"]: r for r in csv.DictReader(f)}
    with open(REPO / "data" / "country_history.csv", newline="") as f:
        late = {r["code"] for r in csv.DictReader(f) if r["from"] and int(r["from"]) > first_year}
    out = []
    with open(REPO / "data" / "comtrade_codes.csv", newline="") as f:
        for r in csv.DictReader(f):
            c = current.get(r["code"])
            # One code an entity: its current one, not a former "(...1990)" entity's.
            if c is not None and r["code"] not in late and "(..." not in r["comtrade_name"]:
                out.append((int(r["comtrade_code"]), c["name"], c["iso2"], r["code"]))
    return sorted(out)


def products() -> list[str]:
    with open(REPO / "data" / "hs" / "HS17.csv", newline="") as f:
        codes = sorted(r["code"] for r in csv.DictReader(f) if len(r["code"]) == 6)
    step = max(1, len(codes) // N_PRODUCTS)
    return codes[::step][:N_PRODUCTS]


def draw_keys(records: int, n_countries: int, n_products: int, rng) -> np.ndarray:
    """`records` distinct (exporter, importer, product) keys, sorted as BACI sorts its entries."""
    weights = 1.0 / np.arange(1, n_countries + 1) ** 1.1
    weights /= weights.sum()
    keys = np.empty(0, dtype=np.int64)
    # Draw in rounds until `records` distinct (exporter, importer, product) keys are in hand.
    while len(keys) < records:
        n = (records - len(keys)) * 2 + 1000
        e = rng.choice(n_countries, size=n, p=weights)
        i = rng.choice(n_countries, size=n, p=weights)
        i = np.where(i == e, (i + 1) % n_countries, i)
        k = rng.integers(0, n_products, size=n)
        drawn = (e.astype(np.int64) * n_countries + i) * n_products + k
        keys = np.unique(np.concatenate([keys, drawn]))
    keys = rng.choice(keys, size=records, replace=False)
    keys.sort()
    return keys


def format_year(args) -> tuple[bytes, bytes]:
    """One year's CSV and its raw deflate stream (as a zip entry stores it)."""
    year, records, codes, prods, y_i = args
    rng = np.random.default_rng([SEED, y_i])
    keys = draw_keys(records, len(codes), len(prods), rng)
    n_c, n_p = len(codes), len(prods)
    k = keys % n_p
    j = (keys // n_p) % n_c
    i = keys // (n_p * n_c)
    v = np.round(rng.lognormal(mean=3.0, sigma=2.5, size=records), 3)
    v = np.maximum(v, 0.001)
    q = np.round(rng.lognormal(mean=1.0, sigma=2.5, size=records), 3)
    q_na = rng.random(records) < 0.08
    codes = np.array(codes, dtype=np.int64)
    prods = np.array([int(p) for p in prods], dtype=np.int64)
    df = pl.DataFrame(
        {
            "t": np.full(records, year, dtype=np.int32),
            "i": codes[i],
            "j": codes[j],
            "k": prods[k],
            "v": v,
            "q": pl.Series(q).set(pl.Series(q_na), None),
        }
    )
    buf = io.BytesIO()
    # BACI pads a missing quantity to the column's width.
    df.write_csv(buf, float_precision=3, quote_style="never", null_value="             NA")
    raw = buf.getvalue()
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return raw, c.compress(raw) + c.flush()


def write_zip(path: pathlib.Path, entries) -> None:
    """Writes (name, raw bytes, deflated bytes) entries without deflating them again."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        for name, raw, deflated in entries:
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 15, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = len(raw)
            info.compress_size = len(deflated)
            info.CRC = zlib.crc32(raw)
            # zipfile has no public call for pre-compressed data: write the local header,
            # the deflated bytes, and register the entry for the central directory.
            z.fp.seek(z.start_dir)
            info.header_offset = z.fp.tell()
            z._writecheck(info)
            z._didModify = True
            zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
            z.fp.write(info.FileHeader(zip64))
            z.fp.write(deflated)
            z.filelist.append(info)
            z.NameToInfo[info.filename] = info
            z.start_dir = z.fp.tell()


def main() -> None:
    size, out = sys.argv[1], pathlib.Path(sys.argv[2])
    if size in SIZES:
        first, n_years, per_year, rev = SIZES[size]
    else:
        n_years, per_year = (int(float(x.rstrip("M")) * (1e6 if x.endswith("M") else 1)) for x in size.split("x"))
        # As the panel: HS92 from 1995, so that any number of years stays in the past.
        first, rev = 1995, "HS92"
    out.mkdir(parents=True, exist_ok=True)
    ctry = countries(first)
    prods = products()
    years = list(range(first, first + n_years))
    zpath = out / f"BACI_{rev}_{VERSION}.zip"
    tmp = zpath.with_suffix(".zip.tmp")

    def entries():
        yield (
            f"country_codes_{VERSION}.csv",
            *_deflate(
                "country_code,country_name,country_iso2,country_iso3\n"
                + "".join(f'{c},"{n}",{i2},{i3}\n' for c, n, i2, i3 in ctry)
            ),
        )
        yield (
            f"product_codes_{rev}_{VERSION}.csv",
            *_deflate("code,description\n" + "".join(f'{p},"synthetic benchmark product"\n' for p in prods)),
        )
        yield (f"Readme.txt", *_deflate(f"Synthetic BACI-layout benchmark release (seed {SEED}).\n"))
        jobs = [(y, per_year, [c[0] for c in ctry], prods, n) for n, y in enumerate(years)]
        with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
            for y, (raw, deflated) in zip(years, pool.map(format_year, jobs)):
                print(f"  {y}: {per_year:,} records, {len(raw) / 2**20:.0f} MiB of CSV", flush=True)
                yield (f"BACI_{rev}_Y{y}_{VERSION}.csv", raw, deflated)

    write_zip(tmp, entries())
    tmp.replace(zpath)
    (out / "pipeline.toml").write_text(
        f"""[run]
years = {{ from = {years[0]}, to = {years[-1]} }}
output = "output"
templates = "{REPO / 'templates'}"

[[source]]
name = "baci"
kind = "file"
format = "baci-zip"
path = "{zpath.name}"
vintage = "synthetic {VERSION}"

[indices]
countries = ["{ctry[0][3]}", "{ctry[1][3]}", "{ctry[2][3]}"]
"""
    )
    (out / "records.txt").write_text(f"{per_year * n_years}\n")


def _deflate(text: str) -> tuple[bytes, bytes]:
    raw = text.encode()
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return raw, c.compress(raw) + c.flush()


if __name__ == "__main__":
    main()
