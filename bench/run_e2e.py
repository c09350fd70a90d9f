"""`make bench-e2e`: the whole job a user runs on a BACI release zip, tradepipe beside the
engines a user would pick instead.

tradepipe runs `fetch` (the zip into the content-addressed store), `normalize` and `indices`,
each timed in its own process; Python polars, DuckDB and pandas each run one script that does
the same job from the same zip (bench/e2e/: read the CSV entries, RCA per year, exporter and
product, HM and TII per pair, HHI per exporter). Every engine is limited to 2 threads. A first
run of each is checked against tradepipe's product table (bench/check.py: same keys in the same
order, values to rtol 1e-9) and not timed; then the engines run interleaved `--repeats` times.
Peak RSS is each process's own (`wait4`); for tradepipe the largest of its three stages. An
engine that fails (pandas out of memory on the panel, say) is recorded as failed with its exit
status and peak RSS, not skipped.

    python bench/run_e2e.py [--repeats N] SIZE...   (SIZE: 10M, panel, YEARSxRECORDS, memory)

`memory` is the flatness check of normalize's peak RSS as years are added: zips of 1, 2, 4, 8
and 16 years of 1M records each, fetch + normalize once each, peak RSS per year count.

Results: printed, and written to bench/results/latest-e2e.json and
bench/results/<date>-e2e-<sizes>-<commit>-<HHMM>.md.
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

from run import THREADS, TRADEPIPE, configs, git_commit, timed_status

BENCH = pathlib.Path(__file__).resolve().parent
E2E = BENCH / "e2e"


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit status of one process (negative: a signal)."""
    wall, rss, code, err = timed_status(cmd)
    if code != 0:
        print(f"  {' '.join(cmd[:3])}... failed ({code}): {err.strip().splitlines()[-1:]}", flush=True)
    return wall, rss, code


def data_for(size: str) -> pathlib.Path:
    data = BENCH / "data" / f"e2e-{size}"
    if not (data / "records.txt").exists():
        print(f"generating the {size} release zip in {data} ...", flush=True)
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run([sys.executable, str(BENCH / "generate_baci.py"), size, str(data)], check=True)
    return data


def tradepipe_stages(data: pathlib.Path) -> dict[str, list[str]]:
    # The complexity tables off: the peers' scripts compute the product table, HM, TII and HHI.
    product_cfg, _ = configs(data)
    base = [str(TRADEPIPE), "--config", str(product_cfg), "--quiet", "--force"]
    return {"fetch": base + ["fetch"], "normalize": base + ["normalize"], "indices": base + ["indices"]}


def run_tradepipe(data: pathlib.Path) -> dict[str, tuple[float, float, int]]:
    # A fresh store each time, so that fetch copies and hashes the zip as a first run does.
    shutil.rmtree(data / "output" / "raw", ignore_errors=True)
    out = {}
    for stage, cmd in tradepipe_stages(data).items():
        out[stage] = timed(cmd)
        if out[stage][2] != 0:
            sys.exit(f"tradepipe {stage} failed")
    return out


def peers(data: pathlib.Path) -> dict[str, list[str]]:
    zpath = next(data.glob("BACI_*.zip"))
    py = sys.executable
    return {
        name: [py, str(E2E / f"{script}_e2e.py"), str(zpath), str(data / f"{script}.parquet")]
        for name, script in [("python-polars", "polars"), ("duckdb", "duckdb"), ("pandas", "pandas")]
    }


