"""The product index set in DuckDB SQL."""
import sys

import duckdb


def product_query(rows: str) -> str:
    """The product table, sorted, from the export rows of the relation or CTE `rows` (year,
    reporter, partner, product, value_usd): a query to wrap in COPY."""
    return f"""
  WITH {rows}_x AS (
    SELECT year, reporter, product, SUM(value_usd) AS exports,
      CAST(COUNT(*) FILTER (WHERE value_usd > 0) AS UINTEGER) AS partners
    FROM {rows} GROUP BY ALL
  ), m AS (
    -- Mirror imports (the data are exports only): j imports k if any exporter reports it.
    SELECT year, product, COUNT(DISTINCT partner) AS importers
    FROM {rows} WHERE value_usd > 0 GROUP BY ALL
  ), r AS (
    SELECT x.*,
      (exports / SUM(exports) OVER (PARTITION BY year, reporter))
        / (SUM(exports) OVER (PARTITION BY year, product) / SUM(exports) OVER (PARTITION BY year)) AS rca
    FROM {rows}_x x
  )
  SELECT r.year, reporter, r.product, exports, rca, (rca - 1) / (rca + 1) AS rca_sym, partners,
    partners / importers AS market_penetration
  FROM r LEFT JOIN m ON r.year = m.year AND r.product = m.product
  ORDER BY r.year, reporter, r.product
"""


if __name__ == "__main__":
    trade, out = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(
        f"""
CREATE VIEW t AS
SELECT year, reporter, partner, product, value_usd
FROM read_parquet('{trade}/**/*.parquet', hive_partitioning = true)
WHERE flow = 'export' AND product <> 'TOTAL' AND partner <> reporter
"""
    )
    # Keys are unique in the canonical table, so a positive row is one partner market.
    con.execute(f"COPY ({product_query('t')}) TO '{out}' (FORMAT parquet)")
