"""Times `tradepipe indices` side by side with the same index set in Python polars, DuckDB
and pandas, on BACI-shaped data of each requested size. Every engine runs in its own
process, limited to 2 threads; its output is checked equal to tradepipe's (keys exact,
values rtol 1e-9) before any of its times count. Prints a table (median wall time over the
repeats, ratio to tradepipe, peak RSS) and writes bench/results/latest.json and a dated
Markdown copy.

Then the complexity set (ECI, PCI, presence, diversity, ubiquity, density, COI, COG of the
HS 6-digit universe per year): `tradepipe indices` with `[indices.complexity]` on beside
py-ecomplexity (PyPI `ecomplexity`), checked equal first (bench/check_complexity.py). A
py-ecomplexity run takes minutes, so this set is timed on its checked run plus
`--complexity-repeats` more (default 0).

With `--engines` naming `spark` (`make bench ENGINES="tradepipe spark"`), the same
`tradepipe indices` also runs with `--engine spark --spark-master local[2]` (the Spark engine,
`spark/`), writing to a directory of its own (`output-spark/`, reading the same trade table),
checked equal to the native engine table by table with `spark/compare.py` before its times
count; in the complexity set too.

    python bench/run.py [--repeats N] [--complexity-repeats N] [--no-complexity]
                        [--engines "tradepipe python-polars duckdb pandas spark"] SIZE...
    (SIZE: 1M, 10M, 50M, or a number)
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import time

BENCH = pathlib.Path(__file__).resolve().parent
REPO = BENCH.parent
# The binary `cargo build` wrote (honouring CARGO_TARGET_DIR, as cargo does), unless TRADEPIPE names one.
TRADEPIPE = pathlib.Path(
    os.environ.get("TRADEPIPE", pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "tradepipe")
)
THREADS = "2"
ENV = dict(
    os.environ,
    RAYON_NUM_THREADS=THREADS,
    POLARS_MAX_THREADS=THREADS,
    OMP_NUM_THREADS=THREADS,
    OPENBLAS_NUM_THREADS=THREADS,
    MKL_NUM_THREADS=THREADS,
    ARROW_NUM_THREADS=THREADS,
)


DEFAULT_ENGINES = ["tradepipe", "python-polars", "duckdb", "pandas"]
KNOWN_ENGINES = DEFAULT_ENGINES + ["spark"]
SPARK_MASTER = "local[" + THREADS + "]"


def spark_config(cfg: pathlib.Path) -> pathlib.Path:
    """`cfg` writing to `output-spark/`, whose trade table is a copy of the native run's, so the
    two engines read the same input and keep apart what they write. (A copy, not a link: the
    run manifest hashes the files of the output directory and does not follow links.)"""
    data = cfg.parent
    out = data / "output-spark" / "parquet"
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "trade").exists():
        shutil.copytree(data / "output" / "parquet" / "trade", out / "trade")
    text = cfg.read_text().replace('output = "output"', 'output = "output-spark"', 1)
    if 'output = "output-spark"' not in text:
        sys.exit(f"{cfg}: no `output = \"output\"` line to point the Spark run elsewhere")
    spark = cfg.with_name(cfg.stem + "-spark.toml")
    spark.write_text(text)
    return spark


def spark_cmd(cfg: pathlib.Path) -> list[str]:
    return [str(TRADEPIPE), "--config", str(spark_config(cfg)), "--quiet", "--force", "indices",
            "--engine", "spark", "--spark-master", SPARK_MASTER]


def check_spark(data: pathlib.Path) -> None:
    """Spark's tables against the native engine's (keys, order, values to rtol 1e-9)."""
    subprocess.run(
        [sys.executable, str(REPO / "spark" / "compare.py"),
         str(data / "output" / "parquet" / "indices"), str(data / "output-spark" / "parquet" / "indices")],
        check=True,
    )


def rows_of(size: str) -> int:
    s = size.upper()
    mult = {"K": 1_000, "M": 1_000_000}.get(s[-1], 1)
    return int(float(s.rstrip("KM")) * mult)


def timed_status(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MiB), exit status (negative: a signal) and stderr of one
    process. Peak RSS is the child's own (`wait4`)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), err


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process, which must succeed."""
    wall, rss, code, err = timed_status(cmd)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed ({code}):\n{err}")
    return wall, rss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--complexity-repeats", type=int, default=0)
    ap.add_argument("--no-complexity", action="store_true")
    ap.add_argument(
        "--engines",
        default=" ".join(DEFAULT_ENGINES),
        help=f"engines to run, space-separated, tradepipe always among them (known: {' '.join(KNOWN_ENGINES)})",
    )
    ap.add_argument("sizes", nargs="+")
    args = ap.parse_args()
    wanted = args.engines.split()
    unknown = sorted(set(wanted) - set(KNOWN_ENGINES))
    if unknown or "tradepipe" not in wanted:
        sys.exit(f"--engines: unknown {unknown} (known: {KNOWN_ENGINES}); tradepipe is the reference and always runs")
    results = []
    for size in args.sizes:
        rows = rows_of(size)
        data = BENCH / "data" / str(rows)
        if not (data / "rows.txt").exists():
            print(f"generating {rows:,} rows in {data} ...", flush=True)
            shutil.rmtree(data, ignore_errors=True)
            subprocess.run([sys.executable, str(BENCH / "generate.py"), str(rows), str(data)], check=True)
        actual = int((data / "rows.txt").read_text())
        trade = data / "output" / "parquet" / "trade"
        product_cfg, complexity_cfg = configs(data)
        engines = {
            "tradepipe": [str(TRADEPIPE), "--config", str(product_cfg), "--quiet", "--force", "indices"],
            "python-polars": [sys.executable, str(BENCH / "engines" / "polars_engine.py"), str(trade), str(data / "polars.parquet")],
            "duckdb": [sys.executable, str(BENCH / "engines" / "duckdb_engine.py"), str(trade), str(data / "duckdb.parquet")],
            "pandas": [sys.executable, str(BENCH / "engines" / "pandas_engine.py"), str(trade), str(data / "pandas.parquet")],
            "spark": spark_cmd(product_cfg),
        }
        engines = {name: cmd for name, cmd in engines.items() if name in wanted}
        outputs = {
            name: data / f"{name.removeprefix('python-')}.parquet"
            for name in ("python-polars", "duckdb", "pandas")
            if name in wanted
        }
        times: dict[str, list[tuple[float, float]]] = {}
        # First run of each engine is the correctness check; its time is not counted.
        for name, cmd in engines.items():
            timed(cmd)
        # In its own process: this one stays small, so children's peak RSS is theirs alone
        # (Linux counts the parent's resident pages at fork into a child's maximum).
        if outputs:
            subprocess.run(
                [sys.executable, str(BENCH / "check.py"), str(data / "output" / "parquet" / "indices" / "product")]
                + [f"{name}={path}" for name, path in outputs.items()],
                check=True,
            )
        if "spark" in engines:
            check_spark(data)
        # Interleaved repeats, so drift in the machine's load hits every engine alike.
        for _ in range(args.repeats):
            for name, cmd in engines.items():
                times.setdefault(name, []).append(timed(cmd))
        base = statistics.median(t for t, _ in times["tradepipe"])
        for name, ts in times.items():
            med = statistics.median(t for t, _ in ts)
            results.append(
                {
                    "engine": name,
                    "rows": actual,
                    "median_s": round(med, 4),
                    "peak_rss_mb": round(max(r for _, r in ts), 1),
                    "ratio_to_tradepipe": round(med / base, 3),
                    "repeats": len(ts),
                    "set": "product table",
                }
            )
        if not args.no_complexity:
            results += complexity_set(data, trade, complexity_cfg, actual, args.complexity_repeats, "spark" in wanted)
    header = "| rows | index set | engine | median wall (s) | × tradepipe | peak RSS (MiB) | runs |\n|---:|---|---|---:|---:|---:|---:|\n"
    table = header + "".join(
        f"| {r['rows']:,} | {r['set']} | {r['engine']} | {r['median_s']:.3f} | {r['ratio_to_tradepipe']:.2f} | {r['peak_rss_mb']:.0f} | {r['repeats']} |\n"
        for r in results
    )
    print(table)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    stamp = datetime.date.today().isoformat()
    commit = git_commit()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    # The commit in the name: two runs on one day (or one commit's reruns) keep their tables.
    name = "-".join([stamp, *args.sizes, commit, datetime.datetime.now().strftime("%H%M")])
    (out / f"{name}.md").write_text(
        f"# Benchmark {stamp}\n\nMachine: {machine}; tradepipe at commit {commit}; every engine "
        f"limited to {THREADS} threads; median of {args.repeats} runs after a checked warm-up run."
        f"\n\n{table}"
    )


