#!/usr/bin/env python3
"""Check one run of bench/fping: did this fping (Debian's or uping as fping) give the right answer?

    fping_check.py MODE TARGETS_FILE STDOUT STDERR|- STATUS [--count N] [--quiet]

MODE is what the invocation asks for, every target on loopback answering every probe:
  count  (-c N)  N reply lines per target on stdout (none with --quiet), then on stderr one
                 "xmt/rcv/%loss = N/N/0%, min/avg/max = …" line per target;
  vector (-C N)  the same reply lines, then on stderr one "host : t1 … tN" line per target, no "-";
  quiet          (default mode, -q) nothing on either stream;
  alive          (default mode, -a) every target once on stdout, nothing on stderr.
STDERR "-" means the command ran with 2>&1: every line is in STDOUT, in any order of kind. The exit
status must be 0 (every target reachable). Any line of another shape (a duplicate, an ICMP error, a
message) fails the run. Prints nothing and exits 0 when the run is right; else says why and exits 1.
"""
import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

NUMBER = r"\d+(?:\.\d+)?"
REPLY = re.compile(rf"^(\S+) *: \[(\d+)\], (\d+) bytes, ({NUMBER}) ms \(({NUMBER}) avg, (\d+)% loss\)$")
SUMMARY = re.compile(rf"^(\S+) *: xmt/rcv/%loss = (\d+)/(\d+)/(\d+)%, min/avg/max = {NUMBER}/{NUMBER}/{NUMBER}$")
VECTOR = re.compile(r"^(\S+) *: (\S+(?: \S+)*)$")
REPLY_BYTES = 64  # -b 56 (fping's default and check_fping's) plus the 8-byte ICMP header


def lines_of(path):
    return Path(path).read_text(errors="replace").splitlines()


def check(args):
    targets = lines_of(args.targets)
    expected = set(targets)
    problems = []
    merged = args.stderr == "-"
    out = lines_of(args.stdout)
    err = [] if merged else lines_of(args.stderr)

    if args.status != 0:
        problems.append(f"exit status {args.status}, not 0")

    if args.mode in ("quiet", "alive"):
        if err:
            problems.append(f"stderr not empty: {err[0]!r}")
        if args.mode == "quiet" and out:
            problems.append(f"stdout not empty: {out[0]!r}")
        if args.mode == "alive":
            seen = Counter(out)
            if set(seen) != expected or any(n != 1 for n in seen.values()):
                missing = sorted(expected - set(seen))[:3]
                extra = sorted(set(seen) - expected)[:3]
                problems.append(f"{len(out)} lines for {len(expected)} targets; missing {missing}, unexpected {extra}")
        return problems

    replies = defaultdict(list)
    finals = {}
    # (line, stream): replies belong on stdout and summaries on stderr, unless the streams were merged.
    tagged = [(line, "out") for line in out] + [(line, "err") for line in err]
    for line, stream in tagged:
        if not line:
            continue  # fping's blank line before the summaries
        if m := REPLY.match(line):
            host, seq, size, _rtt, _avg, loss = m.groups()
            if not merged and stream != "out":
                problems.append(f"reply line on stderr: {line!r}")
            if int(size) != REPLY_BYTES or int(loss) != 0:
                problems.append(f"reply of another size or with loss: {line!r}")
            replies[host].append(int(seq))
            continue
        m = SUMMARY.match(line) if args.mode == "count" else VECTOR.match(line)
        if m and (merged or stream == "err"):
            host = m.group(1)
            if host in finals:
                problems.append(f"second summary for {host}")
            finals[host] = m.groups()[1:]
            continue
        problems.append(f"unexpected line on std{stream}: {line!r}")

    if args.quiet and replies:
        problems.append(f"{sum(map(len, replies.values()))} reply lines despite -q")
    if not args.quiet:
        for host in targets:
            if sorted(replies.get(host, [])) != list(range(args.count)):
                problems.append(f"{host}: replies {sorted(replies.get(host, []))}, expected 0..{args.count - 1}")
                break
    if set(finals) != expected:
        problems.append(f"summaries for {len(finals)} of {len(expected)} targets "
                        f"(missing e.g. {sorted(expected - set(finals))[:3]})")
    for host, fields in finals.items():
        if args.mode == "count":
            sent, received, loss = map(int, fields)
            if (sent, received, loss) != (args.count, args.count, 0):
                problems.append(f"{host}: {sent}/{received}/{loss}%, expected {args.count}/{args.count}/0%")
                break
        else:
            times = fields[0].split(" ")
            if len(times) != args.count or not all(re.fullmatch(NUMBER, t) for t in times):
                problems.append(f"{host}: {fields[0]!r}, expected {args.count} round-trip times")
                break
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("count", "vector", "quiet", "alive"))
    parser.add_argument("targets")
    parser.add_argument("stdout")
    parser.add_argument("stderr")
    parser.add_argument("status", type=int)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--quiet", action="store_true")
    problems = check(parser.parse_args())
    for problem in problems[:5]:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
