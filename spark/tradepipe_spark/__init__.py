"""tradepipe's index stage on Apache Spark: the same tables as the native engine, from the same
canonical table, computed with DataFrame aggregations and window functions."""
