# shellcheck shell=bash
# Live-test harness, sourced by every test/live/test_*.sh.
#
# Each test runs uping and a copy of Debian's iputils ping side by side inside network namespaces it
# creates, as uid/gid 65534 with CAP_NET_RAW removed from the bounding set (what a container started with
# --cap-drop NET_RAW gets), and compares their stdout line by line after `normalise` has replaced the
# timing figures. Only loopback and namespaces created here are used, with addresses from the
# documentation ranges 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32.
#
# Environment: UPING (binary under test, set by ctest), CI (=true turns every skip into a failure),
# LIVE_TIMEOUT (seconds allowed to one command, default 20).
#
# Exit codes: 0 all checks passed, 1 a check failed (or CI=true and the machine cannot host the tests),
# 77 skipped (not root, no namespaces, tools missing).

set -uo pipefail

LIVE_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
LIVE_TIMEOUT=${LIVE_TIMEOUT:-20}
LIVE_UNPRIV_UID=65534
LIVE_FAILURES=0
LIVE_CHECKS=0
LIVE_FAILED=()       # the message of every failed check, repeated by live_done
LIVE_NS_SEQ=0
LIVE_NETNS=()      # namespaces to delete on exit
LIVE_LINKS=()      # "namespace device" pairs to delete on exit (before their namespace)
LIVE_ETC_NETNS=()  # /etc/netns/<ns> directories created by ns_confine_resolver
LIVE_MADE_ETC_NETNS=0
LIVE_DIR=""        # mktemp -d: the binaries' copies (readable by uid 65534) and captured output
LIVE_REACHED_END=0 # set by live_done: a script that stops before it (a bash syntax error exits 0 through the trap) fails
declare -A LIVE_RC=()
declare -A LIVE_MS=()

# --- skipping -----------------------------------------------------------------------------------------

# The machine cannot host the test: skip (77), or fail under CI, where a skip would hide a broken setup.
live_skip() {
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: live/$LIVE_NAME cannot run here: $* (CI=true forbids skipping)" >&2
    exit 1
  fi
  echo "SKIP: live/$LIVE_NAME: $*"
  exit 77
}

# Runs a setup command; if it fails the environment cannot host the test.
setup() {
  local err
  if ! err=$("$@" 2>&1); then
    live_skip "setup step failed: $*: ${err:-exit status $?}"
  fi
}

# --- cleanup ------------------------------------------------------------------------------------------

