#!/usr/bin/env bash
# fping's engine, unprivileged: uping invoked through links named fping and fping6 keeps fping's schedule
# (-r retries growing by -B, -i between first probes, -p in count mode, -X's early stop), reports ICMP
# errors from datagram sockets, answers SIGQUIT with an interval report and SIGINT with its summary, and
# ends a run whose stdout fails with exit 4. The side-by-side comparison with fping itself is live/fping_compat.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

mkdir "$LIVE_DIR/f"
ln -s ../uping "$LIVE_DIR/f/fping"
ln -s ../uping "$LIVE_DIR/f/fping6"
FPING=$LIVE_DIR/f/fping
FPING6=$LIVE_DIR/f/fping6

# client: loopback; a veth to sink (198.51.100.2, 2001:db8::2 ignore echo requests); a veth to router,
# which sends 203.0.113.0/24 back to the client (TTL 1 expires there: "Time Exceeded") and answers
# 2001:db8:3::/64 with "no route" (ICMPv6 is not subject to IPv4's routing-error token bucket).
net_client_sink_router fe
setup ip netns exec "$client" ip route add 203.0.113.0/24 via 198.51.100.65
setup ip netns exec "$client" ip -6 route add 2001:db8:3::/64 via 2001:db8:1::1
setup ip netns exec "$router" ip route add 203.0.113.0/24 via 198.51.100.66
setup ip netns exec "$router" ip -6 route add unreachable 2001:db8:3::/64
router_reports_every_error "$router"

# elapsed_ms TAG: -s's "elapsed real time" in milliseconds.
elapsed_ms() {
  awk '/elapsed real time/ { printf "%d\n", $1 * 1000 }' "$LIVE_OUT/$1.err"
}
check_elapsed() {  # check_elapsed TAG MIN_MS MAX_MS DESCRIPTION
  local got
  got=$(elapsed_ms "$1")
  if [[ -n $got ]] && ((got >= $2 && got <= $3)); then
    pass "$4: -s elapsed ${got} ms (${2}..${3})"
  else
    fail "$4: -s elapsed ${got:-?} ms, expected ${2}..${3} ms"
    show "$1"
  fi
}

# Default mode: a silent target gets 1 + 2 probes, timeouts 100, 150, 225 ms: 475 ms in all.
capture retry run_unpriv "$client" "$FPING" -s -r 2 -t 100 198.51.100.2
check_rc retry 1 "default mode, silent target"
check_line retry out "198.51.100.2 is unreachable" "default mode, silent target"
check_grep retry err '^ +3 ICMP Echos sent$' "-r 2: three probes"
check_grep retry err '^ +3 timeouts \(waiting for response\)$' "-r 2: three timeouts"
check_elapsed retry 460 650 "-r 2 -t 100 -B 1.5: 100 + 150 + 225 ms"

# -B 1: the timeout does not grow (3 x 100 ms).
capture flat run_unpriv "$client" "$FPING" -s -r 2 -t 100 -B 1 198.51.100.2
check_elapsed flat 290 450 "-r 2 -t 100 -B 1: 3 x 100 ms"

# -i between the first probes of every target: 0, 200, 400, the last timeout at 500.
capture spaced run_unpriv "$client" "$FPING" -s -r 0 -t 100 -i 200 198.51.100.2 2001:db8::2 198.51.100.2
check_count spaced out 'is unreachable$' 3 "-i 200: three targets"
check_elapsed spaced 490 700 "-i 200 -t 100, three silent targets"

# Count mode: -p between a target's probes; the run ends with the last reply.
capture count run_unpriv "$client" "$FPING" -s -c 3 -p 200 127.0.0.1
check_rc count 0 "-c 3 -p 200 127.0.0.1"
check_count count out '^127\.0\.0\.1 : \[[0-2]\], 64 bytes, [0-9.]+ ms \([0-9.]+ avg, 0% loss\)$' 3 "-c 3: a line per reply"
check_elapsed count 390 600 "-c 3 -p 200: probes at 0, 200, 400 ms"

# -X: stops as soon as enough targets answered, without waiting for the silent one's 2 s timeout.
capture fast run_unpriv "$client" "$FPING" -s -X 1 -r 0 -t 2000 127.0.0.1 198.51.100.2
check_rc fast 0 "-X 1"
check_line fast out "Enough hosts reachable (required: 1, reachable: 1)" "-X 1"
check_elapsed fast 0 1000 "-X 1: no wait for the silent target"

