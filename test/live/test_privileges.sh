#!/usr/bin/env bash
# Privileges: once its socket is open uping holds no capability at all, whichever socket mode it
# got; a binary carrying cap_net_raw=p (no effective bit) raises CAP_NET_RAW only to open a raw
# socket when datagram sockets are refused.
source "$(dirname "$0")/lib.sh"
live_init

command -v setcap >/dev/null || live_skip "setcap is not installed (bash .ci/install-deps: libcap2-bin)"

# cap_sets_while_running TAG NS RUNNER...: starts a 2-second uping through RUNNER, reads the
# capability sets of the uping process from /proc while it pings, and records them in
# out/TAG.caps; the run's output goes to out/TAG.out / .err as usual.
cap_sets_while_running() {
  local tag=$1 ns=$2 pid="" i
  shift 2
  "$@" -c 10 -i 0.2 127.0.0.1 >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  local runner=$!
  for ((i = 0; i < 50; i++)); do
    [[ -n $pid ]] && break
    sleep 0.05
    pid=$(pgrep -n -f "^$LIVE_DIR/uping(-p)? (-v )?-c 10 -i 0\.2 127\.0\.0\.1$")
  done
  if [[ -n $pid ]]; then
    # Past the socket set-up: the first reply is printed (bounded wait, 5 s).
    for ((i = 0; i < 100; i++)); do
      grep -q 'bytes from' "$LIVE_OUT/$tag.out" 2>/dev/null && break
      sleep 0.05
    done
    grep -E '^Cap(Prm|Eff|Amb):' "/proc/$pid/status" >"$LIVE_OUT/$tag.caps"
  else
    : >"$LIVE_OUT/$tag.caps"
  fi
  wait "$runner"
  LIVE_RC[$tag]=$?
}

check_no_caps() {
  local tag=$1 desc=$2
  if [[ -s $LIVE_OUT/$tag.caps ]] && ! grep -Evq ':[[:space:]]+0+$' "$LIVE_OUT/$tag.caps"; then
    pass "$desc: CapPrm, CapEff and CapAmb are all zero while pinging"
  else
    fail "$desc: capabilities held while pinging:"
    sed 's/^/    | /' "$LIVE_OUT/$tag.caps"
    show "$tag"
  fi
}

new_netns open_ns
new_netns closed_ns "1 0"

# Root with the range open: a datagram socket, then nothing held.
cap_sets_while_running root_dgram "$open_ns" run_root "$open_ns" "$UPING_BIN" -v
check_rc root_dgram 0 "root, range open"
check_fixed root_dgram err "(socktype: SOCK_DGRAM)" "root, range open: datagram socket"
check_no_caps root_dgram "root, range open"

# Root with the range closed: the raw fallback, then nothing held.
cap_sets_while_running root_raw "$closed_ns" run_root "$closed_ns" "$UPING_BIN" -v
check_rc root_raw 0 "root, range closed"
check_fixed root_raw err "(socktype: SOCK_RAW)" "root, range closed: raw socket"
check_no_caps root_raw "root, range closed"

# uid 65534, range closed, binary with cap_net_raw=p and CAP_NET_RAW left in the bounding set:
# uping raises it for socket() only.
cp -- "$UPING_BIN" "$LIVE_DIR/uping-p"
chmod 755 "$LIVE_DIR/uping-p"
setup setcap cap_net_raw=p "$LIVE_DIR/uping-p"
cap_sets_while_running filecap "$closed_ns" timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$closed_ns" \
  setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all \
  "$LIVE_DIR/uping-p" -v
check_rc filecap 0 "uid 65534, cap_net_raw=p, range closed"
check_fixed filecap err "(socktype: SOCK_RAW)" "uid 65534, cap_net_raw=p: raw socket"
check_no_caps filecap "uid 65534, cap_net_raw=p"

# The same binary where the container dropped NET_RAW: the file capability cannot apply, and
# uping explains instead of failing to start (a cap_net_raw=ep binary could not even be executed).
capture filecap_dropped run_unpriv "$closed_ns" "$LIVE_DIR/uping-p" -c 1 127.0.0.1
check_rc filecap_dropped 2 "uid 65534, cap_net_raw=p, NET_RAW out of the bounding set"
check_fixed filecap_dropped err "ping_group_range" "uid 65534, cap_net_raw=p, NET_RAW dropped: diagnosis"

live_done
