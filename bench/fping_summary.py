#!/usr/bin/env python3
"""Turn bench/fping's samples into one Markdown table: each program against the real fping.

Input: rows.tsv in bench/run's format (section, metric, unit, program, how, samples file); within a section
and metric the first row is the reference (Debian's fping). Samples are in round order, so the i-th sample
of every program comes from the same round. A missing or empty samples file prints "n/a".
With --samples FILE it also writes every run as one line (workload, program, round, wall, CPU, peak RSS).
"""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from summarize import load, number, read_samples  # noqa: E402  (bench/ is not a package)


def samples_files(rows_path):
    return {(s, m, p): f for s, m, _u, p, _h, f in (line.split("\t") for line in Path(rows_path).read_text().splitlines())}


def pair_ratio(reference_file, file):
    """Median over rounds of program / reference: steadier than the ratio of medians when the load drifts."""
    ratios = [b / a for a, b in zip(read_samples(reference_file), read_samples(file)) if a]
    return statistics.median(ratios) if ratios else None


def shown(value):
    return "n/a" if value is None else f"{value:.2f}×"


def write_samples(rows_path, out_path):
    """One line per run, so the figures can be checked or recomputed without the build directory."""
    runs = {}
    for (section, metric, program), file in samples_files(rows_path).items():
        runs.setdefault((section, program), {})[metric] = read_samples(file)
    with open(out_path, "w") as out:
        out.write("workload\tprogram\tround\twall_ms\tcpu_user_sys_ms\tpeak_rss_kib\n")
        for (section, program), metrics in runs.items():
            command = section.split("`")[1] if "`" in section else section
            columns = zip(metrics["wall"], metrics["CPU user+sys"], metrics["peak RSS"])
            for round_number, (wall, cpu, rss) in enumerate(columns, 1):
                out.write(f"{command}\t{program}\t{round_number}\t{wall:.3f}\t{cpu:.3f}\t{rss:.0f}\n")


def main():
    if len(sys.argv) == 4 and sys.argv[2] == "--samples":
        write_samples(sys.argv[1], sys.argv[3])
    rows = load(sys.argv[1])
    files = samples_files(sys.argv[1])
    print("| What | Program | How it ran | n | median | min | max | × fping (medians) | median of round ratios |")
    print("|---|---|---|--:|--:|--:|--:|--:|--:|")
    current = None
    reference = {}
    for row in rows:
        section, metric = row["section"], row["metric"]
        if section != current:
            current = section
            print(f"| **{section}** | | | | | | | | |")
        key = (section, metric)
        ratio = paired = ""
        if key not in reference:
            reference[key] = row
        else:
            first = reference[key]
            ratio = shown(row["median"] / first["median"] if row["median"] is not None and first["median"] else None)
            paired = shown(pair_ratio(files[(section, metric, first["program"])], files[(section, metric, row["program"])]))
        unit = row["unit"]
        print(f"| {metric} ({unit}) | {row['program']} | {row['how']} | {row['n'] or ''} | {number(row['median'], unit)} "
              f"| {number(row['min'], unit)} | {number(row['max'], unit)} | {ratio} | {paired} |")


if __name__ == "__main__":
    main()
