# shellcheck shell=bash
# Helpers of the monitor's live tests (test_monitor_*.sh), sourced after lib.sh's live_init.
#
# One `uping --monitor` at a time runs in the background as uid 65534 without CAP_NET_RAW; scriptable peers
# (test/peer) run on TUN devices of their own in the same namespace, each answering the addresses routed to
# it; Prometheus, where a test needs it, runs there too. Every process started here is remembered and
# stopped by PID when the script ends, whatever the path, before lib.sh deletes the namespaces.
# HTTP goes through monitor_check.py (python3 urllib), run inside the namespace.

MONITOR_CHECK=$(dirname "${BASH_SOURCE[0]}")/monitor_check.py
# Debian's interpreter when there is one: a python3 found first on PATH may be a version manager's shim that
# takes a second or two to start, and these tests call it often, between timed events.
MON_PYTHON=/usr/bin/python3
[[ -x $MON_PYTHON ]] || MON_PYTHON=$(command -v python3 || echo python3)
MON_PID=""   # uping itself: signals go to it
MON_BG=""    # its background job (timeout …): waited for
MON_PORT=""  # the port of --listen 127.0.0.1:0, read from stderr
MON_TAG=""
MON_NS=""
declare -A MON_PEER_BG=()  # peer tag → background job
BG_PIDS=()                 # every background job started here, stopped on exit

monitor_init() {
  command -v "$MON_PYTHON" >/dev/null || live_skip "python3 is not installed (bash .ci/install-deps)"
  "$UPING_BIN" --monitor --help >/dev/null 2>&1 || live_skip "this uping has no --monitor (exit $?)"
  mkdir -m 1777 "$LIVE_DIR/pids" || live_skip "mkdir $LIVE_DIR/pids failed"
  trap 'rc=$?; monitor_stop_all; (exit $rc); live_cleanup' EXIT
}

# monitor_stop_all: SIGTERM to every process started here (the innermost: timeout would first wait for its
# child), a bounded wait, SIGKILL to what is left.
monitor_stop_all() {
  local job pid i
  [[ -n $MON_PID ]] && kill -TERM "$MON_PID" 2>/dev/null
  for job in "${BG_PIDS[@]}"; do
    pid=$(cat "/proc/$job/task/$job/children" 2>/dev/null)
    kill -TERM "${pid%% *}" 2>/dev/null || kill -TERM "$job" 2>/dev/null
  done
  for job in "${BG_PIDS[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 "$job" 2>/dev/null || break
      sleep 0.1
    done
    pid=$(cat "/proc/$job/task/$job/children" 2>/dev/null)
    [[ -n $pid ]] && kill -KILL "${pid%% *}" 2>/dev/null
    kill -KILL "$job" 2>/dev/null
    wait "$job" 2>/dev/null
  done
  BG_PIDS=()
  MON_PID=""
}

# --- the namespace and the peers ---------------------------------------------------------------------

# monitor_netns VAR: a namespace whose own addresses (198.51.100.1, 2001:db8:1::1) sit on loopback, so they
# outlive any peer device; the targets are routed one by one to peers with peer_route.
monitor_netns() {
  local __mns
  new_netns __mns
  setup ip netns exec "$__mns" ip addr add 198.51.100.1/32 dev lo
  setup ip netns exec "$__mns" ip -6 addr add 2001:db8:1::1/128 dev lo nodad
  # Answers from a target whose route was just moved (or made unreachable) must still be delivered.
  setup ip netns exec "$__mns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  printf -v "$1" "%s" "$__mns"
}

