#!/usr/bin/env bash
# uping against the scriptable ICMP peer (test/peer): the peer answers 203.0.113.0/24 and
# 2001:db8:feed::/64 behind a TUN device in the namespace, following a scenario, and records what it
# really did. uping's statistics line, reply lines and exit status must agree with that ground truth.
#
# Environment: UPING_PEER (the uping_peer binary; default: test/peer/uping_peer beside $UPING).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init


TARGET4=203.0.113.5
TARGET6=2001:db8:feed::5
PEER_TIMEOUT=25
peer_init




# truth_statistics TRUTH FAMILY [LATE]: the statistics line uping should print (as normalised),
# from the peer's events of FAMILY: replies a socket accepts (no bad checksum, right id and seq), the
# first per sequence counted as received, the others as duplicates; loss as iputils prints it (%g).
# With LATE=late, the duplicates of the last sequence are left out: like iputils, uping stops as soon
# as the last reply needed arrives, so copies written after it may or may not be read.
truth_statistics() {
  awk -v family="$2" -v late="${3:-}" '
    FNR == NR { if ($1 == "request" && $2 == family) last = $4; next }
    $1 == "request" && $2 == family { transmitted++ }
    $1 == "reply" && $2 == family && !/ (corrupt-checksum|wrong-id|wrong-seq)/ {
      if (!seen[$4]++) received++
      else if (!(late == "late" && $4 == last)) duplicates++
    }
    $1 == "error" && $2 == family { errors++ }
    END {
      line = transmitted + 0 " packets transmitted, " received + 0 " received"
      if (duplicates) line = line ", +" duplicates " duplicates"
      if (errors) line = line ", +" errors " errors"
      if (transmitted) line = line ", " sprintf("%g", (transmitted - received) * 100 / transmitted) "% packet loss"
      print line ", time Nms"
    }' "$1" "$1"
}

# count_truth TRUTH EVENT FAMILY [FLAG]: lines of EVENT for FAMILY (with FLAG among their flags).
count_truth() {
  awk -v event="$2" -v family="$3" -v flag="${4:-}" '
    $1 == event && $2 == family && (flag == "" || index($0, " " flag)) { n++ }
    END { print n + 0 }' "$1"
}

# check_against_truth TAG FAMILY TARGET: the uping run TAG.vFAMILY agrees with the peer's TAG.truth.
check_against_truth() {
  local tag=$1 family=$2 target=$3 run=$1.v$2 truth=$LIVE_OUT/$1.truth
  local all_seen without_late got replies duplicates want_rc
  all_seen=$(truth_statistics "$truth" "$family")
  without_late=$(truth_statistics "$truth" "$family" late)
  got=$(normalise <"$LIVE_OUT/$run.out" | grep -E '^[0-9]+ packets transmitted, ')
  if [[ -n $got && ($got == "$all_seen" || $got == "$without_late") ]]; then
    pass "$tag $target: statistics match the peer's truth ($got)"
  else
    fail "$tag $target: statistics '$got', the peer's truth says '$all_seen'$([[ $all_seen != "$without_late" ]] && echo " or '$without_late'")"
    show "$run"
  fi
  check_line "$run" out "--- $target ping statistics ---" "$tag $target"
  # Every reply line and (DUP!) mark uping printed is one the peer sent; no more.
  replies=$(count_truth "$truth" reply "$family")
  duplicates=$(count_truth "$truth" reply "$family" duplicate)
  if [[ $got =~ \+([0-9]+)\ duplicates ]]; then
    duplicates=${BASH_REMATCH[1]}
  elif [[ $got == *" received, "* ]]; then
    duplicates=0
  fi
  check_count "$run" out "^64 bytes from $target: icmp_seq=[0-9]+ ttl=64 time=" \
    "$((replies - $(count_truth "$truth" reply "$family" duplicate) + duplicates))" "$tag $target: reply lines"
  check_count "$run" out ' \(DUP!\)$' "$duplicates" "$tag $target: (DUP!) lines as counted in the statistics"
  want_rc=1
  [[ $all_seen == *", 0 received"* ]] || want_rc=0
  check_rc "$run" "$want_rc" "$tag $target"
  check_empty "$run" err "$tag $target"
}

