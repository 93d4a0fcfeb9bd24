#!/usr/bin/env bash
# `uping --monitor` end to end, the smoke test the monitor's other live tests build on: unprivileged
# in a namespace, two loopback targets and a name that does not resolve; /metrics has every series
# with growing counters and the counter invariant at each scrape; the name is counted, not fatal;
# SIGTERM ends the run with exit 0 at once; and started with privileges (root, or a copy holding
# cap_net_raw), the running monitor holds no capability and runs as its caller.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init
for tool in curl python3 pgrep; do
  command -v "$tool" >/dev/null || live_skip "$tool is not installed (bash .ci/install-deps)"
done

new_netns ns
# Lookups from /etc/hosts only: "nosuchname.test" fails at once and no name server is ever asked.
ns_confine_resolver "$ns"
LIVE_TIMEOUT=60

# Exposition checks, as Prometheus reads it: the per-target series present and the invariant
# requests = _count + timeouts + sum(icmp errors) + send errors for every (host, ip, family).
check_exposition() {
  python3 - "$@" <<'EOF'
import re, sys
path, hosts = sys.argv[1], sys.argv[2:]
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
series = {}
for line in open(path, encoding='utf-8'):
    line = line.rstrip('\n')
    if not line or line.startswith('#'):
        continue
    m = sample.match(line)
    if not m:
        sys.exit(f'not a sample line: {line!r}')
    labels = dict(label.findall(m.group(3) or ''))
    series[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(4))
def per_target(name):
    out = {}
    for (metric, labels), value in series.items():
        if metric != name:
            continue
        d = dict(labels)
        key = (d.get('host'), d.get('ip'), d.get('family'))
        out[key] = out.get(key, 0.0) + value
    return out
requests = per_target('smokeping_requests_total')
for host in hosts:
    if not any(k[0] == host for k in requests):
        sys.exit(f'no smokeping_requests_total for host {host}')
count = per_target('smokeping_response_duration_seconds_count')
timeouts = per_target('uping_timeouts_total')
errors = per_target('uping_icmp_errors_total')
send = per_target('smokeping_send_errors_total')
figures = []
for key, value in sorted(requests.items()):
    settled = count.get(key, 0) + timeouts.get(key, 0) + errors.get(key, 0) + send.get(key, 0)
    if value != settled:
        sys.exit(f'invariant broken for {key}: requests {value} != {settled}')
    figures.append(f'{key[0]}={int(value)}/{int(count.get(key, 0))}')
print(' '.join(figures))
EOF
}

# metric FILE NAME LABELS: the value of one sample ("" when absent).
metric() { grep -F "$2{$3} " "$1" | head -n 1 | awk '{print $NF}'; }