# peer_start TAG NS DEV SCENARIO...: a peer on its own TUN device DEV, addresses and routes left to the test
# (--no-configure), its truth in out/TAG.truth. Returns 0 once the device is up, 1 (stderr shown) if not in 10 s.
peer_start() {
  local tag=$1 ns=$2 dev=$3
  shift 3
  timeout -k 2 $((PEER_TIMEOUT + 5)) ip netns exec "$ns" "$PEER" --dev "$dev" --no-configure --timeout "$PEER_TIMEOUT" \
    --truth "$LIVE_OUT/$tag.truth" --ready "$LIVE_OUT/$tag.ready" "$@" \
    >"$LIVE_OUT/$tag.peer.out" 2>"$LIVE_OUT/$tag.peer.err" &
  MON_PEER_BG[$tag]=$!
  BG_PIDS+=($!)
  wait_peer_ready "$tag" "${MON_PEER_BG[$tag]}"
}

# peer_route NS DEV ADDRESS...: each ADDRESS (a /32 or /128) routed to DEV, replacing its route if it had one.
peer_route() {
  local ns=$1 dev=$2 address
  shift 2
  for address in "$@"; do
    if [[ $address == *:* ]]; then
      setup ip netns exec "$ns" ip -6 route replace "$address/128" dev "$dev"
    else
      setup ip netns exec "$ns" ip route replace "$address/32" dev "$dev"
    fi
  done
}

# peer_finish TAG [SECONDS]: waits (bounded, default 30 s) for the peer to exit by itself (--exit-after-requests),
# or stops it with SIGTERM when SECONDS is 0. Returns 0 when it exited 0 with a complete truth.
peer_finish() {
  local tag=$1 bound=${2:-30} job=${MON_PEER_BG[$1]} rc i child
  if ((bound == 0)); then
    child=$(cat "/proc/$job/task/$job/children" 2>/dev/null)
    kill -TERM "${child%% *}" 2>/dev/null || kill -TERM "$job" 2>/dev/null
    bound=10
  fi
  for ((i = 0; i < bound * 10; i++)); do
    kill -0 "$job" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$job" 2>/dev/null; then
    fail "$tag: the peer did not exit within ${bound} s"
    return 1
  fi
  wait "$job"
  rc=$?
  if [[ $rc == 0 ]] && grep -q '^summary ' "$LIVE_OUT/$tag.truth" 2>/dev/null; then
    pass "$tag: the peer exited and wrote its truth ($(grep '^summary ' "$LIVE_OUT/$tag.truth"))"
    return 0
  fi
  fail "$tag: peer exit $rc, truth: $(tail -n 1 "$LIVE_OUT/$tag.truth" 2>&1)"
  sed 's/^/    | /' "$LIVE_OUT/$tag.peer.err"
  return 1
}

# truth_count TAG FAMILY WHAT: from a peer's truth, per family (4 or 6): requests, replies (first copies of a
# sequence), duplicates (the other copies), errors, dropped (by the scenario), delay_avg_ms (of first copies).
truth_count() {
  awk -v family="$2" -v what="$3" '
    $2 != family { next }
    $1 == "request" { n["requests"]++ }
    $1 == "reply" && / duplicate/ { n["duplicates"]++ }
    $1 == "reply" && !/ duplicate/ { n["replies"]++; delay += $6 }
    $1 == "error" { n["errors"]++ }
    $1 == "dropped" && $4 == "scenario" { n["dropped"]++ }
    END {
      if (what == "delay_avg_ms") printf "%.3f\n", (n["replies"] ? delay / n["replies"] / 1000 : 0)
      else print n[what] + 0
    }' "$LIVE_OUT/$1.truth"
}

# --- the monitor -------------------------------------------------------------------------------------

