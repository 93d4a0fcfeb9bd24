#!/usr/bin/env bash
# A set-user-ID root copy (chmod 4755, as some distributions ship ping) and a set-group-ID root copy
# (chmod 2755), run by uid 65534 with the range open: uping opens its sockets, then returns to the
# caller's ids with every capability set empty before it opens, reads or resolves anything the
# caller named. So a root-only --file is refused with the caller's "Permission denied" (exit 2) and
# none of its words comes out; `--file -` and /etc/hosts names behave as for the caller; -I behaves
# as for an unprivileged copy; /proc/<pid>/status shows only the caller's ids and empty capability
# sets while it runs; --diagnose names the effective uid. Real root keeps uid 0 with no capability.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

command -v pgrep >/dev/null || live_skip "pgrep is not installed (bash .ci/install-deps: procps)"
command -v findmnt >/dev/null || live_skip "findmnt is not installed (util-linux)"
# The kernel ignores the set-ID bits of a file on a nosuid mount: the copies would run as the caller
# and every check below would pass without testing anything.
if findmnt -n -o OPTIONS -T "$LIVE_DIR" | tr ',' '\n' | grep -qx nosuid; then
  live_skip "$LIVE_DIR is on a nosuid mount: a set-user-ID copy cannot be tested there"
fi

SUID_BIN=$LIVE_DIR/uping-suid
SGID_BIN=$LIVE_DIR/uping-sgid
for copy in "$SUID_BIN" "$SGID_BIN"; do
  cp -- "$UPING_BIN" "$copy"
  chown root:root "$copy"
done
chmod 4755 "$SUID_BIN"
chmod 2755 "$SGID_BIN"
# LeakSanitizer (dev build) cannot inspect a process that changed its ids (it is no longer
# dumpable) and would turn every exit into a failure.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# Files whose first words must never come out: root's alone (0600), and root's group's (0640, what a
# set-group-ID root copy could read).
SECRET=$LIVE_DIR/secret-0600
SECRET_GROUP=$LIVE_DIR/secret-0640
printf 'leakedword1 rest\nleakedword2\n' >"$SECRET"
printf 'leakedword3\n' >"$SECRET_GROUP"
chown root:root "$SECRET" "$SECRET_GROUP"
chmod 600 "$SECRET"
chmod 640 "$SECRET_GROUP"
READABLE=$LIVE_DIR/targets-0644
printf '127.0.0.1\n' >"$READABLE"
chmod 644 "$READABLE"

new_netns ns
ns_confine_resolver "$ns"
printf '127.0.0.1\tcallername\n' >>"/etc/netns/$ns/hosts"
# A second namespace whose /etc/hosts only root may read: a name there resolves for root, never for
# a copy that resolves as its caller.
new_netns hidden_ns
ns_confine_resolver "$hidden_ns"
printf '127.0.0.1\trootonlyname\n' >>"/etc/netns/$hidden_ns/hosts"
chmod 600 "/etc/netns/$hidden_ns/hosts"

# run_as_caller NS CMD...: CMD as uid/gid 65534 without CAP_NET_RAW, like run_unpriv, but through bash
# so that a redirection is opened by the caller: run_as_caller NS 'exec "$@" <file' BIN ARGS...
run_as_caller() {
  local ns=$1 script=$2
  shift 2
  run_unpriv "$ns" bash -c "$script" "$@"
}

# reading_task PID: the id of PID's other thread blocked on a pipe (poll or read), if any.
reading_task() {
  local task
  for task in /proc/"$1"/task/*; do
    [[ ${task##*/} == "$1" ]] && continue  # the event loop's thread waits in epoll
    if [[ $(cat "$task/wchan" 2>/dev/null) == @(*pipe_read|pipe_wait|*poll*) ]]; then
      echo "${task##*/}"
      return 0
    fi
  done
  return 1
}

