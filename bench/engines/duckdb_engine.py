"""The product index set in DuckDB SQL."""
import sys

import duckdb

trade, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(
    f"""
COPY (
  WITH x AS (
    SELECT year, reporter, product, SUM(value_usd) AS exports
    FROM read_parquet('{trade}/**/*.parquet', hive_partitioning = true)
    WHERE flow = 'export' AND product <> 'TOTAL' AND partner <> reporter
    GROUP BY ALL
  ), r AS (
    SELECT *,
      (exports / SUM(exports) OVER (PARTITION BY year, reporter))
        / (SUM(exports) OVER (PARTITION BY year, product) / SUM(exports) OVER (PARTITION BY year)) AS rca
    FROM x
  )
  SELECT year, reporter, product, exports, rca, (rca - 1) / (rca + 1) AS rca_sym
  FROM r ORDER BY year, reporter, product
) TO '{out}' (FORMAT parquet)
"""
)
