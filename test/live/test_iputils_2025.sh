#!/usr/bin/env bash
# Where uping follows iputils 20250605 and Debian's 20221126 (the live reference of
# test_compat.sh) differs, uping is checked against 20250605's text, read from its sources.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
ns_confine_resolver "$ns"

# -v: the ai->ai_family line goes to stderr (error(0, 0, ...)), and a datagram socket's reply
# lines carry ident= only when -e chose the identifier.
tag=verbose
capture "$tag" run_unpriv "$ns" "$UPING_BIN" -c 1 -v 127.0.0.1
check_rc "$tag" 0 "-v 127.0.0.1"
check_line "$tag" err "ping: ai->ai_family: AF_INET, ai->ai_canonname: '127.0.0.1'" "-v 127.0.0.1"
check_no_grep "$tag" out 'ai->ai_family' "-v 127.0.0.1"
check_line "$tag" out "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=T ms" "-v 127.0.0.1 (no ident=)"

tag=verbose_ident
capture "$tag" run_unpriv "$ns" "$UPING_BIN" -c 1 -v -e 4321 127.0.0.1
check_rc "$tag" 0 "-v -e 4321 127.0.0.1"
check_line "$tag" out "64 bytes from 127.0.0.1: icmp_seq=1 ident=4321 ttl=64 time=T ms" "-v -e 4321 127.0.0.1"

# Every answer looked at is listed; -4 takes the first IPv4 one (ip6-localhost has none here).
tag=verbose_family
capture "$tag" run_unpriv "$ns" "$UPING_BIN" -c 1 -v -4 ip6-localhost
check_rc "$tag" 2 "-v -4 ip6-localhost"
check_line "$tag" err "ping: ai->ai_family: AF_INET6, ai->ai_canonname: 'ip6-localhost'" "-v -4 ip6-localhost"
check_line "$tag" err "ping: ip6-localhost: Address family for hostname not supported" "-v -4 ip6-localhost"

# An IPv6 target is named as typed, an alias included (20221126: "PING ip6-loopback(ip6-localhost (::1))").
tag=alias6
capture "$tag" run_unpriv "$ns" "$UPING_BIN" -c 1 ip6-loopback
check_rc "$tag" 0 "ip6-loopback"
check_line "$tag" out "PING ip6-loopback (::1) 56 data bytes" "ip6-loopback (header)"
check_line "$tag" out "--- ip6-loopback ping statistics ---" "ip6-loopback (statistics)"

# -W: at most 4294.967295 s (uint32_t microseconds); 20221126 allowed 2147483 s.
tag=linger_over
capture "$tag" run_unpriv "$ns" "$UPING_BIN" -c 1 -W 4295 127.0.0.1
check_rc "$tag" 2 "-W 4295"
check_line "$tag" err "ping: bad linger time: 4295" "-W 4295"
check_empty "$tag" out "-W 4295"

live_done
