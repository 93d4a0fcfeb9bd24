# bench/lib.sh: what bench/run and bench/compare share, sourced by both (not run on its own).
#
# The sourcing script defines log, die, NETNS (the namespace's name), OUT (where raw output goes) and ROWS
# (the rows file summarize.py reads) before calling anything here.
# shellcheck shell=bash

# The credentials of a container started with --cap-drop NET_RAW and a permissive ping_group_range.
readonly UNPRIVILEGED=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-net_raw)

# --- the namespace ------------------------------------------------------------------------------------------

make_namespace() {
  timeout 10 ip netns add "$NETNS"
  trap remove_namespace EXIT
  trap 'exit 130' INT TERM
  timeout 10 ip netns exec "$NETNS" ip link set lo up
  timeout 10 ip netns exec "$NETNS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

remove_namespace() {
  timeout 10 ip netns del "$NETNS" 2>/dev/null || true
}

# as WHO CMD...: run CMD inside the namespace, as root or as the unprivileged user.
as() {
  local who=$1; shift
  case "$who" in
    root) ip netns exec "$NETNS" "$@" ;;
    user) ip netns exec "$NETNS" "${UNPRIVILEGED[@]}" "$@" ;;
    *) die "unknown identity $who" ;;
  esac
}

# Which ICMP socket the program really got, read from strace rather than assumed.
socket_kind() {
  local who=$1; shift
  local trace="$OUT/strace.$RANDOM"
  as "$who" timeout 20 strace -f -e trace=socket -o "$trace" "$@" >/dev/null 2>&1 || true
  # Flags such as SOCK_CLOEXEC may be or-ed into the type; only a socket that was granted counts.
  if grep -qE 'socket\(AF_INET, SOCK_RAW[|A-Z_]*, IPPROTO_ICMP\) = [0-9]' "$trace"; then echo raw
  elif grep -qE 'socket\(AF_INET, SOCK_DGRAM[|A-Z_]*, IPPROTO_ICMP\) = [0-9]' "$trace"; then echo datagram
  else echo "no ICMP socket"
  fi
  rm -f "$trace"
}

describe_run() {
  local who=$1 kind=$2
  case "$who" in
    root) echo "root, $kind" ;;
    user) echo "uid 65534, no CAP_NET_RAW, $kind" ;;
  esac
}

# record SECTION METRIC UNIT TOOL HOW SAMPLES_FILE ("" for n/a)
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"
}

# hyperfine_rounds WHO PREFIX RUNS WARMUP CMD...: time every CMD RUNS times. Each round is one hyperfine call
# that runs every command once, so load from the rest of the machine falls on all programs alike instead of
# on whichever one hyperfine happened to be timing. Per-run seconds land in PREFIX.<index>.wall/.user/.system.
hyperfine_rounds() {
  local who=$1 prefix=$2 runs=$3 warmup=$4; shift 4
  local round
  for ((round = 1; round <= runs; round++)); do
    as "$who" timeout 1800 hyperfine -N --style basic --warmup "$warmup" --runs 1 \
      --export-json "$OUT/$prefix.round$round.json" "$@" >"$OUT/$prefix.round$round.log" 2>&1 ||
      { tail -n 20 "$OUT/$prefix.round$round.log" >&2; die "hyperfine failed ($prefix)"; }
  done
  /usr/bin/python3 - "$OUT/$prefix" "$runs" <<'PY'
import json, sys
prefix, runs = sys.argv[1], int(sys.argv[2])
columns = {}
for round in range(1, runs + 1):
    for index, result in enumerate(json.load(open(f"{prefix}.round{round}.json"))["results"]):
        # With --runs 1, hyperfine's "user" and "system" means are that one run's CPU times.
        for key, value in (("wall", result["times"][0]), ("user", result["user"]), ("system", result["system"])):
            columns.setdefault((index, key), []).append(value)
for (index, key), values in columns.items():
    with open(f"{prefix}.{index}.{key}", "w") as out:
        out.writelines(f"{value}\n" for value in values)
PY
}
