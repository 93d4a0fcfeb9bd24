#!/usr/bin/env python3
"""Checks uping --json output (NDJSON, schema v1 of docs/json.md) read from a file.

Every line must parse as one JSON object with the fields of its type, of the right JSON types, and
nothing else; the run line must come last, exactly once, and its totals must agree with the lines
before it. Prints "ok <type>=<count> ..." on success, or the first problem (exit 1).

usage: check_json.py FILE [KEY=VALUE ...]   (KEY: a run-line field, count:<type>, or summaries_with:<field>,
the number of summary lines where that field is not null; VALUE +: at least 1)
"""
import json
import sys

NUMBER = (int, float)
STRING_OR_NULL = (str, type(None))
INT = int

COMMON = {"v": INT, "type": str}
TARGET = {"target": str, "addr": STRING_OR_NULL}
SCHEMA = {
    "reply": {**TARGET, "seq": INT, "rtt_ms": (int, float, type(None)), "ttl": (int, type(None)),
              "bytes": INT, "dup": bool},
    "timeout": {**TARGET, "seq": INT},
    "icmp_error": {**TARGET, "seq": INT, "from": str, "icmp_type": INT, "icmp_code": INT, "text": str},
    "send_error": {**TARGET, "seq": INT, "errno": str, "error": str},
    "target_error": {"target": str, "error": str},
    "summary": {**TARGET, "sent": INT, "send_errors": INT, "received": INT, "duplicates": INT, "errors": INT, "timeouts": INT,
                "loss_pct": NUMBER, "rtt_ms": (dict, type(None)), "jitter_ms": (dict, type(None)), "alive": bool,
                "complete": bool},
    "run": {"targets": INT, "alive": INT, "unreachable": INT, "unfinished": INT, "failed": INT, "sent": INT,
            "send_errors": INT, "received": INT, "duplicates": INT, "errors": INT, "timeouts": INT, "kernel_drops": INT,
            "sockets": INT, "rtt_ms": (dict, type(None)), "jitter_ms": (dict, type(None)), "elapsed_ms": NUMBER,
            "stopped": str, "exit": INT},
}
PERCENTILES = ["p50", "p90", "p95", "p99"]
RTT_KEYS = {"min", "avg", "max", "mdev", *PERCENTILES}
JITTER_KEYS = {"rfc3550", "mean_diff"}
STOPPED = {"complete", "deadline", "reachable", "interrupted", "no_socket", "input_error"}


def problem(number, line, message):
    print(f"line {number}: {message}: {line[:200]!r}")
    sys.exit(1)


def is_type(value, expected):
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool):  # bool is an int in Python: a count must not be true/false
        return bool in kinds
    return isinstance(value, kinds)


def check_rtt_figures(number, line, obj):
    """rtt_ms and jitter_ms of a summary or run line: their keys, order and bounds (docs/json.md)."""
    rtt, jitter = obj["rtt_ms"], obj["jitter_ms"]
    if rtt is None:
        if jitter is not None:
            problem(number, line, "jitter_ms without rtt_ms")
        return
    if set(rtt) != RTT_KEYS or not all(is_type(rtt[k], NUMBER) for k in RTT_KEYS):
        problem(number, line, f"rtt_ms is not {sorted(RTT_KEYS)}")
    if not rtt["min"] <= rtt["avg"] <= rtt["max"]:
        problem(number, line, "rtt min <= avg <= max does not hold")
    ordered = [rtt["min"]] + [rtt[p] for p in PERCENTILES] + [rtt["max"]]
    if ordered != sorted(ordered):
        problem(number, line, "rtt min <= p50 <= p90 <= p95 <= p99 <= max does not hold")
    if rtt["mdev"] < 0 or rtt["mdev"] > rtt["max"] - rtt["min"]:
        problem(number, line, "rtt mdev outside [0, max - min]")
    # A target's jitter needs two replies that are not duplicates (the run's: one such target).
    if obj["type"] == "summary" and (jitter is not None) != (obj["received"] >= 2):
        problem(number, line, "jitter_ms must be given exactly when two replies came")
    if jitter is not None:
        if set(jitter) != JITTER_KEYS or not all(is_type(jitter[k], NUMBER) for k in JITTER_KEYS):
            problem(number, line, f"jitter_ms is not {sorted(JITTER_KEYS)}")
        # Each difference of two RTTs lies in [0, max - min], so do their mean and RFC 3550's smoothing.
        if not all(0 <= jitter[k] <= round(rtt["max"] - rtt["min"], 3) for k in JITTER_KEYS):
            problem(number, line, "jitter outside [0, max - min]")


