"""What every engine computes, so their outputs can be compared cell by cell: the product
table of `tradepipe indices` -- exports by (year, reporter, product) summed over partners,
RCA = (x_ik / X_i) / (X_k / X), symmetric RCA (RCA - 1) / (RCA + 1), the number of partner
markets with positive exports, and export market penetration (those partners over the
number of economies importing the product, from the mirror since the data are exports
only) -- written as one Parquet file sorted by (year, reporter, product)."""

COLUMNS = ["year", "reporter", "product", "exports", "rca", "rca_sym", "partners", "market_penetration"]


def pandas_export_rows(trade: str):
    """The canonical table's export rows to partner economies, as pandas reads them
    (pyarrow's dataset reader, 2 threads): the input of the pandas and py-ecomplexity engines.
    Imports inside, so engines that do not use pandas do not load it."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    pa.set_cpu_count(2)
    df = (
        ds.dataset(trade, format="parquet", partitioning="hive")
        .to_table(columns=["year", "reporter", "partner", "flow", "product", "value_usd"])
        .to_pandas()
    )
    return df[(df["flow"] == "export") & (df["product"] != "TOTAL") & (df["partner"] != df["reporter"])]
