#!/usr/bin/env bash
# The permission matrix: net.ipv4.ping_group_range open / closed × CAP_NET_RAW available / not ×
# root / uid 65534 × IPv4 / IPv6 — 16 cells, each run in its own namespace setting.
#
#   CAP_NET_RAW available, root:      full capabilities (ip netns exec as it is)
#   CAP_NET_RAW not available, root:  setpriv --inh-caps=-all --bounding-set=-net_raw (root keeps every
#                                     other capability; the --diagnose cell proves the raw socket fails)
#   uid 65534, available:             a copy of uping carrying cap_net_raw=p (no effective bit),
#                                     NET_RAW left in the bounding set (a pod that adds NET_RAW)
#   uid 65534, not available:         the same copy, NET_RAW out of the bounding set (--cap-drop NET_RAW,
#                                     Kubernetes drop: [ALL])
#
# Each cell asserts: the socket mode chosen (-v on stderr) or the exit-2 failure diagnosis; the replies;
# that no capability is held while pinging; `--diagnose` (its lines and exit code); `--health` (exit
# code, and its line when unhealthy). For the cap_net_raw=p binary with the range closed, strace shows
# CAP_NET_RAW raised only around the raw socket() and every capability dropped before the first send.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

command -v setcap >/dev/null || live_skip "setcap is not installed (bash .ci/install-deps: libcap2-bin)"
command -v strace >/dev/null || live_skip "strace is not installed (bash .ci/install-deps)"
command -v pgrep >/dev/null || live_skip "pgrep is not installed (bash .ci/install-deps: procps)"

new_netns open_ns
new_netns closed_ns "1 0"

FILECAP_BIN=$LIVE_DIR/uping-p
cp -- "$UPING_BIN" "$FILECAP_BIN"
chmod 755 "$FILECAP_BIN"
setup setcap cap_net_raw=p "$FILECAP_BIN"