live_cleanup() {
  local rc=$? i ns dev
  trap - EXIT INT TERM HUP
  if ((rc == 0 && !LIVE_REACHED_END)); then
    echo "FAIL: live/$LIVE_NAME stopped before its last check (live_done was never reached)"
    rc=1
  fi
  for ((i = ${#LIVE_LINKS[@]} - 1; i >= 0; i--)); do
    read -r ns dev <<<"${LIVE_LINKS[i]}"
    ip netns exec "$ns" ip link del "$dev" >/dev/null 2>&1
  done
  for ns in "${LIVE_NETNS[@]}"; do
    ip netns del "$ns" >/dev/null 2>&1
  done
  for i in "${LIVE_ETC_NETNS[@]}"; do
    rm -rf -- "$i"
  done
  if ((LIVE_MADE_ETC_NETNS)); then
    rmdir /etc/netns 2>/dev/null
  fi
  if [[ -n $LIVE_DIR && -d $LIVE_DIR ]]; then
    rm -rf -- "$LIVE_DIR"
  fi
  exit "$rc"
}
trap live_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# What a run that was killed left behind (ctest's timeout sends SIGKILL, which no trap sees):
# namespaces uping-<pid>-<n> and directories /tmp/uping-live.<pid>.* whose pid is gone.
live_remove_stale() {
  local ns pid
  while read -r ns _; do
    [[ $ns =~ ^uping-([0-9]+)-[0-9]+$ ]] || continue
    pid=${BASH_REMATCH[1]}
    if ! kill -0 "$pid" 2>/dev/null; then
      ip netns del "$ns" >/dev/null 2>&1
      rm -rf -- "/etc/netns/$ns"
    fi
  done < <(ip netns list 2>/dev/null)
  local dir
  for dir in /tmp/uping-live.*.*; do
    [[ -d $dir && $dir =~ ^/tmp/uping-live\.([0-9]+)\. ]] || continue
    kill -0 "${BASH_REMATCH[1]}" 2>/dev/null || rm -rf -- "$dir"
  done
}

# --- preconditions and the binaries' copies -------------------------------------------------------------

live_init() {
  local tool
  [[ -n ${UPING:-} ]] || live_skip "UPING is not set (ctest sets it to the built binary)"
  [[ -x $UPING ]] || live_skip "UPING=$UPING is not an executable file"
  [[ $(id -u) -eq 0 ]] || live_skip "needs root to create network namespaces (run the tests as root, e.g. sudo ctest)"
  for tool in ip setpriv timeout sysctl diff mktemp sed grep; do
    command -v "$tool" >/dev/null || live_skip "$tool is not installed (bash .ci/install-deps)"
  done
  [[ -x /usr/bin/ping ]] || live_skip "/usr/bin/ping (iputils-ping) is not installed (bash .ci/install-deps)"

  live_remove_stale

  LIVE_DIR=$(mktemp -d "/tmp/uping-live.$$.XXXXXX") || live_skip "mktemp -d failed"
  chmod 755 "$LIVE_DIR"
  mkdir "$LIVE_DIR/out" "$LIVE_DIR/u" "$LIVE_DIR/p"
  # cp drops file capabilities: Debian's /usr/bin/ping carries cap_net_raw=ep, and the kernel refuses to
  # exec such a file at all once CAP_NET_RAW is outside the bounding set. The copy behaves like iputils
  # ping in a container without CAP_NET_RAW.
  cp -- "$UPING" "$LIVE_DIR/uping" || live_skip "cannot copy $UPING"
  cp -- /usr/bin/ping "$LIVE_DIR/ping" || live_skip "cannot copy /usr/bin/ping"
  chmod 755 "$LIVE_DIR/uping" "$LIVE_DIR/ping"
  # ping4 / ping6: the name decides the family.
  ln -s ../uping "$LIVE_DIR/u/ping4"
  ln -s ../uping "$LIVE_DIR/u/ping6"
  ln -s ../ping "$LIVE_DIR/p/ping4"
  ln -s ../ping "$LIVE_DIR/p/ping6"
  UPING_BIN=$LIVE_DIR/uping
  PING_BIN=$LIVE_DIR/ping
  LIVE_OUT=$LIVE_DIR/out

  # Namespaces work and setpriv can drop to uid 65534 without CAP_NET_RAW.
  local ns
  new_netns ns
  setup ip netns exec "$ns" setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups \
    --inh-caps=-all --bounding-set=-net_raw true
  ip netns del "$ns"
  echo "live/$LIVE_NAME: uping=$UPING reference=$(/usr/bin/ping -V 2>&1 | head -n 1)"
}

# --- namespaces ---------------------------------------------------------------------------------------

# new_netns VAR [RANGE]: creates namespace uping-<pid>-<n> with loopback up and
# net.ipv4.ping_group_range=RANGE (default: every group), and stores its name in VAR.
new_netns() {
  local __var=$1 __range=${2:-0 2147483647} __ns __err
  LIVE_NS_SEQ=$((LIVE_NS_SEQ + 1))
  __ns="uping-$$-$LIVE_NS_SEQ"
  __err=$(ip netns add "$__ns" 2>&1) || live_skip "cannot create a network namespace (ip netns add: $__err)"
  LIVE_NETNS+=("$__ns")
  setup ip netns exec "$__ns" ip link set lo up
  setup ip netns exec "$__ns" sysctl -qw "net.ipv4.ping_group_range=$__range"
  printf -v "$__var" '%s' "$__ns"
}

# net_client_sink_router PREFIX: three namespaces, in the variables client, sink and router, and two
# links: PREFIX0-PREFIX1 from the client (198.51.100.1/26, 2001:db8::1/64) to a sink that ignores echo
# requests (198.51.100.2, 2001:db8::2: silent targets; 198.51.100.63 is the link's broadcast address), and
# PREFIX2-PREFIX3 from the client (198.51.100.66/26, 2001:db8:1::2/64) to a router (198.51.100.65,
# 2001:db8:1::1). Routes through the router are the caller's.
net_client_sink_router() {
  local prefix=$1
  new_netns client
  new_netns router
  new_netns sink
  new_veth "$client" "${prefix}0" "$sink" "${prefix}1"
  setup ip netns exec "$client" ip addr add 198.51.100.1/26 brd + dev "${prefix}0"
  setup ip netns exec "$client" ip -6 addr add 2001:db8::1/64 dev "${prefix}0" nodad
  setup ip netns exec "$sink" ip addr add 198.51.100.2/26 brd + dev "${prefix}1"
  setup ip netns exec "$sink" ip -6 addr add 2001:db8::2/64 dev "${prefix}1" nodad
  setup ip netns exec "$sink" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
  new_veth "$client" "${prefix}2" "$router" "${prefix}3"
  setup ip netns exec "$client" ip addr add 198.51.100.66/26 dev "${prefix}2"
  setup ip netns exec "$client" ip -6 addr add 2001:db8:1::2/64 dev "${prefix}2" nodad
  setup ip netns exec "$router" ip addr add 198.51.100.65/26 dev "${prefix}3"
  setup ip netns exec "$router" ip -6 addr add 2001:db8:1::1/64 dev "${prefix}3" nodad
}

# router_reports_every_error NS: NS forwards, and sends every ICMP error it has cause to: no per-destination
# rate limit, and the global token bucket raised where the kernel makes it per namespace.
router_reports_every_error() {
  setup ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
  if ip netns exec "$1" test -e /proc/sys/net/ipv4/icmp_msgs_per_sec; then
    setup ip netns exec "$1" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000
  fi
}

# new_veth NS_A DEV_A NS_B DEV_B: a veth pair created directly inside the two namespaces (never in
# the host's), both ends up.
new_veth() {
  setup ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  LIVE_LINKS+=("$1 $2")
  setup ip netns exec "$1" ip link set "$2" up
  setup ip netns exec "$3" ip link set "$4" up
}

# ns_confine_resolver NS: inside NS (through `ip netns exec`'s /etc/netns/NS bind mounts) name lookups
# use /etc/hosts only, with just the localhost entries, so a name that is not there fails at once with
# "Name or service not known" instead of depending on the host's DNS.
ns_confine_resolver() {
  local ns=$1
  if [[ ! -d /etc/netns ]]; then
    mkdir /etc/netns || live_skip "cannot create /etc/netns"
    LIVE_MADE_ETC_NETNS=1
  fi
  mkdir -p "/etc/netns/$ns"
  LIVE_ETC_NETNS+=("/etc/netns/$ns")
  printf 'hosts: files\n' >"/etc/netns/$ns/nsswitch.conf"
  # One family per name: Debian's 20221126 prints an empty name in the -4 header ("PING  (127.0.0.1)")
  # when localhost maps to both 127.0.0.1 and ::1.
  printf '127.0.0.1\tlocalhost\n::1\tip6-localhost ip6-loopback\n' >"/etc/netns/$ns/hosts"
  : >"/etc/netns/$ns/resolv.conf"
}

# --- running ------------------------------------------------------------------------------------------

# run_unpriv NS CMD...: CMD inside NS as uid/gid 65534, no supplementary groups, no inheritable
# capabilities and CAP_NET_RAW out of the bounding set; bounded by LIVE_TIMEOUT.
run_unpriv() {
  local ns=$1
  shift
  timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups \
    --inh-caps=-all --bounding-set=-net_raw "$@"
}

# run_root NS CMD...: CMD inside NS as root (full capabilities); bounded by LIVE_TIMEOUT.
run_root() {
  local ns=$1
  shift
  timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" "$@"
}

# capture TAG CMD...: runs CMD, keeping stdout in out/TAG.out, stderr in out/TAG.err, the exit
# status in LIVE_RC[TAG] and the wall-clock milliseconds in LIVE_MS[TAG].
capture() {
  local tag=$1 t0
  shift
  t0=$(date +%s%N)
  "$@" >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err"
  LIVE_RC[$tag]=$?
  LIVE_MS[$tag]=$((($(date +%s%N) - t0) / 1000000))
}

# run_pair TAG NS ARGS...: the iputils copy (TAG.ping) and uping (TAG.uping), both unprivileged in NS.
run_pair() {
  local tag=$1 ns=$2
  shift 2
  capture "$tag.ping" run_unpriv "$ns" "$PING_BIN" "$@"
  capture "$tag.uping" run_unpriv "$ns" "$UPING_BIN" "$@"
}

# run_pair_root TAG NS ARGS...: like run_pair, as root.
run_pair_root() {
  local tag=$1 ns=$2
  shift 2
  capture "$tag.ping" run_root "$ns" "$PING_BIN" "$@"
  capture "$tag.uping" run_root "$ns" "$UPING_BIN" "$@"
}

# --- the scriptable peer (test/peer) ------------------------------------------------------------------

# peer_init: finds the uping_peer binary (UPING_PEER, set by ctest; default beside $UPING), needs
# TUN support, and makes sure a peer left running is stopped before lib.sh deletes the namespaces.
peer_init() {
  PEER=${UPING_PEER:-$(dirname "$UPING")/test/peer/uping_peer}
  PEER_TIMEOUT=${PEER_TIMEOUT:-30}  # the peer's own bound; the harness's timeout is a few seconds longer
  PEER_PID=""
  [[ -x $PEER ]] || live_skip "the peer binary $PEER is missing (build the uping_peer target or set UPING_PEER)"
  [[ -c /dev/net/tun ]] || live_skip "/dev/net/tun is missing (no TUN support)"
  trap 'rc=$?; kill_peer; (exit $rc); live_cleanup' EXIT
}

kill_peer() {
  if [[ -n ${PEER_PID:-} ]]; then
    kill -TERM "$PEER_PID" 2>/dev/null
    wait "$PEER_PID" 2>/dev/null
    PEER_PID=""
  fi
}

# start_peer TAG NS SCENARIO...: the peer as root in NS (it needs CAP_NET_ADMIN for the TUN device),
# writing its truth to out/TAG.truth. Returns 0 once the device is up with its addresses and
# routes; 1 (its stderr shown, nothing left running) when it does not come up within 10 s.
start_peer() {
  local tag=$1 ns=$2
  shift 2
  timeout -k 2 $((PEER_TIMEOUT + 5)) ip netns exec "$ns" "$PEER" --dev peer0 --timeout "$PEER_TIMEOUT" \
    --truth "$LIVE_OUT/$tag.truth" --ready "$LIVE_OUT/$tag.ready" "$@" \
    >"$LIVE_OUT/$tag.peer.out" 2>"$LIVE_OUT/$tag.peer.err" &
  PEER_PID=$!
  wait_peer_ready "$tag" "$PEER_PID" && return 0
  kill_peer
  return 1
}

# wait_peer_ready TAG PID: 0 once the peer PID wrote out/TAG.ready (its device is up); 1, its stderr
# shown, when it exited or 10 s passed first.
wait_peer_ready() {
  local tag=$1 pid=$2 i
  for ((i = 0; i < 200; i++)); do
    [[ -e $LIVE_OUT/$tag.ready ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "    --- peer $tag stderr:"
  sed 's/^/    | /' "$LIVE_OUT/$tag.peer.err"
  return 1
}

# stop_peer TAG: SIGTERM to the peer itself (the child of `timeout`: signalled, timeout would start
# its -k 2 countdown, and a loaded machine can take longer than that to let the peer finish); the
# peer must exit 0 having written its whole truth. Returns 0 when a complete truth is there to
# judge by.
stop_peer() {
  local tag=$1 rc child
  child=$(cat "/proc/$PEER_PID/task/$PEER_PID/children" 2>/dev/null)
  kill -TERM "${child%% *}" 2>/dev/null || kill -TERM "$PEER_PID" 2>/dev/null
  wait "$PEER_PID"
  rc=$?
  PEER_PID=""
  if [[ $rc == 0 ]] && grep -q '^summary .* end=signal$' "$LIVE_OUT/$tag.truth" 2>/dev/null; then
    pass "$tag: the peer stopped on SIGTERM and wrote its truth"
  else
    fail "$tag: peer exit $rc, truth file: $(tail -n 1 "$LIVE_OUT/$tag.truth" 2>&1)"
    sed 's/^/    | /' "$LIVE_OUT/$tag.peer.err"
    grep -q '^summary ' "$LIVE_OUT/$tag.truth" 2>/dev/null
  fi
}

# --- normalisation ------------------------------------------------------------------------------------

# Replaces what legitimately differs from run to run (timings, -D timestamps) and the one header
# difference between Debian's iputils 20221126 ("PING ::1(::1) 56 data bytes") and the 20250605 form
# uping follows ("PING ::1 (::1) 56 data bytes").
normalise() {
  sed -E \
    -e 's/time=[0-9]+(\.[0-9]+)? ms/time=T ms/g' \
    -e 's/, time [0-9]+ms$/, time Nms/' \
    -e 's#^rtt min/avg/max/mdev = [0-9]+\.[0-9]+/[0-9]+\.[0-9]+/[0-9]+\.[0-9]+/[0-9]+\.[0-9]+ ms#rtt min/avg/max/mdev = A/B/C/D ms#' \
    -e 's/^\[[0-9]+\.[0-9]+\] /[TS] /' \
    -e 's/^(PING [^ (]+)\(/\1 (/'
}

# Diagnostics start with argv[0]: map the copies' paths to plain names (…/uping → ping, …/u/ping6 → ping6).
normalise_err() {
  sed -E -e "s#^$LIVE_DIR/(u/|p/)?u?(ping[46]?): #\\2: #"
}

# --- checks -------------------------------------------------------------------------------------------

pass() {
  LIVE_CHECKS=$((LIVE_CHECKS + 1))
  echo "ok   - $*"
}

fail() {
  LIVE_CHECKS=$((LIVE_CHECKS + 1))
  LIVE_FAILURES=$((LIVE_FAILURES + 1))
  LIVE_FAILED+=("$*")
  echo "FAIL - $*"
}

# show TAG: prints what a run wrote, for context after a failure.
show() {
  local tag=$1
  echo "    --- $tag: exit ${LIVE_RC[$tag]:-?}$(rc_note "${LIVE_RC[$tag]:-}")"
  echo "    --- $tag stdout:"
  sed 's/^/    | /' "$LIVE_OUT/$tag.out"
  echo "    --- $tag stderr:"
  sed 's/^/    | /' "$LIVE_OUT/$tag.err"
}

rc_note() {
  case ${1:-} in
    124 | 137) echo " (killed by timeout after ${LIVE_TIMEOUT}s)" ;;
    *) ;;
  esac
}

# check_rc TAG EXPECTED DESCRIPTION
check_rc() {
  local tag=$1 want=$2 desc=$3 got=${LIVE_RC[$1]:-missing}
  if [[ $got == "$want" ]]; then
    pass "$desc: exit $want"
  else
    fail "$desc: exit $got$(rc_note "$got"), expected $want"
    show "$tag"
  fi
}

# check_json TAG [KEY=VALUE...]: every stdout line of TAG passes the --json schema check of
# check_json.py (python3), and the run line has the given values (see check_json.py).
LIVE_CHECK_JSON=$(dirname "${BASH_SOURCE[0]}")/check_json.py
check_json() {
  local tag=$1 result
  shift
  if result=$(python3 "$LIVE_CHECK_JSON" "$LIVE_OUT/$tag.out" "$@" 2>&1); then
    pass "$tag: every --json line matches schema v1 ($result)"
  else
    fail "$tag: --json output: $result"
    show "$tag"
  fi
}

# check_quiet_pipe_end TAG DESC: TAG ran `uping ... | head -n 1` (exit status uping's): it ended
# by SIGPIPE or cleanly, with nothing on stderr.
check_quiet_pipe_end() {
  local tag=$1 desc=$2
  if [[ ${LIVE_RC[$tag]} == 141 || ${LIVE_RC[$tag]} == 0 ]]; then
    pass "$desc: ended by SIGPIPE or cleanly (${LIVE_RC[$tag]})"
  else
    fail "$desc: exit ${LIVE_RC[$tag]}"
    show "$tag"
  fi
  check_empty "$tag" err "$desc: nothing on stderr"
}

# pid_of PATTERN: the newest process whose command line matches, waiting up to 2 s for it.
pid_of() {
  local pid="" i
  for ((i = 0; i < 40; i++)); do
    pid=$(pgrep -n -f -- "$1") && break
    sleep 0.05
  done
  echo "$pid"
}

# check_same_rc TAG DESCRIPTION: uping exits as the iputils copy did.
check_same_rc() {
  local tag=$1 desc=$2 p=${LIVE_RC[$1.ping]:-missing} u=${LIVE_RC[$1.uping]:-missing}
  if [[ $p == "$u" ]]; then
    pass "$desc: same exit status ($u)"
  else
    fail "$desc: uping exit $u$(rc_note "$u"), iputils ping exit $p$(rc_note "$p")"
    show "$tag.ping"
    show "$tag.uping"
  fi
}

# check_same_stdout TAG DESCRIPTION: normalised stdout identical, line by line.
check_same_stdout() {
  local tag=$1 desc=$2 d
  if d=$(diff -u --label "iputils ping $desc" --label "uping $desc" \
    <(normalise <"$LIVE_OUT/$tag.ping.out") <(normalise <"$LIVE_OUT/$tag.uping.out")); then
    pass "$desc: same stdout ($(wc -l <"$LIVE_OUT/$tag.uping.out") lines)"
  else
    fail "$desc: stdout differs (normalised; - iputils ping, + uping)"
    echo "$d" | sed 's/^/    /'
    echo "    --- uping stderr:"
    sed 's/^/    | /' "$LIVE_OUT/$tag.uping.err"
  fi
}

# check_same_body TAG DESCRIPTION: like check_same_stdout without the first (PING ...) line.
check_same_body() {
  local tag=$1 desc=$2 d
  if d=$(diff -u --label "iputils ping $desc" --label "uping $desc" \
    <(tail -n +2 "$LIVE_OUT/$tag.ping.out" | normalise) <(tail -n +2 "$LIVE_OUT/$tag.uping.out" | normalise)); then
    pass "$desc: same stdout after the header"
  else
    fail "$desc: stdout after the header differs (normalised; - iputils ping, + uping)"
    echo "$d" | sed 's/^/    /'
  fi
}

# check_same_stderr TAG DESCRIPTION: identical stderr once argv[0] is normalised.
check_same_stderr() {
  local tag=$1 desc=$2 d
  if d=$(diff -u --label "iputils ping $desc" --label "uping $desc" \
    <(normalise_err <"$LIVE_OUT/$tag.ping.err") <(normalise_err <"$LIVE_OUT/$tag.uping.err")); then
    pass "$desc: same stderr"
  else
    fail "$desc: stderr differs (- iputils ping, + uping)"
    echo "$d" | sed 's/^/    /'
  fi
}

# check_same_first_err_line TAG DESCRIPTION: the first stderr line identical (after argv[0]).
check_same_first_err_line() {
  local tag=$1 desc=$2 p u
  p=$(normalise_err <"$LIVE_OUT/$tag.ping.err" | head -n 1)
  u=$(normalise_err <"$LIVE_OUT/$tag.uping.err" | head -n 1)
  if [[ -n $p && $p == "$u" ]]; then
    pass "$desc: same first stderr line ($u)"
  else
    fail "$desc: first stderr line differs"
    echo "    iputils ping: $p"
    echo "    uping:        $u"
  fi
}

# check_line TAG STREAM LINE DESCRIPTION: the normalised STREAM (out|err) of TAG has exactly LINE.
check_line() {
  local tag=$1 stream=$2 line=$3 desc=$4 filter=normalise
  [[ $stream == err ]] && filter=normalise_err
  if $filter <"$LIVE_OUT/$tag.$stream" | grep -Fxq -- "$line"; then
    pass "$desc: has line '$line'"
  else
    fail "$desc: no line '$line' in $tag $stream"
    show "$tag"
  fi
}

# check_grep TAG STREAM ERE DESCRIPTION: some line of STREAM matches ERE.
check_grep() {
  local tag=$1 stream=$2 re=$3 desc=$4
  if grep -Eq -- "$re" "$LIVE_OUT/$tag.$stream"; then
    pass "$desc: $stream matches /$re/"
  else
    fail "$desc: nothing in $tag $stream matches /$re/"
    show "$tag"
  fi
}

# check_fixed TAG STREAM TEXT DESCRIPTION: STREAM contains TEXT (fixed string).
check_fixed() {
  local tag=$1 stream=$2 text=$3 desc=$4
  if grep -Fq -- "$text" "$LIVE_OUT/$tag.$stream"; then
    pass "$desc: $stream contains '$text'"
  else
    fail "$desc: $tag $stream does not contain '$text'"
    show "$tag"
  fi
}

# check_no_grep TAG STREAM ERE DESCRIPTION: no line of STREAM matches ERE.
check_no_grep() {
  local tag=$1 stream=$2 re=$3 desc=$4
  if grep -Eq -- "$re" "$LIVE_OUT/$tag.$stream"; then
    fail "$desc: $tag $stream matches /$re/ but should not"
    show "$tag"
  else
    pass "$desc: no $stream line matches /$re/"
  fi
}

# check_empty TAG STREAM DESCRIPTION
check_empty() {
  local tag=$1 stream=$2 desc=$3
  if [[ -s $LIVE_OUT/$tag.$stream ]]; then
    fail "$desc: $tag $stream should be empty"
    show "$tag"
  else
    pass "$desc: $stream empty"
  fi
}

# check_count TAG STREAM ERE N DESCRIPTION: exactly N lines of STREAM match ERE.
check_count() {
  local tag=$1 stream=$2 re=$3 want=$4 desc=$5 got
  got=$(grep -Ec -- "$re" "$LIVE_OUT/$tag.$stream")
  if [[ $got == "$want" ]]; then
    pass "$desc: $want lines match /$re/"
  else
    fail "$desc: $got lines of $tag $stream match /$re/, expected $want"
    show "$tag"
  fi
}

# check_within TAG MIN_MS MAX_MS DESCRIPTION: the run took between MIN_MS and MAX_MS of wall-clock time.
check_within() {
  local tag=$1 min=$2 max=$3 desc=$4 got=${LIVE_MS[$1]:-}
  if [[ -n $got ]] && ((got >= min && got <= max)); then
    pass "$desc: took ${got} ms (${min}..${max})"
  else
    fail "$desc: took ${got:-?} ms, expected ${min}..${max} ms"
    show "$tag"
  fi
}

# compare_pair TAG DESCRIPTION [EXPECTED_RC]: the usual comparison of a run_pair.
compare_pair() {
  local tag=$1 desc=$2 want=${3:-}
  check_same_stdout "$tag" "$desc"
  check_same_rc "$tag" "$desc"
  if [[ -n $want ]]; then
    check_rc "$tag.uping" "$want" "$desc (uping)"
  fi
}

# live_done: the test's verdict. A test that checked nothing fails.
live_done() {
  LIVE_REACHED_END=1
  if ((LIVE_CHECKS == 0)); then
    echo "FAIL: live/$LIVE_NAME made no checks"
    exit 1
  fi
  if ((LIVE_FAILURES > 0)); then
    # The failed checks again, last: a log cut in the middle (CI keeps its head and tail) still names them.
    local failed
    for failed in "${LIVE_FAILED[@]}"; do
      echo "live/$LIVE_NAME: FAILED: $failed"
    done
    echo "live/$LIVE_NAME: $LIVE_FAILURES of $LIVE_CHECKS checks FAILED"
    exit 1
  fi
  echo "live/$LIVE_NAME: all $LIVE_CHECKS checks passed"
  exit 0
}
