#!/usr/bin/env bash
# --file with limits: a directory, an unreadable file or a closed standard input is a clear error
# (exit 2); a line is read up to 64 KiB, so an endless stream without newline ends the run at once
# instead of growing memory; a NUL byte or a target longer than a host name is refused with its
# line number, and the line is never echoed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
ns_confine_resolver "$ns"
files=$LIVE_DIR/files
mkdir "$files" && chmod 755 "$files"

# check_refused TAG LINE DESCRIPTION: exit 2 within 5 s, exactly LINE on stderr and nothing else.
check_refused() {
  local tag=$1 line=$2 desc=$3
  check_rc "$tag" 2 "$desc"
  check_line "$tag" err "$line" "$desc"
  check_count "$tag" err '.' 1 "$desc: one stderr line"
  check_within "$tag" 0 5000 "$desc: ends at once"
  check_no_grep "$tag" err 'AddressSanitizer|runtime error' "$desc: no sanitizer report"
}

capture dir run_unpriv "$ns" "$UPING_BIN" --alive --file "$files"
check_refused dir "ping: $files: Is a directory" "--file on a directory"

printf '127.0.0.1\n' >"$files/secret" && chmod 600 "$files/secret"
capture unreadable run_unpriv "$ns" "$UPING_BIN" --alive --file "$files/secret"
check_refused unreadable "ping: $files/secret: Permission denied" "--file unreadable"

capture zero run_unpriv "$ns" "$UPING_BIN" --alive --file /dev/zero
check_refused zero "ping: /dev/zero: line 1: a NUL byte" "--file /dev/zero"

# An endless line without NUL or newline: refused at the bound, not read to the end of memory.
capture endless run_unpriv "$ns" bash -c "tr '\\0' a </dev/zero | exec '$UPING_BIN' --alive --file -"
check_refused endless "ping: standard input: line 1: longer than 65536 bytes" "--file - on an endless line"

{ printf '127.0.0.1\n# a comment\n'; head -c 100000 /dev/zero | tr '\0' b; printf '\n'; } >"$files/long"
capture long run_unpriv "$ns" "$UPING_BIN" --alive --file "$files/long"
check_refused long "ping: $files/long: line 3: longer than 65536 bytes" "--file with a 100 kB line"

printf '127.0.0.1\n127.0.0.\0002\n' >"$files/nul"
capture nul run_unpriv "$ns" "$UPING_BIN" --alive --file "$files/nul"
check_refused nul "ping: $files/nul: line 2: a NUL byte" "--file with a NUL byte"

{ printf '127.0.0.1\n'; head -c 254 /dev/zero | tr '\0' h; printf ' # too long\n'; } >"$files/word"
capture word run_unpriv "$ns" "$UPING_BIN" --alive --file "$files/word"
check_refused word "ping: $files/word: line 2: a target longer than 253 bytes" "--file with a 254-byte target"

capture stdin_closed run_unpriv "$ns" bash -c "exec '$UPING_BIN' --alive --file - <&-"
check_refused stdin_closed "ping: standard input: not open for reading" "--file - with stdin closed"
capture stdin_dir run_unpriv "$ns" bash -c "exec '$UPING_BIN' --alive --file - </"
check_refused stdin_dir "ping: standard input: Is a directory" "--file - with stdin a directory"

# Still fine: the longest host name and a good file.
{ head -c 253 /dev/zero | tr '\0' h; printf '\n127.0.0.1\n'; } >"$files/good"
capture good run_unpriv "$ns" "$UPING_BIN" --alive --file "$files/good"
check_line good out "127.0.0.1" "--file with a 253-byte name and 127.0.0.1"

live_done
