"""What every end-to-end engine computes from a BACI release zip, so that the outputs can be
compared cell by cell with `tradepipe fetch && normalize && indices`:

* the product table of `tradepipe indices`: exports by (year, reporter, product) in US$
  (BACI's `v` is thousands), RCA = (x_ik / X_i) / (X_k / X), symmetric RCA, the number of
  partner markets with positive exports, and export market penetration (those partners over
  the number of economies importing the product), one Parquet file sorted by (year, reporter,
  product) -- checked against tradepipe's by bench/check.py;
* per exporter and importer pair, Baldwin's HM = (X_ij / X_i)(1 - M_ji / M_j) and the trade
  intensity TII = (X_ij / X_i) / (M_j / X), and per exporter the HHI of its partner shares:
  the rest of the job, written beside it (`<out>.pairs.parquet`) and timed, not compared.

Countries are mapped from BACI's numeric codes to ISO3 through the release's own
`country_codes_V*.csv`; products are `k` padded back to six digits.
"""

import re
import zipfile

COLUMNS = ["year", "reporter", "product", "exports", "rca", "rca_sym", "partners", "market_penetration"]
ENTRY = re.compile(r"(^|/)BACI_[A-Z0-9]+_Y(\d{4})_V[^/]*\.csv$")


def entries(zf: zipfile.ZipFile) -> list[str]:
    """The yearly data entries, in year order."""
    return sorted((n for n in zf.namelist() if ENTRY.search(n)), key=lambda n: ENTRY.search(n).group(2))


def country_codes_entry(zf: zipfile.ZipFile) -> str:
    return next(n for n in zf.namelist() if re.search(r"(^|/)country_codes_V[^/]*\.csv$", n))
