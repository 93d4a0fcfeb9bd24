#!/usr/bin/env bash
# uping as fping against the scriptable peer (test/peer): loss, duplicates, delays and ICMP errors, IPv4 and
# IPv6, through `fping -c`, `-C`, `-c -q` and `-l`. Every figure fping prints must be the peer's ground truth: the
# probes it did not answer are the timeouts, its first answers the replies, each round trip at least the peer's
# wait and within a tolerance above it, each ICMP error it sent one line on stderr in fping's words.
# Duplicates: a deliberate difference from fping 5.5, which counts a duplicate as a reply (and raises its xmt)
# in loop mode and with -c/-C -q: uping never counts one, and in loop mode reports each on stderr as
# "{host} : duplicate for [{i}], {bytes} bytes, {rtt} ms" (not with -q/-Q), as fping does in default mode. uping only:
# fping 5.1 cannot work unprivileged, and as root it reports no ICMPv6 errors.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/fping_lib.sh"
live_init
fping_init
PEER_TIMEOUT=25
peer_init

T4=203.0.113.5
T6=2001:db8:feed::5
ROUTER4=203.0.113.254
ROUTER6=2001:db8:feed::fe
TOLERANCE_MS=${DELAY_TOLERANCE_MS:-20}  # scheduling under load (see test_peer_smoke.sh)

# truth_probes TRUTH FAMILY: one line per request of FAMILY in order (fping's probe index): "index seq
# answered wait_ms errors duplicates", where answered is 1 when a reply a socket accepts was sent for it.
truth_probes() {
  awk -v family="$2" '
    BEGIN { n = 0 }
    $2 != family { next }
    $1 == "request" { seq[n] = $4; index_of[$4] = n; n++ }
    $1 == "reply" && !/ (corrupt-checksum|wrong-id|wrong-seq)/ {
      i = index_of[$4]
      if (answered[i]++) dups[i]++; else wait[i] = $6 / 1000
    }
    $1 == "error" { errors[index_of[$5]]++ }
    END { for (i = 0; i < n; i++) printf "%d %s %d %.3f %d %d\n", i, seq[i], (answered[i] > 0), wait[i], errors[i], dups[i] }
  ' "$1"
}

# sum_column FILE N: the sum of column N.
sum_column() { awk -v c="$2" '{ s += $c } END { print s + 0 }' "$1"; }

