# shellcheck shell=bash
# Helpers shared by the fping tests (test_fping_compat.sh, test_check_fping.sh, test_fping_peer.sh), sourced
# after lib.sh's live_init.
#
# uping is run as fping the way a caller runs it: by the name "fping" (or "fping6") found on PATH, a symlink
# to uping's copy, so argv[0] is exactly that name. Debian's fping 5.1 is run by the same name from /usr/bin,
# as root (raw sockets: the only way 5.1 works), so both print the same program name.

FPING_REF=/usr/bin/fping

# fping_init: the fping and fping6 links to uping's copy, in $LIVE_DIR/f (readable by uid 65534).
fping_init() {
  mkdir "$LIVE_DIR/f" || live_skip "mkdir $LIVE_DIR/f failed"
  ln -s ../uping "$LIVE_DIR/f/fping"
  ln -s ../uping "$LIVE_DIR/f/fping6"
  chmod 755 "$LIVE_DIR/f"
  FPING_UPING_PATH=$LIVE_DIR/f:/usr/bin:/bin
}

# fping_need_reference: Debian's fping 5.1 must be installed to compare against.
fping_need_reference() {
  [[ -x $FPING_REF ]] || live_skip "$FPING_REF (Debian's fping) is not installed (bash .ci/install-deps)"
  [[ -e /usr/bin/fping6 ]] || live_skip "/usr/bin/fping6 is missing (Debian's fping package links it)"
}

# fping_ref_run NS PREFIX... -- ARGS...: Debian's fping as root in NS, found as "fping" on PATH.
# PREFIX words (e.g. `timeout --preserve-status -s INT 1.5`) run between env and fping; NAME is fping or fping6.
fping_ref_run() {
  local ns=$1 name=$2
  shift 2
  local -a prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" env PATH=/usr/bin:/bin "${prefix[@]}" "$name" "$@"
}

# fping_uping_run NS NAME PREFIX... -- ARGS...: uping as NAME (fping or fping6) through PATH, uid 65534,
# no capabilities, CAP_NET_RAW out of the bounding set. FPING_SELFTEST=1 runs Debian's fping as root in its
# place: every "same" row must then pass, which proves the harness's own mechanics.
fping_uping_run() {
  local ns=$1 name=$2
  if [[ ${FPING_SELFTEST:-0} == 1 ]]; then
    fping_ref_run "$@"
    return
  fi
  shift 2
  local -a prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all --bounding-set=-net_raw \
    env PATH="$FPING_UPING_PATH" "${prefix[@]}" "$name" "$@"
}

# normalise_fping [COUNTS]: what legitimately changes from run to run in fping's output becomes a token:
# reply/avg/min/max figures (RTT AVG MIN MAX R), -D stamps in every --timestamp-format ([TS…]), -Q clock
# lines, -s times, JSON numbers that are times. NaN, byte counts, sequence numbers, loss percentages and
# counts stay. With COUNTS=1, sent/received counts that are equal (timing decides how many fit in an
# interval) become K/K, and netdata's SET lines lose their figures.
normalise_fping() {
  local counts=${1:-0} extra='s/^$//'
  ((counts)) && extra='s#= ([0-9]+)/\1/0%#= K/K/0%#; s/^SET (xmt|rcv) = [0-9]+$/SET \1 = K/; s/"(xmt|rcv)": [0-9]+/"\1": K/g'
  sed -E \
    -e 's/^\[[0-9]+\.[0-9]{5}\] /[TS] /' \
    -e 's/^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}\] /[TS-ISO] /' \
    -e 's/^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] /[TS-RFC3339] /' \
    -e 's/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}\] /[TS-CTIME] /' \
    -e 's/^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$/[HH:MM:SS]/' \
    -e 's/, [0-9][0-9.e+]* ms \(/, RTT ms (/' \
    -e 's/ \([0-9][0-9.e+]* avg, / (AVG avg, /' \
    -e 's#min/avg/max = [0-9][0-9.e+]*/[0-9][0-9.e+]*/[0-9][0-9.e+]*#min/avg/max = MIN/AVG/MAX#' \
    -e 's/ is alive \([0-9][0-9.e+]* ms\)/ is alive (RTT ms)/' \
    -e 's/^(.* : duplicate for \[[0-9]+\], [0-9]+ bytes), [0-9][0-9.e+]* ms/\1, RTT ms/' \
    -e 's/^ [0-9][0-9.e+]* ms \((min|avg|max) round trip time\)$/ RTT ms (\1 round trip time)/' \
    -e 's/^ +[0-9]+\.[0-9]{3} sec \(elapsed real time\)$/ ELAPSED sec (elapsed real time)/' \
    -e ':c' -e 's/^(.* :( -| R)*) [0-9][0-9.e+]*( |$)/\1 R\3/' -e 'tc' \
    -e 's/"rtt": [0-9][0-9.e+]*/"rtt": RTT/g' \
    -e 's/"(rttMin|rttAvg|rttMax)": [0-9][0-9.e+]*/"\1": RTT/g' \
    -e 's/"timestamp": "[^"]*"/"timestamp": "TS"/' \
    -e 's/"time": [0-9]+,/"time": T,/' \
    -e 's/"elapsed": [0-9.]+/"elapsed": E/' \
    -e ':v' -e 's/("values": \[([^]0-9]|R)*)[0-9][0-9.e+]*/\1R/' -e 'tv' \
    -e 's/^SET (min|avg|max) = [0-9]+$/SET \1 = N/' \
    -e "$extra"
}

# normalise_usage: a -h text keeps its structure and fping's option column (what callers grep: "-S,",
# "-O,", "-k,"); the descriptions, which are uping's own words, and their continuation lines are dropped.
# Any other text passes unchanged.
normalise_usage() {
  local text
  text=$(cat)
  if [[ $text == "Usage: "* ]]; then
    sed -E -e '/^ {20,}/d' \
      -e 's/^(   (-[[:alnum:]], --[[:alnum:]-]+(=[^ ]+)?|-[[:alnum:]] [A-Z]+)|       --[[:alnum:]-]+(=[^ ]+)?)( .*)?$/\1/' \
      <<<"$text"
  elif [[ -n $text ]]; then
    printf '%s\n' "$text"
  fi
}

# fping_normal FILE [COUNTS]: FILE through both normalisers.
fping_normal() {
  normalise_fping "${2:-0}" <"$1" | normalise_usage
}

# fping_fresh_source DEV: the next client address (198.51.100.80 upwards) on DEV, made the source of every
# probe to 203.0.113.0/24. IPv4 routing errors (unreachable, prohibit) are rate limited per source address by
# a host-wide token bucket (net.ipv4.route.error_cost / error_burst, not per namespace: a burst of a few, then
# one a second), so a run that must see its error leaves from an address no run used before.
FPING_SOURCE_SEQ=80
fping_fresh_source() {
  ((FPING_SOURCE_SEQ < 127)) || fail "more fresh IPv4 sources asked for than the client's /26 holds"
  setup ip netns exec "$client" ip addr add "198.51.100.$FPING_SOURCE_SEQ/26" dev "$1"
  setup ip netns exec "$client" ip route replace 203.0.113.0/24 via 198.51.100.65 src "198.51.100.$FPING_SOURCE_SEQ"
  FPING_SOURCE_SEQ=$((FPING_SOURCE_SEQ + 1))
}
