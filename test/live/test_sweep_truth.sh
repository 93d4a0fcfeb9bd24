#!/usr/bin/env bash
# Sweeps and health checks tell the truth, unprivileged in namespaces (issue 11, points 2-5, 10, 15):
# - a name server that never answers holds neither the run (-w bounds it, names resolve off the
#   pacing thread and concurrently) nor the other targets, nor SIGINT; --health judges a literal
#   address on its own while names are still resolving;
# - a probe the kernel refuses (no route: ENETUNREACH, link-local without scope: EINVAL, a
#   broadcast: EACCES) is a send error at once, not a sent probe and a timeout a second later;
# - targets the run never probed are accounted for, and what it never took is said on stderr;
# - SIGINT after every target answered exits 0, as iputils;
# - addresses show in canonical form; an error names the target once; --json closes with its run
#   line even without a socket; -s above 65507 is refused for IPv4 targets only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init
command -v python3 >/dev/null || live_skip "python3 is not installed (bash .ci/install-deps)"
command -v pgrep >/dev/null || live_skip "pgrep is not installed (bash .ci/install-deps)"

# client: loopback and a veth to the router (198.51.100.1), which forwards into nothing: 203.0.113.0/25
# is a blackhole there (probes vanish without a word), and so is the name server 203.0.113.100, so
# getaddrinfo waits out its 10 s timeout for every name not in /etc/hosts.
new_netns client
new_netns router
new_veth "$client" uping0 "$router" uping1
setup ip netns exec "$router" ip addr add 198.51.100.1/24 dev uping1
setup ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
setup ip netns exec "$router" ip route add blackhole 203.0.113.0/25
setup ip netns exec "$client" ip addr add 198.51.100.2/24 dev uping0
setup ip netns exec "$client" ip route add default via 198.51.100.1
ns_confine_resolver "$client"
printf 'hosts: files dns\n' >"/etc/netns/$client/nsswitch.conf"
printf 'nameserver 203.0.113.100\noptions timeout:10 attempts:1\n' >"/etc/netns/$client/resolv.conf"

# lonely: no route anywhere; a veth with 198.51.100.2/24 gives it a broadcast address and a link.
new_netns lonely
new_netns lonely_peer
new_veth "$lonely" uping2 "$lonely_peer" uping3
setup ip netns exec "$lonely" ip addr add 198.51.100.2/24 dev uping2
ns_confine_resolver "$lonely"

# nosock: no group may open an ICMP datagram socket, and CAP_NET_RAW is gone: no socket at all.
new_netns nosock "1 0"

run_in() {
  local tag=$1 ns=$2
  shift 2
  capture "$tag" run_unpriv "$ns" "$UPING_BIN" "$@"
}

# wait_for FILE ERE N: up to 5 s for N lines of FILE to match ERE.
wait_for() {
  local i
  for ((i = 0; i < 100; i++)); do
    (($(grep -Ec -- "$2" "$1" 2>/dev/null) >= $3)) && return 0
    sleep 0.05
  done
  return 1
}

# interrupt TAG PATTERN ERE N NS ARGS...: uping ARGS in NS, SIGINT once N lines of its stdout match
# ERE; LIVE_RC[TAG] and LIVE_MS[TAG] (milliseconds from the SIGINT to the exit).
interrupt() {
  local tag=$1 pattern=$2 re=$3 n=$4 ns=$5 runner pid t0
  shift 5
  run_unpriv "$ns" "$UPING_BIN" "$@" >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  runner=$!
  pid=$(pid_of "$pattern")
  if [[ -z $pid ]] || ! wait_for "$LIVE_OUT/$tag.out" "$re" "$n"; then
    fail "$tag: no $n lines matching /$re/ within 5 s"
    show "$tag"
  fi
  t0=$(date +%s%N)
  [[ -n $pid ]] && kill -INT "$pid"
  wait "$runner"
  LIVE_RC[$tag]=$?
  LIVE_MS[$tag]=$((($(date +%s%N) - t0) / 1000000))
}

