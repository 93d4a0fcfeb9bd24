#!/usr/bin/env bash
# --help and --version in every mode (GNU conventions: stdout, exit 0), -h as iputils (usage on
# stderr, exit 2) naming the other modes, -V naming the iputils release uping follows, and
# --diagnose refusing other arguments in one line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
version_re='^uping [0-9][^ ]* \(ping from iputils 20250605 compatible\)$'

# --version and -V: one line on stdout, nothing on stderr, exit 0, in every mode.
for args in "--version" "-V" "-c 1 --version 127.0.0.1" "--health --version 127.0.0.1" \
  "--json --version 127.0.0.1" "127.0.0.1 127.0.0.2 --version" "--diagnose --version"; do
  tag=version_$(tr -c 'a-z0-9' _ <<<"$args")
  # shellcheck disable=SC2086  # the words are the arguments
  capture "$tag" run_unpriv "$ns" "$UPING_BIN" $args
  check_rc "$tag" 0 "uping $args"
  check_grep "$tag" out "$version_re" "uping $args"
  check_count "$tag" out '' 1 "uping $args"
  check_empty "$tag" err "uping $args"
done

# --help: the mode's own help on stdout, exit 0.
for spec in "--help|^  --diagnose " "-c 1 --help 127.0.0.1|^  --health " "--health --help|--health \[options\]" \
  "--json --help|--json" "--diagnose --help|--diagnose$"; do
  args=${spec%%|*}
  re=${spec#*|}
  tag=help_$(tr -c 'a-z0-9' _ <<<"$args")
  # shellcheck disable=SC2086
  capture "$tag" run_unpriv "$ns" "$UPING_BIN" $args
  check_rc "$tag" 0 "uping $args"
  check_grep "$tag" out "$re" "uping $args"
  check_empty "$tag" err "uping $args"
done

# -h keeps iputils' behaviour (usage on stderr, exit 2), and names the other modes a line each.
tag=h
capture "$tag" run_unpriv "$ns" "$UPING_BIN" -h
check_rc "$tag" 2 "uping -h"
check_empty "$tag" out "uping -h"
for re in '^  <destination>\.\.\. ' '^  --health ' '^  --diagnose ' '^  --help ' '^  --version '; do
  check_grep "$tag" err "$re" "uping -h"
done

# --diagnose with anything else: one line, exit 2, not the usage.
tag=diagnose_stray
capture "$tag" run_unpriv "$ns" "$UPING_BIN" --diagnose -v
check_rc "$tag" 2 "uping --diagnose -v"
check_empty "$tag" out "uping --diagnose -v"
check_line "$tag" err "ping: --diagnose takes no other argument: '-v'" "uping --diagnose -v"
if [[ $(wc -l <"$LIVE_OUT/$tag.err") -eq 1 ]]; then
  pass "uping --diagnose -v: one line on stderr"
else
  fail "uping --diagnose -v: $(wc -l <"$LIVE_OUT/$tag.err") lines on stderr"
fi

live_done
