#!/usr/bin/env bash
# Sweep mode, unprivileged in namespaces: mixed IPv4/IPv6 targets, -g ranges, --file and stdin,
# --alive/--unreachable with a silent host and an unreachable one, -x/-X exit codes, every --json
# line checked against the schema (test/live/check_json.py), the 127.0.0.0/16 sweep finding all
# 65,534 hosts, and the JSON schema under duplicates and loss from the scriptable peer.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init
command -v python3 >/dev/null || live_skip "python3 is not installed (bash .ci/install-deps)"

# client: loopback, plus a veth to a router namespace. The router (198.51.100.1) ignores echo
# requests (the silent host) and answers for 203.0.113.0/25 with "host unreachable".
new_netns client
new_netns router
ns_confine_resolver "$client"
new_veth "$client" uping0 "$router" uping1
setup ip netns exec "$router" ip addr add 198.51.100.1/24 dev uping1
setup ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_echo_ignore_all=1 net.ipv4.icmp_ratelimit=0
setup ip netns exec "$router" ip route add unreachable 203.0.113.0/25
setup ip netns exec "$client" ip addr add 198.51.100.2/24 dev uping0
setup ip netns exec "$client" ip route add default via 198.51.100.1
SILENT=198.51.100.1
# IPv4 routing errors are limited host-wide (about 2, then 1 a second): one fresh unreachable
# address per run keeps each run's error out of the previous run's budget.
unreachable_seq=5
next_unreachable() {
  UNREACHABLE=203.0.113.$unreachable_seq
  unreachable_seq=$((unreachable_seq + 1))
}

sweep() {
  local tag=$1
  shift
  capture "$tag" run_unpriv "$client" "$UPING_BIN" "$@"
}

# --- several targets, both families -------------------------------------------------------------
sweep mixed 127.0.0.1 ::1 127.0.0.2 localhost
check_rc mixed 0 "four targets, IPv4 and IPv6"
check_count mixed out '^--- .* ping statistics ---$' 4 "four targets"
check_line mixed out "--- ::1 ping statistics ---" "four targets"
check_line mixed out "--- localhost ping statistics ---" "four targets"
check_count mixed out '^1 packets transmitted, 1 received, 0% packet loss' 4 "four targets"
check_grep mixed out '^64 bytes from localhost \(127\.0\.0\.1\): icmp_seq=1 ttl=64 time=' "four targets"

sweep mixed_q -q -c 2 -i 0.05 127.0.0.1 ::1
check_rc mixed_q 0 "-q -c 2"
check_no_grep mixed_q out 'bytes from' "-q -c 2"
check_count mixed_q out '^2 packets transmitted, 2 received, 0% packet loss' 2 "-q -c 2"
check_count mixed_q out '^rtt min/avg/max/mdev = ' 2 "-q -c 2"

# --- ranges ----------------------------------------------------------------------------------------
sweep cidr --alive -g 127.0.1.0/29
check_rc cidr 0 "-g 127.0.1.0/29 --alive"
check_count cidr out '^127\.0\.1\.[1-6]$' 6 "-g 127.0.1.0/29 --alive (network and broadcast skipped)"
check_count cidr out '.' 6 "-g 127.0.1.0/29 --alive"

sweep range6 --alive -g ::1-::1 -g 127.0.2.250-127.0.3.1
check_rc range6 0 "start-end ranges"
check_count range6 out '.' 9 "start-end ranges"
check_line range6 out "127.0.2.255" "start-end ranges"

sweep bad_range -g 127.0.0.0/33
check_rc bad_range 2 "-g 127.0.0.0/33"
check_fixed bad_range err "prefix length must be 0 to 32" "-g 127.0.0.0/33"

# --- --file and stdin --------------------------------------------------------------------------
printf '# targets\n127.0.0.3\n\n::1   comment\n127.0.0.4\n' >"$LIVE_DIR/targets.txt"
chmod 644 "$LIVE_DIR/targets.txt"
sweep file --alive --file "$LIVE_DIR/targets.txt"
check_rc file 0 "--file"
check_count file out '.' 3 "--file"
check_line file out "::1" "--file"

capture stdin run_unpriv "$client" sh -c "printf '127.0.0.5\n127.0.0.6\n' | '$UPING_BIN' --alive --file -"
check_rc stdin 0 "--file - (stdin)"
check_count stdin out '^127\.0\.0\.[56]$' 2 "--file - (stdin)"

sweep no_file --file "$LIVE_DIR/missing.txt"
check_rc no_file 2 "--file of a missing file"
check_fixed no_file err "No such file or directory" "--file of a missing file"

# --- alive, unreachable, thresholds --------------------------------------------------------------
next_unreachable
sweep alive --alive -W 0.5 127.0.0.1 $SILENT "$UNREACHABLE" ::1
check_rc alive 1 "--alive with a silent and an unreachable host"
check_count alive out '.' 2 "--alive"
check_line alive out "127.0.0.1" "--alive"
check_line alive out "::1" "--alive"

