"""What every engine computes, so their outputs can be compared cell by cell: the product
table of `tradepipe indices` -- exports by (year, reporter, product) summed over partners,
RCA = (x_ik / X_i) / (X_k / X), and symmetric RCA (RCA - 1) / (RCA + 1) -- written as one
Parquet file sorted by (year, reporter, product)."""

COLUMNS = ["year", "reporter", "product", "exports", "rca", "rca_sym"]
