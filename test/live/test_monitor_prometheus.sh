#!/usr/bin/env bash
# uping --monitor scraped by Debian's Prometheus (docs/monitor-spec.md §5.2), the figures judged against the
# scriptable peers' ground truth. One namespace: uping --monitor unprivileged (no CAP_NET_RAW) with --listen
# 127.0.0.1:0 and --textfile, Prometheus started here as uid 65534 with its own config and data directory
# (scrape every second), and four peers on their own TUN devices:
#   mixed  203.0.113.5 and 2001:db8:feed::5: every 4th request dropped, every 3rd answered by an ICMP
#          host/address unreachable, every reply duplicated once
#   delay  203.0.113.6: every reply 40 ms late
#   plain  203.0.113.7: answers everything; sink: answers nothing (203.0.113.7 routed to it for a while)
# To close the books, the mixed and delay targets' routes become `unreachable`: from that instant each probe
# either reached its peer (and is in its truth) or failed to send (a send error, counted as a request); the
# peers are stopped once every answer and timeout is settled. Prometheus is asked through its HTTP API for
# instant values of the raw counters (never rate() or increase(), which extrapolate): they must equal the
# truth exactly. Also: the histogram's median
# in the bucket of 40 ms and _sum/_count near the peer's delay; uping_up going 0 and back to 1 with the outage
# counted; the counter invariant at every scrape (a range query); promtool check metrics on /metrics and on the
# textfile, whose lines have no timestamp column.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/monitor_lib.sh"
live_init
PEER_TIMEOUT=100
peer_init
monitor_init

PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
[[ -x $PROMETHEUS ]] || live_skip "$PROMETHEUS is missing (apt-get install prometheus; bash .ci/install-deps)"
[[ -x $PROMTOOL ]] || live_skip "$PROMTOOL is missing (apt-get install prometheus; bash .ci/install-deps)"

MIXED4=203.0.113.5
MIXED6=2001:db8:feed::5
DELAYED=203.0.113.6
FLAPPING=203.0.113.7
DELAY_MS=40
MIN_REQUESTS=30  # per family and peer before the books are closed: about 6 s at -i 0.2
PROM=http://127.0.0.1:9090
# The mean RTT may exceed the peer's own wait by its wake-up to read the request and uping's send path
# (3.7 ms measured on a loaded 2-core machine under ASan): as test_peer_smoke.sh, a margin for load.
TOLERANCE_MS=${DELAY_TOLERANCE_MS:-10}

# prom EXPR: an instant query inside the namespace; prints the value, "absent" or "many".
prom() {
  timeout -k 2 10 ip netns exec "$ns" "$MON_PYTHON" "$MONITOR_CHECK" query "$PROM" "$1"
}

# prom_wait DESC SECONDS EXPR WANT: polls (every 0.2 s, bounded) until EXPR's value is WANT.
prom_wait() {
  local desc=$1 bound=$2 expr=$3 want=$4 got i t0
  t0=$(date +%s%N)
  for ((i = 0; i < bound * 5; i++)); do
    got=$(prom "$expr")
    [[ $got == "$want" ]] && break
    sleep 0.2
  done
  if [[ $got == "$want" ]]; then
    pass "$desc: $expr = $want after $((($(date +%s%N) - t0) / 1000000)) ms"
    return 0
  fi
  fail "$desc: $expr = $got after ${bound} s, expected $want"
  return 1
}

# prom_settle DESC LINES: each line "EXPR<TAB>WANT"; all must hold at once. Retried once a second (at most 8
# times: a scrape or a timeout may still be on its way), then each that does not hold is reported.
prom_settle() {
  local desc=$1 lines=$2 attempt expr want got bad
  for ((attempt = 1; attempt <= 8; attempt++)); do
    bad=0
    while IFS=$'\t' read -r expr want; do
      [[ $(prom "$expr") == "$want" ]] || bad=$((bad + 1))
    done <<<"$lines"
    ((bad == 0)) && break
    sleep 1
  done
  while IFS=$'\t' read -r expr want; do
    got=$(prom "$expr")
    if [[ $got == "$want" ]]; then pass "$desc: $expr = $want"; else fail "$desc: $expr = $got, the truth is $want"; fi
  done <<<"$lines"
}

