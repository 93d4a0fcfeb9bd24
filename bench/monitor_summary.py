#!/usr/bin/env python3
"""Turn bench/monitor's samples.tsv into Markdown tables.

samples.tsv: one line per run: part (watch|probe), target count (or probes per round), program, round, then
key=value fields written by monitor_window.py or monitor_probe.py. Within a part and count the first program
seen is the reference (the peer): "×" columns are the median over rounds of program / reference in the same
round, steadier than a ratio of medians when the machine's load drifts. The latencies of /probe are read from
probe.SIDE.latencies beside samples.tsv (SIDE = the program's order of appearance).
"""
import statistics
import sys
from pathlib import Path


def load(path):
    runs = []
    for line in Path(path).read_text().splitlines():
        part, count, program, round_number, *fields = line.split("\t")
        values = dict(field.split("=", 1) for field in fields)
        runs.append({"part": part, "count": int(count), "program": program, "round": int(round_number),
                     **{key: float(value) for key, value in values.items()}})
    return runs


def spread(values, scale=1.0, digits=2):
    values = [v * scale for v in values]
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def paired(runs, reference, key):
    by_round = {run["round"]: run[key] for run in reference}
    ratios = [run[key] / by_round[run["round"]] for run in runs if by_round.get(run["round"])]
    return f"{statistics.median(ratios):.2f}×" if ratios else ""


def groups(runs, part):
    """(count, [(program, runs)]) in the order met, the reference first."""
    found = {}
    for run in runs:
        if run["part"] == part:
            found.setdefault(run["count"], {}).setdefault(run["program"], []).append(run)
    return [(count, list(programs.items())) for count, programs in found.items()]


def watch_table(runs):
    print("| Targets | Program | n | CPU, cores | × peer | peak RSS, MiB | × peer | RSS at end, MiB | probes done / due "
          "| replies / probes | whole machine, cores | softirq, cores | others' load, cores | slowest scrape, ms "
          "| scrapes failed |")
    print("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for count, programs in groups(runs, "watch"):
        reference = programs[0][1]
        for program, own in programs:
            column = lambda key: [run[key] for run in own]  # noqa: E731
            ratio = [run["replies"] / run["requests"] for run in own if run["requests"]]
            print(f"| {count:,} | {program} | {len(own)} | {spread(column('cores'), 1, 3)} "
                  f"| {paired(own, reference, 'cores') if own is not reference else ''} "
                  f"| {spread(column('peak_rss_kib'), 1 / 1024, 1)} "
                  f"| {paired(own, reference, 'peak_rss_kib') if own is not reference else ''} "
                  f"| {spread(column('end_rss_kib'), 1 / 1024, 1)} | {spread(column('done_ratio'), 1, 3)} "
                  f"| {spread(ratio, 1, 3)} | {spread(column('machine_busy_cores'))} "
                  f"| {spread(column('machine_softirq_cores'))} | {spread(column('other_cores'))} "
                  f"| {spread([v for v in column('scrape_max_ms') if v == v], 1, 0)} "
                  f"| {sum(column('scrapes_failed')):.0f} of {len(own) * 2} |")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def probe_table(runs, directory):
    print("| Program | rounds × probes | latency median, ms | p90 | p99 | max | CPU per probe, ms | × peer "
          "| peak RSS, MiB | whole machine, cores |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for _count, programs in groups(runs, "probe"):
        reference = programs[0][1]
        for side, (program, own) in enumerate(programs):
            file = directory / f"probe.{side}.latencies"
            latencies = [float(v) for v in file.read_text().split()] if file.is_file() else []
            shown = [f"{percentile(latencies, f):.2f}" if latencies else "n/a" for f in (0.5, 0.9, 0.99)]
            shown.append(f"{max(latencies):.2f}" if latencies else "n/a")
            print(f"| {program} | {len(own)} × {int(own[0]['probes'])} | {' | '.join(shown)} "
                  f"| {spread([run['cpu_ms_per_probe'] for run in own], 1, 3)} "
                  f"| {paired(own, reference, 'cpu_ms_per_probe') if own is not reference else ''} "
                  f"| {spread([run['peak_rss_kib'] for run in own], 1 / 1024, 1)} "
                  f"| {spread([run['machine_busy_cores'] for run in own])} |")


def main():
    samples = Path(sys.argv[1])
    runs = load(samples)
    if any(run["part"] == "watch" for run in runs):
        print("Watching targets at one probe per second each; median (min–max) over rounds:\n")
        watch_table(runs)
        print()
    if any(run["part"] == "probe" for run in runs):
        print("/probe, one packet per probe, sequential requests; CPU per probe: median (min–max) over rounds:\n")
        probe_table(runs, samples.parent)


if __name__ == "__main__":
    main()
