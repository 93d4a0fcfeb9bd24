#!/usr/bin/env bash
# Closed net.ipv4.ping_group_range ("1 0", the kernel default): unprivileged, neither a datagram nor a
# raw socket is possible and uping must say why and how to fix it (exit 2); as root it falls back to a
# raw socket and works.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns "1 0"

for target in 127.0.0.1 ::1; do
  t=${target//[:.]/_}
  tag=closed$t
  run_pair "$tag" "$ns" -c 1 "$target"
  check_rc "$tag.ping" 2 "iputils ping -c 1 $target, range closed (reference)"
  check_same_stdout "$tag" "-c 1 $target, range closed"
  check_rc "$tag.uping" 2 "-c 1 $target, range closed (uping)"
  # The diagnosis names the sysctl, its value, the caller's ids, the missing capability and the fix.
  # The sysctl gates ICMPv6 ping sockets too.
  for text in ping_group_range "1 0" "$LIVE_UNPRIV_UID" CAP_NET_RAW "sysctl -w net.ipv4.ping_group_range="; do
    check_fixed "$tag.uping" err "$text" "diagnosis for $target (uping)"
  done
  n=$(wc -l <"$LIVE_OUT/$tag.uping.err")
  if ((n >= 2 && n <= 12)); then
    pass "diagnosis for $target (uping): $n lines"
  else
    fail "diagnosis for $target (uping): $n lines on stderr, expected a few (2..12)"
    show "$tag.uping"
  fi
done

# Root in the same namespace: the datagram socket is refused (EACCES), the raw socket is allowed.
tag=root
run_pair_root "$tag" "$ns" -c 2 -i 0.2 127.0.0.1
compare_pair "$tag" "root, range closed, -c 2 -i 0.2 127.0.0.1" 0
tag=root6
run_pair_root "$tag" "$ns" -c 2 -i 0.2 ::1
compare_pair "$tag" "root, range closed, -c 2 -i 0.2 ::1" 0

tag=rootv
capture "$tag.uping" run_root "$ns" "$UPING_BIN" -v -c 1 127.0.0.1
check_rc "$tag.uping" 0 "root, range closed, -v -c 1 127.0.0.1 (uping)"
check_fixed "$tag.uping" err SOCK_RAW "root, range closed, -v (uping reports the raw socket)"
check_count "$tag.uping" out '^64 bytes from 127\.0\.0\.1: icmp_seq=1 ident=[0-9]+ ttl=[0-9]+ time=' 1 \
  "root, range closed, -v (uping reply line)"

live_done