# --- point 2: a name server that never answers ------------------------------------------------------
# Before: names resolved one after another on the pacing thread, 10 s each here: 30 s, and 127.0.0.1's
# probes waited behind them.
run_in hung "$client" --json -w 2 -c 3 -i 0.5 a.example b.example c.example 127.0.0.1
check_within hung 1900 5000 "-w 2 bounds the run, name resolution included"
check_rc hung 1 "-w 2 with three names unresolved"
check_json hung count:reply=3 targets=4 alive=1 unfinished=3 unreachable=0 failed=0 stopped=deadline
check_grep hung out '"type":"summary","target":"a\.example","addr":null,"sent":0,.*"complete":false' \
  "a name still resolving at the deadline is accounted for"
check_count hung out '"type":"reply","target":"127\.0\.0\.1"' 3 "127.0.0.1 keeps its schedule (-c 3 -i 0.5 within -w 2)"

interrupt hung_int "^$UPING_BIN --json -c 100 -i 0\\.2 a\\.example 127\\.0\\.0\\.1$" '"type":"reply"' 2 "$client" \
  --json -c 100 -i 0.2 a.example 127.0.0.1
check_within hung_int 0 1000 "SIGINT with a lookup blocked ends the run at once"
check_rc hung_int 0 "SIGINT after 127.0.0.1 answered, a.example still resolving"
check_json hung_int stopped=interrupted alive=1 unfinished=1 exit=0

health_hung() {
  capture "$1" run_unpriv "$client" "$UPING_BIN" --health "${@:2}"
}
health_hung health_hung -w 0.5 a.example 127.0.0.1 b.example
check_rc health_hung 1 "--health with a hung resolver and a literal address"
check_line health_hung out "a.example: unhealthy, name resolution not finished in 500 ms" "--health: the name still resolving"
check_grep health_hung out '^127\.0\.0\.1: healthy, rtt [0-9]+\.[0-9]{3} ms$' "--health: the literal address gets its own verdict"
check_line health_hung out "b.example: unhealthy, name resolution not finished in 500 ms" "--health: names resolve concurrently"
check_grep health_hung out '^a\.example:' "--health: command-line order kept"
if [[ $(head -n 1 "$LIVE_OUT/health_hung.out") == a.example:* && $(sed -n 2p "$LIVE_OUT/health_hung.out") == 127.0.0.1:* ]]; then
  pass "--health: lines in command-line order"
else
  fail "--health: lines not in command-line order"
  show health_hung
fi
check_within health_hung 400 3000 "--health -w 0.5 with a hung resolver"

# --- point 3: a probe the kernel refused ----------------------------------------------------------
run_in refused "$lonely" --json -W 5 203.0.113.9 2001:db8::9 127.0.0.1 fe80::1 198.51.100.255
check_rc refused 1 "--json with refused probes"
check_within refused 0 3000 "refused probes are reported at once, not after -W 5"
check_json refused count:send_error=4 count:timeout=0 sent=1 send_errors=4 alive=1 unreachable=4
check_grep refused out '"type":"send_error","target":"203\.0\.113\.9","addr":"203\.0\.113\.9","seq":1,"errno":"ENETUNREACH","error":"Network is unreachable"' "no route (IPv4)"
check_grep refused out '"type":"send_error","target":"2001:db8::9",.*"errno":"ENETUNREACH"' "no route (IPv6)"
check_grep refused out '"type":"send_error","target":"fe80::1",.*"errno":"EINVAL"' "link-local without scope"
check_grep refused out '"type":"send_error","target":"198\.51\.100\.255",.*"errno":"EACCES"' "broadcast"
check_grep refused out '"type":"summary","target":"203\.0\.113\.9",.*"sent":0,"send_errors":1,' "a refused probe is not counted as sent"

run_in refused_text "$lonely" -W 5 -c 2 -i 0.2 203.0.113.9 127.0.0.1
check_rc refused_text 1 "text sweep with a refused probe"
check_count refused_text err '(^|/)uping: 203\.0\.113\.9: icmp_seq=[12] cannot send: Network is unreachable$' 2 "text: one stderr line per refused probe"
check_grep refused_text out '^0 packets transmitted, 0 received$' "text: the refused target's statistics count nothing sent"
check_within refused_text 0 3000 "text: no wait for the refused probes (-W 5)"