def main():
    path = sys.argv[1]
    expectations = [arg.split("=", 1) for arg in sys.argv[2:] if arg != "--expect"]
    counts = {}
    summaries = {"alive": 0, "sent": 0, "send_errors": 0, "received": 0, "duplicates": 0}
    summaries_with = {}  # summary lines whose field is not null
    extremes = {}  # every summary's rtt min and max
    run = None
    with open(path, "rb") as stream:
        raw_lines = stream.read().split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    for number, raw in enumerate(raw_lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problem(number, repr(raw), f"not UTF-8 ({error})")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            problem(number, line, f"not JSON ({error})")
        if not isinstance(obj, dict):
            problem(number, line, "not an object")
        if run is not None:
            problem(number, line, "a line after the run line")
        kind = obj.get("type")
        if obj.get("v") != 1:
            problem(number, line, "v is not 1")
        if kind not in SCHEMA:
            problem(number, line, f"unknown type {kind!r}")
        fields = {**COMMON, **SCHEMA[kind]}
        if set(obj) != set(fields):
            problem(number, line, f"fields {sorted(obj)} instead of {sorted(fields)}")
        for key, expected in fields.items():
            if not is_type(obj[key], expected):
                problem(number, line, f"{key} has the wrong type")
        if kind in ("summary", "run"):
            check_rtt_figures(number, line, obj)
        if kind == "reply" and obj["rtt_ms"] is not None and obj["rtt_ms"] < 0:
            problem(number, line, "negative rtt")
        if kind == "summary":
            for field in ("rtt_ms", "jitter_ms"):
                if obj[field] is not None:
                    summaries_with[field] = summaries_with.get(field, 0) + 1
            for field in ("min", "max"):
                if obj["rtt_ms"] is not None:
                    extremes.setdefault(field, []).append(obj["rtt_ms"][field])
            if obj["alive"] != (obj["received"] > 0):
                problem(number, line, "alive disagrees with received")
            summaries["alive"] += obj["alive"]
            for key in ("sent", "send_errors", "received", "duplicates"):
                summaries[key] += obj[key]
            if obj["sent"] == 0 and obj["send_errors"] == 0 and obj["complete"]:
                problem(number, line, "a target never probed cannot be complete")
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "run":
            run = obj
    if run is None:
        problem(len(raw_lines), "", "no run line at the end")
    if run["stopped"] not in STOPPED:
        problem(len(raw_lines), json.dumps(run), f"unknown stopped {run['stopped']!r}")
    if run["stopped"] in ("no_socket", "input_error") and run["exit"] != 2:
        problem(len(raw_lines), json.dumps(run), f"stopped {run['stopped']} with exit {run['exit']}, not 2")
    if run["send_errors"] != counts.get("send_error", 0):
        problem(len(raw_lines), json.dumps(run), "run send_errors != send_error lines")
    if run["targets"] != run["alive"] + run["unreachable"] + run["unfinished"] + run["failed"]:
        problem(len(raw_lines), json.dumps(run), "run targets != alive + unreachable + unfinished + failed")
    for key in ("alive", "sent", "send_errors", "received", "duplicates"):
        if run[key] != summaries[key]:
            problem(len(raw_lines), json.dumps(run), f"run {key} {run[key]} != sum of summaries {summaries[key]}")
    # The run's figures pool the targets': its extremes are theirs, and it has figures when one has.
    for field in ("rtt_ms", "jitter_ms"):
        if (run[field] is not None) != (summaries_with.get(field, 0) > 0):
            problem(len(raw_lines), json.dumps(run), f"run {field} null or not, unlike the summaries")
    if run["rtt_ms"] is not None and (run["rtt_ms"]["min"] != min(extremes["min"]) or
                                      run["rtt_ms"]["max"] != max(extremes["max"])):
        problem(len(raw_lines), json.dumps(run), "run rtt min/max are not the targets' extremes")
    if run["failed"] != counts.get("target_error", 0):
        problem(len(raw_lines), json.dumps(run), "run failed != target_error lines")
    if run["targets"] != counts.get("summary", 0) + run["failed"]:
        problem(len(raw_lines), json.dumps(run), "run targets != summaries + failed")
    for key, want in expectations:
        if key.startswith("count:"):
            got = counts.get(key[6:], 0)
        elif key.startswith("summaries_with:"):
            got = summaries_with.get(key[15:], 0)
        else:
            got = run.get(key)
        at_least_one = want == "+" and isinstance(got, int) and got > 0
        if str(got).lower() != want.lower() and not at_least_one:
            print(f"expected {key}={want}, got {got}")
            sys.exit(1)
    print("ok " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