def configs(data: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """The generated pipeline.toml with the complexity tables off (the product-table set,
    which the other engines compute) and on without the proximity table (the complexity
    set: py-ecomplexity computes the matrix but writes no pair table either)."""
    base = (data / "pipeline.toml").read_text()
    if "[indices.complexity]" in base:
        base = base[: base.index("[indices.complexity]")]
    product = data / "pipeline-product.toml"
    product.write_text(base + "\n[indices.complexity]\nenabled = false\n")
    complexity = data / "pipeline-complexity.toml"
    complexity.write_text(base + "\n[indices.complexity]\nproximity-table = false\n")
    return product, complexity


def complexity_set(data, trade, cfg, rows, extra_repeats, spark):
    """Times tradepipe's complexity run beside py-ecomplexity's (and the Spark engine's), after
    checking them equal."""
    out = data / "ecomplexity.parquet"
    engines = {
        "tradepipe": [str(TRADEPIPE), "--config", str(cfg), "--quiet", "--force", "indices"],
        "py-ecomplexity": [sys.executable, str(BENCH / "engines" / "ecomplexity_engine.py"), str(trade), str(out)],
    }
    if spark:
        engines["spark"] = spark_cmd(cfg)
    times = {name: [timed(cmd)] for name, cmd in engines.items()}
    subprocess.run(
        [sys.executable, str(BENCH / "check_complexity.py"),
         str(data / "output" / "parquet" / "indices" / "complexity"), f"py-ecomplexity={out}"],
        check=True,
    )
    if spark:
        check_spark(data)
    for _ in range(extra_repeats):
        for name, cmd in engines.items():
            times[name].append(timed(cmd))
    base = statistics.median(t for t, _ in times["tradepipe"])
    return [
        {
            "engine": name,
            "rows": rows,
            "median_s": round(statistics.median(t for t, _ in ts), 4),
            "peak_rss_mb": round(max(r for _, r in ts), 1),
            "ratio_to_tradepipe": round(statistics.median(t for t, _ in ts) / base, 3),
            "repeats": len(ts),
            "set": "complexity",
        }
        for name, ts in times.items()
    ]


def git_commit():
    """The checkout's short commit, with `+` if it has uncommitted changes; `unknown` outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # the results directory itself is rewritten by every run
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


if __name__ == "__main__":
    main()
