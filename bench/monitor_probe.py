#!/usr/bin/env python3
"""One round of /probe requests for bench/monitor: N sequential probes, each timed, each checked.

    monitor_probe.py PID URL_TEMPLATE TARGETS_FILE N LATENCIES_OUT

Run inside the bench namespace. URL_TEMPLATE holds {target}; the first N addresses of TARGETS_FILE are probed
one after the other (one connection each, as Prometheus' blackbox scrapes are separate requests). Appends each
probe's latency in milliseconds (request sent to body read) to LATENCIES_OUT and prints one line of key=value
pairs: the exporter's CPU over the round (run time of PID's threads, /proc/PID/task/*/schedstat), per probe, and the machine's, without this
script's own. Exits 1 when a probe did not answer 200 with `probe_success 1`: a fast failure is not a figure.
"""
import os
import resource
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid):
    """CPU time of every thread in nanoseconds (schedstat), not utime + stime's 10 ms ticks: uping's /probe
    costs a fraction of a tick. A thread that ended during the round is not counted (none should)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
                total += int(schedstat.read().split()[0])
        except FileNotFoundError:
            pass
    return total / 1e9


def machine_busy_seconds():
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    pid, template, targets_file, count, out_path = (int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]),
                                                    sys.argv[5])
    with open(targets_file) as targets:
        addresses = [line.split()[0] for line in targets if line.strip()][:count]
    if len(addresses) < count:
        sys.exit(f"only {len(addresses)} targets in {targets_file}")
    latencies = []
    cpu_start, machine_start, own_start, wall_start = (process_cpu_seconds(pid), machine_busy_seconds(),
                                                       own_cpu_seconds(), time.monotonic())
    for address in addresses:
        url = template.format(target=address)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                status, body = response.status, response.read()
        except Exception as error:  # noqa: BLE001  (any failure stops the bench with its reason)
            sys.exit(f"{url}: {error}")
        latencies.append((time.monotonic() - started) * 1000)
        if status != 200 or b"\nprobe_success 1\n" not in b"\n" + body:
            sys.exit(f"{url}: status {status}, no 'probe_success 1' in:\n{body[:2000].decode(errors='replace')}")
    wall = time.monotonic() - wall_start
    cpu = process_cpu_seconds(pid) - cpu_start
    machine = machine_busy_seconds() - machine_start - (own_cpu_seconds() - own_start)
    with open(out_path, "a") as out:
        out.writelines(f"{value:.3f}\n" for value in latencies)
    latencies.sort()
    print("\t".join(f"{key}={value}" for key, value in {
        "probes": count, "wall_s": f"{wall:.3f}", "cpu_s": f"{cpu:.4f}", "cpu_ms_per_probe": f"{cpu * 1000 / count:.3f}",
        "machine_busy_cores": f"{machine / wall:.4f}", "median_ms": f"{latencies[len(latencies) // 2]:.3f}",
        "max_ms": f"{latencies[-1]:.3f}", "peak_rss_kib": peak_rss_kib(pid),
        "load1": open("/proc/loadavg").read().split()[0],
    }.items()))


if __name__ == "__main__":
    main()
