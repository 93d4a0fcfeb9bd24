#!/usr/bin/env python3
"""One measured window of bench/monitor: a running exporter's CPU and memory while it watches N targets.

    monitor_window.py PID URL TARGETS INTERVAL WINDOW SCRAPE_EVERY SAVE_PREFIX

Run inside the bench namespace (it scrapes URL, the program's /metrics). It scrapes once, takes the first
readings, scrapes every SCRAPE_EVERY seconds as Prometheus would (so the window holds WINDOW / SCRAPE_EVERY
scrapes, the last one at its end), then takes the last readings. Prints one line of tab-separated key=value
pairs. Exits 1 when the run cannot count: the program died, a scrape failed, or its smokeping_requests_total
did not grow (a silent non-run, such as smokeping_prober without a working socket, must never become a figure).

CPU is the process's utime + stime from /proc/PID/stat (all threads); the whole machine's from /proc/stat,
with this script's own CPU (mostly parsing the scrapes) taken out, because on loopback the kernel answers the
echoes and that time is not always charged to the prober.
"""
import gzip
import os
import resource
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")
SCRAPE_TIMEOUT = 10  # Prometheus' default scrape_timeout
PATIENT = 600


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime and stime: fields 14 and 15 of proc(5)


def memory_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    return values["VmHWM"], values["VmRSS"]


def machine_ticks():
    """(busy, softirq, total) ticks of all cores: busy is everything but idle and iowait."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    total = user + nice + system + idle + iowait + irq + softirq + steal
    return total - idle - iowait, softirq, total


def icmp_sockets(pid):
    """ICMP sockets open in the program's namespace: datagram ones (/proc/net/icmp) and raw ones."""
    counts = []
    for table in ("icmp", "raw"):
        with open(f"/proc/{pid}/net/{table}") as sockets:
            counts.append(sum(1 for _ in sockets) - 1)
    return counts


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scrape(url, save_path, timeout):
    """Sums of the counters the check needs, the body's size on the wire and how long the scrape took.

    It asks for gzip, as Prometheus always does (both programs serve it), and reads the body back."""
    started = time.monotonic()
    chunks = []
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        gzipped = response.headers.get("Content-Encoding", "") == "gzip"
        while chunk := response.read(1 << 16):  # a deadline for the whole answer, as Prometheus has
            chunks.append(chunk)
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"scrape not over after {timeout} s")
    wire = b"".join(chunks)
    took = time.monotonic() - started
    body = gzip.decompress(wire) if gzipped else wire
    if save_path:
        with open(save_path, "wb") as out:
            out.write(body)  # plain, for reading
    sums = {"smokeping_requests_total": 0.0, "smokeping_response_duration_seconds_count": 0.0}
    series = 0
    for line in body.split(b"\n"):
        if not line or line[0] == 35:  # '#'
            continue
        name = line.split(b"{", 1)[0].split(b" ", 1)[0].decode()
        if name in sums:
            sums[name] += float(line.rsplit(b" ", 1)[1])
            if name == "smokeping_requests_total":
                series += 1
    return sums, series, len(wire), took


def main():
    pid, url = int(sys.argv[1]), sys.argv[2]
    targets, interval, window, every = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    save_prefix = sys.argv[7]
    scrapes = max(1, round(window / every))

    # The counters are read by scrapes that wait as long as it takes; the scrapes inside the window give up
    # after Prometheus' default scrape_timeout, as Prometheus would (the program may go on rendering).
    first_started = time.monotonic()
    first, series, _size, first_took = scrape(url, "", PATIENT)
    # The counters were read somewhere inside the scrape: its middle, give or take half its duration (a
    # loaded smokeping_prober took minutes, so probes done / due is then only a rough figure).
    first_time = first_started + first_took / 2
    start = time.monotonic()
    cpu_start, machine_start, own_start = process_cpu_seconds(pid), machine_ticks(), own_cpu_seconds()
    durations, sizes, failed, last, last_time = [], [], 0, None, None
    for index in range(1, scrapes + 1):
        time.sleep(max(0.0, start + index * window / scrapes - time.monotonic()))
        keep = f"{save_prefix}.scrape{index}" if index == scrapes else ""
        try:
            last, series, size, took = scrape(url, keep, SCRAPE_TIMEOUT)
            last_time = time.monotonic() - took / 2
            durations.append(took)
            sizes.append(size)
        except (OSError, TimeoutError):
            failed += 1
            last = None
    cpu_end, machine_end, own_end = process_cpu_seconds(pid), machine_ticks(), own_cpu_seconds()
    elapsed = time.monotonic() - start
    hwm, rss = memory_kib(pid)
    datagram_sockets, raw_sockets = icmp_sockets(pid)
    if last is None:  # the window's last scrape timed out: the counters from one that waits
        late_started = time.monotonic()
        last, series, size, took = scrape(url, f"{save_prefix}.scrape-late", PATIENT)
        last_time = late_started + took / 2
        sizes.append(size)

    cpu = cpu_end - cpu_start
    machine_total = (machine_end[2] - machine_start[2]) / TICK
    cores_of_machine = machine_total / elapsed  # ticks of all cores per second: about the number of cores
    machine_busy = (machine_end[0] - machine_start[0]) / TICK - (own_end - own_start)
    softirq = (machine_end[1] - machine_start[1]) / TICK
    requests = last["smokeping_requests_total"] - first["smokeping_requests_total"]
    replies = last["smokeping_response_duration_seconds_count"] - first["smokeping_response_duration_seconds_count"]
    expected = targets * (last_time - first_time) / interval
    row = {
        "cpu_s": f"{cpu:.2f}", "elapsed_s": f"{elapsed:.3f}", "cores": f"{cpu / elapsed:.4f}",
        "peak_rss_kib": hwm, "end_rss_kib": rss,
        "requests": f"{requests:.0f}", "expected": f"{expected:.0f}", "done_ratio": f"{requests / expected:.4f}",
        "replies": f"{replies:.0f}", "series": series,
        "machine_busy_cores": f"{machine_busy / elapsed:.4f}", "machine_softirq_cores": f"{softirq / elapsed:.4f}",
        "other_cores": f"{(machine_busy - cpu) / elapsed:.4f}", "machine_cores": f"{cores_of_machine:.2f}",
        "scrape_max_ms": f"{max(durations) * 1000:.1f}" if durations else "nan", "scrapes_failed": failed,
        "baseline_scrape_ms": f"{first_took * 1000:.1f}",
        "scrape_bytes": max(sizes),
        "icmp_datagram_sockets": datagram_sockets, "icmp_raw_sockets": raw_sockets,
        "load1": open("/proc/loadavg").read().split()[0],
    }
    print("\t".join(f"{key}={value}" for key, value in row.items()))
    problems = []
    if series != targets:
        problems.append(f"{series} series of smokeping_requests_total, not {targets}")
    # A prober that falls behind is a finding (done_ratio shows it); one that sends nothing is a broken run.
    if requests < 0.5 * expected:
        problems.append(f"smokeping_requests_total grew by {requests:.0f}, expected about {expected:.0f}")
    if raw_sockets:
        problems.append(f"{raw_sockets} raw sockets: every program must run on datagram sockets")
    if problems:
        print("; ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
