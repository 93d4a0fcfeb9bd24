#!/usr/bin/env bash
# uping --monitor's outage events (docs/monitor-spec.md §4.1) against a peer that falls silent at a known time
# and comes back: `--json --down-after 3 --up-after 2 -i 0.2` to 203.0.113.5, answered by a plain peer, and
# routed for a while to a sink peer that answers nothing. The route changes are the truth: their wall-clock
# times are taken around each `ip route replace`, and the sink's own record counts the probes it swallowed.
#   outage_start: its time within one interval after the silence began, cause timeout, probes_lost 3;
#   outage_end: its time within one interval after the answers came back, start = the start event's time,
#               duration_s = time - start, probes_lost = the requests the sink saw (exactly);
#   an outage still open at SIGTERM ends with "ended_by":"exit", exit 0, every start has its end.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/monitor_lib.sh"
live_init
PEER_TIMEOUT=90
peer_init
monitor_init

TARGET=203.0.113.5
INTERVAL=0.2
SILENCE_S=3
# Scheduling slack beyond the one interval (wake-ups under the sanitizers, the date calls around ip route).
SLACK=0.05

monitor_netns ns
peer_start plain "$ns" pplain || live_skip "the peer did not come up"
peer_start sink1 "$ns" psink1 --drop-every 1 || live_skip "the peer did not come up"
peer_start sink2 "$ns" psink2 --drop-every 1 || live_skip "the peer did not come up"
peer_route "$ns" pplain "$TARGET"

monitor_start mon "$ns" 90 --json --down-after 3 --up-after 2 -i "$INTERVAL" "$TARGET" || live_done
sleep 1.5  # replies first: the target is up

# route_to DEV: the target's route moved to DEV; prints the wall-clock times just before and just after the
# change (`ip` takes a while to start on a loaded machine: the change happened somewhere in between).
route_to() {
  local t
  t=$(now_s)
  peer_route "$ns" "$1" "$TARGET"
  echo "$t $(now_s)"
}

# --- one outage, begun and ended by the network ----------------------------------------------------------
read -r silent_at silent_done < <(route_to psink1)
sleep "$SILENCE_S"
read -r back_at back_done < <(route_to pplain)
if wait_event mon 10 type=outage_end; then
  pass "an outage_end followed the silence"
else
  fail "no outage_end within 10 s of the answers coming back"
  show mon
fi
peer_finish sink1 0  # its truth: every request it swallowed
lost=$(truth_count sink1 4 requests)
echo "    truth: silent from $silent_at..$silent_done to $back_at..$back_done, the sink swallowed $lost probes"

check_count mon out '"type":"outage_start"' 1 "one outage_start"
start_time=$(events mon type=outage_start --get time | head -n 1)
within "outage_start time: the first probe sent after the silence began" "$start_time" \
  "$(calc "$silent_at - $SLACK")" "$(calc "$silent_done + $INTERVAL + $SLACK")"
[[ $(events mon type=outage_start --get cause | head -n 1) == timeout ]] && pass "outage_start: cause timeout" ||
  fail "outage_start: cause $(events mon type=outage_start --get cause), expected timeout"
[[ $(events mon type=outage_start --get probes_lost | head -n 1) == 3 ]] && pass "outage_start: probes_lost 3 (--down-after)" ||
  fail "outage_start: probes_lost $(events mon type=outage_start --get probes_lost), expected 3"
[[ $(events mon type=outage_start --get target | head -n 1) == "$TARGET" &&
  $(events mon type=outage_start --get addr | head -n 1) == "$TARGET" ]] &&
  pass "outage_start: target and addr $TARGET" || fail "outage_start: target/addr: $(events mon type=outage_start)"

end_line=$(events mon type=outage_end | head -n 1)
end_time=$(events mon type=outage_end --get time | head -n 1)
within "outage_end time: the first probe sent after the answers came back" "$end_time" \
  "$(calc "$back_at - $SLACK")" "$(calc "$back_done + $INTERVAL + $SLACK")"
[[ $(events mon type=outage_end --get start | head -n 1) == "$start_time" ]] &&
  pass "outage_end: start is the outage_start's time ($start_time)" || fail "outage_end: start differs: $end_line"
duration=$(events mon type=outage_end --get duration_s | head -n 1)
within "outage_end: duration_s = time - start" "$duration" \
  "$(calc "$end_time - $start_time - 0.0015")" "$(calc "$end_time - $start_time + 0.0015")"
within "outage_end: duration_s near the silence (${SILENCE_S} s)" "$duration" \
  "$(calc "$back_at - $silent_done - $INTERVAL - $SLACK")" "$(calc "$back_done - $silent_at + $INTERVAL + $SLACK")"
got_lost=$(events mon type=outage_end --get probes_lost | head -n 1)
if [[ $got_lost == "$lost" ]]; then
  pass "outage_end: probes_lost $got_lost = the requests the sink swallowed"
else
  fail "outage_end: probes_lost $got_lost, the sink swallowed $lost"
fi
[[ $(events mon type=outage_end --get ended_by | head -n 1) != exit ]] &&
  pass "outage_end: not ended by exit ($(events mon type=outage_end --get ended_by | head -n 1))" ||
  fail "outage_end: ended_by exit while the monitor runs: $end_line"

# --- an outage still open at SIGTERM ---------------------------------------------------------------------
read -r second_at second_done < <(route_to psink2)
for ((i = 0; i < 100; i++)); do
  (($(grep -c '"type":"outage_start"' "$LIVE_OUT/mon.out") >= 2)) && break
  sleep 0.1
done
check_count mon out '"type":"outage_start"' 2 "a second outage_start once silent again"
second_start=$(events mon type=outage_start --get time | sed -n 2p)
within "second outage_start time" "$second_start" \
  "$(calc "$second_at - $SLACK")" "$(calc "$second_done + $INTERVAL + $SLACK")"
sleep 0.5
term_at=$(now_s)
monitor_stop TERM
check_rc mon 0 "SIGTERM during an outage"
check_clean_stderr mon
check_count mon out '"type":"outage_end"' 2 "every outage_start has its outage_end"
last_end=$(events mon type=outage_end | tail -n 1)
[[ $(events mon type=outage_end --get ended_by | tail -n 1) == exit ]] &&
  pass "the outage open at SIGTERM ends with ended_by exit" || fail "the last outage_end: $last_end"
[[ $(events mon type=outage_end --get start | tail -n 1) == "$second_start" ]] &&
  pass "its start is the second outage_start's time" || fail "the last outage_end's start: $last_end"
within "its time: at the exit" "$(events mon type=outage_end --get time | tail -n 1)" \
  "$second_start" "$(calc "$term_at + 1")"
lost2=$(events mon type=outage_end --get probes_lost | tail -n 1)
within "its probes_lost: at least --down-after" "$lost2" 3 100
if out=$(events mon); then
  pass "every stdout line is a JSON object ($(wc -l <"$LIVE_OUT/mon.out") events)"
else
  fail "stdout: ${out##*$'\n'}"
fi
if ((LIVE_FAILURES)); then
  echo "    --- the monitor's events:"
  sed 's/^/    | /' "$LIVE_OUT/mon.out"
fi
live_done
