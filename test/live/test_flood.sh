#!/usr/bin/env bash
# Floods through the send-then-receive ring, and without it.
#
# With interval 0 (-f, -i 0) uping sends through an io_uring that takes the reply in the same
# system call (src/send_receive_ring.cpp); where io_uring is refused it uses sendto and recvmsg.
# Both are run here in the container case (root without CAP_NET_RAW, on a datagram socket), under
# strace -c:
#   - with io_uring: one io_uring_enter per echo, no sendto or recvmsg per echo, and every reply
#     counted once and printed in order (none lost or repeated by the hand-over from the ring);
#   - under a seccomp filter that refuses io_uring as Docker's default profile does: the same
#     results through sendto and recvmsg, and nothing said about it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

command -v strace >/dev/null || live_skip "strace is not installed (bash .ci/install-deps)"
WITHOUT_IO_URING=${UPING_WITHOUT_IO_URING:-$(dirname "$UPING")/test/live/uping_without_io_uring}
[[ -x $WITHOUT_IO_URING ]] || live_skip "the seccomp wrapper $WITHOUT_IO_URING is not built (cmake --build --preset dev)"
cp -- "$WITHOUT_IO_URING" "$LIVE_DIR/without_io_uring"

readonly ECHOES=20000
readonly MOST=$((ECHOES * 9 / 10))  # "per echo": allows the first probe and the epoll wake-ups
readonly FEW=$((ECHOES / 10))

# The kernel may refuse io_uring to everyone (kernel.io_uring_disabled=2, or 1 without the group):
# then only the fallback can be tested, and that is said.
IO_URING_ALLOWED=1
if [[ -r /proc/sys/kernel/io_uring_disabled && $(cat /proc/sys/kernel/io_uring_disabled) != 0 ]]; then
  IO_URING_ALLOWED=0
  echo "note: kernel.io_uring_disabled=$(cat /proc/sys/kernel/io_uring_disabled): the ring path cannot be tested here"
fi

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

# --- through the ring ---------------------------------------------------------------------------------
traced ring "$ns" "$UPING_BIN" -f -c "$ECHOES" -q 127.0.0.1
check_exact_counts ring "$ECHOES" "-f -c $ECHOES (ring)"
if ((IO_URING_ALLOWED)); then
  check_calls ring io_uring_setup -eq 1 "-f (ring): one ring"
  check_calls ring io_uring_enter -ge "$MOST" "-f (ring): an io_uring_enter per echo"
  check_calls ring sendto -le "$FEW" "-f (ring): no sendto per echo"
  check_calls ring recvmsg -le "$FEW" "-f (ring): no recvmsg per echo"
fi

traced ring6 "$ns" "$UPING_BIN" -6 -f -c "$ECHOES" -q ::1
check_exact_counts ring6 "$ECHOES" "-6 -f -c $ECHOES (ring)"
((IO_URING_ALLOWED)) && check_calls ring6 io_uring_enter -ge "$MOST" "-6 -f (ring): an io_uring_enter per echo"

# Every reply printed: a reply the ring took is handed over once, in its place, never lost at the end.
traced printed "$ns" "$UPING_BIN" -i 0 -c 3000 127.0.0.1
check_exact_counts printed 3000 "-i 0 -c 3000 (ring)"
check_in_order printed 3000 "-i 0 -c 3000 (ring)"
check_count printed out '^64 bytes from 127\.0\.0\.1: icmp_seq=[0-9]+ ttl=64 time=[0-9.]+ ms$' 3000 \
  "-i 0 -c 3000 (ring): TTL and time from the ring's control messages"

# Four in flight (preload): the ring takes one reply per send, the socket queue holds the rest.
traced preload "$ns" "$UPING_BIN" -f -l 4 -c "$ECHOES" -q 127.0.0.1
check_exact_counts preload "$ECHOES" "-f -l 4 -c $ECHOES (ring)"

# --- io_uring refused (seccomp) ---------------------------------------------------------------------------
traced plain "$ns" "$LIVE_DIR/without_io_uring" "$UPING_BIN" -f -c "$ECHOES" -q 127.0.0.1
check_exact_counts plain "$ECHOES" "-f -c $ECHOES (io_uring refused)"
check_calls plain io_uring_enter -eq 0 "-f (io_uring refused): no ring"
check_calls plain sendto -ge "$MOST" "-f (io_uring refused): a sendto per echo"
check_calls plain recvmsg -ge "$MOST" "-f (io_uring refused): a recvmsg per echo"

traced plain_printed "$ns" "$LIVE_DIR/without_io_uring" "$UPING_BIN" -i 0 -c 3000 127.0.0.1
check_exact_counts plain_printed 3000 "-i 0 -c 3000 (io_uring refused)"
check_in_order plain_printed 3000 "-i 0 -c 3000 (io_uring refused)"

live_done