# monitor_start TAG NS BOUND ARGS...: `uping --monitor ARGS` in NS, unprivileged, in the background; stdout in
# out/TAG.out, stderr in out/TAG.err; killed after BOUND seconds whatever happens (a bound, not the plan).
# Environment for it: MON_ENV (e.g. "ASAN_OPTIONS=…"). Returns 0 once it runs and, with --listen …:0, once it
# printed its port (MON_PORT); 1 otherwise (within 10 s).
monitor_start() {
  local tag=$1 ns=$2 bound=$3 i pidfile=$LIVE_DIR/pids/$1 listen=0 arg
  shift 3
  for arg in "$@"; do [[ $arg == --listen ]] && listen=1; done
  MON_TAG=$tag
  MON_NS=$ns
  MON_PORT=""
  rm -f -- "$pidfile"
  timeout -k 2 "$bound" ip netns exec "$ns" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all --bounding-set=-net_raw \
    env ${MON_ENV:-} sh -c 'echo $$ >"$0" && exec "$@"' "$pidfile" "$UPING_BIN" --monitor "$@" \
    >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  MON_BG=$!
  BG_PIDS+=("$MON_BG")
  for ((i = 0; i < 200; i++)); do
    if [[ -s $pidfile ]]; then
      MON_PID=$(cat "$pidfile")
      ((listen)) || return 0
      MON_PORT=$(sed -nE 's/^.*--monitor: listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$LIVE_OUT/$tag.err" | head -n 1)
      [[ -n $MON_PORT ]] && return 0
    fi
    kill -0 "$MON_BG" 2>/dev/null || break
    sleep 0.05
  done
  fail "$tag: uping --monitor did not start (or print 'listening on 127.0.0.1:PORT') within 10 s"
  show "$tag"
  return 1
}

# monitor_alive TAG: uping still runs.
monitor_alive() {
  [[ -n $MON_PID ]] && kill -0 "$MON_PID" 2>/dev/null
}

# monitor_signal SIGNAL: to uping itself.
monitor_signal() {
  kill "-$1" "$MON_PID"
}

# monitor_stop [SIGNAL]: SIGTERM (or SIGNAL) to uping, then a bounded wait (10 s); its exit status in
# LIVE_RC[MON_TAG]. Not exiting in time is a failure (then SIGKILL).
monitor_stop() {
  local signal=${1:-TERM} i t0
  t0=$(date +%s%N)
  kill "-$signal" "$MON_PID" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$MON_BG" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$MON_BG" 2>/dev/null; then
    fail "$MON_TAG: uping --monitor still runs 10 s after SIG$signal"
    kill -KILL "$MON_PID" 2>/dev/null
  fi
  wait "$MON_BG"
  LIVE_RC[$MON_TAG]=$?
  LIVE_MS[$MON_TAG.stop]=$((($(date +%s%N) - t0) / 1000000))
  MON_PID=""
}

# monitor_get PATH FILE: GET http://127.0.0.1:MON_PORT/PATH from inside the namespace into FILE; 0 on a 200.
monitor_get() {
  timeout -k 2 10 ip netns exec "$MON_NS" "$MON_PYTHON" "$MONITOR_CHECK" fetch "http://127.0.0.1:$MON_PORT$1" "$2"
}

# metrics_now NAME: /metrics into out/NAME.prom, whose path it prints. A failed GET leaves the file empty (so
# every value read from it is absent) and says why on stderr.
metrics_now() {
  local file=$LIVE_OUT/$1.prom err
  if ! err=$(monitor_get /metrics "$file" 2>&1); then
    echo "    GET /metrics ($1): $err" >&2
    : >"$file"
  fi
  echo "$file"
}

# metric FILE NAME [LABEL=VALUE...]: the sum of the matching samples, or "absent".
metric() {
  "$MON_PYTHON" "$MONITOR_CHECK" value "$@"
}

# metric_test FILE NAME [LABEL=VALUE...] OP WANT: prints the value; 0 when it compares with WANT by OP (eq, ge, le,
# gt, lt). A last word "absent" alone (no WANT): 0 when there is no such sample.
metric_test() {
  local file=$1 name=$2 want=${*: -1} op=${*: -2:1} got
  local -a labels=("${@:3:$#-4}")
  if [[ $want == absent ]]; then
    op=absent
    labels=("${@:3:$#-3}")
  fi
  got=$(metric "$file" "$name" "${labels[@]}")
  echo "$got"
  if [[ $op == absent || $got == absent ]]; then
    [[ $op == absent && $got == absent ]]
    return
  fi
  [[ $got =~ ^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$ ]] || return 1
  awk -v a="$got" -v b="$want" -v op="$op" 'BEGIN {
    a += 0; b += 0
    ok = (op == "eq" && a == b) || (op == "ge" && a >= b) || (op == "le" && a <= b) || (op == "gt" && a > b) || (op == "lt" && a < b)
    exit !ok
  }'
}

