#!/usr/bin/env bash
# fping side by side: every row of fping_compat_table.txt runs uping invoked as `fping` (uid 65534,
# CAP_NET_RAW out of the bounding set) and, for rows fping 5.1 shares with 5.5, Debian's fping 5.1 as root
# (raw sockets), both in namespaces made here. stdout, stderr (timings normalised, -h reduced to its option
# column) and the exit code must be identical. Rows where uping follows fping 5.5 instead (5.5-differs,
# 5.5-only) are compared with the text fping_compat_expected.txt derives from 5.5's sources; for 5.5-differs
# rows 5.1 also runs and must really differ from that text, so the table's marks stay true.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/fping_lib.sh"
live_init
fping_need_reference
fping_init

HERE=$(dirname "${BASH_SOURCE[0]}")
TABLE=$HERE/fping_compat_table.txt
EXPECTED=$HERE/fping_compat_expected.txt
[[ -r $TABLE && -r $EXPECTED ]] || live_skip "cannot read $TABLE or $EXPECTED"

# --- the networks ---------------------------------------------------------------------------------
# client: loopback (with 2001:db8:5::0-3 for the IPv6 -g rows), names from a confined /etc/hosts (plus
#   "dual" = 127.0.0.1 and ::1 for -m), and two veth links:
#   to sink, 198.51.100.0/26 and 2001:db8::/64: the sink ignores echo requests (198.51.100.2,
#     2001:db8::2 are silent);
#   to router, 198.51.100.64/26 and 2001:db8:1::/64. The router sends 203.0.113.0/26 and 2001:db8:2::/64
#     back to the client (which does not forward: silent, but one hop away, so -H 1 gets "Time Exceeded"),
#     answers 203.0.113.128/25 and 2001:db8:3::/64 with "unreachable" and 203.0.113.64/26 and
#     2001:db8:4::/64 with "administratively prohibited". Its ICMP rate limits are off.
# bare: loopback only: every other destination fails to send ("Network is unreachable").
net_client_sink_router fping
new_netns bare
ns_confine_resolver "$client"
printf '127.0.0.1\tdual\n::1\tdual\n' >>"/etc/netns/$client/hosts"
setup ip netns exec "$client" ip route add 203.0.113.0/24 via 198.51.100.65
for net in 2001:db8:2::/64 2001:db8:3::/64 2001:db8:4::/64; do
  setup ip netns exec "$client" ip -6 route add "$net" via 2001:db8:1::1
done
setup ip netns exec "$router" ip route add 203.0.113.0/26 via 198.51.100.66
setup ip netns exec "$router" ip route add unreachable 203.0.113.128/25
setup ip netns exec "$router" ip route add prohibit 203.0.113.64/26
setup ip netns exec "$router" ip -6 route add 2001:db8:2::/64 via 2001:db8:1::2
setup ip netns exec "$router" ip -6 route add unreachable 2001:db8:3::/64
setup ip netns exec "$router" ip -6 route add prohibit 2001:db8:4::/64
router_reports_every_error "$router"
# Rows marked !fresh-src run each program from a fresh client address (fping_fresh_source: IPv4 routing
# errors are rate limited per source address, host-wide).
for i in 0 1 2 3; do
  setup ip netns exec "$client" ip -6 addr add "2001:db8:5::$i/128" dev lo nodad
done

# The targets the table names.
V4=127.0.0.1 V6=::1 NAME=localhost NAME6=ip6-localhost BAD=nonexistent.invalid
S4=198.51.100.2 S6=2001:db8::2 TTL4=203.0.113.5 TTL6=2001:db8:2::5
UNR4=203.0.113.200 UNR6=2001:db8:3::5 PRO4=203.0.113.70 PRO6=2001:db8:4::5
mkdir "$LIVE_DIR/in"
printf '127.0.0.1\n# comment\n  ::1 trailing words\n\nlocalhost\n' >"$LIVE_DIR/in/mixed"
printf '127.0.0.1\n2001:db8::2\nlocalhost\n' >"$LIVE_DIR/in/zabbix"
TFILE=$LIVE_DIR/in/mixed
chmod -R a+rX "$LIVE_DIR/in"
: "$V4 $V6 $NAME $NAME6 $BAD $S4 $S6 $TTL4 $TTL6 $UNR4 $UNR6 $PRO4 $PRO6 $TFILE"  # used by the table's eval

