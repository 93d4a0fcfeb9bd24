#!/usr/bin/env python3
"""Turn bench/run's samples into one Markdown table, with ratios and the issue's targets.

Input: rows.tsv written by bench/run, one line per (section, metric, program):
    section  metric  unit  program  how-it-ran  samples-file ("" when the row could not be measured)
Each samples file holds one number per line. A row whose file is missing or empty prints "n/a":
a number is never made up.
"""
import statistics
import sys
from pathlib import Path

SECTIONS = {
    "single": "Single probe `-c 1 -q 127.0.0.1`",
    "flood": "Flood of 100,000 echoes on loopback",
    "instr": "Instructions (callgrind)",
    "allocs": "Heap allocations per echo (valgrind)",
    "size": "Binary size",
}


def read_samples(path):
    if not path:
        return []
    file = Path(path)
    if not file.is_file():
        return []
    return [float(line) for line in file.read_text().split() if line.strip()]


def number(value, unit):
    if value is None:
        return "n/a"
    if unit == "instructions":
        return f"{value:,.0f}"
    if unit == "KiB":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.3f}"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def ratio(value, reference):
    if value is None or not reference:
        return ""
    return f"{value / reference:.2f}×"


def load(rows_path):
    rows = []
    for line in Path(rows_path).read_text().splitlines():
        section, metric, unit, program, how, samples = line.split("\t")
        values = read_samples(samples)
        rows.append({
            "section": section, "metric": metric, "unit": unit, "program": program, "how": how,
            "n": len(values),
            "median": statistics.median(values) if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
        })
    return rows


def reference(rows, section, metric, program):
    for row in rows:
        if row["section"] == section and row["metric"] == metric and row["program"] == program:
            return row["median"]
    return None


def print_table(rows):
    print("| What | Program | How it ran | n | median | min | max | × iputils | × floor |")
    print("|---|---|---|--:|--:|--:|--:|--:|--:|")
    current = None
    for row in rows:
        if row["section"] != current:
            current = row["section"]
            print(f"| **{SECTIONS.get(current, current)}** | | | | | | | | |")
        iputils = reference(rows, row["section"], row["metric"], "iputils")
        floor = reference(rows, row["section"], row["metric"], "floor")
        unit = row["unit"]
        print(
            f"| {row['metric']} ({unit}) | {row['program']} | {row['how']} | {row['n'] or ''} "
            f"| {number(row['median'], unit)} | {number(row['min'], unit)} | {number(row['max'], unit)} "
            f"| {'' if row['program'] == 'iputils' else ratio(row['median'], iputils)} "
            f"| {'' if row['program'] == 'floor' else ratio(row['median'], floor)} |"
        )


def verdict(value, limit):
    if value is None:
        return "not measured"
    return "met" if value <= limit else "NOT met"


def print_targets(rows):
    def median(section, metric, program):
        for row in rows:
            if row["section"] == section and row["metric"] == metric and row["program"].startswith(program):
                if program == "uping" and row["program"].startswith("uping static"):
                    continue  # "uping" names the dynamic build; "uping static" has rows of its own
                return row["median"], row["program"]
        return None, ""

    def over(a, b):
        return a / b if a is not None and b else None

    iputils_wall, _ = median("single", "wall", "iputils")
    iputils_rss, _ = median("single", "peak RSS", "iputils")
    floor_wall, _ = median("single", "wall", "floor")
    floor_rss, _ = median("single", "peak RSS", "floor")
    uping_flood, flood_label = median("flood", "wall", "uping")
    iputils_flood, _ = median("flood", "wall", "iputils")
    uping_flood_user, _ = median("flood", "user CPU per echo", "uping")
    iputils_flood_user, _ = median("flood", "user CPU per echo", "iputils")
    static_size, _ = median("size", "stripped binary", "uping static")

    checks = []
    for build in ("uping", "uping static"):
        wall, _ = median("single", "wall", build)
        rss, _ = median("single", "peak RSS", build)
        checks += [
            (f"{build}: single probe wall ≤ 1.0× iputils", over(wall, iputils_wall), 1.0, "×"),
            (f"{build}: single probe peak RSS ≤ 1.0× iputils", over(rss, iputils_rss), 1.0, "×"),
            (f"{build}: single probe wall ≤ 1.5× the C floor", over(wall, floor_wall), 1.5, "×"),
            (f"{build}: single probe peak RSS ≤ 1.5× the C floor", over(rss, floor_rss), 1.5, "×"),
        ]
    checks += [
        ("flood wall ≤ 0.9× iputils", over(uping_flood, iputils_flood), 0.9, "×"),
        ("flood user CPU per echo ≤ 1.0× iputils", over(uping_flood_user, iputils_flood_user), 1.0, "×"),
        ("static binary ≤ 2.5 MB stripped", static_size * 1024 / 1e6 if static_size else None, 2.5, " MB"),
    ]
    print("Targets from the issue (medians):")
    for name, value, limit, suffix in checks:
        shown = "n/a" if value is None else f"{value:.2f}{suffix}"
        extra = ""
        if name.startswith("flood") and "-i 0" in flood_label:
            extra = " (uping ran with -i 0, not -f: not the same workload)"
        print(f"- {name}: {shown} → {verdict(value, limit)}{extra}")


def main():
    rows = load(sys.argv[1])
    print_table(rows)
    print()
    print_targets(rows)


if __name__ == "__main__":
    main()
