#!/usr/bin/env python3
"""End-to-end speed of `planq export --out DIR` (issue 8: plan → every table as CSV files).

Usage: scripts/export_speed.py [--runs N] [--sizes 10k,100k,1M] PLANQ [PLANQ...]
       (e.g. `cargo build --release` first, then
        scripts/export_speed.py "$CARGO_TARGET_DIR/release/planq")

The plans are `scripts/growth.py`'s synthetic plans (sections of nine numbered items with
owner clauses, three targets each, block lines), 10k / 100k / 1M tasks (1.7 / 17.5 / 176 MB),
written once into a temporary directory. Each binary exports each plan N times; the runs
of several binaries are interleaved, so that a machine that gets busier or quieter treats
them alike. Prints one markdown row per binary and size: median wall time, the plan's
megabytes (10^6 bytes) per wall second, median CPU time (user + system), and the largest
peak resident memory (`wait4`'s `ru_maxrss`) with its ratio to the file.

Linux carries a process's peak resident memory across fork and exec into the child's
`ru_maxrss`: a child can report no less than this script's own peak. So the plans are
written by a child process, never held here, and a figure that could be this script's
and not planq's is printed as `≤ N MB` (before, a parent that had generated the 176 MB
plan made a 363 MB export report 564 MB).
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SECTIONS = {"10k": 1_112, "100k": 11_112, "1M": 111_112}  # nine tasks a section

HERE = os.path.dirname(os.path.abspath(__file__))


def write_plan(path, sections):
    """`growth.plan(sections)` written to `path` by a child process, so that this one
    never holds the text (see the module's note on `ru_maxrss`)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import growth; "
        "open(sys.argv[2], 'w', encoding='utf-8').write(growth.plan(int(sys.argv[3])))"
    )
    subprocess.run([sys.executable, "-c", code, HERE, path, str(sections)], check=True)


def run_once(planq, plan, out):
    """One export: wall seconds (`perf_counter` around the child), CPU seconds (user +
    system) and peak resident bytes (`wait4`'s rusage). `/usr/bin/time` gives wall time
    in hundredths, too coarse for the 10k plan's ≈ 45 ms."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    child = subprocess.Popen(
        [planq, "--plan", plan, "export", "--out", out],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    # Reaped here: tell the `Popen` so that it does not wait for the child again.
    child.returncode = os.waitstatus_to_exitcode(status)
    if status != 0:
        sys.exit(f"{planq} failed on {plan} (status {status})")
    shutil.rmtree(out, ignore_errors=True)
    # Linux reports ru_maxrss in KiB. A child's figure is at least this process's own
    # peak: when it is no more than that, it may not be planq's (marked as an upper bound).
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, usage.ru_maxrss <= own


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--runs", type=int, default=7)
    args.add_argument("--sizes", default="10k,100k,1M")
    args.add_argument("planq", nargs="+")
    a = args.parse_args()
    sizes = a.sizes.split(",")
    with tempfile.TemporaryDirectory(prefix="planq-export-speed-") as tmp:
        print("| binary | tasks (file) | wall, median | MB/s | CPU, median | peak RSS (× file) |")
        print("|---|---|---|---|---|---|")
        for size in sizes:
            plan = os.path.join(tmp, f"plan{size}.txt")
            write_plan(plan, SECTIONS[size])
            file_bytes = os.path.getsize(plan)
            runs = {b: [] for b in a.planq}
            for _ in range(a.runs):
                for b in a.planq:
                    runs[b].append(run_once(b, plan, os.path.join(tmp, "out")))
            for b, r in runs.items():
                wall = statistics.median(x[0] for x in r)
                cpu = statistics.median(x[1] for x in r)
                rss = max(x[2] for x in r)
                bound = "≤ " if any(x[3] for x in r) else ""
                print(
                    f"| {b} | {size} ({file_bytes / 1e6:.1f} MB) | {wall:.4f} s | "
                    f"{file_bytes / 1e6 / wall:.1f} | {cpu:.3f} s | "
                    f"{bound}{rss / 1e6:.0f} MB ({rss / file_bytes:.1f}×) |"
                )
            os.remove(plan)


if __name__ == "__main__":
    main()