# expected_block ID STREAM: the block of fping_compat_expected.txt for ID (stdout, stderr or rc), with
# @usage lines replaced by fping 5.5's -h option column.
expected_block() {
  awk -v id="$1" -v want="$2" '
    /^== / { sect = $2; stream = ""; next }
    /^#/ { next }
    sect == id && /^-- / { stream = $2; if (stream == "rc") rc = $3; next }
    sect == id && stream == want { print }
    END { if (want == "rc") print rc }' "$EXPECTED" |
    while IFS= read -r l; do
      if [[ $l == @usage ]]; then expected_block @usage stdout; else printf '%s\n' "$l"; fi
    done
}

# matches GOT_FILE WANT_FILE: equal line counts, and each line equal to its expected line, or matching it
# as an anchored ERE when the expected line starts with "~".
matches() {
  local -a got want
  mapfile -t got <"$1"
  mapfile -t want <"$2"
  ((${#got[@]} == ${#want[@]})) || return 1
  local i
  for ((i = 0; i < ${#want[@]}; i++)); do
    if [[ ${want[i]} == "~"* ]]; then
      [[ ${got[i]} =~ ^${want[i]#\~}$ ]] || return 1
    else
      [[ ${got[i]} == "${want[i]}" ]] || return 1
    fi
  done
}

# What a -l row counts before it interrupts: reply and timeout lines, -Q clock lines, netdata blocks, JSON
# replies.
PROGRESS='( : \[[0-9]+\], |^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$|^BEGIN fping\..*_packets$|^\{"resp")'
mkdir -m 1777 "$LIVE_DIR/pids"

# run_row TAG WHO: runs one side of the current row (WHO = ref or uping) into out/TAG.{out,err}. A row with
# !sigint=N runs in the background until N progress lines have appeared (at most 10 s), then gets SIGINT:
# the next probe or report is a whole period away, so what it prints does not depend on the machine's load.
run_row() {
  local tag=$1 who=$2 runner=fping_uping_run out=$LIVE_OUT/$1.out err=$LIVE_OUT/$1.err
  [[ $who == ref ]] && runner=fping_ref_run
  ((merged)) && err=$out
  ((fresh_src)) && fping_fresh_source fping2
  local t0
  t0=$(date +%s%N)
  if [[ -n $sigint ]]; then
    local pidfile=$LIVE_DIR/pids/$tag bg i
    # The shell records its pid and becomes fping: that pid is the one to interrupt.
    $runner "$ns" "$name" sh -c 'echo $$ >"$0" && exec "$@"' "$pidfile" -- "${argv[@]}" <"$stdin" >"$out" 2>"$err" &
    bg=$!
    for ((i = 0; i < 500; i++)); do
      (($(cat "$out" "$err" 2>/dev/null | grep -Ec "$PROGRESS") >= sigint)) && break
      kill -0 "$bg" 2>/dev/null || break
      sleep 0.02
    done
    ((i < 500)) || fail "$tag: fewer than $sigint progress lines in 10 s"
    [[ -s $pidfile ]] && kill -INT "$(cat "$pidfile")" 2>/dev/null
    wait "$bg"
  else
    $runner "$ns" "$name" -- "${argv[@]}" <"$stdin" >"$out" 2>"$err"
  fi
  LIVE_RC[$tag]=$?
  ((merged)) && : >"$LIVE_OUT/$tag.err"
  LIVE_MS[$tag]=$((($(date +%s%N) - t0) / 1000000))
}

# compare_stream DESC STREAM WANT_FILE GOT_TAG: a stream of GOT_TAG against WANT_FILE (already normalised).
compare_stream() {
  local desc=$1 stream=$2 want=$3 tag=$4 got=$LIVE_OUT/$4.$2.norm
  fping_normal "$LIVE_OUT/$tag.$stream" "$counts" >"$got"
  if matches "$got" "$want"; then
    pass "$desc: same $stream"
  else
    fail "$desc: $stream differs (normalised; - expected, + uping)"
    diff -u --label expected --label uping "$want" "$got" | cat -A | sed 's/^/    /'
  fi
}

rows=0
declare -A CLASS_COUNT=([same]=0 [5.5-differs]=0 [5.5-only]=0)
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  IFS='|' read -r id class args reason <<<"$line"
  id=${id//[[:space:]]/}
  class=${class//[[:space:]]/}
  if [[ -z $id || -z ${CLASS_COUNT[$class]+set} ]]; then
    fail "fping table: malformed row: $line"
    continue
  fi
  if [[ $class != same && -z ${reason//[[:space:]]/} ]]; then
    fail "fping table: row $id is $class but gives no reason"
  fi
  # FPING_ONLY=ERE runs only the rows whose id matches (while working on a few rows).
  [[ -n ${FPING_ONLY:-} && ! $id =~ $FPING_ONLY ]] && continue
  rows=$((rows + 1))
  CLASS_COUNT[$class]=$((CLASS_COUNT[$class] + 1))

  # Arguments are shell words with the target variables above; the table is part of the source tree.
  eval "argv=($args)"
  ns=$client name=fping stdin=/dev/null merged=0 sigint="" counts=0 fresh_src=0 icmp=0
  while ((${#argv[@]})); do
    case ${argv[0]} in
      '!merged') merged=1 ;;                          # 2>&1, as Zabbix reads fping
      '!stdin='*) stdin=$LIVE_DIR/in/${argv[0]#!stdin=} ;;
      '!sigint='*) sigint=${argv[0]#!sigint=} ;;      # SIGINT after that many progress lines (-l rows)
      '!as='*) name=${argv[0]#!as=} ;;                # fping6
      '!bare') ns=$bare ;;
      '!counts') counts=1 ;;                          # equal sent/received counts normalised (-Q rows)
      '!fresh-src') fresh_src=1 ;;                    # a fresh IPv4 source address per run (routing errors)
      '!icmp') icmp=1 ;;                              # the router's ICMP error must reach the client
      *) break ;;
    esac
    argv=("${argv[@]:1}")
  done
  tag=f_$id
  desc="$id [$class]: $name $(printf '%q ' "${argv[@]}")"
  desc=${desc% }

  run_row "$tag.uping" uping
  if [[ $class == same ]]; then
    run_row "$tag.ref" ref
    fping_normal "$LIVE_OUT/$tag.ref.out" "$counts" >"$LIVE_OUT/$tag.want.out"
    fping_normal "$LIVE_OUT/$tag.ref.err" "$counts" >"$LIVE_OUT/$tag.want.err"
    want_rc=${LIVE_RC[$tag.ref]}
  else
    if ! grep -q "^== $id\$" "$EXPECTED"; then
      fail "$desc: no expected text for $id in $(basename "$EXPECTED")"
      continue
    fi
    expected_block "$id" stdout >"$LIVE_OUT/$tag.want.out"
    expected_block "$id" stderr >"$LIVE_OUT/$tag.want.err"
    want_rc=$(expected_block "$id" rc)
  fi
  compare_stream "$desc" out "$LIVE_OUT/$tag.want.out" "$tag.uping"
  compare_stream "$desc" err "$LIVE_OUT/$tag.want.err" "$tag.uping"
  if [[ ${LIVE_RC[$tag.uping]} == "$want_rc" ]]; then
    pass "$desc: exit $want_rc (${LIVE_MS[$tag.uping]} ms)"
  else
    fail "$desc: uping exit ${LIVE_RC[$tag.uping]}$(rc_note "${LIVE_RC[$tag.uping]}"), expected $want_rc"
  fi
  check_no_grep "$tag.uping" err 'AddressSanitizer|runtime error|terminate called' "$desc: no sanitizer report"
  # A row about ICMP errors proves nothing if none came back: both programs would agree on silence.
  if ((icmp)); then
    if grep -q '^ICMP' "$LIVE_OUT/$tag.ref.err" 2>/dev/null; then
      pass "$desc: the router's ICMP error reached fping 5.1"
    else
      fail "$desc: no ICMP error reached fping 5.1: the router sent none (an ICMP rate limit or a routing fault)"
    fi
  fi

  # A 5.5-differs row: fping 5.1 must really print something else, or the row is marked wrongly.
  if [[ $class == 5.5-differs ]]; then
    run_row "$tag.ref" ref
    fping_normal "$LIVE_OUT/$tag.ref.out" "$counts" >"$LIVE_OUT/$tag.ref.out.norm"
    fping_normal "$LIVE_OUT/$tag.ref.err" "$counts" >"$LIVE_OUT/$tag.ref.err.norm"
    if matches "$LIVE_OUT/$tag.ref.out.norm" "$LIVE_OUT/$tag.want.out" &&
      matches "$LIVE_OUT/$tag.ref.err.norm" "$LIVE_OUT/$tag.want.err" && [[ ${LIVE_RC[$tag.ref]} == "$want_rc" ]]; then
      fail "$desc: marked 5.5-differs, but fping 5.1 prints 5.5's expected text"
    else
      pass "$desc: fping 5.1 differs from 5.5 as recorded"
    fi
  fi
done <"$TABLE"

echo "fping compat: $rows invocations: ${CLASS_COUNT[same]} same as fping 5.1," \
  "${CLASS_COUNT[5.5-differs]} following 5.5 where 5.1 differs, ${CLASS_COUNT[5.5-only]} for what only 5.5 has"
if [[ -z ${FPING_ONLY:-} ]] && ((rows < 80)); then
  fail "fping compat table has $rows rows; at least 80 are needed"
fi
live_done