monitor_netns ns
peer_start mixed "$ns" pmix --drop-every 4 --duplicate 1 --error host-unreachable --error-every 3 ||
  live_skip "the peer did not come up"
peer_start delay "$ns" pdel --delay "$DELAY_MS" || live_skip "the peer did not come up"
peer_start plain "$ns" pplain || live_skip "the peer did not come up"
peer_start sink "$ns" psink --drop-every 1 || live_skip "the peer did not come up"
# The ICMP errors come from 203.0.113.254 / 2001:db8:feed::fe: routed back to the same device.
peer_route "$ns" pmix "$MIXED4" "$MIXED6" 203.0.113.254 2001:db8:feed::fe
peer_route "$ns" pdel "$DELAYED"
peer_route "$ns" pplain "$FLAPPING"

mkdir -m 755 "$LIVE_DIR/tf" && chown "$LIVE_UNPRIV_UID:$LIVE_UNPRIV_UID" "$LIVE_DIR/tf"
TEXTFILE=$LIVE_DIR/tf/uping.prom
monitor_start mon "$ns" 100 --listen 127.0.0.1:0 --textfile "$TEXTFILE" -i 0.2 -W 1 \
  "$MIXED4" "$MIXED6" "$DELAYED" "$FLAPPING" || live_done
pass "mon: uping --monitor listens on 127.0.0.1:$MON_PORT"

# --- Prometheus, as uid 65534 in the namespace, with its own config and data directory ----------------------
mkdir -m 700 "$LIVE_DIR/prom" "$LIVE_DIR/prom/tsdb"
cat >"$LIVE_DIR/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: uping
    static_configs:
      - targets: ['127.0.0.1:$MON_PORT']
EOF
chown -R "$LIVE_UNPRIV_UID:$LIVE_UNPRIV_UID" "$LIVE_DIR/prom"
capture promtool-config "$PROMTOOL" check config "$LIVE_DIR/prom/prometheus.yml"
check_rc promtool-config 0 "promtool check config"
timeout -k 2 100 ip netns exec "$ns" setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups \
  --inh-caps=-all "$PROMETHEUS" --config.file="$LIVE_DIR/prom/prometheus.yml" \
  --storage.tsdb.path="$LIVE_DIR/prom/tsdb" --web.listen-address=127.0.0.1:9090 \
  --storage.tsdb.retention.time=1h --log.level=warn >"$LIVE_OUT/prometheus.out" 2>"$LIVE_OUT/prometheus.err" &
PROM_BG=$!
BG_PIDS+=("$PROM_BG")
PROM_START=$(now_s)
# Prometheus 2.42 scrapes a static target first ~5.4 s after start (discovery updates are throttled to 5 s).
if ! prom_wait prometheus 20 'up{job="uping"}' 1; then
  sed 's/^/    | /' "$LIVE_OUT/prometheus.err"
  live_done
fi
if targets=$(timeout -k 2 10 ip netns exec "$ns" "$MON_PYTHON" "$MONITOR_CHECK" targets "$PROM") && [[ $targets == "uping up -" ]]; then
  pass "prometheus: the uping target is up with no scrape error"
else
  fail "prometheus: scrape targets: $targets"
