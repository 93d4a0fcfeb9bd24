#!/usr/bin/env bash
# A real caller: Debian's check_fping (monitoring-plugins-standard 2.3.3), which runs `/usr/bin/fping -b 56
# -c N host` (and /usr/bin/fping6 for -6) and judges its output. It runs (a) as root with Debian's fping 5.1
# and (b) as uid 65534 without CAP_NET_RAW with uping bind-mounted over /usr/bin/fping in a private mount
# namespace. Debian's /usr/bin/fping6 is a symlink to fping, so that one mount serves both names, and
# argv[0] ("/usr/bin/fping6") still tells uping to be fping6. Against a live, a silent and an unreachable
# target, IPv4 and IPv6, with thresholds that give each target another verdict, check_fping must print the
# same verdict and performance data (loss exactly, rta within a tolerance) and exit the same.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/fping_lib.sh"
live_init
fping_need_reference

CHECK_FPING=/usr/lib/nagios/plugins/check_fping
[[ -x $CHECK_FPING ]] || live_skip "$CHECK_FPING is missing (monitoring-plugins-standard; bash .ci/install-deps)"
[[ -L /usr/bin/fping6 ]] || live_skip "/usr/bin/fping6 is not a symlink to fping: this test's one bind mount would not cover it"
command -v unshare >/dev/null || live_skip "unshare (util-linux) is missing"
RTA_TOLERANCE_MS=${RTA_TOLERANCE_MS:-20}  # loopback answers in microseconds; the bound only allows for load

# The network: the client has loopback (live targets), a link to a sink that ignores echo requests
# (silent: 198.51.100.2, 2001:db8::2) and a link to a router whose routes answer 203.0.113.0/24 and
# 2001:db8:3::/64 with "unreachable".
net_client_sink_router cf
setup ip netns exec "$client" ip route add 203.0.113.0/24 via 198.51.100.65
setup ip netns exec "$client" ip -6 route add 2001:db8:3::/64 via 2001:db8:1::1
setup ip netns exec "$router" ip route add unreachable 203.0.113.0/24
setup ip netns exec "$router" ip -6 route add unreachable 2001:db8:3::/64
router_reports_every_error "$router"

# check_ref TAG ARGS...: check_fping as root with Debian's fping.
check_ref() {
  local tag=$1
  shift
  capture "$tag" timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$client" "$CHECK_FPING" "$@"
}

# check_uping TAG ARGS...: check_fping as uid 65534 without CAP_NET_RAW, uping over /usr/bin/fping in a
# mount namespace of its own (private: nothing is seen outside it, and it ends with the command).
check_uping() {
  local tag=$1
  shift
  capture "$tag" timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$client" unshare -m --propagation private \
    sh -c 'mount --bind "$1" /usr/bin/fping && shift && exec "$@"' sh "$UPING_BIN" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all \
    --bounding-set=-net_raw "$CHECK_FPING" "$@"
}

# The invocation check_fping makes, recorded by a script mounted in fping's place.
cat >"$LIVE_DIR/record-fping" <<EOF
#!/bin/sh
echo "\$0 \$*" >>"$LIVE_OUT/invocations"
EOF
chmod 755 "$LIVE_DIR/record-fping"
for family in -4 -6; do
  host=127.0.0.1
  [[ $family == -6 ]] && host=::1
  timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$client" unshare -m --propagation private \
    sh -c 'mount --bind "$1" /usr/bin/fping && shift && exec "$@"' sh "$LIVE_DIR/record-fping" \
    "$CHECK_FPING" "$family" -H "$host" -n 3 -w 100,50% -c 200,80% >/dev/null 2>&1
done
if [[ $(cat "$LIVE_OUT/invocations" 2>/dev/null) == $'/usr/bin/fping -b 56 -c 3 127.0.0.1\n/usr/bin/fping6 -b 56 -c 3 ::1' ]]; then
  pass "check_fping runs /usr/bin/fping -b 56 -c N HOST, and /usr/bin/fping6 for -6"
else
  fail "check_fping's invocations were: $(tr '\n' ';' <"$LIVE_OUT/invocations" 2>/dev/null)"
fi

# The verdict line without the rta figures, which are compared separately.
verdict_text() {
  sed -E -e 's/rta=[0-9.]+ ms/rta=R ms/g' -e 's/rta=[0-9.]+s;/rta=Rs;/g' "$LIVE_OUT/$1.out"
}
# rta_ms TAG: the rta figure of check_fping's message (ms), empty when there is none.
rta_ms() {
  sed -nE 's/.*rta=([0-9.]+) ms.*/\1/p' "$LIVE_OUT/$1.out" | head -n 1
}

