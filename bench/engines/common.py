"""What every engine computes, so their outputs can be compared cell by cell: the product
table of `tradepipe indices` -- exports by (year, reporter, product) summed over partners,
RCA = (x_ik / X_i) / (X_k / X), symmetric RCA (RCA - 1) / (RCA + 1), the number of partner
markets with positive exports, and export market penetration (those partners over the
number of economies importing the product, from the mirror since the data are exports
only) -- written as one Parquet file sorted by (year, reporter, product)."""

COLUMNS = ["year", "reporter", "product", "exports", "rca", "rca_sym", "partners", "market_penetration"]