fi
prom_settle "prometheus: the monitor's own series" "$(printf '%s\t%s\n' \
  'uping_targets' 4 \
  'count(uping_build_info == 1)' 1 \
  'count(smokeping_requests_total)' 4 \
  "count(smokeping_requests_total{host=\"$MIXED6\",ip=\"$MIXED6\",family=\"ipv6\"})" 1 \
  "count(smokeping_requests_total{host=\"$MIXED4\",ip=\"$MIXED4\",family=\"ipv4\"})" 1)"

# --- uping_up: 203.0.113.7 silent (routed to the sink) until Prometheus saw it down, then back -------------
prom_wait "$FLAPPING up" 10 "uping_up{host=\"$FLAPPING\"}" 1
peer_route "$ns" psink "$FLAPPING"
prom_wait "$FLAPPING silent" 15 "uping_up{host=\"$FLAPPING\"}" 0
peer_route "$ns" pplain "$FLAPPING"
prom_wait "$FLAPPING answering again" 15 "uping_up{host=\"$FLAPPING\"}" 1
prom_wait "$FLAPPING" 5 "uping_outages_total{host=\"$FLAPPING\"}" 1

# --- exact counters once the mixed and delay targets' books are closed -------------------------------------
for ((i = 0; i < 100; i++)); do
  got=$(prom "min(smokeping_requests_total{host=~\"$MIXED4|$MIXED6|$DELAYED\"})")
  [[ $got =~ ^[0-9]+$ ]] && ((got >= MIN_REQUESTS)) && break
  sleep 0.2
done
setup ip netns exec "$ns" ip route replace unreachable "$MIXED4/32"
setup ip netns exec "$ns" ip route replace unreachable "$DELAYED/32"
setup ip netns exec "$ns" ip -6 route replace unreachable "$MIXED6/128"
sleep 1.5  # -W 1: the last dropped probe times out; the last delayed answer is long sent
peer_finish mixed 0
peer_finish delay 0
expect=""
for family in 4 6; do
  host=$MIXED4
  [[ $family == 6 ]] && host=$MIXED6
  sel="{host=\"$host\"}"
  expect+=$(printf '%s\t%s\n' \
    "smokeping_response_duration_seconds_count$sel" "$(truth_count mixed $family replies)" \
    "smokeping_response_duplicates_total$sel" "$(truth_count mixed $family duplicates)" \
    "uping_timeouts_total$sel" "$(truth_count mixed $family dropped)" \
    "uping_icmp_errors_total{host=\"$host\",type=\"host_unreachable\"}" "$(truth_count mixed $family errors)" \
    "sum(uping_icmp_errors_total$sel)" "$(truth_count mixed $family errors)" \
    "smokeping_requests_total$sel - smokeping_send_errors_total$sel" "$(truth_count mixed $family requests)" \
    "smokeping_response_ttl$sel" 64)$'\n'
done
expect+=$(printf '%s\t%s\n' \
  "smokeping_response_duration_seconds_count{host=\"$DELAYED\"}" "$(truth_count delay 4 replies)" \
  "smokeping_requests_total{host=\"$DELAYED\"} - smokeping_send_errors_total{host=\"$DELAYED\"}" \
  "$(truth_count delay 4 requests)" \
  "uping_timeouts_total{host=\"$DELAYED\"}" 0)
prom_settle "truth" "$expect"
# Routed to `unreachable`, what follows fails to send, and still counts as requests.
for host in "$MIXED4" "$MIXED6"; do
  got=$(prom "smokeping_send_errors_total{host=\"$host\"}")
  [[ $got =~ ^[0-9]+$ ]] && ((got > 0)) && pass "$host: sends without a route counted ($got)" ||
    fail "$host: smokeping_send_errors_total = $got after the peer's device went away"
done

# --- the RTT of the delayed peer ------------------------------------------------------------------------------
truth_avg=$(truth_count delay 4 delay_avg_ms)
median=$(prom "histogram_quantile(0.5, smokeping_response_duration_seconds_bucket{host=\"$DELAYED\"})")
within "$DELAYED: the median (histogram_quantile) in the bucket holding ${DELAY_MS} ms" "$median" 0.0256 0.0512
mean=$(prom "smokeping_response_duration_seconds_sum{host=\"$DELAYED\"} / smokeping_response_duration_seconds_count{host=\"$DELAYED\"}")
within "$DELAYED: _sum/_count within $TOLERANCE_MS ms above the peer's mean wait (${truth_avg} ms)" "$mean" \
  "$(calc "($truth_avg - 0.1) / 1000")" "$(calc "($truth_avg + $TOLERANCE_MS) / 1000")"
jitter=$(prom "uping_jitter_seconds{host=\"$DELAYED\"}")
within "$DELAYED: uping_jitter_seconds present and small" "$jitter" 0 0.02
last=$(prom "time() - uping_last_reply_timestamp_seconds{host=\"$FLAPPING\"}")
within "$FLAPPING: uping_last_reply_timestamp_seconds recent" "$last" -1 5

# --- the counter invariant at every scrape Prometheus made --------------------------------------------------
icmp_or_zero='(sum by (host, ip, family) (uping_icmp_errors_total) or on (host, ip, family) (0 * smokeping_requests_total))'
invariant="smokeping_requests_total - on (host, ip, family) (smokeping_response_duration_seconds_count + smokeping_send_errors_total + uping_timeouts_total) - on (host, ip, family) $icmp_or_zero"
end=$(now_s)
timeout -k 2 10 ip netns exec "$ns" "$MON_PYTHON" "$MONITOR_CHECK" range "$PROM" "$invariant" "$PROM_START" "$end" 0.5 \
  >"$LIVE_OUT/invariant.range"
points=$(wc -l <"$LIVE_OUT/invariant.range")
nonzero=$(awk '$NF != 0' "$LIVE_OUT/invariant.range" | wc -l)
series=$(awk '{ print $1 }' "$LIVE_OUT/invariant.range" | sort -u | wc -l)
if ((points > 20 && nonzero == 0 && series == 4)); then
  pass "invariant: requests = _count + timeouts + ICMP errors + send errors at all $points points of 4 targets"
else
  fail "invariant: $nonzero of $points points break it (series: $series)"
  awk '$NF != 0' "$LIVE_OUT/invariant.range" | head -n 5 | sed 's/^/    | /'
fi

# --- the exposition itself: promtool, and the textfile ------------------------------------------------------
metrics=$(metrics_now final)
capture promtool-metrics "$PROMTOOL" check metrics <"$metrics"
check_rc promtool-metrics 0 "promtool check metrics on /metrics"
check_invariant "/metrics" "$metrics"
# What Prometheus itself gets: gzip (it always asks); the same series as the plain answer, still valid.
gzipped=$LIVE_OUT/final-gzip.prom
capture fetch-gzip timeout -k 2 10 ip netns exec "$ns" "$MON_PYTHON" "$MONITOR_CHECK" fetch-gzip \
  "http://127.0.0.1:$MON_PORT/metrics" "$gzipped"
check_rc fetch-gzip 0 "/metrics accepting gzip: Content-Encoding gzip, Vary, the body reads back whole"
capture promtool-gzip "$PROMTOOL" check metrics <"$gzipped"
check_rc promtool-gzip 0 "promtool check metrics on the gzip answer"
check_invariant "/metrics (gzip)" "$gzipped"
# Fetched later, it has every series of the plain one (a series, once there, stays while its target does).
missing=$(comm -23 <(grep -v '^#' "$metrics" | sed 's/ [^ ]*$//' | sort) \
  <(grep -v '^#' "$gzipped" | sed 's/ [^ ]*$//' | sort) | wc -l)
if (($(grep -vc '^#' "$metrics") > 100 && missing == 0)); then
  pass "gzip /metrics has every series of the plain answer before it"
else
  fail "gzip /metrics lacks $missing series of the plain answer (of $(grep -vc '^#' "$metrics"))"
fi
monitor_stop TERM
check_rc mon 0 "uping --monitor stopped by SIGTERM"
check_clean_stderr mon
capture promtool-textfile "$PROMTOOL" check metrics <"$TEXTFILE"
check_rc promtool-textfile 0 "promtool check metrics on the textfile"
cp -- "$TEXTFILE" "$LIVE_OUT/textfile.out"
check_no_grep textfile out '^[^#].* .* ' "textfile: no sample line has a third field (a timestamp)"
check_invariant "textfile" "$TEXTFILE"
# Written a last time at exit: the final counts are the truth's (nothing in flight any more).
check_metric "textfile at exit" "$TEXTFILE" smokeping_response_duplicates_total host="$MIXED4" eq \
  "$(truth_count mixed 4 duplicates)"
check_metric "textfile at exit" "$TEXTFILE" smokeping_response_duration_seconds_count host="$DELAYED" eq \
  "$(truth_count delay 4 replies)"
if compgen -G "$LIVE_DIR/tf/.*.tmp" >/dev/null || compgen -G "$LIVE_DIR/tf/*.tmp" >/dev/null; then
  fail "textfile: a temporary file was left in $LIVE_DIR/tf"
else
  pass "textfile: no temporary file left behind"
fi
live_done
