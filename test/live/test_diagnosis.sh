#!/usr/bin/env bash
# Closed net.ipv4.ping_group_range ("1 0", the kernel default): unprivileged, neither a datagram nor a
# raw socket is possible and uping must say why and how to fix it (exit 2); as root it falls back to a
# raw socket and works. With the range open: -e 0 (identifier 0 forces a raw socket) is told apart
# from the kernel's policy, and so is a seccomp filter that refuses ICMP datagram sockets with EPERM
# (uping_without_icmp_datagram, built next to uping).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

WITHOUT_ICMP_DATAGRAM=${UPING_WITHOUT_ICMP_DATAGRAM:-$(dirname "$UPING")/test/live/uping_without_icmp_datagram}
[[ -x $WITHOUT_ICMP_DATAGRAM ]] ||
  live_skip "$WITHOUT_ICMP_DATAGRAM is not built (cmake --build --preset dev builds uping_without_icmp_datagram)"
# A copy in LIVE_DIR: uid 65534 may not be able to reach the build tree.
cp -- "$WITHOUT_ICMP_DATAGRAM" "$LIVE_DIR/without_icmp_datagram"
chmod 755 "$LIVE_DIR/without_icmp_datagram"
WITHOUT_ICMP_DATAGRAM=$LIVE_DIR/without_icmp_datagram

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

# -e 0 with the range open, unprivileged: identifier 0 needs a raw socket; the diagnosis says that
# and that leaving out -e 0 works, not that the kernel refused datagram sockets.
new_netns open_ns
for target in 127.0.0.1 ::1; do
  tag=ident0${target//[:.]/_}
  capture "$tag" run_unpriv "$open_ns" "$UPING_BIN" -e 0 -c 1 "$target"
  check_rc "$tag" 2 "-e 0 -c 1 $target, range open"
  check_fixed "$tag" err "identifier 0 (-e 0) forces a raw socket" "-e 0 $target, range open: the cause"
  check_fixed "$tag" err "fix: leave out -e 0" "-e 0 $target, range open: the fix"
  check_no_grep "$tag" err 'kernel refused|sysctl -w|--cap-add' "-e 0 $target, range open: no misleading fix"
done
capture ident0_without_e run_unpriv "$open_ns" "$UPING_BIN" -c 1 127.0.0.1
check_rc ident0_without_e 0 "-c 1 127.0.0.1 without -e 0, range open (the advice holds)"

# A seccomp filter refusing ICMP datagram sockets with EPERM while the range admits the caller: the
# diagnosis names the filter and where it comes from, not CAP_NET_RAW or the sysctl.
for target in 127.0.0.1 ::1; do
  tag=seccomp${target//[:.]/_}
  capture "$tag" run_unpriv "$open_ns" "$WITHOUT_ICMP_DATAGRAM" "$UPING_BIN" -c 1 "$target"
  check_rc "$tag" 2 "-c 1 $target under a seccomp filter"
  check_fixed "$tag" err "SOCK_DGRAM: Operation not permitted" "-c 1 $target under a seccomp filter: the error"
  check_fixed "$tag" err "refused by a seccomp filter or a security module (AppArmor, SELinux), not by net.ipv4.ping_group_range" \
    "-c 1 $target under a seccomp filter: the cause"
  for text in "--security-opt seccomp=" "securityContext.seccompProfile" "AppArmor profile"; do
    check_fixed "$tag" err "$text" "-c 1 $target under a seccomp filter: where filters come from"
  done
  check_no_grep "$tag" err 'sysctl -w|--cap-add' "-c 1 $target under a seccomp filter: no misleading fix"
done
tag=seccomp_sweep
capture "$tag" run_unpriv "$open_ns" "$WITHOUT_ICMP_DATAGRAM" "$UPING_BIN" --json -c 1 127.0.0.1 ::1
check_rc "$tag" 2 "sweep under a seccomp filter"
check_fixed "$tag" err "refused by a seccomp filter or a security module" "sweep under a seccomp filter: the cause"
tag=seccomp_diagnose
capture "$tag" run_unpriv "$open_ns" "$WITHOUT_ICMP_DATAGRAM" "$UPING_BIN" --diagnose
check_rc "$tag" 1 "--diagnose under a seccomp filter"
check_line "$tag" out "IPv4: datagram socket (unprivileged): no (Operation not permitted); raw socket: no (Operation not permitted)" \
  "--diagnose under a seccomp filter"
check_grep "$tag" out '^fix: a seccomp filter or a security module refuses ICMP datagram sockets' "--diagnose under a seccomp filter"
for text in "Docker:     docker run --security-opt seccomp=" "Kubernetes: securityContext.seccompProfile" "AppArmor:" "SELinux:"; do
  check_fixed "$tag" out "$text" "--diagnose under a seccomp filter: where filters come from"
done
check_no_grep "$tag" out 'sysctl -w' "--diagnose under a seccomp filter: no sysctl fix"

live_done
