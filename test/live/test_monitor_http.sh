#!/usr/bin/env bash
# `uping --monitor`'s HTTP server against the abuse list of docs/monitor-spec.md §3.3, run for real:
# the monitor unprivileged in a namespace, listening on 127.0.0.1 port 0, and python3 clients
# (http_abuse.py) sending a malformed request line, 10,000 headers, a 1 MB URL, a body, a POST,
# 1,000 idle connections, a client that never reads, a byte-a-second trickle; then /probe allowed,
# refused (403), malformed (400) and over --probe-max (503). The monitor must answer /metrics after
# all of it, with its resident memory bounded.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init
# The system's python3 when there is one: a version manager's shim costs a second per call.
PYTHON=$(command -v /usr/bin/python3 || command -v python3) || live_skip "python3 is not installed"
command -v pgrep >/dev/null || live_skip "pgrep (procps) is not installed"
ABUSE=$(dirname "${BASH_SOURCE[0]}")/http_abuse.py

new_netns ns
new_netns sink
# 198.51.100.0/24 routed to a namespace that does not forward (and so drops it without a word):
# silent addresses, for a /probe that takes its time and for enough watched targets that one
# /metrics answer outgrows the socket buffers below.
new_veth "$ns" mh0 "$sink" mh1
setup ip netns exec "$ns" ip addr add 203.0.113.1/24 dev mh0
setup ip netns exec "$sink" ip addr add 203.0.113.2/24 dev mh1
setup ip netns exec "$sink" sysctl -qw net.ipv4.ip_forward=0
setup ip netns exec "$ns" ip route add 198.51.100.0/24 via 203.0.113.2
# Small TCP buffers in this namespace: a client that never reads stalls the monitor's write soon.
setup ip netns exec "$ns" sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536"
setup ip netns exec "$ns" sysctl -qw net.ipv4.tcp_rmem="4096 16384 65536"

MONITOR_PIDS=()
stop_monitors() {
  local pid
  for pid in "${MONITOR_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
}
trap 'LIVE_EXIT=$?; stop_monitors; (exit $LIVE_EXIT); live_cleanup' EXIT

