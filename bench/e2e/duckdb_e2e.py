"""The end-to-end job (bench/e2e/common.py) in DuckDB SQL, from the release zip. DuckDB reads
no zip archives (without a community extension), so the entries are extracted to a temporary
directory next to the output first, as a DuckDB user would; that time counts."""
import pathlib
import shutil
import sys
import tempfile
import zipfile

import duckdb

from common import country_codes_entry, entries

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "engines"))
from duckdb_engine import product_query  # noqa: E402  (the same product table as make bench)

zpath, out = sys.argv[1], sys.argv[2]
zf = zipfile.ZipFile(zpath)
con = duckdb.connect()
con.execute("SET threads = 2")
tmp = pathlib.Path(tempfile.mkdtemp(dir=pathlib.Path(out).parent))
try:
    names = entries(zf) + [country_codes_entry(zf)]
    for n in names:
        with zf.open(n) as src, open(tmp / pathlib.Path(n).name, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    con.execute(f"CREATE TABLE codes AS SELECT * FROM read_csv('{tmp / pathlib.Path(names[-1]).name}')")
    files = ", ".join(f"'{tmp / pathlib.Path(n).name}'" for n in names[:-1])
    con.execute(
        f"""CREATE TABLE raw AS SELECT t, i, j, k, v FROM read_csv([{files}],
        columns = {{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'BIGINT', 'v': 'DOUBLE', 'q': 'VARCHAR'}},
        header = true)"""
    )
finally:
    shutil.rmtree(tmp)
con.execute(
    """
CREATE TABLE t AS
SELECT r.t AS year, a.country_iso3 AS reporter, b.country_iso3 AS partner,
       lpad(CAST(r.k AS VARCHAR), 6, '0') AS product, r.v * 1000.0 AS value_usd
FROM raw r JOIN codes a ON r.i = a.country_code JOIN codes b ON r.j = b.country_code
"""
)
con.execute("DROP TABLE raw")
con.execute(f"COPY ({product_query('t')}) TO '{out}' (FORMAT parquet)")
con.execute(
    f"""
COPY (
  WITH p AS (SELECT year, reporter, partner, SUM(value_usd) AS x_ij FROM t GROUP BY ALL),
  q AS (
    SELECT *, SUM(x_ij) OVER (PARTITION BY year, reporter) AS x_i,
      SUM(x_ij) OVER (PARTITION BY year, partner) AS m_j, SUM(x_ij) OVER (PARTITION BY year) AS w
    FROM p
  )
  SELECT *, (x_ij / x_i) * (1 - x_ij / m_j) AS hm, (x_ij / x_i) / (m_j / w) AS tii,
    SUM((x_ij / x_i) ^ 2) OVER (PARTITION BY year, reporter) AS hhi
  FROM q ORDER BY year, reporter, partner
) TO '{out}.pairs.parquet' (FORMAT parquet)
"""
)
