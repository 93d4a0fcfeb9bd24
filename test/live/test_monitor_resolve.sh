#!/usr/bin/env bash
# uping --monitor's re-resolution (docs/monitor-spec.md §4.2) with `--resolve-every 1`: names from the
# namespace's hosts file (/etc/netns/NS/hosts, which `ip netns exec` bind-mounts over /etc/hosts; nsswitch
# "hosts: files" and an empty resolv.conf, so no lookup can leave the namespace). The file is rewritten IN
# PLACE (same inode, same length: a bind mount keeps the old inode, and a same-length write leaves no moment
# where a lookup could read a truncated file):
#   db1's address changes → a resolve event (previous and new address), the new ip's series, the old one's gone;
#   db2 removed (its line commented out) → resolve_error events, uping_resolve_failures_total{host="db2"} grows,
#     the last address still probed, the monitor keeps running; put back → no resolve event (same address);
#   db3 absent at start → uping_up{host="db3"} 0 and failures counted, then added → resolved and probed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/monitor_lib.sh"
live_init
monitor_init

new_netns ns
ns_confine_resolver "$ns"
HOSTS=/etc/netns/$ns/hosts
printf '127.0.0.2\tdb1\n127.0.0.3\tdb2\n#27.0.0.5\tdb3\n' >>"$HOSTS"
inode=$(stat -c %i "$HOSTS")

# hosts_edit OLD NEW: OLD (once in the file) becomes NEW, of the same length, written over it in place.
hosts_edit() {
  "$MON_PYTHON" - "$HOSTS" "$1" "$2" <<'EOF'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
assert text.count(old) == 1 and len(old) == len(new), (old, new)
with open(path, "r+") as f:
    f.write(text.replace(old, new))
EOF
}

monitor_start mon "$ns" 60 --json --resolve-every 1 -i 0.2 -W 0.5 --listen 127.0.0.1:0 db1 db2 db3 || live_done
wait_metric "db1 probed at its first address" 5 smokeping_requests_total host=db1 ip=127.0.0.2 ge 2
m=$(metrics_now start)
check_metric "db3 never resolved" "$m" uping_up host=db3 eq 0
check_metric "db3 never resolved" "$m" uping_resolve_failures_total host=db3 ge 1
check_metric "db3 never resolved: no per-address series" "$m" smokeping_requests_total host=db3 absent
check_metric "db2" "$m" uping_up host=db2 ip=127.0.0.3 eq 1

# --- db1 moves -------------------------------------------------------------------------------------------
hosts_edit $'127.0.0.2\tdb1' $'127.0.0.4\tdb1'
if wait_event mon 5 type=resolve target=db1 addr=127.0.0.4; then
  pass "db1: a resolve event for its new address"
  [[ $(events mon type=resolve target=db1 addr=127.0.0.4 --get previous) == 127.0.0.2 ]] &&
    pass "db1: the resolve event names the previous address" ||
    fail "db1: $(events mon type=resolve target=db1 addr=127.0.0.4)"
else
  fail "db1: no resolve event to 127.0.0.4 within 5 s"
  show mon
fi
wait_metric "db1 probed at its new address" 3 smokeping_requests_total host=db1 ip=127.0.0.4 ge 1
m=$(metrics_now moved)
if grep -q 'ip="127\.0\.0\.2"' "$m"; then
  fail "db1: series of the old address 127.0.0.2 still exported"
  grep 'ip="127\.0\.0\.2"' "$m" | head -n 3 | sed 's/^/    | /'
else
  pass "db1: no series of the old address left"
fi
check_metric "db1 new series" "$m" uping_up host=db1 ip=127.0.0.4 eq 1

# --- db2 disappears --------------------------------------------------------------------------------------
hosts_edit $'127.0.0.3\tdb2' $'#27.0.0.3\tdb2'
if wait_event mon 5 type=resolve_error target=db2; then
  pass "db2: a resolve_error event once its name is gone"
  error=$(events mon type=resolve_error target=db2 --get error | head -n 1)
  [[ -n $error && $error != null && $error != missing ]] && pass "db2: resolve_error says why ($error)" ||
    fail "db2: resolve_error without an error text"
else
  fail "db2: no resolve_error within 5 s of its name's removal"
  show mon
fi
m1=$(metrics_now gone1)
f1=$(metric "$m1" uping_resolve_failures_total host=db2)
r1=$(metric "$m1" smokeping_requests_total host=db2 ip=127.0.0.3)
sleep 3
m2=$(metrics_now gone2)
check_metric "db2: failures keep being counted (retried at min(--resolve-every, 5 s·2^n))" "$m2" \
  uping_resolve_failures_total host=db2 gt "$f1"
check_metric "db2: its last address still probed" "$m2" smokeping_requests_total host=db2 ip=127.0.0.3 gt "$r1"
check_metric "db2: still up (its address answers)" "$m2" uping_up host=db2 ip=127.0.0.3 eq 1
monitor_alive && pass "the monitor keeps running without db2's name" || fail "the monitor stopped"
errors_before=$(events mon type=resolve_error target=db2 | wc -l)
((errors_before >= 2)) && pass "db2: one resolve_error per failed attempt ($errors_before)" ||
  fail "db2: $errors_before resolve_error events in 3 s at --resolve-every 1"
# Retried at min(--resolve-every, 5 s · 2^failures) = 1 s: never two attempts much closer than that.
gaps=$(events mon type=resolve_error target=db2 --get time | awk 'NR > 1 { printf "%.3f ", $1 - last } { last = $1 }')
if awk -v gaps="$gaps" 'BEGIN { n = split(gaps, g, " "); for (i = 1; i <= n; i++) if (g[i] < 0.9) exit 1 }'; then
  pass "db2: failed lookups retried once a second (gaps: $gaps)"
else
  fail "db2: failed lookups retried faster than --resolve-every 1 allows (gaps between resolve_error events: $gaps)"
fi

hosts_edit $'#27.0.0.3\tdb2' $'127.0.0.3\tdb2'
sleep 2.5
m3=$(metrics_now back)
f3=$(metric "$m3" uping_resolve_failures_total host=db2)
sleep 2
m4=$(metrics_now back2)
check_metric "db2 back: no more failures" "$m4" uping_resolve_failures_total host=db2 eq "$f3"
check_count mon out '"type":"resolve","target":"db2".*"addr":"127\.0\.0\.3","previous":"127' 0 \
  "db2 back at the same address: no resolve event"

# --- db3 appears -----------------------------------------------------------------------------------------
hosts_edit $'#27.0.0.5\tdb3' $'127.0.0.5\tdb3'
if wait_event mon 8 type=resolve target=db3 addr=127.0.0.5; then
  pass "db3: a resolve event once its name exists"
else
  fail "db3: no resolve event within 8 s of its name's arrival"
  show mon
fi
wait_metric "db3 probed" 3 smokeping_requests_total host=db3 ip=127.0.0.5 ge 1

[[ $(stat -c %i "$HOSTS") == "$inode" ]] && pass "the hosts file kept its inode (rewritten in place)" ||
  fail "the hosts file was replaced: the bind mount would hide the change"
monitor_stop TERM
check_rc mon 0 "SIGTERM"
check_clean_stderr mon
if out=$(events mon); then pass "every stdout line is a JSON object"; else fail "stdout: ${out##*$'\n'}"; fi
live_done
