#!/usr/bin/env python3
"""Growth check: times planq on inputs of three sizes for each load and query path that
has been quadratic (or worse) before, and prints one markdown table.

Usage: scripts/growth.py [PATH-TO-PLANQ]   (default: $CARGO_TARGET_DIR/release/planq,
       else target/release/planq; build it first with `cargo build --release`)

Each row doubles (or quadruples) its input; a path that grows linearly shows times that
double with it. A ratio per doubling well above 2 (noise aside) is a regression to look at.
The inputs are generated here, deterministically, into a temporary directory.
"""

import os
import subprocess
import sys
import tempfile
import time

CN = "一二三四五六七八九十"


def plan(n_sections):
    """A genre-like plan: sections of nine items with owners, targets and deadlines."""
    owners = ["省数字办", "省通管局", "省卫生厅", "省民政厅", "省统计局"]
    out = ["2099年工作要点（合成数据）", "说明：本文件由 scripts/growth.py 生成。"]
    for k in range(n_sections):
        o = owners[k % 5]
        out.append(f"第{k}部分工作")
        for i in range(8):
            out.append(
                f"({CN[i]})推进第{k}项建设。建成{1000 + k % 997}个民生信息化社区，宽带率达到{80 + k % 20}%，"
                f"为{1 + k % 300}万农民提供服务。({o}牵头，省经济信息中心、审改办配合)"
            )
        out.append(f"(九)完善管理。完成{k % 50 + 1}所医疗机构接入。")
        out.append(f"牵头单位：{o}")
        out.append(f"完成时限：2099年{k % 12 + 1}月底")
    return "\n".join(out) + "\n"


def repeated_numbers(n):
    """A plan whose items repeat their numbers: one warning per item."""
    lines = ["2010年工作要点", "一、建设"]
    lines += [f"({CN[i % 3]})任务{i}建设。(省数字办牵头)" for i in range(n)]
    return "\n".join(lines) + "\n"


def long_line(n):
    """One task line with n numeric targets."""
    body = "，".join(f"建成{i}个社区" for i in range(n))
    return f"2010年工作要点\n一、建设\n(一){body}。(省数字办牵头)\n"


def progress(n_targets_csv, rows):
    """A progress CSV of `rows` reports over the plan's target ids."""
    out = ["target_id,actual,as_of"]
    for r in range(rows):
        tid = n_targets_csv[r % len(n_targets_csv)]
        day = r // len(n_targets_csv)
        out.append(f"{tid},{r % 1000},{2099 + day // 300:04d}-{day % 12 + 1:02d}-{day % 28 + 1:02d}")
    return "\n".join(out) + "\n"


def main():
    planq = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "planq")
    tmp = tempfile.mkdtemp(prefix="planq-growth-")

    def write(name, text):
        path = os.path.join(tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run(args, codes):
        t = time.perf_counter()
        r = subprocess.run([planq] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t
        if r.returncode not in codes:
            sys.exit(f"planq {args} exited {r.returncode}: {r.stderr.decode()[:500]}")
        return dt

    rows = []

    def case(label, sizes, make, codes=(0, 1)):
        """`codes`: the exit codes that count as the path running (1: a plan's warnings);
        a query that must answer says (0,), so a refusal is never timed as a result."""
        times = []
        for n in sizes:
            times.append(run(make(n), codes))
        ratios = [b / a if a > 0 else float("nan") for a, b in zip(times, times[1:])]
        rows.append((label, sizes, times, ratios))

    # Plan load: text → frames, through a query that needs every table built.
    case("plan load (sections of 9 tasks)", [2000, 4000, 8000],
         lambda n: ["--plan", write(f"plan{n}.txt", plan(n)), "-c", "tasks | count"])
    case("plan with one warning per item", [5000, 10000, 20000],
         lambda n: ["--plan", write(f"warn{n}.txt", repeated_numbers(n)), "-c", "warnings | count"])
    case("one line with n targets", [2000, 4000, 8000],
         lambda n: ["--plan", write(f"long{n}.txt", long_line(n)), "-c", "targets | count"])

    # Progress: reports over the targets of a 2000-section plan (18 000 targets).
    base = write("base.txt", plan(2000))
    ids = [f"{k + 1}.{i + 1}#{j + 1}" for k in range(2000) for i in range(8) for j in range(3)]
    case("progress rows", [25000, 50000, 100000],
         lambda n: ["--plan", base, "--progress", write(f"p{n}.csv", progress(ids, n)),
                    "-c", "shortfall | count by status"])

    # Scripts and queries.
    case("script of n lets", [5000, 10000, 20000],
         lambda n: [write(f"lets{n}.pq", "".join(f"let x{i} = tasks | where line > {i}\n" for i in range(n))
                          + "x1 | count\n")],
         codes=(0,))
    # At most MAX_STAGES (2,048) stages are accepted: the largest size is the most there is.
    case("chain of n where stages", [500, 1000, 2000],
         lambda n: [write(f"where{n}.pq", "tasks" + " | where line > 0" * n + " | count\n")],
         codes=(0,))
    case("x in [n literals]", [2000, 4000, 8000],
         lambda n: [write(f"in{n}.pq", "tasks | where line in [" + ", ".join(map(str, range(n))) + "] | count\n")],
         codes=(0,))
    case("n lets, each reading the one before twice", [100, 200, 400],
         lambda n: [write(f"semi{n}.pq", "let x = tasks\n" + "let x = x | join semi x on id\n" * n
                          + "x | count\n")],
         codes=(0,))

    print(f"planq: {planq}")
    print()
    print("| path | sizes | seconds | ratio per step |")
    print("|---|---|---|---|")
    for label, sizes, times, ratios in rows:
        print(f"| {label} | {' / '.join(map(str, sizes))} | "
              f"{' / '.join(f'{t:.2f}' for t in times)} | {' / '.join(f'{r:.1f}' for r in ratios)} |")


if __name__ == "__main__":
    main()