# runner WHO NETRAW NS: the command prefix (printed one word per line) that runs a program as WHO with
# or without CAP_NET_RAW inside NS, bounded by LIVE_TIMEOUT.
runner() {
  local who=$1 netraw=$2 ns=$3
  local -a cmd=(timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns")
  if [[ $who == root && $netraw == no ]]; then
    cmd+=(setpriv --inh-caps=-all --bounding-set=-net_raw)
  elif [[ $who == nobody ]]; then
    cmd+=(setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all)
    [[ $netraw == no ]] && cmd+=(--bounding-set=-net_raw)
  fi
  printf '%s\n' "${cmd[@]}"
}

# The binary of a cell: uid 65534 runs the cap_net_raw=p copy, root the plain one.
binary_for() {
  if [[ $1 == nobody ]]; then echo "$FILECAP_BIN"; else echo "$UPING_BIN"; fi
}

# ping_while_reading_caps TAG BIN PREFIX... -- ARGS...: runs BIN ARGS through PREFIX in the background;
# once the first reply line is out (past socket set-up and the first send) reads CapPrm/CapEff/CapAmb of
# the uping process into out/TAG.caps. Every wait is bounded.
ping_while_reading_caps() {
  local tag=$1 bin=$2 i pid="" exe
  shift 2
  local -a prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  : >"$LIVE_OUT/$tag.caps"
  "${prefix[@]}" "$bin" "$@" >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  local runner_pid=$!
  # timeout forks the command; ip netns exec and setpriv exec into uping, so it is timeout's child.
  for ((i = 0; i < 200; i++)); do
    pid=$(pgrep -P "$runner_pid" | head -n 1)
    exe=""
    [[ -n $pid ]] && exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
    if [[ $exe == "$bin" ]] && grep -q 'icmp_seq=1 ' "$LIVE_OUT/$tag.out"; then
      grep -E '^Cap(Prm|Eff|Amb):' "/proc/$pid/status" >"$LIVE_OUT/$tag.caps" 2>/dev/null
      break
    fi
    kill -0 "$runner_pid" 2>/dev/null || break
    sleep 0.02
  done
  wait "$runner_pid"
  LIVE_RC[$tag]=$?
}

check_no_caps() {
  local tag=$1 desc=$2
  if [[ $(wc -l <"$LIVE_OUT/$tag.caps") -eq 3 ]] && ! grep -Evq ':[[:space:]]+0+$' "$LIVE_OUT/$tag.caps"; then
    pass "$desc: CapPrm, CapEff and CapAmb are all zero while pinging"
  else
    fail "$desc: capabilities held while pinging (or not sampled):"
    sed 's/^/    | /' "$LIVE_OUT/$tag.caps"
    show "$tag"
  fi
}

# check_syscall_order TAG BIN: out/TAG.strace (strace -f of the whole runner chain) shows, for the uping
# process after its execve: CAP_NET_RAW made effective before the raw socket(), every set cleared after
# it, and no send before that clearing; the capability never raised again.
check_syscall_order() {
  local tag=$1 bin=$2 desc=$3 verdict
  verdict=$(awk -v bin="$bin" '
    $2 ~ /^execve\(/ && index($0, "\"" bin "\"") && $0 ~ /= 0$/ { pid = $1; n = 0; raised = cleared = raw = sent = bad = 0; next }
    pid == "" || $1 != pid { next }
    $2 ~ /^capset\(/ {
      if ($0 ~ /effective=1<<CAP_NET_RAW/ && !cleared) raised = ++n
      else if ($0 ~ /effective=0, permitted=0, inheritable=0/) { if (!cleared) cleared = ++n }
      else if (cleared) bad = "capset after the drop: " $0
      next
    }
    $2 ~ /^socket\(/ && $0 ~ /SOCK_RAW/ && $0 !~ /= -1/ { if (!raw) raw = ++n; if (cleared) bad = "raw socket after the drop" ; next }
    $2 ~ /^(sendto|sendmsg|sendmmsg)\(/ { if (!sent) sent = ++n; next }
    END {
      if (pid == "") { print "no execve of " bin; exit }
      if (bad) { print bad; exit }
      if (!raised) { print "CAP_NET_RAW never raised"; exit }
      if (!raw) { print "no raw socket"; exit }
      if (!cleared) { print "capabilities never cleared"; exit }
      if (!sent) { print "nothing sent"; exit }
      if (!(raised < raw && raw < cleared && cleared < sent)) { print "order raise " raised ", raw socket " raw ", clear " cleared ", first send " sent; exit }
      print "ok"
    }' "$LIVE_OUT/$tag.strace")
  if [[ $verdict == ok ]]; then
    pass "$desc: CAP_NET_RAW raised for the raw socket() only, all capabilities cleared before the first send"
  else
    fail "$desc: $verdict"
    grep -E 'execve|capset|socket|send' "$LIVE_OUT/$tag.strace" | sed 's/^/    | /' | tail -n 40
  fi
}

cells=0
for range in open closed; do
  ns=$open_ns
  range_value="0 2147483647"
  if [[ $range == closed ]]; then
    ns=$closed_ns
    range_value="1 0"
  fi
  for netraw in yes no; do
    for who in root nobody; do
      uid=0
      [[ $who == nobody ]] && uid=$LIVE_UNPRIV_UID
      bin=$(binary_for "$who")
      mapfile -t prefix < <(runner "$who" "$netraw" "$ns")
      # What the cell must choose: datagram when the range admits the caller, else raw if CAP_NET_RAW
      # can be had, else nothing.
      mode=""
      if [[ $range == open ]]; then mode=SOCK_DGRAM; elif [[ $netraw == yes ]]; then mode=SOCK_RAW; fi
      # CAP_NET_RAW in the sets as the process starts (effective, permitted, bounding).
      case $who/$netraw in
        root/yes) net_raw_sets="effective yes, permitted yes, bounding yes, ambient no" ;;
        nobody/yes) net_raw_sets="effective no, permitted yes, bounding yes, ambient no" ;;
        *) net_raw_sets="effective no, permitted no, bounding no, ambient no" ;;
      esac

      for family in 4 6; do
        target=127.0.0.1
        [[ $family == 6 ]] && target=::1
        fam=IPv$family
        cell="[range $range, CAP_NET_RAW $netraw, $who, $fam]"
        tag="m_${range}_${netraw}_${who}_$family"
        cells=$((cells + 1))

        # 1. A ping: the socket mode, the replies, no capability while pinging — or the diagnosis.
        if [[ -n $mode ]]; then
          ping_while_reading_caps "$tag" "$bin" "${prefix[@]}" -- -v -c 6 -i 0.1 "$target"
          check_rc "$tag" 0 "$cell ping"
          check_grep "$tag" err "sock$family\\.fd: [0-9]+ \\(socktype: $mode\\)" "$cell socket mode $mode"
          # ident= only where iputils prints it without -e: on a raw socket.
          ident_re=""
          [[ $mode == SOCK_RAW ]] && ident_re=" ident=[0-9]+"
          check_count "$tag" out "^64 bytes from ${target//./\\.}: icmp_seq=[1-6]$ident_re ttl=[0-9]+ time=" 6 \
            "$cell replies"
          check_no_caps "$tag" "$cell"
        else
          capture "$tag" "${prefix[@]}" "$bin" -v -c 1 "$target"
          check_rc "$tag" 2 "$cell ping"
          check_no_grep "$tag" out '^PING |bytes from' "$cell ping"
          check_grep "$tag" err "sock$family\\.fd: -1 \\(socktype: 0\\)" "$cell no socket"
          check_fixed "$tag" err "cannot open an ICMP socket: $fam SOCK_DGRAM: Permission denied; $fam SOCK_RAW: Operation not permitted" \
            "$cell diagnosis"
          check_fixed "$tag" err "net.ipv4.ping_group_range is \"1 0\" (no group may use ICMP datagram sockets); you are uid $uid, gids $uid" \
            "$cell diagnosis"
          check_fixed "$tag" err "CAP_NET_RAW: effective no, permitted no, bounding no" "$cell diagnosis"
          check_fixed "$tag" err 'fix: sysctl -w net.ipv4.ping_group_range="0 2147483647" (in this network namespace)' \
            "$cell diagnosis"
          check_fixed "$tag" err "docker run --sysctl net.ipv4.ping_group_range=" "$cell diagnosis"
        fi

        # 2. --diagnose: the family's socket line, the sysctl, the identity, CAP_NET_RAW, the verdict.
        dtag="${tag}_diag"
        capture "$dtag" "${prefix[@]}" "$bin" --diagnose
        dgram_state="yes"
        [[ $range == closed ]] && dgram_state="no (Permission denied)"
        raw_state="yes"
        [[ $netraw == no ]] && raw_state="no (Operation not permitted)"
        check_line "$dtag" out "$fam: datagram socket (unprivileged): $dgram_state; raw socket: $raw_state" "$cell --diagnose"
        if [[ $range == open ]]; then
          check_fixed "$dtag" out "net.ipv4.ping_group_range: \"$range_value\" (includes one of your groups;" "$cell --diagnose"
        else
          check_fixed "$dtag" out "net.ipv4.ping_group_range: \"$range_value\" (closed to every group;" "$cell --diagnose"
        fi
        check_line "$dtag" out "identity: uid $uid, gids $uid" "$cell --diagnose"
        check_line "$dtag" out "CAP_NET_RAW: $net_raw_sets" "$cell --diagnose"
        check_grep "$dtag" out '^capability sets: effective [0-9a-f]{16}, permitted [0-9a-f]{16}, bounding [0-9a-f]{16}, ambient [0-9a-f]{16}$' \
          "$cell --diagnose"
        check_line "$dtag" out "user namespace: no (uid_map 0 0 4294967295)" "$cell --diagnose"
        if [[ $range == open ]]; then
          check_line "$dtag" out "verdict: uping can ping without privilege (ICMP datagram sockets)" "$cell --diagnose"
          check_no_grep "$dtag" out '^fix:' "$cell --diagnose"
          check_rc "$dtag" 0 "$cell --diagnose"
        else
          if [[ $netraw == yes ]]; then
            check_line "$dtag" out "verdict: uping can ping here only through a raw socket (CAP_NET_RAW)" "$cell --diagnose"
          else
            check_line "$dtag" out "verdict: uping cannot ping here" "$cell --diagnose"
          fi
          for runtime in "Linux:" "Docker:" "Kubernetes:" "containerd:" "CRI-O:" "podman:"; do
            check_grep "$dtag" out "^  $runtime " "$cell --diagnose fix"
          done
          check_rc "$dtag" 1 "$cell --diagnose"
        fi

        # 3. --health on the same target.
        htag="${tag}_health"
        capture "$htag" "${prefix[@]}" "$bin" --health "$target"
        if [[ -n $mode ]]; then
          check_rc "$htag" 0 "$cell --health"
          check_grep "$htag" out "^${target//./\\.}: healthy, rtt [0-9]+\\.[0-9]{3} ms$" "$cell --health"
        else
          check_rc "$htag" 1 "$cell --health"
          proto=ICMP
          [[ $target == *:* ]] && proto=ICMPv6
          check_line "$htag" out "$target: unhealthy, no $proto socket (SOCK_DGRAM Permission denied, SOCK_RAW Operation not permitted); run uping --diagnose" \
            "$cell --health"
        fi

        # 4. cap_net_raw=p with the range closed: the order of the system calls.
        if [[ $who == nobody && $range == closed && $netraw == yes ]]; then
          stag="${tag}_strace"
          # LeakSanitizer (dev build) refuses to run under ptrace.
          env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout -k 2 "$LIVE_TIMEOUT" strace -f -qq -o "$LIVE_OUT/$stag.strace" -e trace=execve,capset,socket,sendto,sendmsg,sendmmsg \
            "${prefix[@]}" "$bin" -c 1 "$target" >"$LIVE_OUT/$stag.out" 2>"$LIVE_OUT/$stag.err"
          LIVE_RC[$stag]=$?
          check_rc "$stag" 0 "$cell under strace"
          check_syscall_order "$stag" "$bin" "$cell"
        fi
      done
    done
  done
done

if ((cells == 16)); then
  pass "all 16 cells of the matrix ran"
else
  fail "$cells cells ran, expected 16"
fi

live_done
