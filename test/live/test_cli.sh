#!/usr/bin/env bash
# Bad input: exit codes and diagnostics, uping against the iputils copy where Debian's 20221126 and
# upstream 20250605 agree, and against 20250605's exact text where they differ.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
ns_confine_resolver "$ns"

# No target. 20221126 exits 1 here, 20250605 (and uping) 2; the message is the same.
tag=notarget
run_pair "$tag" "$ns"
check_same_stderr "$tag" "no target"
check_line "$tag.uping" err "ping: usage error: Destination address required" "no target (uping)"
check_rc "$tag.uping" 2 "no target (uping)"
check_empty "$tag.uping" out "no target (uping)"

# Range error of -c: exit 1, as iputils.
tag=count0
run_pair "$tag" "$ns" -c 0 127.0.0.1
compare_pair "$tag" "-c 0" 1
check_same_stderr "$tag" "-c 0"

# -s beyond the largest ICMP payload: 20221126 does not check (and hangs); 20250605 exits 1.
tag=size70000
capture "$tag.uping" run_unpriv "$ns" "$UPING_BIN" -c 1 -s 70000 127.0.0.1
check_rc "$tag.uping" 1 "-s 70000 127.0.0.1 (uping)"
check_line "$tag.uping" err "ping: invalid -s value: '70000': out of range: 0 <= value <= 65507" "-s 70000 127.0.0.1 (uping)"
check_empty "$tag.uping" out "-s 70000 127.0.0.1 (uping)"

# Unknown option: exit 2, "invalid option" then the usage.
tag=unknown
run_pair "$tag" "$ns" -y 127.0.0.1
compare_pair "$tag" "-y" 2
check_same_first_err_line "$tag" "-y"

# -4 with -6.
tag=both
run_pair "$tag" "$ns" -4 -6 127.0.0.1
compare_pair "$tag" "-4 -6" 2
check_same_stderr "$tag" "-4 -6"

# A name that does not resolve (lookups in this namespace use only its own /etc/hosts).
tag=noname
run_pair "$tag" "$ns" -c 1 nonexistent.invalid
compare_pair "$tag" "-c 1 nonexistent.invalid" 2
check_same_stderr "$tag" "-c 1 nonexistent.invalid"
check_line "$tag.uping" err "ping: nonexistent.invalid: Name or service not known" "nonexistent.invalid (uping)"

# A name that does resolve (from the namespace's /etc/hosts): localhost is 127.0.0.1 only there.
tag=localhost
run_pair "$tag" "$ns" -c 2 -i 0.2 localhost
compare_pair "$tag" "-c 2 -i 0.2 localhost" 0
check_line "$tag.uping" out "PING localhost (127.0.0.1) 56(84) bytes of data." "-c 2 localhost (uping header)"
check_line "$tag.uping" out "64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=T ms" "-c 2 localhost (uping reverse name)"

# Interval below the 2 ms allowed to a user: header, then the 20250605 message, exit 2.
tag=flood
run_pair "$tag" "$ns" -c 2 -i 0.001 127.0.0.1
compare_pair "$tag" "-c 2 -i 0.001 127.0.0.1 as uid $LIVE_UNPRIV_UID" 2
check_line "$tag.uping" err "ping: cannot flood, minimal interval for user must be >= 2 ms, use -i 0.002 (or higher)" \
  "-i 0.001 as uid $LIVE_UNPRIV_UID (uping)"

# Invoked as ping6 / ping4: the name implies the family.
tag=ping6v4
capture "$tag.ping" run_unpriv "$ns" "$LIVE_DIR/p/ping6" -c 1 127.0.0.1
capture "$tag.uping" run_unpriv "$ns" "$LIVE_DIR/u/ping6" -c 1 127.0.0.1
compare_pair "$tag" "ping6 -c 1 127.0.0.1" 2
check_same_stderr "$tag" "ping6 -c 1 127.0.0.1"

tag=ping4v6
capture "$tag.ping" run_unpriv "$ns" "$LIVE_DIR/p/ping4" -c 1 ::1
capture "$tag.uping" run_unpriv "$ns" "$LIVE_DIR/u/ping4" -c 1 ::1
compare_pair "$tag" "ping4 -c 1 ::1" 2
check_same_stderr "$tag" "ping4 -c 1 ::1"

# By name: iputils versions differ in the IPv6 header of a named target (20221126:
# "PING ip6-localhost(ip6-localhost (::1))", later ones "PING ip6-localhost (::1)"), so the header is
# checked for either form and the rest line by line.
tag=ping6
capture "$tag.ping" run_unpriv "$ns" "$LIVE_DIR/p/ping6" -c 2 -i 0.2 ip6-localhost
capture "$tag.uping" run_unpriv "$ns" "$LIVE_DIR/u/ping6" -c 2 -i 0.2 ip6-localhost
check_same_body "$tag" "ping6 -c 2 -i 0.2 ip6-localhost"
check_same_rc "$tag" "ping6 -c 2 -i 0.2 ip6-localhost"
check_rc "$tag.uping" 0 "ping6 -c 2 -i 0.2 ip6-localhost (uping)"
check_grep "$tag.uping" out '^PING ip6-localhost \((ip6-localhost \()?::1\)?\) 56 data bytes$' "ping6 ip6-localhost (uping header)"
check_count "$tag.uping" out '^64 bytes from ip6-localhost \(::1\): icmp_seq=[12] ttl=64 time=' 2 "ping6 ip6-localhost (uping uses IPv6)"

tag=ping6lit
capture "$tag.ping" run_unpriv "$ns" "$LIVE_DIR/p/ping6" -c 2 -i 0.2 ::1
capture "$tag.uping" run_unpriv "$ns" "$LIVE_DIR/u/ping6" -c 2 -i 0.2 ::1
compare_pair "$tag" "ping6 -c 2 -i 0.2 ::1" 0

live_done