# status_while_running TAG WAIT PREFIX... -- BIN ARGS...: runs BIN through PREFIX in the background and,
# once WAIT says the run is past its privilege drop, keeps the Uid, Gid and Cap* lines of the uping
# process's /proc/<pid>/status in out/TAG.status. WAIT is "reply" (a reply line on stdout) or "stdin"
# (a thread blocked reading standard input, which uping reads only after the drop; the test then writes
# 127.0.0.1 and closes it). Every wait is bounded.
status_while_running() {
  local tag=$1 wait=$2 i pid="" exe fifo=$LIVE_DIR/$1.fifo feed task
  shift 2
  local -a prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  local bin=$1
  : >"$LIVE_OUT/$tag.status"
  if [[ $wait == stdin ]]; then
    mkfifo -m 644 "$fifo"
    exec {feed}<>"$fifo"
    # The test keeps the only writer: uping sees the end of its input once the test closes it.
    "${prefix[@]}" "$@" <"$fifo" {feed}>&- >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  else
    "${prefix[@]}" "$@" </dev/null >"$LIVE_OUT/$tag.out" 2>"$LIVE_OUT/$tag.err" &
  fi
  local runner_pid=$!
  for ((i = 0; i < 250; i++)); do
    pid=$(pgrep -P "$runner_pid" | head -n 1)
    exe=""
    [[ -n $pid ]] && exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
    if [[ $exe == "$bin" ]]; then
      if [[ $wait == reply ]] && grep -q 'icmp_seq=1 ' "$LIVE_OUT/$tag.out"; then
        grep -E '^(Uid|Gid|Cap(Inh|Prm|Eff|Bnd|Amb)):' "/proc/$pid/status" >"$LIVE_OUT/$tag.status" 2>/dev/null
        break
      fi
      # --file is read on a thread of its own (waiting in poll, then read): that thread is sampled.
      if [[ $wait == stdin ]] && task=$(reading_task "$pid"); then
        grep -E '^(Uid|Gid|Cap(Inh|Prm|Eff|Bnd|Amb)):' "/proc/$pid/task/$task/status" >"$LIVE_OUT/$tag.status" 2>/dev/null
        break
      fi
    fi
    kill -0 "$runner_pid" 2>/dev/null || break
    sleep 0.02
  done
  if [[ $wait == stdin ]]; then
    printf '127.0.0.1\n' >&"$feed"
    exec {feed}>&-
  fi
  wait "$runner_pid"
  LIVE_RC[$tag]=$?
}

# check_status TAG ID DESC SETS: every uid and gid slot is ID and every capability set in SETS (an ERE
# of names) is empty: Inh|Prm|Eff|Amb|Bnd where uping held CAP_SETPCAP before the drop (root, a
# set-user-ID root copy), without Bnd where the bounding set was never its own to empty.
check_status() {
  local tag=$1 id=$2 desc=$3 sets=$4 f=$LIVE_OUT/$1.status
  local ids="$id"$'\t'"$id"$'\t'"$id"$'\t'"$id"
  if [[ $(wc -l <"$f") -eq 7 ]] && grep -qx "Uid:"$'\t'"$ids" "$f" && grep -qx "Gid:"$'\t'"$ids" "$f" &&
    ! grep -E "^Cap($sets):" "$f" | grep -Evq ':[[:space:]]+0+$'; then
    pass "$desc: uids and gids all $id, capability sets $sets empty while it runs"
  else
    fail "$desc: privileges held while running (or not sampled):"
    sed 's/^/    | /' "$f"
    show "$tag"
  fi
}

check_no_leak() {
  local tag=$1 desc=$2
  if grep -q leakedword "$LIVE_OUT/$tag.out" "$LIVE_OUT/$tag.err"; then
    fail "$desc: words of the protected file came out"
    show "$tag"
  else
    pass "$desc: no word of the protected file came out"
  fi
}

# 1. --file naming a file only root (or root's group) may read: the caller's refusal, nothing leaked.
for copy in suid sgid; do
  bin=$SUID_BIN
  [[ $copy == sgid ]] && bin=$SGID_BIN
  for secret in "$SECRET" "$SECRET_GROUP"; do
    tag=${copy}_file_$(basename "$secret")
    capture "$tag" run_unpriv "$ns" "$bin" --json -c 1 -W 0.2 --file "$secret"
    check_rc "$tag" 2 "$copy copy, --json --file $(basename "$secret")"
    check_line "$tag" err "$bin: $secret: Permission denied" "$copy copy, --file $(basename "$secret")"
    check_empty "$tag" out "$copy copy, --file $(basename "$secret")"
    check_no_leak "$tag" "$copy copy, --file $(basename "$secret")"
  done
done

# 2. --file - with a file the caller may read, opened by the caller's shell: it works.
tag=suid_stdin
capture "$tag" run_as_caller "$ns" 'exec "$@" <"$0"' "$READABLE" "$SUID_BIN" --json -c 1 --file -
check_rc "$tag" 0 "suid copy, --file - < readable file"
check_grep "$tag" out '^\{"v":1,"type":"reply","target":"127\.0\.0\.1",' "suid copy, --file - < readable file"
# ... and the caller's shell cannot open the protected one, so nothing reaches uping.
tag=suid_stdin_secret
capture "$tag" run_as_caller "$ns" 'exec "$@" <"$0"' "$SECRET" "$SUID_BIN" --json -c 1 --file -
check_no_leak "$tag" "suid copy, --file - < protected file"

