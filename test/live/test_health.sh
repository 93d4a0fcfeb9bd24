#!/usr/bin/env bash
# Health mode (`uping --health`), unprivileged (uid 65534, no CAP_NET_RAW) as in a container:
# a live loopback target is healthy at once (exit 0), a silent target unhealthy at its deadline (exit 1),
# an ICMP error or a send failure unhealthy at once with its line, a resolver that never answers cannot
# hold the check past its deadline, every misconfiguration exits 1 (never 2), -q prints nothing, and the
# output stays under Docker's 4096-byte log limit however many targets.
#
# Verdict times are measured inside the process, from strace -ttt timestamps: from uping's first ICMP
# socket() — the start of the check, after the loader and the sanitizer runtime (which alone take from
# 5 to 300 ms on a loaded machine) — to its exit_group. Process creation, namespaces and setpriv (40-60
# ms here) are not counted either. The deadline itself runs from a few microseconds earlier (the start of
# health mode), hence lower bounds 10 ms short of it. The bounds are generous (sanitizer build, loaded
# machines): "at once" is within 150 ms, a deadline is met within 150 ms. The README has the release
# figures.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

command -v strace >/dev/null || live_skip "strace is not installed (bash .ci/install-deps)"

# client: the prober, behind a router; sink: a peer that ignores echo requests; far: beyond the router.
new_netns client
new_netns router
new_netns sink
new_netns far
new_netns lonely  # loopback only: no route anywhere else
new_veth "$client" uping0 "$router" uping1
new_veth "$router" uping2 "$sink" uping3
new_veth "$router" uping4 "$far" uping5
setup ip netns exec "$client" ip addr add 198.51.100.2/24 dev uping0
setup ip netns exec "$client" ip -6 addr add 2001:db8:1::2/64 dev uping0 nodad
setup ip netns exec "$client" ip route add default via 198.51.100.1
setup ip netns exec "$client" ip -6 route add default via 2001:db8:1::1
setup ip netns exec "$router" ip addr add 198.51.100.1/24 dev uping1
setup ip netns exec "$router" ip -6 addr add 2001:db8:1::1/64 dev uping1 nodad
setup ip netns exec "$router" ip addr add 203.0.113.1/25 dev uping2
setup ip netns exec "$router" ip -6 addr add 2001:db8:2::1/64 dev uping2 nodad
setup ip netns exec "$router" ip addr add 203.0.113.129/25 dev uping4
setup ip netns exec "$router" ip -6 addr add 2001:db8:3::1/64 dev uping4 nodad
setup ip netns exec "$router" ip -6 route add unreachable 2001:db8:4::/64
setup ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
setup ip netns exec "$router" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
setup ip netns exec "$sink" ip addr add 203.0.113.2/25 dev uping3
setup ip netns exec "$sink" ip -6 addr add 2001:db8:2::2/64 dev uping3 nodad
setup ip netns exec "$sink" ip route add default via 203.0.113.1
setup ip netns exec "$sink" ip -6 route add default via 2001:db8:2::1
setup ip netns exec "$sink" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
setup ip netns exec "$far" ip addr add 203.0.113.130/25 dev uping5
setup ip netns exec "$far" ip -6 addr add 2001:db8:3::2/64 dev uping5 nodad
setup ip netns exec "$far" ip route add default via 203.0.113.129
setup ip netns exec "$far" ip -6 route add default via 2001:db8:3::1

# The client resolves names from its own /etc/hosts, then from a name server that never answers:
# 203.0.113.100, which the router discards without a word (a blackhole route), so getaddrinfo waits
# out its 5 s timeout.
setup ip netns exec "$router" ip route add blackhole 203.0.113.100/32
ns_confine_resolver "$client"
printf 'hosts: files dns\n' >"/etc/netns/$client/nsswitch.conf"
printf 'nameserver 203.0.113.100\noptions timeout:5 attempts:1\n' >"/etc/netns/$client/resolv.conf"