# check_rtts TAG DESC TARGET FILE: each "[i], N bytes, X ms" line of TAG's stdout for TARGET has X within
# [peer's wait for probe i − 0.1, wait + TOLERANCE_MS].
check_rtts() {
  local tag=$1 desc=$2 target=$3 probes=$4 report
  report=$(awk -v target="$target" -v tol="$TOLERANCE_MS" '
    FNR == NR { wait[$1] = $4; answered[$1] = $3; next }
    index($0, target " ") == 1 && match($0, /: \[[0-9]+\], [0-9]+ bytes, [0-9.e+]+ ms/) {
      split(substr($0, RSTART, RLENGTH), f, /[][, ]+/)
      i = f[2]; rtt = f[5] + 0; checked++
      if (!answered[i]) { print "probe " i ": a reply line, but the peer did not answer it"; bad++ }
      else if (rtt < wait[i] - 0.1 || rtt > wait[i] + tol) { print "probe " i ": " rtt " ms, the peer waited " wait[i] " ms"; bad++ }
    }
    END { printf "%s %d reply lines\n", (bad ? "BAD" : "OK"), checked }' "$probes" "$LIVE_OUT/$tag.out")
  if [[ ${report##*$'\n'} == OK* ]]; then
    pass "$desc: round-trip times within the peer's wait + $TOLERANCE_MS ms (${report##*OK })"
  else
    fail "$desc: round-trip times disagree with the peer's waits"
    sed 's/^/    | /' <<<"$report"
  fi
}

# check_count_mode TAG MODE FAMILY TARGET: a -c or -C run (MODE c or C) of TAG against the truth of FAMILY.
check_count_mode() {
  local tag=$1 mode=$2 family=$3 target=$4 probes=$LIVE_OUT/$1.probes$3 n answered lost errors
  truth_probes "$LIVE_OUT/$tag.truth" "$family" >"$probes"
  n=$(wc -l <"$probes")
  answered=$(sum_column "$probes" 3)
  lost=$((n - answered))
  errors=$(sum_column "$probes" 5)
  local desc="$tag IPv$family fping -$mode"
  [[ $n == "$PROBES" ]] && pass "$desc: the peer saw $n requests" || fail "$desc: the peer saw $n requests, not $PROBES"
  check_count "$tag" out "^$target +: \\[[0-9]+\\], [0-9]+ bytes, " "$answered" "$desc: one reply line per probe answered"
  check_count "$tag" out "^$target +: \\[[0-9]+\\], timed out " "$lost" "$desc: one timeout line per probe not answered"
  if [[ $mode == c ]]; then
    local summary="^$target +: xmt/rcv/%loss = $n/$answered/$(((n - answered) * 100 / n))%"
    ((answered)) && summary+=", min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$" || summary+='$'
    check_grep "$tag" err "$summary" "$desc: the summary is the truth's"
  else
    # -C: one figure per answered probe, "-" per lost one, in probe order.
    local want
    want=$(awk '{ printf " %s", ($3 ? "R" : "-") }' "$probes")
    if grep -E "^$target +:( |$)" "$LIVE_OUT/$tag.err" | normalise_fping | grep -Fxq -- "$(printf '%-*s :%s' "$PAD" "$target" "$want")"; then
      pass "$desc: the -C line is the truth's ($want)"
    else
      fail "$desc: no -C line '$target :$want'"
      show "$tag"
    fi
  fi
  check_no_grep "$tag" err 'duplicate for' "$desc: duplicates are not printed in count mode (fping 5.5)"
  local icmp="^ICMP Host Unreachable from $ROUTER4 for ICMP Echo sent to $target$"
  [[ $family == 6 ]] && icmp="^ICMPv6 Destination Unreachable \\(Address unreachable\\) from $ROUTER6 for ICMPv6 Echo Request sent to $target$"
  check_count "$tag" err "$icmp" "$errors" "$desc: one ICMP error line per error the peer sent"
  check_rtts "$tag" "$desc" "$target" "$probes"
}

# check_loop_mode TAG FAMILY TARGET: a -l run (2 probes, see run_loop): one reply line per probe answered, one
# timeout line per probe not answered, one duplicate line on stderr per copy, the summary from first replies.
check_loop_mode() {
  local tag=$1 family=$2 target=$3 probes=$LIVE_OUT/$1.probes$2 n answered dups
  truth_probes "$LIVE_OUT/$tag.truth" "$family" >"$probes"
  n=$(wc -l <"$probes")
  answered=$(sum_column "$probes" 3)
  dups=$(sum_column "$probes" 6)
  local desc="$tag IPv$family fping -l"
  if [[ $n == 2 ]]; then pass "$desc: the peer saw 2 requests"; else fail "$desc: the peer saw $n requests, not 2"; fi
  check_count "$tag" out "^$target +: \\[[0-9]+\\], [0-9]+ bytes, " "$answered" "$desc: one reply line per probe answered"
  check_count "$tag" out "^$target +: \\[[0-9]+\\], timed out " "$((n - answered))" "$desc: one timeout line per probe not answered"
  check_count "$tag" err "^$target : duplicate for \\[[01]\\], 64 bytes, [0-9.]+ ms$" "$dups" \
    "$desc: one duplicate line per copy the peer sent (uping; fping 5.5 counts copies as replies)"
  check_grep "$tag" err "$(summary_re "$target" "$n" "$answered")" "$desc: the summary is the truth's"
  check_no_grep "$tag" out 'return\)' "$desc: no reply line reads '% return' (duplicates are not replies)"
}

# run_loop TAG NS: fping -l -p 1000 -t 300 to both targets, interrupted once both have printed their line for
# probe [1] (and 0.2 s more for the duplicates that follow): the next probe is 0.8 s away, so exactly two probes per
# target are judged whatever the machine's load.
mkdir -m 1777 "$LIVE_DIR/pids"
run_loop() {
  local tag=$1 ns=$2 pidfile=$LIVE_DIR/pids/$1 bg i
  fping_uping_run "$ns" fping sh -c 'echo $$ >"$0" && exec "$@"' "$pidfile" -- -l -p 1000 -t 300 "$T4" "$T6" \
    >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  bg=$!
  for ((i = 0; i < 500; i++)); do
    (($(grep -c ' : \[1\], ' "$LIVE_OUT/$tag.out") >= 2)) && break
    kill -0 "$bg" 2>/dev/null || break
    sleep 0.02
  done
  sleep 0.2
  [[ -s $pidfile ]] && kill -INT "$(cat "$pidfile")" 2>/dev/null
  wait "$bg"
  LIVE_RC[$tag]=$?
}

# summary_re TARGET SENT REPLIES: fping's -c summary for those counts (more replies than probes: %return).
summary_re() {
  local target=$1 n=$2 replies=$3
  if ((replies > n)); then
    echo "^$target +: xmt/rcv/%return = $n/$replies/$((replies * 100 / n))%, min/avg/max = "
  elif ((replies)); then
    echo "^$target +: xmt/rcv/%loss = $n/$replies/$(((n - replies) * 100 / n))%, min/avg/max = "
  else
    echo "^$target +: xmt/rcv/%loss = $n/0/100%$"
  fi
}

# check_quiet_count TAG FAMILY TARGET: a -c -q run: the summary counts first replies only (uping; fping 5.5
# counts copies there too), and -q prints neither duplicates nor ICMP errors.
check_quiet_count() {
  local tag=$1 family=$2 target=$3 probes=$LIVE_OUT/$1.probes$2 n answered
  truth_probes "$LIVE_OUT/$tag.truth" "$family" >"$probes"
  n=$(wc -l <"$probes")
  answered=$(sum_column "$probes" 3)
  local desc="$tag IPv$family fping -c -q"
  check_grep "$tag" err "$(summary_re "$target" "$n" "$answered")" "$desc: the summary is the truth's"
  check_no_grep "$tag" err 'duplicate for|^ICMP' "$desc: -q prints no duplicates and no ICMP errors"
  check_empty "$tag" out "$desc"
}

# scenario TAG SCENARIO...: for each of -c, -C, -c -q and -l, a fresh namespace and peer, one fping run to both
# targets, the truth checked per family.
scenario() {
  local tag=$1 mode ns
  shift
  for mode in c C q l; do
    new_netns ns
    if ! start_peer "$tag-$mode" "$ns" "$@"; then
      fail "$tag-$mode: the peer did not come up"
      continue
    fi
    case $mode in
      c) capture "$tag-$mode" fping_uping_run "$ns" fping -- -c "$PROBES" -p 200 -t 150 "$T4" "$T6" ;;
      C) capture "$tag-$mode" fping_uping_run "$ns" fping -- -C "$PROBES" -p 200 -t 150 "$T4" "$T6" ;;
      q) capture "$tag-$mode" fping_uping_run "$ns" fping -- -c "$PROBES" -q -p 200 -t 150 "$T4" "$T6" ;;
      l) run_loop "$tag-$mode" "$ns" ;;
    esac
    stop_peer "$tag-$mode" || continue
    check_no_grep "$tag-$mode" err 'AddressSanitizer|runtime error' "$tag-$mode: no sanitizer report"
    if [[ $mode == l ]]; then
      check_loop_mode "$tag-$mode" 4 "$T4"
      check_loop_mode "$tag-$mode" 6 "$T6"
    elif [[ $mode == q ]]; then
      check_quiet_count "$tag-$mode" 4 "$T4"
      check_quiet_count "$tag-$mode" 6 "$T6"
    else
      check_count_mode "$tag-$mode" "$mode" 4 "$T4"
      check_count_mode "$tag-$mode" "$mode" 6 "$T6"
    fi
  done
}

PROBES=4
PAD=${#T6}  # targets are padded to the longest
scenario plain
scenario loss --drop-every 2
scenario duplicate --duplicate 1
scenario delay --delay 60
scenario error --error host-unreachable --error-every 2
check_rc error-c 0 "error: fping -c exits 0 when every target answered some probe"
check_rc plain-c 0 "plain: every probe answered, fping -c exits 0"
check_rc plain-l 0 "plain: -l ended by SIGINT exits 0 when every target answered"

live_done