def bench_size(size: str, repeats: int) -> list[dict]:
    data = data_for(size)
    records = int((data / "records.txt").read_text())
    others = peers(data)
    # Checked first run: tradepipe, then every engine against it.
    run_tradepipe(data)
    first = {name: timed(cmd) for name, cmd in others.items()}
    ok = {name: t[2] == 0 for name, t in first.items()}
    checked = [f"{n}={cmd[-1]}" for n, cmd in others.items() if ok[n]]
    if checked:
        subprocess.run(
            [sys.executable, str(BENCH / "check.py"), str(data / "output" / "parquet" / "indices" / "product")]
            + checked,
            check=True,
        )
    stages: dict[str, list[tuple[float, float, int]]] = {}
    times: dict[str, list[tuple[float, float, int]]] = {}
    for _ in range(repeats):
        for stage, t in run_tradepipe(data).items():
            stages.setdefault(stage, []).append(t)
        for name, cmd in others.items():
            # An engine that failed its first run is not run again: its failure is the result.
            times.setdefault(name, []).append(timed(cmd) if ok[name] else first[name])
    total = [sum(s[i][0] for s in stages.values()) for i in range(repeats)]
    base = statistics.median(total)
    rows = [
        {
            "size": size,
            "records": records,
            "engine": "tradepipe",
            "median_s": round(base, 3),
            "stages_s": {k: round(statistics.median(t for t, _, _ in v), 3) for k, v in stages.items()},
            "peak_rss_mb": round(max(r for v in stages.values() for _, r, _ in v), 1),
            "ratio_to_tradepipe": 1.0,
            "status": "ok",
            "repeats": repeats,
        }
    ]
    for name, ts in times.items():
        failed = [c for _, _, c in ts if c != 0]
        med = statistics.median(t for t, _, _ in ts) if not failed else None
        rows.append(
            {
                "size": size,
                "records": records,
                "engine": name,
                "median_s": round(med, 3) if med is not None else None,
                "peak_rss_mb": round(max(r for _, r, _ in ts), 1),
                "ratio_to_tradepipe": round(med / base, 2) if med is not None else None,
                "status": "ok" if not failed else describe_failure(failed[0]),
                "repeats": repeats,
            }
        )
    return rows


def describe_failure(code: int) -> str:
    if code == -9:
        return "killed (SIGKILL: out of memory)"
    if code < 0:
        return f"killed by signal {-code}"
    return f"failed (exit {code})"


def memory_series() -> list[dict]:
    """Peak RSS of fetch + normalize as the years grow, at 1M records a year."""
    rows = []
    for years in [1, 2, 4, 8, 16]:
        data = data_for(f"{years}x1M")
        shutil.rmtree(data / "output", ignore_errors=True)
        fetch = timed(tradepipe_stages(data)["fetch"])
        normalize = timed(tradepipe_stages(data)["normalize"])
        rows.append(
            {
                "size": "memory",
                "years": years,
                "records": years * 1_000_000,
                "normalize_s": round(normalize[0], 3),
                "peak_rss_mb": round(max(fetch[1], normalize[1]), 1),
            }
        )
        print(f"  {years:>2} years: normalize {normalize[0]:.2f} s, peak RSS {rows[-1]['peak_rss_mb']:.0f} MiB", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("sizes", nargs="+")
    args = ap.parse_args()
    results, memory = [], []
    for size in args.sizes:
        if size == "memory":
            memory = memory_series()
        else:
            results += bench_size(size, args.repeats)
    table = ""
    if results:
        table += (
            "| records | engine | median wall (s) | × tradepipe | peak RSS (MiB) | note |\n"
            "|---:|---|---:|---:|---:|---|\n"
        )
        for r in results:
            note = r["status"] if r["status"] != "ok" else ""
            if r["engine"] == "tradepipe":
                note = ", ".join(f"{k} {v:.2f} s" for k, v in r["stages_s"].items())
            wall = f"{r['median_s']:.2f}" if r["median_s"] is not None else "–"
            ratio = f"{r['ratio_to_tradepipe']:.2f}" if r["ratio_to_tradepipe"] is not None else "–"
            table += f"| {r['records']:,} | {r['engine']} | {wall} | {ratio} | {r['peak_rss_mb']:.0f} | {note} |\n"
    if memory:
        table += "\n| years (1M records each) | normalize (s) | peak RSS (MiB) |\n|---:|---:|---:|\n"
        table += "".join(f"| {m['years']} | {m['normalize_s']:.2f} | {m['peak_rss_mb']:.0f} |\n" for m in memory)
    print(table)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / "latest-e2e.json").write_text(json.dumps(results + memory, indent=2) + "\n")
    stamp = datetime.date.today().isoformat()
    commit = git_commit()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    name = "-".join([stamp, "e2e", *args.sizes, commit, datetime.datetime.now().strftime("%H%M")])
    (out / f"{name}.md").write_text(
        f"# End-to-end benchmark {stamp}\n\nMachine: {machine}; tradepipe at commit {commit}; every "
        f"engine limited to {THREADS} threads; median of {args.repeats} runs after a checked "
        f"warm-up run; tradepipe's time is fetch + normalize + indices.\n\n{table}"
    )


if __name__ == "__main__":
    main()
