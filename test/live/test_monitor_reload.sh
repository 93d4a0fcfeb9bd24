#!/usr/bin/env bash
# uping --monitor's SIGHUP (docs/monitor-spec.md §4.3): --file re-read, command-line targets kept.
#   file .2 .3 .4 (+ .9 on the command line) → file .2 .3 .5: .2 and .3 keep their counters (never lower than
#   just before the signal), .4's series are gone, .5 starts at 0; a reload event, uping_targets 4,
#   uping_config_last_reload_successful 1 and its timestamp;
#   the file made unreadable → the old set kept (counters still growing), one line on stderr, a reload event
#   that says it failed, uping_config_last_reload_successful 0, the success timestamp unchanged;
#   readable again, then emptied → every file target's series gone, the command line's kept.
# Loopback addresses answer every probe; the monitor runs unprivileged, so a root-owned file of mode 000 is
# unreadable to it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/monitor_lib.sh"
live_init
monitor_init

new_netns ns
LIST=$LIVE_DIR/targets.txt
printf '# watched\n127.0.0.2\n127.0.0.3\n127.0.0.4\n' >"$LIST"
chmod 644 "$LIST"

# hup_and_wait N: SIGHUP, then waits (bounded) until the N-th reload event; prints the time just before the signal.
hup_and_wait() {
  local want=$1 i t
  t=$(now_s)
  monitor_signal HUP
  for ((i = 0; i < 50; i++)); do
    (($(events mon type=reload | wc -l) >= want)) && break
    sleep 0.1
  done
  echo "$t"
}

monitor_start mon "$ns" 60 --json -i 0.1 -W 0.5 --listen 127.0.0.1:0 --file "$LIST" 127.0.0.9 || live_done
wait_metric "warm-up" 10 smokeping_requests_total host=127.0.0.4 ge 15
m=$(metrics_now before)
check_metric "before SIGHUP" "$m" uping_targets eq 4
check_metric "before SIGHUP" "$m" uping_config_last_reload_successful eq 1
kept2=$(metric "$m" smokeping_requests_total host=127.0.0.2)
kept3=$(metric "$m" smokeping_response_duration_seconds_count host=127.0.0.3)

# --- .4 out, .5 in ---------------------------------------------------------------------------------------
printf '# watched\n127.0.0.2\n127.0.0.3\n127.0.0.5\n' >"$LIST"
hup_at=$(hup_and_wait 1)
m=$(metrics_now reloaded)
since_ms=$(awk -v t="$hup_at" -v now="$(now_s)" 'BEGIN { printf "%d", (now - t) * 1000 }')
reload=$(events mon type=reload | tail -n 1)
if [[ -n $reload ]]; then
  pass "a reload event: $reload"
  [[ $(events mon type=reload --get targets | tail -n 1) == 4 ]] && pass "reload: 4 targets" || fail "reload: $reload"
else
  fail "no reload event within 5 s of SIGHUP"
  show mon
fi
check_metric "kept target" "$m" smokeping_requests_total host=127.0.0.2 ge "$kept2"
check_metric "kept target" "$m" smokeping_response_duration_seconds_count host=127.0.0.3 ge "$kept3"
check_metric "command-line target" "$m" smokeping_requests_total host=127.0.0.9 ge "$kept2"
if grep -q 'host="127\.0\.0\.4"' "$m"; then
  fail "removed target: series of 127.0.0.4 still exported"
else
  pass "removed target: no series of 127.0.0.4"
fi
# At most one probe per interval since the signal (and one in flight): a new target starts at 0.
check_metric "new target (${since_ms} ms after SIGHUP)" "$m" smokeping_requests_total host=127.0.0.5 le \
  $((since_ms / 100 + 2))
check_metric "new target" "$m" uping_up host=127.0.0.5 eq 1
check_metric "after SIGHUP" "$m" uping_targets eq 4
check_metric "after SIGHUP" "$m" uping_config_last_reload_successful eq 1
check_metric "after SIGHUP" "$m" uping_config_last_reload_success_timestamp_seconds ge \
  "$(calc "int($hup_at)")"
success_ts=$(metric "$m" uping_config_last_reload_success_timestamp_seconds)
wait_metric "new target probed" 3 smokeping_response_duration_seconds_count host=127.0.0.5 ge 3

# --- an unreadable file ----------------------------------------------------------------------------------
m=$(metrics_now before-unreadable)
kept2=$(metric "$m" smokeping_requests_total host=127.0.0.2)
new5=$(metric "$m" smokeping_requests_total host=127.0.0.5)
err_lines=$(wc -l <"$LIVE_OUT/mon.err")
chmod 000 "$LIST"
hup_and_wait 2 >/dev/null
sleep 0.3
m=$(metrics_now unreadable)
reload=$(events mon type=reload | sed -n 2p)
if [[ -n $reload ]]; then
  pass "a reload event for the unreadable file: $reload"
  [[ $reload != *'"ok":true'* ]] && pass "reload: not reported as a success" || fail "reload: $reload"
else
  fail "no second reload event within 5 s of SIGHUP"
fi
new_err=$(tail -n +$((err_lines + 1)) "$LIVE_OUT/mon.err")
if [[ $(wc -l <<<"$new_err") == 1 && $new_err == *"$LIST"* ]]; then
  pass "one line on stderr names the file: $new_err"
else
  fail "stderr after the failed reload: ${new_err:-nothing}"
fi
check_metric "unreadable file" "$m" uping_config_last_reload_successful eq 0
check_metric "unreadable file" "$m" uping_config_last_reload_success_timestamp_seconds eq "$success_ts"
check_metric "unreadable file: the old set kept" "$m" uping_targets eq 4
check_metric "unreadable file: the old set kept" "$m" smokeping_requests_total host=127.0.0.2 ge "$kept2"
check_metric "unreadable file: the old set kept" "$m" smokeping_requests_total host=127.0.0.5 ge "$new5"
monitor_alive && pass "the monitor keeps running" || fail "the monitor stopped after a failed reload"

# --- readable again, then empty: only the command line's target is left ----------------------------------
chmod 644 "$LIST"
hup_and_wait 3 >/dev/null
check_metric "readable again" "$(metrics_now readable)" uping_config_last_reload_successful eq 1
: >"$LIST"
hup_and_wait 4 >/dev/null
sleep 0.3
m=$(metrics_now empty)
check_metric "empty file" "$m" uping_targets eq 1
check_metric "empty file" "$m" uping_config_last_reload_successful eq 1
left=$("$MON_PYTHON" "$MONITOR_CHECK" labels "$m" smokeping_requests_total host | tr '\n' ' ')
[[ $left == "127.0.0.9 " ]] && pass "empty file: only the command line's target is exported" ||
  fail "empty file: smokeping_requests_total for: $left"

monitor_stop TERM
check_rc mon 0 "SIGTERM"
check_clean_stderr mon
if out=$(events mon); then pass "every stdout line is a JSON object"; else fail "stdout: ${out##*$'\n'}"; fi
live_done