# 3. /etc/hosts names resolve as the caller: a readable name works in all three faces, a name in a
# file only root may read resolves for root and never for the copy.
tag=suid_hosts_ping
capture "$tag" run_unpriv "$ns" "$SUID_BIN" -c 1 callername
check_rc "$tag" 0 "suid copy, ping of an /etc/hosts name"
check_count "$tag" out '^64 bytes from (callername|localhost) \(127\.0\.0\.1\): icmp_seq=1 ' 1 "suid copy, ping of an /etc/hosts name"
tag=suid_hosts_sweep
capture "$tag" run_unpriv "$ns" "$SUID_BIN" --json -c 1 callername
check_rc "$tag" 0 "suid copy, sweep of an /etc/hosts name"
tag=suid_hosts_health
capture "$tag" run_unpriv "$ns" "$SUID_BIN" --health callername
check_rc "$tag" 0 "suid copy, --health of an /etc/hosts name"
tag=root_hidden
capture "$tag" run_root "$hidden_ns" "$UPING_BIN" -c 1 rootonlyname
check_rc "$tag" 0 "root resolves the name of a root-only /etc/hosts (the fixture works)"
for face in ping sweep health; do
  tag=suid_hidden_$face
  case $face in
    ping) capture "$tag" run_unpriv "$hidden_ns" "$SUID_BIN" -c 1 rootonlyname ;;
    sweep) capture "$tag" run_unpriv "$hidden_ns" "$SUID_BIN" --json -c 1 rootonlyname ;;
    health) capture "$tag" run_unpriv "$hidden_ns" "$SUID_BIN" --health rootonlyname ;;
  esac
  check_no_grep "$tag" out 'bytes from|"type":"reply"|healthy, rtt' "suid copy, $face of a name only root may resolve"
  if ((LIVE_RC[$tag] != 0)); then
    pass "suid copy, $face of a name only root may resolve: fails (exit ${LIVE_RC[$tag]})"
  else
    fail "suid copy, $face of a name only root may resolve: exit 0"
    show "$tag"
  fi
done

# 4. -I: what an unprivileged copy does (SO_BINDTODEVICE after the drop).
for iface in lo nosuchdev0; do
  capture "I_plain_$iface" run_unpriv "$ns" "$UPING_BIN" -c 1 -I "$iface" 127.0.0.1
  capture "I_suid_$iface" run_unpriv "$ns" "$SUID_BIN" -c 1 -I "$iface" 127.0.0.1
  check_rc "I_suid_$iface" "${LIVE_RC[I_plain_$iface]}" "suid copy, -I $iface: the exit status of an unprivileged copy"
  if diff <(sed "s|$UPING_BIN|uping|" "$LIVE_OUT/I_plain_$iface.err") \
    <(sed "s|$SUID_BIN|uping|" "$LIVE_OUT/I_suid_$iface.err") >/dev/null; then
    pass "suid copy, -I $iface: the messages of an unprivileged copy"
  else
    fail "suid copy, -I $iface: stderr differs from an unprivileged copy's"
    show "I_suid_$iface"
  fi
done

# 5. /proc/<pid>/status while running: the ping face past its first reply, the sweep face while it
# reads --file -; the caller's ids and empty sets. Real root: uid 0, empty sets.
status_while_running suid_status_ping reply timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
  setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all --bounding-set=-net_raw \
  -- "$SUID_BIN" -c 4 -i 0.2 127.0.0.1
check_rc suid_status_ping 0 "suid copy, ping -c 4"
check_status suid_status_ping $LIVE_UNPRIV_UID "suid copy, ping" "Inh|Prm|Eff|Amb|Bnd"
for copy in suid sgid; do
  bin=$SUID_BIN
  [[ $copy == sgid ]] && bin=$SGID_BIN
  tag=${copy}_status_sweep
  status_while_running "$tag" stdin timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
    setpriv --reuid=$LIVE_UNPRIV_UID --regid=$LIVE_UNPRIV_UID --clear-groups --inh-caps=-all --bounding-set=-net_raw \
    -- "$bin" --json -c 1 --file -
  check_rc "$tag" 0 "$copy copy, sweep --file -"
  check_grep "$tag" out '"type":"reply","target":"127\.0\.0\.1"' "$copy copy, sweep --file -"
  sets="Inh|Prm|Eff|Amb|Bnd"
  [[ $copy == sgid ]] && sets="Inh|Prm|Eff|Amb"
  check_status "$tag" $LIVE_UNPRIV_UID "$copy copy, sweep reading --file -" "$sets"
done
status_while_running root_status_ping reply timeout -k 2 "$LIVE_TIMEOUT" ip netns exec "$ns" \
  -- "$UPING_BIN" -c 4 -i 0.2 127.0.0.1
check_rc root_status_ping 0 "root, ping -c 4"
check_status root_status_ping 0 "root, ping" "Inh|Prm|Eff|Amb|Bnd"

# 6. --diagnose on the copies names the effective ids beside the real ones.
tag=suid_diagnose
capture "$tag" run_unpriv "$ns" "$SUID_BIN" --diagnose
check_rc "$tag" 0 "suid copy, --diagnose"
check_line "$tag" out "identity: uid $LIVE_UNPRIV_UID (effective 0), gids $LIVE_UNPRIV_UID" "suid copy, --diagnose"
tag=sgid_diagnose
capture "$tag" run_unpriv "$ns" "$SGID_BIN" --diagnose
check_rc "$tag" 0 "sgid copy, --diagnose"
check_line "$tag" out "identity: uid $LIVE_UNPRIV_UID, gids $LIVE_UNPRIV_UID (effective gid 0)" "sgid copy, --diagnose"

live_done