# start_monitor TAG ARGS...: `uping --monitor --listen 127.0.0.1:0 ARGS...` unprivileged in $ns, in the
# background; sets PORT (from its "listening on" line) and PID (uping's own). Returns 1 when it does
# not listen within 10 s.
start_monitor() {
  local tag=$1 i
  shift
  LIVE_TIMEOUT=300 run_unpriv "$ns" "$UPING_BIN" --monitor --listen 127.0.0.1:0 "$@" \
    >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  local runner=$!
  MONITOR_PIDS+=("$runner")
  PORT="" PID=""
  for ((i = 0; i < 200; i++)); do
    PORT=$(sed -nE 's/^uping: --monitor: listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$LIVE_OUT/$tag.err")
    [[ -n $PORT ]] && break
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.05
  done
  # The background job (a subshell) → timeout → (ip netns exec → setpriv →, each an exec) uping.
  PID=$runner
  for ((i = 0; i < 4; i++)); do
    PID=$(pgrep -P "$PID" | head -n 1)
    [[ -z $PID || $(cat "/proc/$PID/comm" 2>/dev/null) == uping ]] && break
  done
  [[ $(cat "/proc/$PID/comm" 2>/dev/null) == uping ]] || PID=""
  if [[ -z $PORT || -z $PID ]]; then
    fail "$tag: the monitor did not report its port within 10 s"
    show "$tag"
    return 1
  fi
  return 0
}

# abuse TAG MODE ARGS...: one http_abuse.py call in $ns, its JSON in out/TAG.json.
abuse() {
  local tag=$1
  shift
  timeout -k 2 60 ip netns exec "$ns" "$PYTHON" "$ABUSE" "$1" "$PORT" "${@:2}" \
    >"$LIVE_OUT/$tag.json" 2>"$LIVE_OUT/$tag.pyerr"
}

# expect TAG PYTHON_EXPR DESC: the expression holds over the JSON `d` of TAG.
expect() {
  local tag=$1 expr=$2 desc=$3
  if "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
    "$LIVE_OUT/$tag.json" 2>/dev/null; then
    pass "$desc"
  else
    fail "$desc (expected $expr)"
    sed 's/^/    | /' "$LIVE_OUT/$tag.json" | cut -c1-600
    sed 's/^/    | /' "$LIVE_OUT/$tag.pyerr"
  fi
}

rss_kib() { sed -nE 's/^VmRSS:[[:space:]]+([0-9]+) kB$/\1/p' "/proc/$1/status" 2>/dev/null; }

alive_and_scraped() {
  local tag=$1 when=$2
  abuse "$tag" get /metrics
  expect "$tag" "d['status'] == 200 and 'smokeping_requests_total{' in d['body'] and d['ms'] < 2000" \
    "$when: /metrics answers 200 with the per-target families within 2 s"
  kill -0 "$PID" 2>/dev/null && pass "$when: the monitor runs" || fail "$when: the monitor is gone"
}

# --- the abuse list, on a monitor with the default limits (cap 64, 5 s deadlines) ---------------------
if start_monitor mon -i 0.5 --probe-allow 127.0.0.0/8 --probe-allow 198.51.100.0/24 --probe-max 1 \
  127.0.0.1 -g 198.51.100.128/25; then
  sleep 1
  alive_and_scraped first "at start"
  rss_start=$(rss_kib "$PID")

  abuse head get /metrics --head
  expect head "d['status'] == 200 and d['body'] == '' and int(d['headers']['content-length']) > 1000" \
    "HEAD /metrics: headers with the length, no body"
  abuse healthy get /-/healthy
  expect healthy "d['status'] == 200 and d['body'] == 'OK\\n' and d['headers'].get('server', 'uping/').startswith('uping/')" \
    "/-/healthy: 200 OK"
  abuse missing get /nothing-here
  expect missing "d['status'] == 404 and d['headers'].get('connection') == 'close'" "/nothing-here: 404, connection closed"

  abuse malformed raw malformed
  expect malformed "d['status'] == 400 and d['headers'].get('connection') == 'close' and d['closed'] and d['ms'] < 1000" \
    "malformed request line: 400 and closed at once"
  abuse headers raw headers
  expect headers "d['status'] == 431 and d['closed'] and d['ms'] < 2000" "10,000 headers: 431 and closed"
  abuse url raw url
  expect url "d['status'] == 414 and d['closed'] and d['ms'] < 2000" "a 1 MB URL: 414 and closed"
  abuse post raw post
  expect post "d['status'] == 405 and d['headers'].get('allow') == 'GET, HEAD' and d['closed']" \
    "POST: 405 with Allow: GET, HEAD, closed"
  abuse body raw body
  expect body "d['status'] == 413 and d['closed']" "a request body: 413 and closed"

  # 1,000 idle connections: 64 kept (the cap), the rest closed at once; while they are held one more
  # request gets no answer; the idle timeout (5 s) closes the 64; then /metrics answers.
  abuse flood flood 1000 7.5
  expect flood "d['opened'] == 1000 and d['held'] <= 64 and d['closed_at_once'] >= 1000 - 64" \
    "1,000 connections: at most 64 held, the others closed at once"
  expect flood "d['extra_status'] == 0" "1,000 connections: one more request while 64 are held is not answered"
  expect flood "d['closed_by_idle'] == d['held'] and d['idle_ms'] < 7500" \
    "1,000 connections: the held ones closed by the idle timeout"
  expect flood "d['metrics_status'] == 200 and d['metrics_ms'] < 2000" \
    "1,000 connections: /metrics answers within 2 s once they are gone"

  # A client that never reads an answer larger than the socket buffers: closed by the write
  # deadline (5 s), others served meanwhile.
  abuse noread noread /metrics 7
  expect noread "d['other_status'] == 200 and d['other_ms'] < 2000" "a client that never reads: others are served meanwhile"
  expect noread "d['closed']" "a client that never reads: closed by the write deadline"

  # A byte a second: 408 at the header deadline (5 s from the first byte), plus slack.
  abuse trickle trickle 1
  expect trickle "d['status'] == 408 and 4500 <= d['ms'] <= 7500 and d['sent'] < d['length']" \
    "a request trickled a byte a second: 408 within the 5 s header deadline"

  # /probe.
  abuse probe_ok get '/probe?target=127.0.0.1&count=2&interval=0.05'
  expect probe_ok "d['status'] == 200 and '\\nprobe_success 1\\n' in '\\n' + d['body']" "/probe 127.0.0.1: 200, probe_success 1"
  abuse probe_outside get '/probe?target=203.0.113.5'
  expect probe_outside "d['status'] == 403" "/probe outside --probe-allow: 403"
  for bad in 'count=3' 'target=127.0.0.1&count=0' 'target=127.0.0.1&count=1000' 'target=127.0.0.1&interval=abc' \
    'target=127.0.0.1&target=127.0.0.2' 'target=127.0.0.1&bogus=1' 'target=%zz'; do
    abuse probe_bad get "/probe?$bad"
    expect probe_bad "d['status'] == 400 and d['body'].count('\\n') == 1" "/probe?$bad: 400 with one line"
  done
  abuse probe_span get '/probe?target=127.0.0.1&count=3&interval=1&timeout=1' 'X-Prometheus-Scrape-Timeout-Seconds: 2'
  expect probe_span "d['status'] == 400" "/probe longer than the scrape timeout: 400"

  # --probe-max 1: a probe of a silent address runs 3 s; the next one meanwhile gets 503.
  ip netns exec "$ns" timeout 30 "$PYTHON" "$ABUSE" get "$PORT" '/probe?target=198.51.100.7&count=1&timeout=3' \
    >"$LIVE_OUT/probe_slow.json" 2>"$LIVE_OUT/probe_slow.pyerr" &
  slow=$!
  sleep 1
  abuse probe_busy get '/probe?target=127.0.0.1'
  expect probe_busy "d['status'] == 503 and d['headers'].get('retry-after') == '1'" \
    "/probe over --probe-max 1: 503 with Retry-After: 1"
  wait "$slow"
  expect probe_slow "d['status'] == 200 and '\\nprobe_success 0\\n' in '\\n' + d['body'] and 2800 <= d['ms'] <= 5000" \
    "/probe of a silent address: 200, probe_success 0 after its timeout"

  alive_and_scraped last "after the abuse"
  rss_end=$(rss_kib "$PID")
  # Sessions, buffers and answers are released: what stays is the allocator's (and under ASan its
  # quarantine's) retention, far from a leak per connection (1,000 connections, a 1 MB URL).
  if [[ -n $rss_start && -n $rss_end ]] && ((rss_end - rss_start < 32768)); then
    pass "resident memory bounded: $rss_start KiB at start, $rss_end KiB after the abuse"
  else
    fail "resident memory: ${rss_start:-?} KiB at start, ${rss_end:-?} KiB after the abuse (32 MiB allowed)"
  fi
  echo "    (resident: $rss_start KiB at start, $rss_end KiB after the abuse)"

  kill -TERM "$PID"
  wait "${MONITOR_PIDS[0]}"
  LIVE_RC[mon]=$?
  check_rc mon 0 "the monitor after the abuse, stopped by SIGTERM"
fi

# --- /probe without --probe-allow: 403 for every target ----------------------------------------------
if start_monitor closed -i 1 127.0.0.1; then
  abuse closed_probe get '/probe?target=127.0.0.1'
  expect closed_probe "d['status'] == 403" "/probe without --probe-allow: 403"
  abuse closed_metrics get /metrics
  expect closed_metrics "d['status'] == 200" "without --probe-allow: /metrics answers"
  kill -TERM "$PID"
  wait "${MONITOR_PIDS[1]}"
  LIVE_RC[closed]=$?
  check_rc closed 0 "the second monitor, stopped by SIGTERM"
fi

live_done
