#!/usr/bin/env bash
# Signals and output failures: SIGINT ends a run with the statistics, SIGQUIT prints the progress
# line on stderr and the run goes on, a reader that goes away ends uping quietly, and a full
# stdout is a clear error with exit 1 (as iputils).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns

# replies_in FILE: the reply lines written so far.
replies_in() { grep -c 'bytes from' "$1" 2>/dev/null || true; }

# wait_for_replies FILE N: up to 5 s for N reply lines.
wait_for_replies() {
  local i
  for ((i = 0; i < 100; i++)); do
    (($(replies_in "$1") >= $2)) && return 0
    sleep 0.05
  done
  return 1
}

# SIGQUIT then SIGINT on an endless run.
out=$LIVE_OUT/sig.out
err=$LIVE_OUT/sig.err
run_unpriv "$ns" "$UPING_BIN" -i 0.1 127.0.0.1 >"$out" 2>"$err" &
runner=$!
pid=$(pid_of "^$UPING_BIN -i 0\\.1 127\\.0\\.0\\.1$")
if [[ -z $pid ]] || ! wait_for_replies "$out" 3; then
  fail "uping -i 0.1 did not start replying"
else
  kill -QUIT "$pid"
  sleep 0.3
  before=$(replies_in "$out")
  if grep -Eq $'^\r[0-9]+/[0-9]+ packets, 0% loss, min/avg/ewma/max = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$' "$err"; then
    pass "SIGQUIT: progress line on stderr"
  else
    fail "SIGQUIT: no progress line on stderr"
    cat -A "$err" | sed 's/^/    | /'
  fi
  wait_for_replies "$out" $((before + 2)) && pass "SIGQUIT: the run goes on" || fail "SIGQUIT stopped the run"
  kill -INT "$pid"
fi
wait "$runner"
LIVE_RC[sig]=$?
check_rc sig 0 "SIGINT after replies"
check_grep sig out '^--- 127\.0\.0\.1 ping statistics ---$' "SIGINT: statistics block"
tx=$(sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received, .*/\1/p' "$out")
rx=$(sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received, .*/\2/p' "$out")
lines=$(replies_in "$out")
if [[ -n $tx && $rx == "$lines" && $tx -ge $rx && $((tx - rx)) -le 1 ]]; then
  pass "SIGINT: counts agree with the reply lines ($tx sent, $rx received, $lines lines)"
else
  fail "SIGINT: counts disagree (sent '$tx', received '$rx', $lines reply lines)"
  show sig
fi

# A reader that stops after one line: no complaint from uping, and it ends at once.
capture head run_unpriv "$ns" bash -c "'$UPING_BIN' -c 100 -i 0.05 127.0.0.1 | head -n 1; exit \${PIPESTATUS[0]}"
check_quiet_pipe_end head "| head -1"
check_within head 0 3000 "| head -1: ends long before its 100 probes (5 s) would"

# The same with SIGPIPE ignored by the parent (as some supervisors do): still quiet.
capture headign run_unpriv "$ns" bash -c "trap '' PIPE; '$UPING_BIN' -c 100 -i 0.05 127.0.0.1 | head -n 1; exit \${PIPESTATUS[0]}"
check_empty headign err "| head -1 with SIGPIPE ignored: nothing on stderr"
check_within headign 0 3000 "| head -1 with SIGPIPE ignored: ends early"

# stdout on a full device: one clear line, exit 1 (as iputils).
capture full run_unpriv "$ns" bash -c "exec '$UPING_BIN' -c 2 -i 0.2 127.0.0.1 >/dev/full"
check_rc full 1 "stdout on /dev/full"
check_line full err "ping: write error: No space left on device" "stdout on /dev/full"

live_done
