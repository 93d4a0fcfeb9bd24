#!/usr/bin/env bash
# Output that cannot be written is never lost without a word: in every mode a stdout on a full
# device or closed gives one "write error" line on stderr and the mode's error exit code (ping 1,
# as iputils; sweeps and --diagnose 2; --health 1). A closed stdout never becomes the ICMP socket.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns

# run_redirected TAG REDIRECTION ARGS...: uping, unprivileged in $ns, with stdout redirected.
run_redirected() {
  local tag=$1 redirection=$2 quoted
  shift 2
  quoted=$(printf '%q ' "$@")
  capture "$tag" run_unpriv "$ns" bash -c "exec '$UPING_BIN' $quoted $redirection"
}

# check_write_error TAG RC REASON DESCRIPTION: exit RC, one stderr line naming the write error.
check_write_error() {
  local tag=$1 rc=$2 line=$3 desc=$4
  check_rc "$tag" "$rc" "$desc"
  check_line "$tag" err "$line" "$desc"
  check_count "$tag" err '.' 1 "$desc: one stderr line"
}

full="ping: write error: No space left on device"
closed="ping: write error: Bad file descriptor"
for target in full closed; do
  if [[ $target == full ]]; then redirection='>/dev/full' line=$full; else redirection='>&-' line=$closed; fi
  run_redirected "alive.$target" "$redirection" --alive -g 127.0.0.0/29
  check_write_error "alive.$target" 2 "$line" "--alive, stdout $target"
  run_redirected "json.$target" "$redirection" --json -c 1 127.0.0.1 127.0.0.2
  check_write_error "json.$target" 2 "$line" "--json, stdout $target"
  run_redirected "text.$target" "$redirection" -c 1 127.0.0.1 127.0.0.2
  check_write_error "text.$target" 2 "$line" "sweep, stdout $target"
  run_redirected "health.$target" "$redirection" --health 127.0.0.1
  check_write_error "health.$target" 1 "${line/write error/--health: write error}" "--health, stdout $target"
  run_redirected "diagnose.$target" "$redirection" --diagnose
  check_write_error "diagnose.$target" 2 "$line" "--diagnose, stdout $target"
  run_redirected "ping.$target" "$redirection" -c 1 127.0.0.1
  check_write_error "ping.$target" 1 "$line" "ping, stdout $target"
  # Help and version texts are stdout too.
  run_redirected "help.$target" "$redirection" --health --help
  check_write_error "help.$target" 1 "${line/write error/--health: write error}" "--health --help, stdout $target"
  run_redirected "sweephelp.$target" "$redirection" -g 127.0.0.0/30 --help
  check_write_error "sweephelp.$target" 2 "$line" "sweep --help, stdout $target"
  run_redirected "version.$target" "$redirection" -V
  check_write_error "version.$target" 1 "$line" "-V, stdout $target"
done

# iputils exits 1 too ("ping: write error", without the reason uping adds).
for target in full closed; do
  if [[ $target == full ]]; then redirection='>/dev/full'; else redirection='>&-'; fi
  capture "iputils.$target" run_unpriv "$ns" bash -c "exec '$PING_BIN' -c 1 127.0.0.1 $redirection"
  check_rc "iputils.$target" 1 "iputils ping, stdout $target"
  check_line "iputils.$target" err "ping: write error" "iputils ping, stdout $target"
done

# A closed stderr or stdin is not taken by a socket either: the results still reach stdout.
capture noerr run_unpriv "$ns" bash -c "exec '$UPING_BIN' -c 1 127.0.0.1 2>&- <&-"
check_rc noerr 0 "ping with stdin and stderr closed"
check_count noerr out '^64 bytes from 127\.0\.0\.1' 1 "ping with stdin and stderr closed"

# A sweep whose reader goes away ends quietly, as a ping does.
capture head run_unpriv "$ns" bash -c "'$UPING_BIN' --alive -c 1 -g 127.0.0.0/22 | head -n 1; exit \${PIPESTATUS[0]}"
check_quiet_pipe_end head "sweep | head -1"

live_done
