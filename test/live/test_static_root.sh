#!/usr/bin/env bash
# The static release binary in an empty root file system: what a `FROM scratch` image with
# `USER 65534` gets. The binary (the `static` preset's, found through UPING_STATIC_BIN) is copied into an
# empty directory with nothing but an /etc/hosts — no /proc, no /dev, no libraries, no NSS plugins — and
# run there through chroot as uid 65534, with CAP_NET_RAW out of the bounding set, inside a network
# namespace whose ping_group_range admits every group (what Docker >= 20.10 and the example pod's sysctl
# set). No Docker engine runs here: this is the executable check of the examples/ images.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

STATIC_BIN=${UPING_STATIC_BIN:-}
if [[ -z $STATIC_BIN || ! -f $STATIC_BIN ]]; then
  live_skip "no static binary at '${STATIC_BIN:-<UPING_STATIC_BIN unset>}': build it with" \
    "cmake --preset static && cmake --build --preset static"
fi
for tool in chroot readelf find; do
  command -v "$tool" >/dev/null || live_skip "$tool is not installed (bash .ci/install-deps)"
done
echo "static binary: $STATIC_BIN ($(stat -c %s "$STATIC_BIN") bytes)"

# --- the binary is self-contained --------------------------------------------------------------------
LIVE_OUT_ELF=$LIVE_OUT/elf
readelf -lW "$STATIC_BIN" >"$LIVE_OUT_ELF.l" 2>&1
readelf -dW "$STATIC_BIN" >"$LIVE_OUT_ELF.d" 2>&1
readelf -hW "$STATIC_BIN" >"$LIVE_OUT_ELF.h" 2>&1
readelf -SW "$STATIC_BIN" >"$LIVE_OUT_ELF.s" 2>&1
if grep -q 'INTERP' "$LIVE_OUT_ELF.l"; then
  fail "static binary: has a program interpreter (dynamically linked)"
else
  pass "static binary: no program interpreter"
fi
if grep -q '(NEEDED)' "$LIVE_OUT_ELF.d"; then
  fail "static binary: needs shared libraries: $(grep '(NEEDED)' "$LIVE_OUT_ELF.d" | tr -s ' ' | tr '\n' ' ')"
else
  pass "static binary: needs no shared library"
fi
if grep -Eq 'Type:[[:space:]]+DYN' "$LIVE_OUT_ELF.h"; then
  pass "static binary: position-independent (static-pie)"
else
  fail "static binary: not position-independent: $(grep 'Type:' "$LIVE_OUT_ELF.h")"
fi
if grep -q '\.symtab' "$LIVE_OUT_ELF.s"; then
  fail "static binary: not stripped (.symtab present)"
else
  pass "static binary: stripped"
fi
size=$(stat -c %s "$STATIC_BIN")
# 3 MB since --monitor: Boost.Beast's HTTP parser and serializer (header-only, compiled in) and the
# monitor itself added some 0.4 MB to the 2.5 MB bound the other modes kept.
if ((size <= 3000000)); then
  pass "static binary: $size bytes (at most 3 MB)"
else
  fail "static binary: $size bytes, more than 3 MB"
fi

# --- an empty root with an /etc/hosts --------------------------------------------------------------
ROOT=$LIVE_DIR/root
mkdir -p "$ROOT/etc"
cp -- "$STATIC_BIN" "$ROOT/uping"
printf '127.0.0.1\tlocalhost\n::1\tip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
chmod 755 "$ROOT" "$ROOT/etc" "$ROOT/uping"
chmod 644 "$ROOT/etc/hosts"
listing=$(cd "$ROOT" && find . -mindepth 1 | sort | tr '\n' ' ')
if [[ $listing == "./etc ./etc/hosts ./uping " ]]; then
  pass "the root holds only /uping and /etc/hosts"
else
  fail "the root holds more than /uping and /etc/hosts: $listing"
fi

new_netns ns
new_netns closed_ns "1 0"

# in_root TAG NS ARGS...: /uping ARGS inside the root as uid/gid 65534 without supplementary groups,
# CAP_NET_RAW out of the bounding set (chroot needs CAP_SYS_CHROOT, so root enters it and chroot's
# --userspec drops to 65534, which clears every capability).
in_root() {
  local tag=$1 ns=$2
  shift 2
  capture "$tag" timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
    setpriv --inh-caps=-all --bounding-set=-net_raw \
    chroot --userspec=$LIVE_UNPRIV_UID:$LIVE_UNPRIV_UID --groups=$LIVE_UNPRIV_UID "$ROOT" /uping "$@"
}

in_root v4 "$ns" -v -e 4242 -c 2 -i 0.2 127.0.0.1
check_rc v4 0 "empty root: -c 2 127.0.0.1"
check_fixed v4 err "(socktype: SOCK_DGRAM)" "empty root: datagram socket"
check_count v4 out '^64 bytes from 127\.0\.0\.1: icmp_seq=[12] ident=4242 ttl=64 time=' 2 "empty root: -v -e 4242 -c 2 127.0.0.1"