# check_delays TAG FAMILY DELAY_MS TOLERANCE_MS: each reply's "time=" is at least what the peer
# waited before sending it (its delay_us for that sequence), which is itself at least DELAY_MS, and
# at most TOLERANCE_MS above it.
check_delays() {
  local tag=$1 family=$2 delay_ms=$3 tolerance_ms=$4 report line
  report=$(awk -v family="$family" -v delay="$delay_ms" -v tolerance="$tolerance_ms" '
    FNR == NR { if ($1 == "reply" && $2 == family && !($4 in waited)) waited[$4] = $6 / 1000; next }
    match($0, /icmp_seq=[0-9]+ /) {
      seq = substr($0, RSTART + 9, RLENGTH - 10)
      if (!match($0, /time=[0-9.]+ ms/)) { print "no time= in: " $0; bad++; next }
      rtt = substr($0, RSTART + 5, RLENGTH - 8) + 0
      checked++
      if (!(seq in waited)) { print "seq " seq ": no reply in the truth"; bad++ }
      else if (waited[seq] < delay) { print "seq " seq ": the peer waited only " waited[seq] " ms"; bad++ }
      else {
        if (rtt - waited[seq] > worst) worst = rtt - waited[seq]
        # time= has three significant digits (50.4 for 50.43): allow its rounding below the wait.
        if (rtt < waited[seq] - 0.1 || rtt > waited[seq] + tolerance) {
          print "seq " seq ": time=" rtt " ms, the peer waited " waited[seq] " ms"; bad++
        }
      }
    }
    END {
      if (!checked) { print "no reply lines"; bad++ }
      printf "%s %d replies, at most %.3f ms above the wait\n", (bad ? "BAD" : "OK"), checked, worst
    }
  ' "$LIVE_OUT/$tag.truth" "$LIVE_OUT/$tag.v$family.out")
  if [[ ${report##*$'\n'} == OK* ]]; then
    pass "$tag IPv$family: round-trip times within [peer's wait, wait + $tolerance_ms ms], waits >= $delay_ms ms (${report##*OK })"
  else
    fail "$tag IPv$family: round-trip times disagree with the peer's waits (tolerance $tolerance_ms ms)"
    while IFS= read -r line; do echo "    | $line"; done <<<"$report"
    show "$tag.v$family"
  fi
}

# scenario TAG SCENARIO...: a fresh namespace and peer, then uping -c 5 -i 0.2 to both targets.
scenario() {
  local tag=$1 ns family requests
  shift
  new_netns ns
  start_peer "$tag" "$ns" "$@" || live_skip "the peer did not come up in $ns (see its stderr above)"
  capture "$tag.v4" run_unpriv "$ns" "$UPING_BIN" -c 5 -i 0.2 -W 1 "$TARGET4"
  capture "$tag.v6" run_unpriv "$ns" "$UPING_BIN" -c 5 -i 0.2 -W 1 "$TARGET6"
  stop_peer "$tag"
  for family in 4 6; do
    requests=$(count_truth "$LIVE_OUT/$tag.truth" request "$family")
    if [[ $requests == 5 ]]; then
      pass "$tag IPv$family: the peer saw the 5 requests"
    else
      fail "$tag IPv$family: the peer saw $requests requests, expected 5"
      show "$tag.v$family"
    fi
  done
  check_against_truth "$tag" 4 "$TARGET4"
  check_against_truth "$tag" 6 "$TARGET6"
}

scenario plain
check_line plain.v4 out "5 packets transmitted, 5 received, 0% packet loss, time Nms" "plain $TARGET4"

scenario drop --drop-every 2
check_line drop.v6 out "5 packets transmitted, 3 received, 40% packet loss, time Nms" "drop $TARGET6"

scenario duplicate --duplicate 1
check_grep duplicate.v4 out "^5 packets transmitted, 5 received, \\+[45] duplicates, 0% packet loss" \
  "duplicate $TARGET4"

# The wait is measured by the peer from reading a request to just before writing its reply; uping's
# time= (send time to kernel receive time) can only be longer. How much longer is scheduling: on an
# idle machine under a millisecond, but with a load average of 12 (parallel builds) both uping (ASan
# build) and iputils ping were seen up to 10 ms above it, hence the 20 ms default margin.
DELAY_TOLERANCE_MS=${DELAY_TOLERANCE_MS:-20}
scenario delay --delay 50
check_delays delay 4 50 "$DELAY_TOLERANCE_MS"
check_delays delay 6 50 "$DELAY_TOLERANCE_MS"

live_done
