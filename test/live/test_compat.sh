#!/usr/bin/env bash
# The compatibility matrix: every row of compat_table.txt runs against a copy of Debian's iputils
# ping and against uping, both unprivileged (uid 65534, CAP_NET_RAW out of the bounding set) in
# namespaces made here, or as root where the row says so. stdout (timing figures normalised),
# stderr (program name normalised) and the exit code must be identical, except for the streams a
# row marks as a recorded difference; then uping's exit code, when the row gives one, is checked
# instead. See compat_table.txt for the format and the targets.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

TABLE=$(dirname "${BASH_SOURCE[0]}")/compat_table.txt
[[ -r $TABLE ]] || live_skip "cannot read $TABLE"

# --- the networks ---------------------------------------------------------------------------------
# client: loopback, names from a confined /etc/hosts, and two veth links:
#   to sink, 198.51.100.0/26 and 2001:db8::/64: the sink answers ARP and neighbour discovery but
#     ignores echo requests, so 198.51.100.2 / 2001:db8::2 are silent; 198.51.100.63 is the
#     link's broadcast address;
#   to router, 198.51.100.64/26 and 2001:db8:1::/64: the router forwards 203.0.113.0/24 and
#     2001:db8:2::/64 (back towards the client, which does not forward), so a probe sent with -t 1
#     is answered by "Time to live exceeded" from 198.51.100.65 / 2001:db8:1::1. The router's ICMP
#     rate limits are off: every probe gets its error.
# bare: loopback only: any other destination is "Network is unreachable".
new_netns client
new_netns router
new_netns sink
new_netns bare
ns_confine_resolver "$client"

new_veth "$client" uping0 "$sink" uping1
setup ip netns exec "$client" ip addr add 198.51.100.1/26 brd + dev uping0
setup ip netns exec "$client" ip -6 addr add 2001:db8::1/64 dev uping0 nodad
setup ip netns exec "$sink" ip addr add 198.51.100.2/26 brd + dev uping1
setup ip netns exec "$sink" ip -6 addr add 2001:db8::2/64 dev uping1 nodad
setup ip netns exec "$sink" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1

new_veth "$client" uping2 "$router" uping3
setup ip netns exec "$client" ip addr add 198.51.100.66/26 dev uping2
setup ip netns exec "$client" ip -6 addr add 2001:db8:1::2/64 dev uping2 nodad
setup ip netns exec "$router" ip addr add 198.51.100.65/26 dev uping3
setup ip netns exec "$router" ip -6 addr add 2001:db8:1::1/64 dev uping3 nodad
# Fixed link-local addresses on that link (nodad: usable at once; the kernel's own fe80:: ones
# may still be tentative): the client fe80::66, the router fe80::65.
setup ip netns exec "$client" ip -6 addr add fe80::66/64 dev uping2 nodad
setup ip netns exec "$router" ip -6 addr add fe80::65/64 dev uping3 nodad
setup ip netns exec "$client" ip route add 203.0.113.0/24 via 198.51.100.65
setup ip netns exec "$client" ip -6 route add 2001:db8:2::/64 via 2001:db8:1::1
setup ip netns exec "$router" ip route add 203.0.113.0/24 via 198.51.100.66
setup ip netns exec "$router" ip -6 route add 2001:db8:2::/64 via 2001:db8:1::2
setup ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0

# The scriptable peer (test/peer) answers 203.0.113.0/24 and 2001:db8:feed::/64 behind a TUN device
# of a namespace of its own; rows marked !peer=OPTIONS (commas for spaces) get one fresh peer per
# program, started with those scenario options.
PEER_TIMEOUT=35
peer_init

# run_with_peer TAG NS SCENARIO RUNNER BINARY ARGS...: a peer in NS, then the program, then the
# peer stopped. A peer that does not come up fails the row.
run_with_peer() {
  local tag=$1 ns=$2 scenario=$3 runner=$4 i
  shift 4
  local -a peer_args
  IFS=, read -r -a peer_args <<<"$scenario"
  if ! start_peer "$tag" "$ns" "${peer_args[@]}"; then
    fail "$tag: the peer did not come up"
    return
  fi
  capture "$tag" "$runner" "$ns" "$@"
  kill_peer
}

declare -A TARGET=(
  [v4]=127.0.0.1 [v6]=::1 [name]=localhost [name6]=ip6-localhost [badname]=nonexistent.invalid
  [silent4]=198.51.100.2 [silent6]=2001:db8::2 [ttl4]=203.0.113.5 [ttl6]=2001:db8:2::5
  [unroutable]=203.0.113.9 [bcast]=198.51.100.63 [none]=""
  [peer4]=203.0.113.5 [peer6]=2001:db8:feed::5
  [ll6]=fe80::65 [ll6s]=fe80::65%uping2 [alias6]=ip6-loopback [mapped]=::ffff:127.0.0.1
)

# Timing figures, -D stamps, -T stamps and identifiers differ from run to run; Debian's 20221126
# writes the IPv6 header without the space 20250605 (and uping) put before "(".
# In a flood, "pipe 2" appears whenever one reply happened to take longer than the 10 ms after
# which the next probe leaves anyway: in flood rows (FLOOD_ROW=1) the pipe figure is dropped.
normalise_compat() {
  local drop_pipe='s/^$//'
  ((FLOOD_ROW)) && drop_pipe='s/, pipe [0-9]+//'
  sed -E -e "$drop_pipe" \
    -e 's/time=[0-9]+(\.[0-9]+)? ms/time=T ms/g' \
    -e 's/, time [0-9]+ms$/, time Nms/' \
    -e 's#rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms#rtt min/avg/max/mdev = A/B/C/D ms#' \
    -e 's#ipg/ewma [0-9.]+/[0-9.]+ ms#ipg/ewma G/E ms#' \
    -e 's/pipe [0-9]+/pipe P/' \
    -e 's/^\[[0-9]+\.[0-9]+\] /[TS] /' \
    -e 's/ident=[0-9]+/ident=I/' \
    -e 's/\t[0-9]+ absolute$/\tN absolute/' \
    -e 's/\t[0-9]+$/\tN/' \
    -e 's/^(PING [^ (]+)\(/\1 (/'
}

