#!/usr/bin/env bash
# A run longer than the 16-bit sequence space: 70,000 flood probes as root on loopback must be
# counted exactly across the wrap (65535 -> 0), with every reply matched to its own probe and no
# false duplicate when sequence numbers repeat.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LIVE_TIMEOUT=${LIVE_TIMEOUT_LONG:-300}
live_init

new_netns ns

capture flood run_root "$ns" "$UPING_BIN" -f -c 70000 -q 127.0.0.1
check_rc flood 0 "-f -c 70000"
check_grep flood out '^70000 packets transmitted, 70000 received, 0% packet loss, time [0-9]+ms$' "-f -c 70000: exact counts"
check_no_grep flood out 'duplicates|errors|corrupted' "-f -c 70000: no false duplicate across the wrap"
check_empty flood err "-f -c 70000"

# The wrap itself, visibly: every reply printed, across the wrap.
capture wrap run_root "$ns" "$UPING_BIN" -i 0 -c 65540 127.0.0.1
check_rc wrap 0 "-i 0 -c 65540"
# Probes 65534 and 65535 carry those sequences, probe 65536 carries 0, and probes 65537 and
# 65538 reuse 1 and 2: those two appear twice, the others once.
for seq in 65534 65535 0 1 2; do
  want=1
  ((seq == 1 || seq == 2)) && want=2
  check_count wrap out "^64 bytes from 127\\.0\\.0\\.1: icmp_seq=$seq ttl=64 time=" "$want" "-i 0 -c 65540: icmp_seq=$seq $want time(s)"
done
check_count wrap out 'bytes from' 65540 "-i 0 -c 65540: one line per reply"
check_no_grep wrap out 'DUP!' "-i 0 -c 65540: no (DUP!)"

live_done
