#!/usr/bin/env python3
"""Corpus load time: writes N small plans (UTF-8 text, genre-like: 3 sections of 4 tasks
with owner clauses and targets, about 1 KB each) into a temporary directory and times
`planq --plan DIR -c 'plans | count'` (whole process, median of 3 runs) for each N.

Usage: scripts/corpus-load.py [PATH-TO-PLANQ] [N ...]   (default N: 200 1000 2000 4000;
       default binary: $CARGO_TARGET_DIR/release/planq, else target/release/planq)

A linear load shows a time per plan that stays flat as N grows. CPU time (user + system,
summed over threads) is printed too: on a shared machine it is steadier than wall time.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CN = "一二三四五六七八九十"
PLACES = ["福建", "厦门", "福州", "浙江", "广东", "江苏"]
OWNERS = ["省数字办", "省发改委", "省工信厅", "省财政厅", "省教育厅", "省公安厅"]


def plan(k):
    year = 2019 + k % 6
    out = [f"{year}年数字{PLACES[k % len(PLACES)]}建设工作要点", f"现提出{year}年工作要点如下。"]
    for s in range(3):
        out.append(f"{CN[s]}、第{s + 1}方面工作")
        for i in range(4):
            lead, sup = OWNERS[(k + i) % 6], OWNERS[(k + i + s + 1) % 6]
            out.append(f"（{CN[i]}）推进第{i + 1}项建设。年内建成{10 + (k + i) % 90}个智慧社区。（{lead}牵头，{sup}配合）")
    return "\n".join(out) + "\n"


def main():
    args = sys.argv[1:]
    default = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "planq")
    binary = args.pop(0) if args and not args[0].isdigit() else default
    sizes = [int(a) for a in args] or [200, 1000, 2000, 4000]
    print(f"binary: {binary}; {os.cpu_count()} cores")
    print("| plans | files (MB) | median wall s | ms per plan (wall) | CPU s (user+sys) | ms CPU per plan |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as d:
            size = 0
            for k in range(n):
                text = plan(k).encode()
                size += len(text)
                with open(os.path.join(d, f"p{k:05}.txt"), "wb") as f:
                    f.write(text)
            times = []
            cpus = []
            for _ in range(3):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                out = subprocess.run(
                    [binary, "--plan", d, "--format", "csv", "-c", "plans | count"],
                    capture_output=True,
                    text=True,
                )
                times.append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                if out.returncode != 0 or out.stdout != f"count\n{n}\n":
                    sys.exit(f"planq failed on {n} plans:\n{out.stdout}{out.stderr}")
            med = statistics.median(times)
            cpu = statistics.median(cpus)
            print(
                f"| {n} | {size / 1e6:.2f} | {med:.3f} | {1000 * med / n:.2f} | {cpu:.3f} | {1000 * cpu / n:.2f} |"
            )


if __name__ == "__main__":
    main()