in_root name "$ns" -c 1 localhost
check_rc name 0 "empty root: -c 1 localhost (from /etc/hosts, without NSS plugins)"
check_line name out "PING localhost (127.0.0.1) 56(84) bytes of data." "empty root: -c 1 localhost"
check_grep name out '^64 bytes from localhost \(127\.0\.0\.1\): icmp_seq=1 ttl=64 time=' "empty root: -c 1 localhost"

in_root v6 "$ns" -c 1 ip6-localhost
check_rc v6 0 "empty root: -c 1 ip6-localhost"
check_grep v6 out '^64 bytes from ip6-localhost \(::1\): icmp_seq=1 ttl=64 time=' "empty root: -c 1 ip6-localhost"

in_root health "$ns" --health 127.0.0.1 localhost ::1
check_rc health 0 "empty root: --health 127.0.0.1 localhost ::1"
check_count health out '^(127\.0\.0\.1|localhost|::1): healthy, rtt [0-9]+\.[0-9]{3} ms$' 3 "empty root: --health"

# The Dockerfile's HEALTHCHECK, word for word.
in_root healthq "$ns" --health -q 127.0.0.1
check_rc healthq 0 "empty root: --health -q 127.0.0.1 (the example HEALTHCHECK)"
check_empty healthq out "empty root: --health -q 127.0.0.1"
check_empty healthq err "empty root: --health -q 127.0.0.1"

# Without /proc the sysctl and the capability sets are unknown; the sockets tell the verdict.
in_root diag "$ns" --diagnose
check_rc diag 0 "empty root: --diagnose"
check_line diag out "IPv4: datagram socket (unprivileged): yes; raw socket: no (Operation not permitted)" "empty root: --diagnose"
check_line diag out "net.ipv4.ping_group_range: unreadable" "empty root: --diagnose"
check_line diag out "identity: uid $LIVE_UNPRIV_UID, gids $LIVE_UNPRIV_UID" "empty root: --diagnose"
check_line diag out "verdict: uping can ping without privilege (ICMP datagram sockets)" "empty root: --diagnose"

# The same image where the sysctl was not set: it explains itself, and the health check says unhealthy.
in_root closed "$closed_ns" -c 1 127.0.0.1
check_rc closed 2 "empty root, range closed: -c 1 127.0.0.1"
check_fixed closed err "cannot open an ICMP socket: IPv4 SOCK_DGRAM: Permission denied; IPv4 SOCK_RAW: Operation not permitted" \
  "empty root, range closed: diagnosis"
check_fixed closed err 'fix: sysctl -w net.ipv4.ping_group_range="0 2147483647"' "empty root, range closed: diagnosis"
in_root closed_health "$closed_ns" --health 127.0.0.1
check_rc closed_health 1 "empty root, range closed: --health"
check_fixed closed_health out "127.0.0.1: unhealthy, no ICMP socket" "empty root, range closed: --health"

# The monitor in the same root (no /proc: the process_* families are left out, nothing fails): a
# summary event after a second, then SIGTERM ends it with exit 0.
capture monitor timeout --preserve-status -k 2 -s TERM 2 ip netns exec "$ns" \
  setpriv --inh-caps=-all --bounding-set=-net_raw \
  chroot --userspec=$LIVE_UNPRIV_UID:$LIVE_UNPRIV_UID --groups=$LIVE_UNPRIV_UID "$ROOT" \
  /uping --monitor --json -i 0.2 --summary-every 1 127.0.0.1
check_rc monitor 0 "empty root: --monitor, SIGTERM after 2 s"
check_grep monitor out '"type":"monitor_summary","target":"127\.0\.0\.1"' "empty root: --monitor --json --summary-every 1"

# fping's personality is in the static binary too: a link named fping, as an image puts it in
# place of /usr/bin/fping, gets fping's per-reply line and summary.
ln -s uping "$ROOT/fping"
in_root_as() {  # in_root_as TAG NS NAME ARGS...: like in_root, invoking /NAME
  local tag=$1 ns=$2 name=$3
  shift 3
  capture "$tag" timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
    setpriv --inh-caps=-all --bounding-set=-net_raw \
    chroot --userspec=$LIVE_UNPRIV_UID:$LIVE_UNPRIV_UID --groups=$LIVE_UNPRIV_UID "$ROOT" "/$name" "$@"
}
in_root_as fping "$ns" fping -c 1 127.0.0.1
check_rc fping 0 "empty root: fping -c 1 127.0.0.1"
check_grep fping out '^127\.0\.0\.1 : \[0\], 64 bytes, [0-9.]+ ms \([0-9.]+ avg, 0% loss\)$' "empty root: fping -c 1: the reply line"
check_grep fping err '^127\.0\.0\.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$' \
  "empty root: fping -c 1: the summary"

live_done
