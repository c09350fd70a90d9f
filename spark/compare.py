"""Compares two index-table directories table by table: the same tables and partitions, the
same columns in the same order, the same keys in the same order, integers, booleans and text
equal, floats to a relative 1e-9 (nulls equal nulls), or within 1e-12 of each other: the
symmetric RCA `(RCA - 1) / (RCA + 1)` of a product whose RCA is within 1e-6 of 1 keeps only
the digits the cancellation leaves, so two engines whose RCAs agree to 1e-15 (sums taken in
another order) differ there at 1e-8 relative but 1e-15 absolute. Integer widths may differ (the native
engine writes UInt32 where Spark, with no unsigned types, writes Int32).

`_meta.json`, where both directories have one, is compared too, as JSON: the same keys, lists
and text, numbers to the same tolerance (the complexity universes' eigenvalues come from two
eigensolvers).

    python spark/compare.py NATIVE_DIR SPARK_DIR [--rtol 1e-9] [--atol 1e-12]

Exit 0 when every table agrees, 1 with a report of the first differences otherwise.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.parquet")
        if not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
    )


def kind(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "text"
    if pa.types.is_dictionary(t):
        return kind(t.value_type)
    return str(t)


def column_values(col: pa.ChunkedArray) -> list:
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_string_view(col.type):
        col = col.cast(pa.string())
    return col.to_pylist()


def close(a, b, rtol: float, atol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= max(rtol * max(abs(a), abs(b)), atol)


def compare_file(a: Path, b: Path, rtol: float, atol: float) -> list[str]:
    ta, tb = pq.read_table(a), pq.read_table(b)
    if ta.column_names != tb.column_names:
        return [f"columns differ: {ta.column_names} vs {tb.column_names}"]
    if ta.num_rows != tb.num_rows:
        return [f"{ta.num_rows} rows vs {tb.num_rows}"]
    problems = []
    for name in ta.column_names:
        ka, kb = kind(ta.schema.field(name).type), kind(tb.schema.field(name).type)
        if ka != kb:
            problems.append(f"column {name}: {ta.schema.field(name).type} vs {tb.schema.field(name).type}")
            continue
        va, vb = column_values(ta.column(name)), column_values(tb.column(name))
        same = (lambda x, y: close(x, y, rtol, atol)) if ka == "float" else (lambda x, y: x == y)
        bad = [i for i, (x, y) in enumerate(zip(va, vb)) if not same(x, y)]
        if bad:
            i = bad[0]
            problems.append(f"column {name}: {len(bad)} rows differ, first row {i}: {va[i]!r} vs {vb[i]!r}")
    return problems


def compare_json(a, b, rtol: float, atol: float, at: str = "") -> list[str]:
    """Differences between two JSON values, numbers (not booleans) to the tolerance."""
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    if number(a) and number(b):
        return [] if close(float(a), float(b), rtol, atol) else [f"{at}: {a!r} vs {b!r}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{at}: keys {sorted(a)} vs {sorted(b)}"]
        return [p for k in a for p in compare_json(a[k], b[k], rtol, atol, f"{at}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{at}: {len(a)} items vs {len(b)}"]
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in compare_json(x, y, rtol, atol, f"{at}[{i}]")]
    return [] if a == b else [f"{at}: {a!r} vs {b!r}"]


def compare(native: Path, other: Path, rtol: float, atol: float) -> list[str]:
    fa, fb = files(native), files(other)
    out = []
    if fa != fb:
        only_a, only_b = sorted(set(fa) - set(fb)), sorted(set(fb) - set(fa))
        out.append(f"files only in {native}: {only_a[:10]}; only in {other}: {only_b[:10]}")
    for f in sorted(set(fa) & set(fb)):
        out += [f"{f}: {p}" for p in compare_file(native / f, other / f, rtol, atol)]
    ma, mb = native / "_meta.json", other / "_meta.json"
    if ma.is_file() and mb.is_file():
        meta = [json.loads(m.read_text()) for m in (ma, mb)]
        out += [f"_meta.json{p}" for p in compare_json(*meta, rtol, atol)]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("native", type=Path)
    ap.add_argument("other", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--atol", type=float, default=1e-12)
    args = ap.parse_args()
    problems = compare(args.native, args.other, args.rtol, args.atol)
    n = len(files(args.native))
    if problems:
        print(f"{len(problems)} difference(s) between {args.native} and {args.other}:")
        for p in problems[:40]:
            print("  " + p)
        return 1
    meta = " and _meta.json" if (args.native / "_meta.json").is_file() and (args.other / "_meta.json").is_file() else ""
    print(f"{n} files{meta} agree ({args.native} vs {args.other}, rtol {args.rtol:g}, atol {args.atol:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