# compare TAG DESC WANT_RC [WANT_ERE]: the two runs of a case agree (verdict text, perfdata but rta, exit
# code; rta within the tolerance), and uping's verdict is the expected one.
compare() {
  local tag=$1 desc=$2 want_rc=$3 want_re=${4:-} a b
  if [[ $(verdict_text "$tag.ref") == "$(verdict_text "$tag.uping")" ]]; then
    pass "$desc: same verdict and performance data ($(verdict_text "$tag.uping" | head -n 1))"
  else
    fail "$desc: check_fping says something else with uping"
    show "$tag.ref"
    show "$tag.uping"
  fi
  check_same_rc_of "$tag" "$desc"
  check_rc "$tag.uping" "$want_rc" "$desc (with uping)"
  [[ -n $want_re ]] && check_grep "$tag.uping" out "$want_re" "$desc (with uping)"
  a=$(rta_ms "$tag.ref")
  b=$(rta_ms "$tag.uping")
  if [[ -n $a || -n $b ]]; then
    if [[ -n $a && -n $b ]] && awk -v a="$a" -v b="$b" -v t="$RTA_TOLERANCE_MS" \
      'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; then
      pass "$desc: rta $b ms with uping, $a ms with fping (within $RTA_TOLERANCE_MS ms)"
    else
      fail "$desc: rta '$b' ms with uping, '$a' ms with fping"
    fi
  fi
}

check_same_rc_of() {
  local tag=$1 desc=$2
  if [[ ${LIVE_RC[$tag.ref]} == "${LIVE_RC[$tag.uping]}" ]]; then
    pass "$desc: same exit status (${LIVE_RC[$tag.uping]})"
  else
    fail "$desc: exit ${LIVE_RC[$tag.uping]} with uping, ${LIVE_RC[$tag.ref]} with fping"
  fi
}

# run_case TAG HOST ARGS...: both runs; fresh IPv4 sources for the unreachable target.
run_case() {
  local tag=$1 host=$2
  shift 2
  [[ $host == 203.0.113.* ]] && fping_fresh_source cf2
  check_ref "$tag.ref" -H "$host" "$@"
  [[ $host == 203.0.113.* ]] && fping_fresh_source cf2
  check_uping "$tag.uping" -H "$host" "$@"
  check_no_grep "$tag.uping" out 'AddressSanitizer|runtime error' "$tag: no sanitizer report"
}

# Thresholds (rta ms, loss %): loose ones pass a loopback target; an rta bound below any real round trip
# makes it WARNING or CRITICAL; loss bounds decide the silent target.
LOOSE=(-w 1000,50% -c 2000,80%)
WARN_RTA=(-w 0.0001,50% -c 2000,80%)
CRIT_RTA=(-w 0.0001,50% -c 0.0002,80%)

for family in 4 6; do
  if [[ $family == 4 ]]; then live=127.0.0.1 silent=198.51.100.2 unreach=203.0.113.5 fam=()
  else live=::1 silent=2001:db8::2 unreach=2001:db8:3::5 fam=(-6); fi

  run_case "live$family" "$live" "${fam[@]}" -n 3 "${LOOSE[@]}"
  compare "live$family" "IPv$family live target, loose thresholds" 0 '^FPING OK - .*\(loss=0%, rta='
  run_case "warn$family" "$live" "${fam[@]}" -n 3 "${WARN_RTA[@]}"
  compare "warn$family" "IPv$family live target, rta above the warning bound" 1 '^FPING WARNING - .*\(loss=0%, rta='
  run_case "crit$family" "$live" "${fam[@]}" -n 3 "${CRIT_RTA[@]}"
  compare "crit$family" "IPv$family live target, rta above the critical bound" 2 '^FPING CRITICAL - .*\(loss=0%, rta='
  run_case "silent$family" "$silent" "${fam[@]}" -n 2 -T 100 -i 200 "${LOOSE[@]}"
  compare "silent$family" "IPv$family silent target" 2
  run_case "unreach$family" "$unreach" "${fam[@]}" -n 2 -T 100 -i 200 "${LOOSE[@]}"
  if [[ $family == 4 ]]; then
    # Without the router's error both would agree on a silent target: say so rather than pass.
    check_grep "unreach$family.ref" out '^FPING CRITICAL - host is unreachable$' \
      "IPv4 unreachable target with fping 5.1 (if not: no ICMP error reached the client — a rate limit?)"
    compare "unreach$family" "IPv$family unreachable target" 2 '^FPING CRITICAL - host is unreachable$'
  else
    # fping 5.1 prints no ICMPv6 errors (5.5 does, #391): with it check_fping sees a silent target. uping
    # reports the error as 5.5 does, so check_fping calls the target unreachable: a difference from 5.1.
    check_rc "unreach$family.uping" 2 "IPv6 unreachable target (with uping, as with fping 5.5)"
    check_grep "unreach$family.uping" out '^FPING CRITICAL - host is unreachable$' "IPv6 unreachable target (with uping)"
    check_rc "unreach$family.ref" 2 "IPv6 unreachable target (fping 5.1: no ICMPv6 error, a silent target)"
  fi
done

live_done