# The table: id | target | arguments | expectation. See compat_table.txt.
rows=0
same_rows=0
differing_rows=0
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  IFS='|' read -r id kind args expect <<<"$line"
  id=${id//[[:space:]]/}
  kind=${kind//[[:space:]]/}
  expect=${expect#"${expect%%[![:space:]]*}"}
  if [[ -z $id || -z ${TARGET[$kind]+set} || -z $expect ]]; then
    fail "compat table: malformed row: $line"
    continue
  fi
  # COMPAT_ONLY=ERE runs only the rows whose id matches (while working on a few rows).
  [[ -n ${COMPAT_ONLY:-} && ! $id =~ $COMPAT_ONLY ]] && continue
  rows=$((rows + 1))

  # Arguments are shell words (quotes allowed: -p ''); the table is part of the source tree.
  eval "argv=($args)"
  ns=$client
  [[ $kind == unroutable ]] && ns=$bare
  runner=run_pair
  ping_bin=$PING_BIN
  uping_bin=$UPING_BIN
  own_namespaces=0
  peer_scenario=""
  while ((${#argv[@]})); do
    case ${argv[0]} in
      '!root') runner=run_pair_root ;;
      '!peer='*) peer_scenario=${argv[0]#!peer=} ;;
      '!fresh') own_namespaces=1 ;;  # each program in a namespace of its own (IPv6 flow labels linger)
      @ping4 | @ping6) ping_bin=$LIVE_DIR/p/${argv[0]#@}; uping_bin=$LIVE_DIR/u/${argv[0]#@} ;;
      *) break ;;
    esac
    argv=("${argv[@]:1}")
  done
  [[ -n ${TARGET[$kind]} ]] && argv+=("${TARGET[$kind]}")
  FLOOD_ROW=0
  [[ " ${argv[*]} " == *" -f "* ]] && FLOOD_ROW=1

  tag=c_$id
  desc="$id: ping $(printf '%q ' "${argv[@]}")"
  desc=${desc% }
  runas=run_unpriv
  [[ $runner == run_pair_root ]] && runas=run_root
  if [[ -n $peer_scenario ]]; then
    if [[ ! -x $PEER || ! -c /dev/net/tun ]]; then
      fail "$desc: the peer ($PEER) or /dev/net/tun is missing"
      continue
    fi
    new_netns ns_a
    new_netns ns_b
    run_with_peer "$tag.ping" "$ns_a" "$peer_scenario" $runas "$ping_bin" "${argv[@]}"
    run_with_peer "$tag.uping" "$ns_b" "$peer_scenario" $runas "$uping_bin" "${argv[@]}"
  elif ((own_namespaces)); then
    new_netns ns_a
    new_netns ns_b
    capture "$tag.ping" $runas "$ns_a" "$ping_bin" "${argv[@]}"
    capture "$tag.uping" $runas "$ns_b" "$uping_bin" "${argv[@]}"
  else
    capture "$tag.ping" $runas "$ns" "$ping_bin" "${argv[@]}"
    capture "$tag.uping" $runas "$ns" "$uping_bin" "${argv[@]}"
  fi

  # The expectation: "=" (all three identical) or "~out,err,err1,rc [rc=N]: reason".
  differs=""
  want_rc=""
  if [[ $expect != "=" ]]; then
    spec=${expect%%:*}
    differs=$(sed -E 's/^~([a-z0-9,]+).*/\1/' <<<"$spec")
    [[ $spec =~ rc=([0-9]+) ]] && want_rc=${BASH_REMATCH[1]}
    differing_rows=$((differing_rows + 1))
  else
    same_rows=$((same_rows + 1))
  fi
  has() { [[ ,$differs, == *,$1,* ]]; }

  if ! has out; then
    if d=$(diff -u --label "iputils ping" --label "uping" \
      <(normalise_compat <"$LIVE_OUT/$tag.ping.out") <(normalise_compat <"$LIVE_OUT/$tag.uping.out")); then
      pass "$desc: same stdout"
    else
      fail "$desc: stdout differs (normalised; - iputils ping, + uping)"
      echo "$d" | cat -A | sed 's/^/    /'
      sed 's/^/    uping stderr | /' "$LIVE_OUT/$tag.uping.err"
    fi
  fi
  if has err1; then
    check_same_first_err_line "$tag" "$desc"
  elif ! has err; then
    check_same_stderr "$tag" "$desc"
  fi
  if ! has rc; then
    check_same_rc "$tag" "$desc"
  fi
  [[ -n $want_rc ]] && check_rc "$tag.uping" "$want_rc" "$desc (uping, recorded difference)"
  check_no_grep "$tag.uping" err 'AddressSanitizer|runtime error|terminate called' "$desc: no sanitizer report"
done <"$TABLE"

echo "compat: $rows invocations, $same_rows identical, $differing_rows with a recorded difference"
if [[ -z ${COMPAT_ONLY:-} ]] && ((rows < 60)); then
  fail "compat table has $rows rows; the matrix needs at least 60"
fi
live_done