# check_metric DESC FILE NAME [LABEL=VALUE...] OP WANT: a check of metric_test.
check_metric() {
  local desc=$1 file=$2 name=$3 want=${*: -1} op=${*: -2:1} got
  local -a labels=("${@:4:$#-5}")
  if [[ $want == absent ]]; then
    op=absent
    labels=("${@:4:$#-4}")
  fi
  local shown
  shown="$name{$(IFS=,; echo "${labels[*]}")}"
  local -a compare=("$op" "$want")
  [[ $op == absent ]] && compare=(absent)
  if got=$(metric_test "$file" "$name" "${labels[@]}" "${compare[@]}"); then
    if [[ $op == absent ]]; then pass "$desc: $shown absent"; else pass "$desc: $shown = $got ($op $want)"; fi
  else
    fail "$desc: $shown = $got, expected $op $want"
  fi
}

# wait_metric DESC SECONDS NAME [LABEL=VALUE...] OP WANT: scrapes every 0.2 s (bounded) until the value
# compares; then a check of the last scrape.
wait_metric() {
  local desc=$1 bound=$2 i file
  shift 2
  for ((i = 0; i < bound * 5; i++)); do
    file=$(metrics_now wait)
    metric_test "$file" "$@" >/dev/null && break
    monitor_alive || break
    sleep 0.2
  done
  check_metric "$desc" "$file" "$@"
}

# check_invariant DESC FILE: requests = replies + timeouts + ICMP errors + send errors for every target.
check_invariant() {
  local desc=$1 file=$2 out
  if out=$("$MON_PYTHON" "$MONITOR_CHECK" invariant "$file"); then
    pass "$desc: requests = replies + timeouts + ICMP errors + send errors ($out)"
  else
    fail "$desc: the counter invariant does not hold"
    sed 's/^/    | /' <<<"$out"
  fi
}

# events TAG [KEY=VALUE...] [--get KEY]: the matching NDJSON events of TAG's stdout (see monitor_check.py).
events() {
  local tag=$1
  shift
  "$MON_PYTHON" "$MONITOR_CHECK" events "$LIVE_OUT/$tag.out" "$@"
}

# wait_event TAG SECONDS KEY=VALUE...: waits (bounded) until TAG's stdout holds at least one matching event;
# 0 if it does.
wait_event() {
  local tag=$1 bound=$2 i
  shift 2
  for ((i = 0; i < bound * 10; i++)); do
    [[ -n $(events "$tag" "$@" 2>/dev/null) ]] && return 0
    monitor_alive || break
    sleep 0.1
  done
  [[ -n $(events "$tag" "$@" 2>/dev/null) ]]
}

# calc EXPR: an awk expression's value, with microsecond decimals.
calc() { awk "BEGIN { printf \"%.6f\\n\", $1 }"; }

# now_s: the wall clock as Unix seconds with nanoseconds.
now_s() { date +%s.%N; }

# within DESC GOT LOW HIGH: LOW <= GOT <= HIGH (decimals).
within() {
  local desc=$1 got=$2 low=$3 high=$4
  if [[ $got =~ ^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$ ]] &&
    awk -v x="$got" -v lo="$low" -v hi="$high" 'BEGIN { exit !(lo + 0 <= x + 0 && x + 0 <= hi + 0) }'; then
    pass "$desc: $got within [$low, $high]"
  else
    fail "$desc: ${got:-nothing}, expected within [$low, $high]"
  fi
}

# check_clean_stderr TAG: no sanitizer report in TAG's stderr.
check_clean_stderr() {
  check_no_grep "$1" err 'AddressSanitizer|LeakSanitizer|runtime error' "$1: no sanitizer report"
}
