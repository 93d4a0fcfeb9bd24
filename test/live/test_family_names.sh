#!/usr/bin/env bash
# ping4 / ping6 imply -4 / -6 in every mode, not only for a single target: --health and sweeps keep
# to the name's family, and the other family's flag is a conflict as it is for a ping.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
ns_confine_resolver "$ns"

# --health: ping6 does not probe an IPv4 target.
capture h6v4 run_unpriv "$ns" "$LIVE_DIR/u/ping6" --health 127.0.0.1
check_rc h6v4 1 "ping6 --health 127.0.0.1"
check_grep h6v4 out '^127\.0\.0\.1: unhealthy' "ping6 --health 127.0.0.1"
capture h6v6 run_unpriv "$ns" "$LIVE_DIR/u/ping6" --health ::1
check_rc h6v6 0 "ping6 --health ::1"
capture h4v6 run_unpriv "$ns" "$LIVE_DIR/u/ping4" --health ::1
check_rc h4v6 1 "ping4 --health ::1"
capture h4flag run_unpriv "$ns" "$LIVE_DIR/u/ping4" --health -6 ::1
check_rc h4flag 1 "ping4 --health -6 ::1"
check_line h4flag err "ping4: --health: only one of -4 and -6 may be given" "ping4 --health -6 ::1"

# Sweeps: ping4 probes only the IPv4 targets and says why the others were left out.
capture s4 run_unpriv "$ns" "$LIVE_DIR/u/ping4" --alive ::1 127.0.0.1
check_rc s4 2 "ping4 --alive ::1 127.0.0.1"
check_line s4 out "127.0.0.1" "ping4 --alive ::1 127.0.0.1"
check_no_grep s4 out '^::1$' "ping4 --alive ::1 127.0.0.1: ::1 not probed"
check_line s4 err "ping4: ::1: an IPv6 target with -4" "ping4 --alive ::1 127.0.0.1"
capture s6 run_unpriv "$ns" "$LIVE_DIR/u/ping6" --json -g 127.0.0.0/30
check_rc s6 2 "ping6 -g 127.0.0.0/30"
check_empty s6 out "ping6 -g 127.0.0.0/30"
capture s6flag run_unpriv "$ns" "$LIVE_DIR/u/ping6" -4 127.0.0.1 127.0.0.2
check_rc s6flag 2 "ping6 -4 127.0.0.1 127.0.0.2"
check_line s6flag err "ping6: only one -4 or -6 option may be specified" "ping6 -4 127.0.0.1 127.0.0.2"

live_done
