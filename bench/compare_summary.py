#!/usr/bin/env python3
"""Turn bench/compare's samples into one Markdown table: before, after, and after / before.

Input: rows.tsv in bench/run's format (read by summarize.py's loader), two rows per metric, "before" then
"after"; the section column is the title printed above its metrics. Samples are in run order, so the i-th
sample of "before" and of "after" come from the same pair. A missing or empty samples file prints "n/a".
"""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from summarize import load, number, read_samples  # noqa: E402  (bench/ is not a package)

# The bound for the change: after's median at most 5 % above before's, for these metrics.
TARGET_METRICS = ("wall", "peak RSS")
LIMIT = 1.05


def pair_ratio(before_file, after_file):
    """Median of after/before over the pairs: steadier than the ratio of medians when the load drifts."""
    before, after = read_samples(before_file), read_samples(after_file)
    ratios = [a / b for b, a in zip(before, after) if b]
    return statistics.median(ratios) if ratios else None


def samples_files(rows_path):
    files = {}
    for line in Path(rows_path).read_text().splitlines():
        section, metric, _unit, side, _how, samples = line.split("\t")
        files[(section, metric, side)] = samples
    return files


def metrics(rows):
    """(section, metric, unit, before row, after row) in the order bench/compare wrote them."""
    by_key = {(row["section"], row["metric"], row["program"]): row for row in rows}
    seen = []
    for row in rows:
        key = (row["section"], row["metric"])
        if key not in seen:
            seen.append(key)
    return [(section, metric, by_key[(section, metric, "before")]["unit"], by_key.get((section, metric, "before")),
             by_key.get((section, metric, "after"))) for section, metric in seen]


def over(after, before):
    return after / before if after is not None and before else None


def shown(value):
    return "n/a" if value is None else f"{value:.3f}×"


def main():
    rows = load(sys.argv[1])
    files = samples_files(sys.argv[1])
    print("| What | Build | How it ran | n | median | min | max | after / before (medians) | median of pair ratios |")
    print("|---|---|---|--:|--:|--:|--:|--:|--:|")
    current = None
    checks = []
    for section, metric, unit, before, after in metrics(rows):
        if section != current:
            current = section
            print(f"| **{section}** | | | | | | | | |")
        ratio = over(after["median"], before["median"])
        paired = pair_ratio(files[(section, metric, "before")], files[(section, metric, "after")])
        for row, side in ((before, "before"), (after, "after")):
            last = side == "after"
            print(f"| {metric} ({unit}) | {side} | {row['how']} | {row['n'] or ''} | {number(row['median'], unit)} "
                  f"| {number(row['min'], unit)} | {number(row['max'], unit)} "
                  f"| {shown(ratio) if last else ''} | {shown(paired) if last else ''} |")
        if metric in TARGET_METRICS:
            checks.append((f"{section}: {metric}", ratio))
    print()
    print(f"Targets from issue 12 (after's median ≤ {LIMIT:.2f}× before's):")
    for name, ratio in checks:
        verdict = "not measured" if ratio is None else ("met" if ratio <= LIMIT else "NOT met")
        print(f"- {name}: {shown(ratio)} → {verdict}")


if __name__ == "__main__":
    main()