# ICMP errors from datagram sockets, as fping prints them from raw ones.
capture ttl run_unpriv "$client" "$FPING" -c 1 -H 1 -t 1000 203.0.113.5
check_rc ttl 1 "-H 1 203.0.113.5"
check_line ttl err "ICMP Time Exceeded from 198.51.100.65 for ICMP Echo sent to 203.0.113.5" "-H 1: the router's error"
capture unreach6 run_unpriv "$client" "$FPING6" -c 1 -t 1000 2001:db8:3::5
check_rc unreach6 1 "fping6 2001:db8:3::5"
check_line unreach6 err \
  "ICMPv6 Destination Unreachable (No route to destination) from 2001:db8:1::1 for ICMPv6 Echo Request sent to 2001:db8:3::5" \
  "fping6: the router's ICMPv6 error"

# fping6 implies -6: an IPv4 operand does not resolve (exit 2).
capture six run_unpriv "$client" "$FPING6" 127.0.0.1
check_rc six 2 "fping6 127.0.0.1"
check_fixed six err "127.0.0.1: " "fping6 127.0.0.1: a name error"

# Loop mode: SIGQUIT prints the interval report and the loop goes on; SIGINT ends it with the summary.
( run_unpriv "$client" "$FPING" -l -p 211 127.0.0.1 >"$LIVE_OUT/loop.out" 2>"$LIVE_OUT/loop.err" ) &
loop_job=$!
loop_pid=""
for _ in $(seq 50); do
  loop_pid=$(pgrep -f -- "-l -p 211 127.0.0.1" | while read -r pid; do
    [[ $(readlink "/proc/$pid/exe") == "$LIVE_DIR/uping" ]] && echo "$pid"
  done | head -n 1)
  [[ -n $loop_pid ]] && break
  sleep 0.1
done
if [[ -z $loop_pid ]]; then
  fail "loop mode: fping -l did not start"
else
  sleep 1.2
  kill -QUIT "$loop_pid"
  sleep 0.5
  kill -INT "$loop_pid"
fi
wait "$loop_job"
LIVE_RC[loop]=$?
check_rc loop 0 "-l, SIGQUIT then SIGINT"
check_grep loop out '^127\.0\.0\.1 : \[[0-9]+\], 64 bytes, ' "-l: reply lines"
check_grep loop err '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$' "-l: SIGQUIT's report"
check_count loop err '^127\.0\.0\.1 : xmt/rcv/%loss = [0-9]+/[0-9]+/0%' 2 "-l: SIGQUIT's report and SIGINT's summary"

# Settings the sockets refuse, as fping reports them (the Pinger's OpenResult::failure, not its message text).
capture iface run_unpriv "$client" "$FPING" -c 1 -I nosuch0 127.0.0.1
check_rc iface 1 "-I nosuch0"
check_fixed iface err "binding to specific interface (SO_BINDTODEVICE): No such device" "-I nosuch0"
capture source run_unpriv "$client" "$FPING" -c 1 -S 203.0.113.77 127.0.0.1
check_rc source 4 "-S with an address not on the host"
check_fixed source err "fping: cannot bind source address : Cannot assign requested address" "-S 203.0.113.77"

# A standard input that never ends and names nothing (fping reads it in constant memory, forever):
# uping keeps no more than a piece of it. Its peak memory after 3 s of `yes '#'`, in kB.
capture endless run_unpriv "$client" sh -c "yes '# comment' | '$FPING' -f - & pid=\$!; sleep 3
  awk '/^VmHWM/ { print \$2 }' /proc/\$pid/status; kill \$pid"
if [[ $(cat "$LIVE_OUT/endless.out") =~ ^[0-9]+$ ]] && (($(cat "$LIVE_OUT/endless.out") < 200000)); then
  pass "-f - on an endless stdin of comments: peak $(cat "$LIVE_OUT/endless.out") kB"
else
  fail "-f - on an endless stdin of comments: peak '$(cat "$LIVE_OUT/endless.out")' kB, expected < 200000"
  show endless
fi

# A stdout that cannot be written: one line on stderr, exit 4.
capture full run_unpriv "$client" sh -c "exec '$FPING' -c 1 127.0.0.1 >/dev/full"
check_rc full 4 "stdout on /dev/full"
check_fixed full err "fping: write error: No space left on device" "stdout on /dev/full"

live_done
