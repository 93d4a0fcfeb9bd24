#!/usr/bin/env bash
# The library (uping::core) as another program uses it: test/library/library_check, linked against
# uping::core alone, runs unprivileged (uid 65534, CAP_NET_RAW out of the bounding set) in
# namespaces created here. Against the test peer (test/peer) every kind of event must reach its
# own handler exactly once: a reply, a duplicate, a timeout (each probe by its own timeout), an
# ICMP error; a send the kernel refuses reaches on_send_failure once. The blocking call returns
# at its deadline or as soon as it is answered. A socket refused by ping_group_range is a value
# with the CLI's diagnosis.
#
# Environment: UPING_LIBRARY_CHECK (the test program; set by ctest), UPING_PEER.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init
PEER_TIMEOUT=25
peer_init

[[ -x ${UPING_LIBRARY_CHECK:-} ]] || live_skip "UPING_LIBRARY_CHECK is not set to the library_check program"
cp -- "$UPING_LIBRARY_CHECK" "$LIVE_DIR/library_check" && chmod 755 "$LIVE_DIR/library_check" ||
  live_skip "cannot copy $UPING_LIBRARY_CHECK"
CHECK_BIN=$LIVE_DIR/library_check

TARGET4=203.0.113.5
TARGET6=2001:db8:feed::5
ROUTER4=203.0.113.254
ROUTER6=2001:db8:feed::fe

# events TAG: the handler lines of a pinger run (send and end lines left out).
count_events() { grep -cE "^$2 " "$LIVE_OUT/$1.out"; }