# --- point 4: every target taken is accounted for, the rest counted on stderr ---------------------
run_in listed "$client" --unreachable --rate 2 -w 1 -g 203.0.113.2-203.0.113.9
check_rc listed 1 "--unreachable --rate 2 -w 1 over 8 silent addresses"
listed=$(grep -c . "$LIVE_OUT/listed.out")
untaken=$(sed -nE 's#^.*uping: ([0-9]+) targets not probed \(deadline\): ([0-9]+) from -g$#\1#p' "$LIVE_OUT/listed.err")
if [[ -n $untaken ]] && ((listed >= 2 && listed + untaken == 8)); then
  pass "--unreachable lists $listed, stderr counts the $untaken never taken (8 in all)"
else
  fail "--unreachable: $listed listed, '${untaken:-no line}' counted on stderr, expected 8 in all"
  show listed
fi

printf '203.0.113.10\n' >"$LIVE_DIR/one.txt" && chmod 644 "$LIVE_DIR/one.txt"
run_in listed_json "$client" --json --rate 2 -w 1 -g 203.0.113.2-203.0.113.9 --file "$LIVE_DIR/one.txt"
check_json listed_json stopped=deadline alive=0
check_grep listed_json err '(^|/)uping: [0-9]+ targets not probed \(deadline\): [0-9]+ from -g; the rest of --file not read$' \
  "--json: what the run never took, on stderr"
# An empty file is known to be read to its end (its reader saw the end): nothing said about it.
run_in listed_empty "$client" --json --rate 2 -w 1 -g 203.0.113.2-203.0.113.9 --file /dev/null
check_grep listed_empty err '(^|/)uping: [0-9]+ targets not probed \(deadline\): [0-9]+ from -g$' \
  "--json, --file /dev/null: only the range counted on stderr"

# A name still resolving when the deadline comes is listed by --unreachable (it did not answer).
run_in listed_name "$client" --unreachable -w 0.5 a.example 127.0.0.1
check_line listed_name out "a.example" "--unreachable lists a name the deadline cut short"
check_count listed_name out '.' 1 "--unreachable lists only a.example"

# --- point 5: SIGINT after every target answered exits 0 -----------------------------------------
interrupt sigint "^$UPING_BIN --json -c 100 -i 0\\.2 127\\.0\\.0\\.1 ::1$" '"type":"reply"' 4 "$client" \
  --json -c 100 -i 0.2 127.0.0.1 ::1
check_rc sigint 0 "SIGINT after both targets answered"
check_json sigint stopped=interrupted alive=2 unreachable=0 exit=0

# --- point 10: addresses as probed ----------------------------------------------------------------
run_in canonical "$client" --json 0:0:0:0:0:0:0:1 127.0.0.1
check_grep canonical out '"type":"reply","target":"0:0:0:0:0:0:0:1","addr":"::1"' "--json addr is canonical, target as typed"
run_in canonical_text "$client" 0:0:0:0:0:0:0:1 127.0.0.1
check_grep canonical_text out '^64 bytes from ::1: icmp_seq=1 ' "text reply line shows the canonical address"

# --- point 15 ------------------------------------------------------------------------------------
run_in once "$lonely" $'a\001b' 127.0.0.1
check_rc once 2 "an unresolvable name"
check_line once err "ping: a?b: Name or service not known" "the error names the target once"

run_in nosock "$nosock" --json 127.0.0.1 ::1
check_rc nosock 2 "--json without any socket"
check_json nosock stopped=no_socket exit=2 sockets=0
check_fixed nosock err "uping: " "--json without any socket: the reason on stderr"

run_in big "$client" --json -s 65527 -c 1 ::1 127.0.0.1
check_rc big 2 "-s 65527: refused for the IPv4 target only"
check_json big alive=1 failed=1
check_grep big out '"type":"reply","target":"::1",.*"bytes":65535' "-s 65527 to ::1"
check_grep big out '"type":"target_error","target":"127\.0\.0\.1","error":"-s 65527 is too large for IPv4 \(at most 65507\)"' \
  "-s 65527 to 127.0.0.1"
run_in big4 "$client" -4 -s 65508 127.0.0.1 127.0.0.2
check_rc big4 2 "-4 -s 65508 refused at once"

live_done
