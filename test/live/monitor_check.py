#!/usr/bin/env python3
"""The monitor's live tests read /metrics, Prometheus' HTTP API and NDJSON events through this (python3 only,
no curl). Subcommands:

  fetch URL OUT                      GET URL (5 s bound) into OUT; exit 1 unless 200
  fetch-gzip URL OUT                 the same asking for gzip as Prometheus does; exit 1 unless the answer is
                                     gzip (Content-Encoding, Vary) and reads back whole (CRC-32, length); OUT plain
  value FILE NAME [LABEL=VALUE...]   sum of the samples of NAME whose labels include those; "absent", exit 3
  series FILE NAME [LABEL=VALUE...]  how many such samples
  labels FILE NAME LABEL             the distinct values of LABEL among NAME's samples, one a line
  invariant FILE                     per (host, ip, family): requests = _count + timeouts + ICMP errors +
                                     send errors; prints "ok N targets" or each mismatch (exit 1)
  query BASE EXPR                    a Prometheus instant query (BASE = http://127.0.0.1:9090): the value of
                                     its one series, "absent" (exit 3) or "many" (exit 4)
  targets BASE                       Prometheus' scrape targets: "job health lastError" one a line
  range BASE EXPR START END STEP     a range query: one line per point, "labels time value"
  events FILE [KEY=VALUE...] [--get KEY]
                                     the NDJSON lines of FILE whose KEY has VALUE (a JSON scalar as text:
                                     true, null, 3, a string without quotes), or their KEY, one a line;
                                     exit 2 when a line of FILE is not a JSON object
"""
import gzip
import json
import re
import sys
import urllib.parse
import urllib.request

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def unescape(text):
    return re.sub(r'\\(.)', lambda m: {'n': '\n'}.get(m.group(1), m.group(1)), text)


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        match = LABEL.match(text, pos)
        if not match:
            raise ValueError(f"bad label set {{{text}}}")
        labels[match.group(1)] = unescape(match.group(2))
        pos = match.end()
    return labels


def samples(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            match = SAMPLE.match(line)
            if not match:
                raise ValueError(f"not a sample line: {line!r}")
            out.append((match.group(1), parse_labels(match.group(3) or ""), float(match.group(4))))
    return out


def wanted(args):
    return dict(arg.split("=", 1) for arg in args)


def matching(path, name, args):
    want = wanted(args)
    return [value for metric, labels, value in samples(path)
            if metric == name and all(labels.get(k, "") == v for k, v in want.items())]


def number(value):
    return str(int(value)) if value == int(value) and abs(value) < 2**53 else repr(value)


def cmd_fetch(url, out, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            body = response.read()
            status = response.status
            answer_headers = response.headers
    except urllib.error.HTTPError as error:
        body, status, answer_headers = error.read(), error.code, error.headers
    except OSError as error:
        print(f"GET {url}: {error}")
        return 1
    if headers and status == 200:
        coding, vary = answer_headers.get("Content-Encoding", ""), answer_headers.get("Vary", "")
        if coding != "gzip" or vary != "Accept-Encoding":
            print(f"GET {url} accepting gzip: Content-Encoding {coding!r}, Vary {vary!r}")
            return 1
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as error:  # a bad header, CRC-32 or length; a cut stream
            print(f"GET {url}: the gzip body does not read back: {error}")
            return 1
    with open(out, "wb") as f:
        f.write(body)
    if status != 200:
        print(f"GET {url}: HTTP {status}")
        return 1
    return 0


def cmd_value(path, name, *args):
    values = matching(path, name, args)
    if not values:
        print("absent")
        return 3
    print(number(sum(values)))
    return 0


def cmd_series(path, name, *args):
    print(len(matching(path, name, args)))
    return 0


def cmd_labels(path, name, label):
    for value in sorted({labels.get(label, "") for metric, labels, _ in samples(path) if metric == name}):
        print(value)
    return 0


def cmd_invariant(path):
    key = lambda labels: (labels.get("host", ""), labels.get("ip", ""), labels.get("family", ""))
    totals = {}
    families = {"smokeping_requests_total": 0, "smokeping_response_duration_seconds_count": 1,
                "uping_timeouts_total": 2, "uping_icmp_errors_total": 3, "smokeping_send_errors_total": 4}
    for metric, labels, value in samples(path):
        if metric in families:
            totals.setdefault(key(labels), [0, 0, 0, 0, 0])[families[metric]] += value
    bad = [f"{k}: requests {int(t[0])} != replies {int(t[1])} + timeouts {int(t[2])} + ICMP errors {int(t[3])}"
           f" + send errors {int(t[4])}" for k, t in totals.items() if t[0] != sum(t[1:])]
    for line in bad:
        print(line)
    if not bad:
        print(f"ok {len(totals)} targets")
    return 1 if bad or not totals else 0


def prometheus(base, path, params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=5) as response:
        answer = json.load(response)
    if answer.get("status") != "success":
        raise RuntimeError(f"{url}: {answer}")
    return answer["data"]["result"]


def cmd_query(base, expr):
    try:
        result = prometheus(base, "/api/v1/query", {"query": expr})
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}")
        return 1
    if not result:
        print("absent")
        return 3
    if len(result) > 1:
        print("many")
        return 4
    print(result[0]["value"][1])
    return 0


def cmd_range(base, expr, start, end, step):
    try:
        result = prometheus(base, "/api/v1/query_range", {"query": expr, "start": start, "end": end, "step": step})
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}")
        return 1
    for series in result:
        labels = ",".join(f"{k}={v}" for k, v in sorted(series["metric"].items()))
        for time, value in series["values"]:
            print(f"{{{labels}}} {time} {value}")
    return 0


def cmd_targets(base):
    url = f"{base}/api/v1/targets"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            answer = json.load(response)
    except (OSError, ValueError) as error:
        print(f"error: {error}")
        return 1
    for target in answer["data"]["activeTargets"]:
        print(f"{target['labels'].get('job')} {target['health']} {target['lastError'] or '-'}")
    return 0


def scalar_text(value):
    if isinstance(value, str):
        return value
    return json.dumps(value)


def cmd_events(path, *args):
    args = list(args)
    get = None
    if "--get" in args:
        at = args.index("--get")
        get = args[at + 1]
        del args[at:at + 2]
    want = wanted(args)
    with open(path, encoding="utf-8") as f:
        for number_, line in enumerate(f, 1):
            try:
                event = json.loads(line)
            except ValueError:
                print(f"line {number_} is not JSON: {line!r}")
                return 2
            if not isinstance(event, dict):
                print(f"line {number_} is not a JSON object: {line!r}")
                return 2
            if all(k in event and scalar_text(event[k]) == v for k, v in want.items()):
                if get is None:
                    print(json.dumps(event, separators=(",", ":")))
                else:
                    print(scalar_text(event.get(get)) if get in event else "missing")
    return 0


def cmd_fetch_gzip(url, out):
    return cmd_fetch(url, out, {"Accept-Encoding": "gzip"})


COMMANDS = {"fetch": cmd_fetch, "fetch-gzip": cmd_fetch_gzip, "value": cmd_value, "series": cmd_series, "labels": cmd_labels,
            "invariant": cmd_invariant, "query": cmd_query, "range": cmd_range, "targets": cmd_targets, "events": cmd_events}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    try:
        sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
    except (OSError, ValueError) as error:
        print(f"error: {error}")
        sys.exit(1)
