#!/usr/bin/env bash
# Floods with interval 0 (-f, -i 0), in the container case (root without CAP_NET_RAW, on a
# datagram socket), under strace -c: every reply counted once and printed in order, a sendto and
# a recvmsg per echo (the reply is taken inline, after the send that loopback answers within).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

command -v strace >/dev/null || live_skip "strace is not installed (bash .ci/install-deps)"

readonly ECHOES=20000
readonly MOST=$((ECHOES * 9 / 10))  # "per echo": allows the first probe and the epoll wake-ups

new_netns ns

# container_root NS CMD...: uid 0 without CAP_NET_RAW (docker run --cap-drop NET_RAW).
container_root() {
  local ns=$1
  shift
  run_root "$ns" setpriv --bounding-set=-net_raw --inh-caps=-net_raw "$@"
}

# traced TAG NS CMD...: capture TAG of CMD run as container root under strace -f -c (summary in out/TAG.strace).
traced() {
  local tag=$1 ns=$2
  shift 2
  capture "$tag" container_root "$ns" env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -c -o "$LIVE_OUT/$tag.strace" "$@"
}

# calls TAG SYSCALL: how many times out/TAG.strace counted SYSCALL (0 when absent).
calls() {
  awk -v name="$2" '$NF == name { print $4; found = 1 } END { if (!found) print 0 }' "$LIVE_OUT/$1.strace"
}

# check_calls TAG SYSCALL OP N DESCRIPTION: the count of SYSCALL compares (-ge, -le, -eq) with N.
check_calls() {
  local tag=$1 name=$2 op=$3 want=$4 desc=$5 got
  got=$(calls "$tag" "$name")
  if [ "$got" "$op" "$want" ]; then
    pass "$desc: $got $name calls ($op $want)"
  else
    fail "$desc: $got $name calls, expected $op $want"
    sed 's/^/    | /' "$LIVE_OUT/$tag.strace"
  fi
}

# check_exact_counts TAG N DESCRIPTION: N sent, N received, nothing else, exit 0, silent stderr.
check_exact_counts() {
  local tag=$1 n=$2 desc=$3
  check_rc "$tag" 0 "$desc"
  check_grep "$tag" out "^$n packets transmitted, $n received, 0% packet loss, time [0-9]+ms" "$desc: exact counts"
  check_no_grep "$tag" out 'duplicates|errors|corrupted|DUP!' "$desc: no duplicate, error or corruption"
  check_empty "$tag" err "$desc"
}

# check_in_order TAG N DESCRIPTION: the reply lines carry icmp_seq 1..N, each once, in order.
check_in_order() {
  local tag=$1 n=$2 desc=$3
  if diff -q <(grep -oE 'icmp_seq=[0-9]+ ' "$LIVE_OUT/$tag.out" | tr -dc '0-9\n') <(seq 1 "$n") >/dev/null; then
    pass "$desc: icmp_seq 1..$n, each once, in order"
  else
    fail "$desc: the reply lines are not icmp_seq 1..$n in order"
    diff <(grep -oE 'icmp_seq=[0-9]+ ' "$LIVE_OUT/$tag.out" | tr -dc '0-9\n') <(seq 1 "$n") | head -n 20 | sed 's/^/    | /'
  fi
}

traced plain "$ns" "$UPING_BIN" -f -c "$ECHOES" -q 127.0.0.1
check_exact_counts plain "$ECHOES" "-f -c $ECHOES"
check_calls plain sendto -ge "$MOST" "-f: a sendto per echo"
check_calls plain recvmsg -ge "$MOST" "-f: a recvmsg per echo"

traced plain6 "$ns" "$UPING_BIN" -6 -f -c "$ECHOES" -q ::1
check_exact_counts plain6 "$ECHOES" "-6 -f -c $ECHOES"

# Every reply printed once, in its place, none lost at the end.
traced printed "$ns" "$UPING_BIN" -i 0 -c 3000 127.0.0.1
check_exact_counts printed 3000 "-i 0 -c 3000"
check_in_order printed 3000 "-i 0 -c 3000"
check_count printed out '^64 bytes from 127\.0\.0\.1: icmp_seq=[0-9]+ ttl=64 time=[0-9.]+ ms$' 3000 \
  "-i 0 -c 3000: TTL and time from the control messages"

# Four in flight (preload): one reply taken per send, the socket queue holds the rest.
traced preload "$ns" "$UPING_BIN" -f -l 4 -c "$ECHOES" -q 127.0.0.1
check_exact_counts preload "$ECHOES" "-f -l 4 -c $ECHOES"

live_done
