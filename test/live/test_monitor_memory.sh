#!/usr/bin/env bash
# uping --monitor's memory stays flat (docs/monitor-spec.md §4.4): MEMORY_TARGETS loopback addresses probed
# every MEMORY_INTERVAL seconds until /metrics counts MEMORY_PROBES settled probes (a million by default), VmRSS
# read from /proc/PID/status once warmed up (WARM_FRACTION of the probes) and at the end. Fixed state per target
# means the end is within MEMORY_BOUND_KIB of the warm-up figure, whatever the number of probes; a leak of even
# a few bytes per probe would pass it (8 bytes × 900,000 probes = 7 MiB).
#
# Under AddressSanitizer freed memory sits in a quarantine (256 MiB by default) before it is reused: RSS would
# climb until the quarantine is full and hide any signal. The quarantine is shrunk to 1 MiB (global) and 64 KiB
# (per thread), so it is full long before the warm-up sample. /metrics is scraped during the run (the
# exposition buffer must be reused, not grown) and the process' own process_resident_memory_bytes must agree
# with /proc.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/monitor_lib.sh"
live_init
monitor_init

TARGETS=${MEMORY_TARGETS:-200}
INTERVAL=${MEMORY_INTERVAL:-0.01}
PROBES=${MEMORY_PROBES:-1000000}
WARM_FRACTION=${MEMORY_WARM_FRACTION:-0.2}
BOUND_KIB=${MEMORY_BOUND_KIB:-1024}
RUN_BOUND=${MEMORY_RUN_BOUND:-400}  # seconds the whole run may take before it is a failure

new_netns ns
LIST=$LIVE_DIR/targets.txt
for ((i = 1; i <= TARGETS; i++)); do
  echo "127.0.$((i / 250 + 1)).$((i % 250 + 1))"
done >"$LIST"
chmod 644 "$LIST"

MON_ENV="ASAN_OPTIONS=quarantine_size_mb=1:thread_local_quarantine_size_kb=64:detect_leaks=1"
t0=$(date +%s%N)
monitor_start mon "$ns" "$RUN_BOUND" -i "$INTERVAL" -W 1 --listen 127.0.0.1:0 --file "$LIST" --summary-every 0 ||
  live_done

# rss_kib: VmRSS of the monitor, in KiB.
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$MON_PID/status"; }

# settled: the probes /metrics counts so far.
settled() {
  local file
  file=$(metrics_now progress)
  metric "$file" smokeping_requests_total
}

warm_at=$(awk -v n="$PROBES" -v f="$WARM_FRACTION" 'BEGIN { printf "%d", n * f }')
warm_rss="" warm_probes="" samples=()
deadline=$(($(date +%s) + RUN_BOUND - 15))
while monitor_alive && (($(date +%s) < deadline)); do
  n=$(settled)
  [[ $n =~ ^[0-9]+$ ]] || n=0
  rss=$(rss_kib)
  samples+=("$n:$rss")
  if [[ -z $warm_rss ]] && ((n >= warm_at)); then
    warm_rss=$rss
    warm_probes=$n
    warm_ms=$((($(date +%s%N) - t0) / 1000000))
  fi
  ((n >= PROBES)) && break
  sleep 2
done
end_rss=$(rss_kib)
end_file=$(metrics_now end)
end_probes=$(metric "$end_file" smokeping_requests_total)
end_ms=$((($(date +%s%N) - t0) / 1000000))
echo "    samples (probes:VmRSS KiB): ${samples[*]}"

if [[ $end_probes =~ ^[0-9]+$ ]] && ((end_probes >= PROBES)); then
  pass "$PROBES probes: /metrics counts $end_probes settled probes to $TARGETS targets in ${end_ms} ms"
else
  fail "only $end_probes probes settled within ${RUN_BOUND} s (rate too high for this machine? MEMORY_INTERVAL)"
fi
if [[ -n $warm_rss ]]; then
  growth=$((end_rss - warm_rss))
  echo "    VmRSS: $warm_rss KiB after $warm_probes probes (${warm_ms} ms), $end_rss KiB after $end_probes probes"
  if ((growth <= BOUND_KIB)); then
    pass "VmRSS flat: +$growth KiB from probe $warm_probes to $end_probes (bound $BOUND_KIB KiB)"
  else
    fail "VmRSS grew $growth KiB from probe $warm_probes to $end_probes (bound $BOUND_KIB KiB)"
  fi
else
  fail "never warmed up ($warm_at probes)"
fi
check_metric "the process' own figure" "$end_file" process_resident_memory_bytes gt $((end_rss * 1024 / 2))
check_metric "the process' own figure" "$end_file" process_resident_memory_bytes lt $((end_rss * 1024 * 2))
check_invariant "end" "$end_file"
echo "    timeouts: $(metric "$end_file" uping_timeouts_total), send errors: $(metric "$end_file" smokeping_send_errors_total)"
monitor_stop TERM
check_rc mon 0 "SIGTERM"
check_clean_stderr mon
live_done