# wait_for_listen ERRFILE: the port of "uping: --monitor: listening on 127.0.0.1:PORT" (the program's
# name first: the file-capability copy has its own), up to 10 s.
wait_for_listen() {
  local i port
  for ((i = 0; i < 200; i++)); do
    port=$(sed -nE 's/^[^ ]+: --monitor: listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$1" | head -n 1)
    [[ -n $port ]] && echo "$port" && return 0
    sleep 0.05
  done
  return 1
}

scrape() { ip netns exec "$ns" curl -s --max-time 5 -o "$2" -w '%{http_code}' "http://127.0.0.1:$1/metrics"; }

# --- unprivileged: metrics, a name that does not resolve, SIGTERM ---------------------------------------
out=$LIVE_OUT/basic.out
err=$LIVE_OUT/basic.err
run_unpriv "$ns" "$UPING_BIN" --monitor --listen 127.0.0.1:0 -i 0.2 127.0.0.1 ::1 nosuchname.test >"$out" 2>"$err" &
runner=$!
pid=$(pid_of "^$UPING_BIN --monitor --listen 127\\.0\\.0\\.1:0 -i 0\\.2 ")
if ! port=$(wait_for_listen "$err"); then
  fail "--monitor: no 'listening on 127.0.0.1:PORT' line on stderr"
  kill -TERM "$pid" 2>/dev/null
  wait "$runner"
  sed 's/^/    | /' "$err"
  live_done
fi
pass "--monitor: listening line on stderr (port $port)"
sleep 1
code1=$(scrape "$port" "$LIVE_OUT/scrape1.txt")
sleep 1
code2=$(scrape "$port" "$LIVE_OUT/scrape2.txt")
if [[ $code1 == 200 && $code2 == 200 ]]; then
  pass "/metrics: 200 twice"
else
  fail "/metrics: status $code1 then $code2"
fi
for n in 1 2; do
  if figures=$(check_exposition "$LIVE_OUT/scrape$n.txt" 127.0.0.1 ::1 2>&1); then
    pass "scrape $n: both targets' series, requests = replies + losses ($figures)"
  else
    fail "scrape $n: $figures"
    sed 's/^/    | /' "$LIVE_OUT/scrape$n.txt"
  fi
done
for target in '127.0.0.1",ip="127.0.0.1",family="ipv4' '::1",ip="::1",family="ipv6'; do
  before=$(metric "$LIVE_OUT/scrape1.txt" smokeping_requests_total "host=\"$target\"")
  after=$(metric "$LIVE_OUT/scrape2.txt" smokeping_requests_total "host=\"$target\"")
  replies=$(metric "$LIVE_OUT/scrape2.txt" smokeping_response_duration_seconds_count "host=\"$target\"")
  # -i 0.2 for ~2 s: some 10 probes; a second later, some 5 more.
  if [[ -n $before && -n $after && -n $replies ]] && ((${after%.*} >= ${before%.*} + 3 && ${before%.*} >= 3)) &&
    ((${replies%.*} >= ${after%.*} - 1)); then
    pass "host=\"${target%%\"*}\": requests grew $before → $after, $replies replies"
  else
    fail "host=\"${target%%\"*}\": requests '$before' → '$after', replies '$replies'"
  fi
done
up=$(metric "$LIVE_OUT/scrape2.txt" uping_up 'host="nosuchname.test"')
failures=$(metric "$LIVE_OUT/scrape2.txt" uping_resolve_failures_total 'host="nosuchname.test"')
if [[ $up == 0 && -n $failures ]] && ((${failures%.*} >= 1)); then
  pass "a name that does not resolve: uping_up 0, uping_resolve_failures_total $failures, not fatal"
else
  fail "a name that does not resolve: uping_up '$up', uping_resolve_failures_total '$failures'"
fi
if grep -q 'nosuchname.test' "$out"; then
  pass "a name that does not resolve: an event on stdout"
else
  fail "a name that does not resolve: no event names it on stdout"
fi
status=$(cat "/proc/$pid/status" 2>/dev/null)
if grep -Eq '^Uid:\s+65534\s' <<<"$status" && grep -Eq '^CapEff:\s+0+$' <<<"$status"; then
  pass "unprivileged monitor: uid 65534, no effective capability"
else
  fail "unprivileged monitor: $(grep -E '^(Uid|CapEff)' <<<"$status" | tr '\n' ' ')"
fi

t0=$(date +%s%N)
kill -TERM "$pid"
wait "$runner"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if ((rc == 0 && ms < 3000)); then
  pass "SIGTERM: exit 0 in $ms ms"
else
  fail "SIGTERM: exit $rc after $ms ms (expected 0 within 3 s)"
fi
if [[ $(grep -cv '^uping: --monitor: listening on ' "$err") == 0 ]]; then
  pass "stderr: only the listening line"
else
  fail "stderr has more than the listening line"
  sed 's/^/    | /' "$err"
fi

# --- privileges: started as root, and as uid 65534 from a copy holding cap_net_raw ---------------------
# privileged_run TAG UID BIN CMD...: starts the monitor (BIN, run by CMD...), reads /proc/PID/status
# once it listens, stops it. The PID is BIN's own, found once it listens: the wrappers before it
# (timeout, ip netns exec before its exec) carry the same arguments and keep root's capabilities.
privileged_run() {
  local tag=$1 uid=$2 bin=$3 runner2 pid2 port2 state
  shift 3
  "$@" --monitor --listen 127.0.0.1:0 -i 0.5 127.0.0.1 >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  runner2=$!
  port2=$(wait_for_listen "$LIVE_OUT/$tag.err")
  pid2=$(pid_of "^$bin --monitor --listen 127\\.0\\.0\\.1:0 -i 0\\.5 127\\.0\\.0\\.1$")
  # The listening line comes before the privilege drop; an answer comes only after it.
  if [[ -z $port2 || -z $pid2 ]] ||
    [[ $(ip netns exec "$ns" curl -s --max-time 10 "http://127.0.0.1:$port2/-/healthy") != OK ]]; then
    fail "$tag: the monitor did not start"
    sed 's/^/    | /' "$LIVE_OUT/$tag.err"
  else
    state=$(grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapAmb):' "/proc/$pid2/status" | tr -s '\t ' ' ')
    if grep -Eq "^Uid: $uid $uid $uid $uid$" <<<"$state" &&
      [[ $(grep -Ec '^Cap(Inh|Prm|Eff|Amb): 0+$' <<<"$state") == 4 ]]; then
      pass "$tag: after start, uid $uid everywhere and no capability"
    else
      fail "$tag: after start: $(tr '\n' ';' <<<"$state")"
    fi
    kill -TERM "$pid2"
  fi
  wait "$runner2"
  LIVE_RC[$tag]=$?
  check_rc "$tag" 0 "$tag: SIGTERM"
}

privileged_run root 0 "$UPING_BIN" run_root "$ns" "$UPING_BIN"
if command -v setcap >/dev/null; then
  FILECAP_BIN=$LIVE_DIR/uping-filecap
  cp -- "$UPING_BIN" "$FILECAP_BIN"
  chmod 755 "$FILECAP_BIN"
  setup setcap cap_net_raw=ep "$FILECAP_BIN"
  # CAP_NET_RAW stays in the bounding set here, or the kernel would refuse to run the copy.
  privileged_run filecap $LIVE_UNPRIV_UID "$FILECAP_BIN" timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all "$FILECAP_BIN"
else
  echo "note: setcap is not installed: the file-capability copy is not tried (bash .ci/install-deps)"
fi

live_done