# Reachability of the set-up itself: the far host answers iputils ping through the router.
capture setup_far run_unpriv "$client" "$PING_BIN" -c 1 -W 2 203.0.113.130
[[ ${LIVE_RC[setup_far]} == 0 ]] || live_skip "the router namespace does not forward (ping 203.0.113.130 failed)"
# IPv6 through fresh veth links answers only after a second or two (link-local addresses finishing
# duplicate address detection before neighbour discovery can run): wait for it once here.
capture setup_far6 run_unpriv "$client" "$PING_BIN" -6 -c 1 -W 5 2001:db8:3::2
[[ ${LIVE_RC[setup_far6]} == 0 ]] || live_skip "the router namespace does not forward IPv6 (ping 2001:db8:3::2 failed)"

declare -A LIVE_IN_MS=()
declare -A LIVE_EXEC_MS=()

# health TAG NS ARGS...: uping --health ARGS unprivileged in NS under strace; stdout/stderr/exit as
# capture does; LIVE_IN_MS[TAG] = milliseconds from uping's first ICMP socket() to its exit_group, and
# LIVE_EXEC_MS[TAG] from its execve.
health() {
  local tag=$1 ns=$2
  shift 2
  # LeakSanitizer (dev build) refuses to run under ptrace.
  capture "$tag" env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout -k 2 "$LIVE_TIMEOUT" strace -f -qq --seccomp-bpf -ttt -e trace=execve,socket,exit_group \
    -o "$LIVE_OUT/$tag.strace" ip netns exec "$ns" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all --bounding-set=-net_raw \
    "$UPING_BIN" --health "$@"
  local times
  times=$(awk -v bin="$UPING_BIN" '
    $3 ~ /^execve\(/ && index($0, "\"" bin "\"") && !exec { pid = $1; exec = $2; next }
    exec && $1 == pid && $3 ~ /^socket\(/ && $0 ~ /IPPROTO_ICMP/ && !start { start = $2; next }
    exec && start && $1 == pid && $3 ~ /^exit_group\(/ { printf "%d %d", ($2 - start) * 1000, ($2 - exec) * 1000; exit }' \
    "$LIVE_OUT/$tag.strace")
  LIVE_IN_MS[$tag]=${times% *}
  LIVE_EXEC_MS[$tag]=${times#* }
}

# check_in_ms TAG MIN MAX DESC: the verdict time inside the process (from the first ICMP socket).
check_in_ms() {
  local tag=$1 min=$2 max=$3 desc=$4 got=${LIVE_IN_MS[$1]:-}
  if [[ -n $got ]] && ((got >= min && got <= max)); then
    pass "$desc: verdict $got ms after the check started (${LIVE_EXEC_MS[$tag]} ms after execve; ${min}..${max})"
  else
    fail "$desc: verdict ${got:-?} ms after the check started, expected ${min}..${max}"
    show "$tag"
    grep -E 'execve|socket|exit_group' "$LIVE_OUT/$tag.strace" | sed 's/^/    | /' | tail -n 6
  fi
}

# check_deadline_held TAG DEADLINE MAX DESC: a verdict the deadline decided. The deadline counts from
# the start of the check, a moment between execve and the first socket(), so the exit comes at least
# DEADLINE ms after execve (measured from socket() it may come a little earlier, by however long the
# start-up took on a loaded machine), and at most MAX ms after the first socket().
check_deadline_held() {
  local tag=$1 deadline=$2 max=$3 desc=$4 in=${LIVE_IN_MS[$1]:-} exec=${LIVE_EXEC_MS[$1]:-}
  if [[ -n $in && -n $exec ]] && ((exec >= deadline && in <= max)); then
    pass "$desc: verdict $exec ms after execve (at least $deadline), $in ms after the first socket (at most $max)"
  else
    fail "$desc: verdict ${exec:-?} ms after execve (expected at least $deadline), ${in:-?} ms after the first socket (expected at most $max)"
    show "$tag"
    grep -E 'execve|socket|exit_group' "$LIVE_OUT/$tag.strace" | sed 's/^/    | /' | tail -n 6
  fi
}

# --- a live target ----------------------------------------------------------------------------------
health lo "$client" 127.0.0.1 ::1
check_rc lo 0 "--health 127.0.0.1 ::1"
check_grep lo out '^127\.0\.0\.1: healthy, rtt [0-9]+\.[0-9]{3} ms$' "--health 127.0.0.1 ::1"
check_grep lo out '^::1: healthy, rtt [0-9]+\.[0-9]{3} ms$' "--health 127.0.0.1 ::1"
check_count lo out '.' 2 "--health 127.0.0.1 ::1: one line per target"
check_empty lo err "--health 127.0.0.1 ::1"
# One round trip plus start-up: far inside the 800 ms deadline (the release build takes about 2 ms).
check_in_ms lo 0 150 "--health 127.0.0.1 ::1"

health lo_name "$client" localhost
check_rc lo_name 0 "--health localhost"
check_grep lo_name out '^localhost: healthy, rtt [0-9]+\.[0-9]{3} ms$' "--health localhost"

health lo_far "$client" 203.0.113.130 2001:db8:3::2
check_rc lo_far 0 "--health through the router"
check_count lo_far out ': healthy, rtt ' 2 "--health through the router"

health lo_min "$client" --min-replies 3 -i 0.05 127.0.0.1
check_rc lo_min 0 "--health --min-replies 3 -i 0.05"
check_grep lo_min out '^127\.0\.0\.1: healthy, 3 replies, rtt [0-9]+\.[0-9]{3} ms$' "--health --min-replies 3"
# Three replies need two intervals: 100 ms at least, and not the whole deadline.
check_in_ms lo_min 90 400 "--health --min-replies 3 -i 0.05"

health lo_slow "$client" --max-rtt 0.001 -w 0.3 127.0.0.1
check_rc lo_slow 1 "--health --max-rtt 0.001 (no reply is that fast)"
check_grep lo_slow out '^127\.0\.0\.1: unhealthy, rtt [0-9]+\.[0-9]{3} ms over --max-rtt 0\.001 ms$' "--health --max-rtt 0.001"

# --- a silent target: unhealthy at the deadline, not later --------------------------------------------
health silent "$client" 203.0.113.2
check_rc silent 1 "--health silent 203.0.113.2"
check_line silent out "203.0.113.2: unhealthy, no reply in 800 ms" "--health silent 203.0.113.2"
check_empty silent err "--health silent 203.0.113.2"
check_deadline_held silent 800 950 "--health silent 203.0.113.2 (deadline 800 ms)"

health silent6 "$client" -w 0.25 2001:db8:2::2
check_rc silent6 1 "--health -w 0.25 silent 2001:db8:2::2"
check_line silent6 out "2001:db8:2::2: unhealthy, no reply in 250 ms" "--health -w 0.25 silent 2001:db8:2::2"
check_deadline_held silent6 250 400 "--health -w 0.25 silent 2001:db8:2::2"

# One silent target among live ones: the live ones are reported healthy, the run lasts the deadline.
health mixed "$client" -w 0.3 127.0.0.1 203.0.113.2 203.0.113.130
check_rc mixed 1 "--health mixed"
check_count mixed out '^(127\.0\.0\.1|203\.0\.113\.130): healthy, rtt ' 2 "--health mixed"
check_line mixed out "203.0.113.2: unhealthy, no reply in 300 ms" "--health mixed"

# --- ICMP errors and send failures: unhealthy at once ------------------------------------------------
health ttl "$client" -t 1 203.0.113.130
check_rc ttl 1 "--health -t 1 203.0.113.130"
check_line ttl out "203.0.113.130: unhealthy, unreachable (Time to live exceeded from 198.51.100.1)" "--health -t 1 203.0.113.130"
check_in_ms ttl 0 150 "--health -t 1 203.0.113.130 (the error ends the wait)"

health ttl6 "$client" -t 1 2001:db8:3::2
check_rc ttl6 1 "--health -t 1 2001:db8:3::2"
check_line ttl6 out "2001:db8:3::2: unhealthy, unreachable (Time exceeded: Hop limit from 2001:db8:1::1)" "--health -t 1 2001:db8:3::2"

health unreach6 "$client" 2001:db8:4::5
check_rc unreach6 1 "--health 2001:db8:4::5 (unreachable route)"
check_line unreach6 out "2001:db8:4::5: unhealthy, unreachable (Destination unreachable: No route from 2001:db8:1::1)" \
  "--health 2001:db8:4::5"
check_in_ms unreach6 0 150 "--health 2001:db8:4::5 (the error ends the wait)"

health noroute "$lonely" 203.0.113.130
check_rc noroute 1 "--health without a route"
check_line noroute out "203.0.113.130: unhealthy, cannot send (Network is unreachable)" "--health without a route"
check_in_ms noroute 0 150 "--health without a route (no wait)"

ns_confine_resolver "$lonely"  # /etc/hosts only: an unknown name fails at once
health unresolved "$lonely" no-such-host.invalid 127.0.0.1
check_rc unresolved 1 "--health with an unknown name"
check_line unresolved out "no-such-host.invalid: unhealthy, cannot resolve (Name or service not known)" \
  "--health with an unknown name"
check_grep unresolved out '^127\.0\.0\.1: healthy, rtt [0-9]+\.[0-9]{3} ms$' "--health with an unknown name: the other target still judged"
check_in_ms unresolved 0 150 "--health with an unknown name (no wait)"

health unknown "$client" -w 0.3 no-such-host.invalid
check_rc unknown 1 "--health with a name the resolver never answers"
check_line unknown out "no-such-host.invalid: unhealthy, name resolution not finished in 300 ms" \
  "--health with a name the resolver never answers"
check_deadline_held unknown 300 450 "--health -w 0.3 with a hung resolver (the deadline holds)"

health unknown_q "$client" -q -w 0.3 127.0.0.1 no-such-host.invalid
check_rc unknown_q 1 "--health -q with a hung resolver"
check_empty unknown_q out "--health -q with a hung resolver"

# --- -q: the exit code only ---------------------------------------------------------------------------
health quiet_ok "$client" -q 127.0.0.1
check_rc quiet_ok 0 "--health -q 127.0.0.1"
check_empty quiet_ok out "--health -q 127.0.0.1"
check_empty quiet_ok err "--health -q 127.0.0.1"
health quiet_bad "$client" -q -w 0.2 203.0.113.2
check_rc quiet_bad 1 "--health -q silent"
check_empty quiet_bad out "--health -q silent"
check_empty quiet_bad err "--health -q silent"

# --- misconfiguration: exit 1 with the reason, never 2 ------------------------------------------------
i=0
for args in "" "-w 0" "-w abc" "-w" "-i 0.0001 127.0.0.1" "--max-rtt -1 127.0.0.1" "--min-replies 0 127.0.0.1" \
  "-s 70000 127.0.0.1" "-t 256 127.0.0.1" "-4 -6 127.0.0.1" "--bogus 127.0.0.1" "-c 3 127.0.0.1"; do
  i=$((i + 1))
  # shellcheck disable=SC2086 # $args holds separate words
  capture "bad$i" run_unpriv "$client" "$UPING_BIN" --health $args
  check_rc "bad$i" 1 "--health $args (misconfiguration)"
  check_count "bad$i" err '--health: ' 1 "--health $args: one line with the reason"
  check_empty "bad$i" out "--health $args"
done

# --- many targets: one line each while they fit, never more than Docker keeps ------------------------
targets=()
for ((i = 1; i <= 80; i++)); do targets+=("127.0.0.$i"); done
health many_ok "$client" -w 2 "${targets[@]}"
check_rc many_ok 0 "--health with 80 live targets"
check_count many_ok out ': healthy, rtt ' 80 "--health with 80 live targets: a line each"

targets=()
for ((i = 0; i < 1000; i++)); do targets+=("127.0.$((i / 250)).$((i % 250 + 1))"); done
for ((i = 0; i < 24; i++)); do targets+=("203.0.113.2"); done
health many "$client" -w 1 "${targets[@]}"
check_rc many 1 "--health with 1024 targets, 24 silent"
size=$(wc -c <"$LIVE_OUT/many.out")
if ((size > 0 && size < 4096)); then
  pass "--health with 1024 targets: $size bytes of output (< 4096)"
else
  fail "--health with 1024 targets: $size bytes of output, expected 1..4095"
fi
check_count many out '^203\.0\.113\.2: unhealthy, no reply in 1000 ms$' 24 "--health with 1024 targets: every unhealthy one listed"
check_line many out "... 1000 targets not listed: 1000 healthy, 0 unhealthy" "--health with 1024 targets: the rest counted"

live_done