next_unreachable
sweep unreachable --unreachable -W 0.5 127.0.0.1 $SILENT "$UNREACHABLE"
check_rc unreachable 1 "--unreachable"
check_count unreachable out '.' 2 "--unreachable"
check_line unreachable out "$SILENT" "--unreachable (silent)"
check_line unreachable out "$UNREACHABLE" "--unreachable (ICMP error)"

sweep x1 -q -x 1 -W 0.3 127.0.0.1 $SILENT
check_rc x1 0 "-x 1 with one of two answering"
sweep x2 -q -x 2 -W 0.3 127.0.0.1 $SILENT
check_rc x2 1 "-x 2 with one of two answering"
sweep X1 --alive -X 1 -W 5 127.0.0.1 $SILENT
check_rc X1 0 "-X 1 stops at the first answer"
check_within X1 0 3000 "-X 1 does not wait for the silent host's 5 s timeout"
check_line X1 out "127.0.0.1" "-X 1"
sweep X2 -q -X 2 -W 0.3 127.0.0.1 $SILENT
check_rc X2 1 "-X 2 with one of two answering"

# --- JSON ----------------------------------------------------------------------------------------
next_unreachable
sweep json --json -c 2 -i 0.1 -W 0.5 127.0.0.1 ::1 $SILENT "$UNREACHABLE" nosuch.invalid localhost
check_rc json 2 "--json with an unresolvable name"
check_json json count:reply=6 count:timeout=2 count:icmp_error=+ count:target_error=1 count:summary=5 \
  alive=3 failed=1 unreachable=2 exit=2 stopped=complete
check_grep json out '"type":"icmp_error",.*"from":"198\.51\.100\.1",.*"icmp_type":3,"icmp_code":1,"text":"Destination Host Unreachable"' "--json ICMP error"
check_grep json out '"type":"reply","target":"localhost","addr":"127\.0\.0\.1"' "--json target name and address"
# Percentiles and jitter: present for the three targets that answered twice, null for the others;
# check_json.py checks min <= p50 <= p90 <= p95 <= p99 <= max and the jitter bounds on every line.
check_json json summaries_with:rtt_ms=3 summaries_with:jitter_ms=3
check_grep json out '"type":"run",.*"rtt_ms":\{"min":[0-9.]+,"avg":[0-9.]+,"max":[0-9.]+,"mdev":[0-9.]+,"p50":[0-9.]+,"p90":[0-9.]+,"p95":[0-9.]+,"p99":[0-9.]+\},"jitter_ms":\{"rfc3550":[0-9.]+,"mean_diff":[0-9.]+\}' "--json run percentiles and jitter"

# A hostile file: names with quotes, backslashes, control characters and invalid UTF-8.
printf 'bad"name\\x\n\001\033[31m\n\377\376bytes\n127.0.0.7\n' >"$LIVE_DIR/hostile.txt"
chmod 644 "$LIVE_DIR/hostile.txt"
sweep json_hostile --json --file "$LIVE_DIR/hostile.txt"
check_rc json_hostile 2 "--json with hostile names"
check_json json_hostile count:target_error=3 alive=1

sweep json_deadline --json -c 100 -i 0.1 -w 0.5 127.0.0.1 $SILENT
check_rc json_deadline 1 "--json -w 0.5"
check_json json_deadline stopped=deadline alive=1 unreachable=1

# --- scale: 127.0.0.0/16, unprivileged, every host alive --------------------------------------------
LIVE_TIMEOUT=100 sweep slash16 --json --rate 0 -g 127.0.0.0/16
check_rc slash16 0 "-g 127.0.0.0/16 --rate 0"
check_json slash16 targets=65534 alive=65534 unreachable=0 failed=0 count:summary=65534 count:timeout=0
check_json slash16 summaries_with:rtt_ms=65534 summaries_with:jitter_ms=0  # -c 1: one reply each, no jitter

# --- duplicates and loss from the scriptable peer -------------------------------------------------
PEER_TIMEOUT=25
peer_init
new_netns peerns
if start_peer peer "$peerns" --duplicate 1 --drop-every 3; then
  capture peer run_unpriv "$peerns" "$UPING_BIN" --json -c 3 -i 0.1 -W 0.5 -g 203.0.113.1-203.0.113.4 2001:db8:feed::5
  check_json peer count:reply=+ count:timeout=+ duplicates=+ targets=5
  check_json peer summaries_with:rtt_ms=+ summaries_with:jitter_ms=+  # with duplicates and losses
  check_grep peer out '"dup":true' "--json duplicates from the peer"
  check_grep peer out '"type":"timeout"' "--json losses from the peer"
  kill_peer
else
  fail "the peer did not come up"
fi

live_done
