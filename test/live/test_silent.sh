#!/usr/bin/env bash
# A silent target: probes leave, nothing ever answers. Both tools must report 100% loss and exit 1,
# with -c/-W and with -w.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
# The silent target: 198.51.100.0/24 and 2001:db8::/64 on a dummy device, where every packet vanishes.
# Kernels built without CONFIG_DUMMY get a veth pair instead, whose far end (a second namespace) holds
# the target addresses and ignores echo requests.
if ip netns exec "$ns" ip link add uping0 type dummy 2>/dev/null; then
  LIVE_LINKS+=("$ns uping0")
  setup ip netns exec "$ns" ip link set uping0 up
  setup ip netns exec "$ns" ip addr add 198.51.100.1/24 dev uping0
  setup ip netns exec "$ns" ip -6 addr add 2001:db8::1/64 dev uping0 nodad
  echo "silent target: dummy device"
else
  new_netns sink
  new_veth "$ns" uping0 "$sink" uping1
  setup ip netns exec "$ns" ip addr add 198.51.100.1/24 dev uping0
  setup ip netns exec "$ns" ip -6 addr add 2001:db8::1/64 dev uping0 nodad
  setup ip netns exec "$sink" ip addr add 198.51.100.2/24 dev uping1
  setup ip netns exec "$sink" ip -6 addr add 2001:db8::2/64 dev uping1 nodad
  setup ip netns exec "$sink" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
  echo "silent target: veth pair to a namespace ignoring echo requests (no dummy device in this kernel)"
fi

for target in 198.51.100.2 2001:db8::2; do
  t=${target//[:.]/_}

  tag=silent$t
  run_pair "$tag" "$ns" -c 2 -W 1 -i 0.2 "$target"
  compare_pair "$tag" "-c 2 -W 1 -i 0.2 $target" 1
  check_line "$tag.uping" out "2 packets transmitted, 0 received, 100% packet loss, time Nms" "-c 2 -W 1 $target (uping)"
  check_no_grep "$tag.uping" out 'bytes from|^rtt ' "-c 2 -W 1 $target (uping)"
  # Second probe at 0.2 s, then the -W 1 linger: about 1.2 s (iputils: the same), well short of the
  # default 10 s linger even on a loaded machine.
  check_within "$tag.uping" 900 5000 "-c 2 -W 1 -i 0.2 $target (uping)"

  tag=silent${t}_w
  run_pair "$tag" "$ns" -w 1 "$target"
  compare_pair "$tag" "-w 1 $target" 1
  check_fixed "$tag.uping" out "0 received, 100% packet loss" "-w 1 $target (uping)"
  check_within "$tag.uping" 900 5000 "-w 1 $target (uping)"
done

# -O: each probe that goes unanswered is reported when the next one leaves.
tag=silent_O
run_pair "$tag" "$ns" -c 3 -W 1 -i 0.2 -O 198.51.100.2
compare_pair "$tag" "-c 3 -W 1 -i 0.2 -O 198.51.100.2" 1
check_line "$tag.uping" out "no answer yet for icmp_seq=1" "-O (uping)"

live_done
