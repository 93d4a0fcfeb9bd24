#!/usr/bin/env bash
# Runs pinger_regressions in fresh network namespaces (loopback only, 203.0.113.0/24 routed onto lo, where nothing answers it).
# Needs root (unshare). Exit: number of failing checks; 77 when it cannot run.
set -u
bin=${1:?pinger_regressions program}
if [[ $(id -u) != 0 ]]; then
  echo "library/regressions: needs root (unshare -n)"
  [[ ${CI:-} == true ]] && exit 1  # under CI a skip is a failure
  exit 77
fi
status=0
run() { # ping_group_range check
  unshare -n bash -c "ip link set lo up && ip route add 203.0.113.0/24 dev lo &&
    echo '$1' > /proc/sys/net/ipv4/ping_group_range && '$bin' $2" || status=$((status + $?))
}
run "0 0" reentrant
run "1 0" raw_ids
run "0 0" huge_timeout
exit $status
