#!/usr/bin/env bash
# ICMP errors in datagram mode: a client namespace routes through a router namespace whose routes
# answer with "destination unreachable" messages. uping must print the same "From ..." lines as
# iputils, count them as errors and exit 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns client
new_netns router
new_veth "$client" uping0 "$router" uping1

setup ip netns exec "$router" ip addr add 198.51.100.1/24 dev uping1
setup ip netns exec "$router" ip -6 addr add 2001:db8:1::1/64 dev uping1 nodad
setup ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# `unreachable` routes answer with host unreachable (IPv4 code 1) / no route (IPv6 code 0),
# `prohibit` routes with packet filtered (IPv4 code 13) / administratively prohibited (IPv6 code 1).
setup ip netns exec "$router" ip route add unreachable 203.0.113.0/25
setup ip netns exec "$router" ip route add prohibit 203.0.113.128/25
setup ip netns exec "$router" ip -6 route add unreachable 2001:db8:2::/64
setup ip netns exec "$router" ip -6 route add prohibit 2001:db8:3::/64
# The router's ICMP rate limits (per destination) would otherwise swallow errors after the first few.
setup ip netns exec "$router" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0

setup ip netns exec "$client" ip addr add 198.51.100.2/24 dev uping0
setup ip netns exec "$client" ip -6 addr add 2001:db8:1::2/64 dev uping0 nodad
setup ip netns exec "$client" ip route add default via 198.51.100.1
setup ip netns exec "$client" ip -6 route add default via 2001:db8:1::1

# IPv4 routing errors are also limited per source address by a host-wide token bucket
# (net.ipv4.route.error_cost/error_burst, not per namespace: about 2 errors, then 1 a second).
# Each IPv4 run therefore leaves from a fresh client address (198.51.100.10, .11, ...).
src=10
fresh_source() {
  setup ip netns exec "$client" ip addr add "198.51.100.$src/24" dev uping0
  setup ip netns exec "$client" ip route replace default via 198.51.100.1 src "198.51.100.$src"
  src=$((src + 1))
}

# run_errors TAG TARGET: both tools, each from its own source address.
run_errors() {
  local tag=$1 target=$2
  if [[ $target != *:* ]]; then fresh_source; fi
  capture "$tag.ping" run_unpriv "$client" "$PING_BIN" -c 2 -i 0.2 -W 1 "$target"
  if [[ $target != *:* ]]; then fresh_source; fi
  capture "$tag.uping" run_unpriv "$client" "$UPING_BIN" -c 2 -i 0.2 -W 1 "$target"
}

check_errors() {
  local target=$1 from=$2 text=$3 tag=err${1//[:.]/_}
  run_errors "$tag" "$target"
  compare_pair "$tag" "-c 2 -i 0.2 -W 1 $target" 1
  check_line "$tag.ping" out "From $from icmp_seq=1 $text" "iputils ping $target (reference)"
  check_line "$tag.uping" out "From $from icmp_seq=1 $text" "$target (uping)"
  check_line "$tag.uping" out "From $from icmp_seq=2 $text" "$target (uping)"
  check_line "$tag.uping" out "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time Nms" "$target (uping)"
}

# An error answers its probe: once every probe is answered (reply or error) the run ends without the
# -W linger. With -W 5 a run that waits would take over 5 s; one that does not, 0.2 s plus start-up.
check_no_linger() {
  local target=$1 tag=linger${1//[:.]/_}
  if [[ $target != *:* ]]; then fresh_source; fi
  capture "$tag" run_unpriv "$client" "$UPING_BIN" -c 2 -i 0.2 -W 5 "$target"
  check_rc "$tag" 1 "-c 2 -i 0.2 -W 5 $target (uping)"
  check_fixed "$tag" out "+2 errors" "-c 2 -i 0.2 -W 5 $target (uping)"
  check_within "$tag" 150 3500 "-c 2 -i 0.2 -W 5 $target (uping: no linger after errors)"
}

check_errors 203.0.113.5 198.51.100.1 "Destination Host Unreachable"
check_errors 203.0.113.200 198.51.100.1 "Packet filtered"
check_errors 2001:db8:2::5 2001:db8:1::1 "Destination unreachable: No route"
check_errors 2001:db8:3::5 2001:db8:1::1 "Destination unreachable: Administratively prohibited"
check_no_linger 203.0.113.5
check_no_linger 2001:db8:2::5

live_done
