#!/usr/bin/env bash
# Internationalised names in every face, unprivileged in a namespace. glibc turns "bücher.example"
# into "xn--bcher-kva.example" (AI_IDN) only with the user's character set loaded; uping loads it
# once per run, after the privilege drop and before any resolver thread starts (setlocale is not
# thread-safe), and only when a name may need it: a non-ASCII argument, or names from --file.
# The sweep and health rows put an ASCII name first, so that a resolver thread is already busy
# when the non-ASCII name comes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

# A UTF-8 character set (C.UTF-8 is always present on Debian), as for a user with any UTF-8 locale.
export LC_ALL=C.UTF-8

new_netns ns
ns_confine_resolver "$ns"
printf '127.0.0.9\txn--bcher-kva.example\n127.0.0.8\tplain.example\n' >>"/etc/netns/$ns/hosts"
names_file=$LIVE_DIR/names.txt
printf 'plain.example\nb\xc3\xbccher.example\n' >"$names_file"
chmod 644 "$names_file"
idn=$'b\xc3\xbccher.example'

run_in() {
  local tag=$1
  shift
  capture "$tag" run_unpriv "$ns" env LC_ALL=C.UTF-8 "$UPING_BIN" "$@"
}

run_in ping -c 1 -n "$idn"
check_rc ping 0 "ping $idn"
check_grep ping out '^64 bytes from 127\.0\.0\.9: icmp_seq=1 ' "ping $idn reaches the address of its ASCII form"

run_in health --health plain.example "$idn"
check_rc health 0 "--health plain.example $idn"
check_grep health out "^$idn: healthy, rtt " "--health: the IDN name resolves beside an ASCII one"

run_in sweep --json plain.example "$idn"
check_rc sweep 0 "sweep plain.example $idn"
check_grep sweep out '"type":"summary","target":"b.*cher\.example","addr":"127\.0\.0\.9"' "sweep: the IDN name resolves"

run_in file --alive --file "$names_file"
check_rc file 0 "--file with an IDN line"
check_line file out "$idn" "--file: the IDN line answers"

live_done