# check_events TAG reply=N duplicate=N timeout=N icmp_error=N send_failure=N: exactly these many
# handler calls of each kind.
check_events() {
  local tag=$1 spec kind want got
  shift
  for spec in "$@"; do
    kind=${spec%%=*}
    want=${spec#*=}
    got=$(count_events "$tag" "$kind")
    if [[ $got == "$want" ]]; then
      pass "$tag: $kind handler called $want time(s)"
    else
      fail "$tag: $kind handler called $got time(s), expected $want"
      show "$tag"
    fi
  done
}

# field TAG EVENT NAME: the value of NAME= on the first EVENT line.
field() { sed -n "s/^$2 .*\\b$3=\\([^ ]*\\).*/\\1/p" "$LIVE_OUT/$1.out" | head -n 1; }

# check_field_between TAG EVENT NAME LOW HIGH DESCRIPTION
check_field_between() {
  local value
  value=$(field "$1" "$2" "$3")
  if [[ $value =~ ^[0-9]+$ ]] && ((value >= $4 && value <= $5)); then
    pass "$1: $6 ($3=$value)"
  else
    fail "$1: $6: $3='$value', expected $4..$5"
    show "$1"
  fi
}

# with_peer TAG SCENARIO...: a fresh namespace ($NS) with a peer playing SCENARIO.
with_peer() {
  local tag=$1
  shift
  new_netns NS
  start_peer "$tag" "$NS" "$@" || live_skip "the peer did not come up in $NS (see its stderr above)"
}

# --- a reply, in both families, and the blocking call answered ----------------------------------------
with_peer reply
for family in 4 6; do
  target_var=TARGET$family
  target=${!target_var}
  capture reply.v$family run_unpriv "$NS" "$CHECK_BIN" pinger "$target" 2000
  check_rc reply.v$family 0 "reply v$family"
  check_events reply.v$family reply=1 duplicate=0 timeout=0 icmp_error=0 send_failure=0
  check_grep reply.v$family out "^reply token=0 .* ttl=64 bytes=64 from=$target$" "reply v$family: token, TTL, size and source"
  check_line reply.v$family out "end in_flight=0 sockets=1" "reply v$family: nothing left in flight"
done
capture blocking.reply run_unpriv "$NS" "$CHECK_BIN" blocking "$TARGET4" 3000 3 100
check_grep blocking.reply out '^result reached=1 sent=1 replies=1 duplicates=0 icmp_errors=0 send_failures=0 timeouts=0 ' \
  "blocking: returns at the first reply"
check_field_between blocking.reply result elapsed_ms 0 1000 "blocking: long before its deadline"
check_grep blocking.reply out '^rtt_us=[0-9]+$' "blocking: the reply's RTT"
stop_peer reply

# --- a duplicate: on_reply once, then on_duplicate once ------------------------------------------------
with_peer duplicate --duplicate 1
capture duplicate run_unpriv "$NS" "$CHECK_BIN" pinger "$TARGET4" 2000 --linger 500
check_events duplicate reply=1 duplicate=1 timeout=0 icmp_error=0 send_failure=0
check_grep duplicate out "^duplicate token=0 .* from=$TARGET4$" "duplicate: the copy of probe 0, from the target"
stop_peer duplicate

# --- timeouts: each probe by its own timeout, a late reply not reported ---------------------------------
with_peer timeout --drop-every 1
# Probe 0 waits 700 ms, probe 1 (sent 10 ms later) 150 ms: probe 1 times out first.
capture timeout run_unpriv "$NS" "$CHECK_BIN" pinger "$TARGET4" 700 150 --linger 100
check_events timeout reply=0 duplicate=0 timeout=2 icmp_error=0 send_failure=0
if [[ $(grep '^timeout ' "$LIVE_OUT/timeout.out" | sed -n 's/^timeout token=\([0-9]*\) .*/\1/p' | tr '\n' ' ') == "1 0 " ]]; then
  pass "timeout: the shorter timeout, sent second, expired first"
else
  fail "timeout: expiry order"
  show timeout
fi
check_field_between timeout "timeout token=1" ms 150 600 "timeout: probe 1 after its 150 ms"
check_field_between timeout "timeout token=0" ms 700 1600 "timeout: probe 0 after its 700 ms"
check_grep timeout out "^timeout token=0 .* to=$TARGET4$" "timeout: the probe's destination"
capture blocking.silent run_unpriv "$NS" "$CHECK_BIN" blocking "$TARGET4" 600 3 100
check_grep blocking.silent out '^result reached=0 sent=3 replies=0 duplicates=0 icmp_errors=0 send_failures=0 timeouts=3 ' \
  "blocking: unanswered probes at the deadline"
check_field_between blocking.silent result elapsed_ms 590 1500 "blocking: returns at its deadline"
stop_peer timeout

with_peer late --delay 500
capture late run_unpriv "$NS" "$CHECK_BIN" pinger "$TARGET4" 150 --linger 800
check_events late reply=0 duplicate=0 timeout=1 icmp_error=0 send_failure=0
stop_peer late

# --- ICMP errors, in both families: on_icmp_error once, no timeout after it -----------------------------
with_peer error --error net-unreachable
for family in 4 6; do
  target_var=TARGET$family
  router_var=ROUTER$family
  capture error.v$family run_unpriv "$NS" "$CHECK_BIN" pinger "${!target_var}" 300 --linger 600
  check_events error.v$family reply=0 duplicate=0 timeout=0 icmp_error=1 send_failure=0
done
check_grep error.v4 out "^icmp_error token=0 .* type=3 code=0 from=$ROUTER4 to=$TARGET4$" "error v4: type, code, router, probe"
check_grep error.v6 out "^icmp_error token=0 .* type=1 code=0 from=$ROUTER6 to=$TARGET6$" "error v6: type, code, router, probe"
capture blocking.error run_unpriv "$NS" "$CHECK_BIN" blocking "$TARGET4" 2000 1 100
check_grep blocking.error out '^result reached=0 sent=1 replies=0 duplicates=0 icmp_errors=1 send_failures=0 timeouts=0 ' \
  "blocking: an ICMP error settles the probe"
check_field_between blocking.error result elapsed_ms 0 1000 "blocking: returns once every probe is settled"
stop_peer error

# --- send failures: no route in a namespace with loopback alone -----------------------------------------
new_netns NOROUTE
capture sendfail.v4 run_unpriv "$NOROUTE" "$CHECK_BIN" pinger 198.51.100.9 500
capture sendfail.v6 run_unpriv "$NOROUTE" "$CHECK_BIN" pinger 2001:db8:1::9 500
for family in 4 6; do
  check_line sendfail.v$family out "send token=0 status=failed errno=ENETUNREACH" "send failure v$family: send() says failed"
  check_events sendfail.v$family reply=0 duplicate=0 timeout=0 icmp_error=0 send_failure=1
  check_grep sendfail.v$family out '^send_failure token=0 .* errno=ENETUNREACH$' "send failure v$family: the errno"
done
capture blocking.sendfail run_unpriv "$NOROUTE" "$CHECK_BIN" blocking 198.51.100.9 2000 1 100
check_grep blocking.sendfail out '^result reached=0 sent=0 replies=0 duplicates=0 icmp_errors=0 send_failures=1 timeouts=0 ' \
  "blocking: a refused send settles the probe"
check_field_between blocking.sendfail result elapsed_ms 0 1000 "blocking: returns once every probe is settled"

# --- past 65,536 probes in flight: a second socket, and every probe timed out once --------------------
# The target's link-layer address is a permanent neighbour entry no interface has: the frames leave
# and are dropped on the far side without a word (no ARP, no ICMP error).
new_netns SILENT
new_netns SINK
new_veth "$SILENT" veth0 "$SINK" veth1
setup ip netns exec "$SILENT" ip addr add 198.51.100.1/24 dev veth0
setup ip netns exec "$SILENT" ip neigh add 198.51.100.9 lladdr 02:00:00:00:00:09 dev veth0 nud permanent
LIVE_TIMEOUT=60 capture many run_unpriv "$SILENT" "$CHECK_BIN" many 198.51.100.9 70000 4000
check_line many out "sent in_flight=70000 sockets=2" "70,000 probes in flight over two sockets"
check_line many out "end timeouts=70000 other_events=0 in_flight=0" "each of the 70,000 probes timed out once"

# --- opening refused by net.ipv4.ping_group_range: a value with the diagnosis -------------------------
new_netns CLOSED "1 0"
capture open.refused run_unpriv "$CLOSED" "$CHECK_BIN" open 4
check_rc open.refused 0 "open refused"
check_line open.refused out "refused" "open refused: no socket, no exception"
check_grep open.refused out '^library_check: .*ping_group_range' "open refused: the diagnosis names the sysctl"
capture blocking.refused run_unpriv "$CLOSED" "$CHECK_BIN" blocking 127.0.0.1 1000 1 100
check_grep blocking.refused out '^result reached=0 sent=0 .* error=no ICMP socket \(' "blocking: the socket failure as a value"
capture open.allowed run_unpriv "$NOROUTE" "$CHECK_BIN" open 4
check_line open.allowed out "opened mode=datagram" "open: a datagram socket without privilege"

live_done
