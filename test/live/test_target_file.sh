#!/usr/bin/env bash
# --file with limits: a directory, an unreadable file or a closed standard input is a clear error
# (exit 2); a line is read up to 64 KiB, so an endless stream without newline ends the run at once
# instead of growing memory; a NUL byte or a target longer than a host name is refused with its
# line number, and the line is never echoed. A bad line or a read error ends the file source only:
# the targets taken before it are probed and accounted for, and JSON still ends with its run line
# (stopped input_error, exit 2). The file is read on a thread of its own: a pipe or FIFO that
# blocks holds neither -w, nor SIGINT, nor the RTTs.
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

# --- a bad line after good ones: those taken are probed and accounted for -------------------------
printf '127.0.0.1\n127.0.0.2\nab\0c\n127.0.0.3\n' >"$files/nul3"
capture nul_json run_unpriv "$ns" "$UPING_BIN" --json -c 3 -i 0.3 --file "$files/nul3"
check_rc nul_json 2 "--json, NUL on line 3"
check_line nul_json err "ping: $files/nul3: line 3: a NUL byte" "--json, NUL on line 3"
check_count nul_json err '.' 1 "--json, NUL on line 3: the error once"
check_json nul_json count:reply=6 count:summary=2 targets=2 alive=2 stopped=input_error exit=2
check_grep nul_json out '"type":"summary","target":"127\.0\.0\.2",.*"received":3,.*"complete":true' \
  "--json, NUL on line 3: the targets taken before it finish"
check_no_grep nul_json out '127\.0\.0\.3' "--json, NUL on line 3: nothing after it is read"

capture nul_text run_unpriv "$ns" "$UPING_BIN" -q -c 2 -i 0.2 --file "$files/nul3"
check_rc nul_text 2 "text, NUL on line 3"
check_count nul_text out '^--- 127\.0\.0\.[12] ping statistics ---$' 2 "text, NUL on line 3: both statistics"
check_count nul_text err '.' 1 "text, NUL on line 3: the error once"

capture nul_alive run_unpriv "$ns" "$UPING_BIN" --alive --file "$files/nul3"
check_rc nul_alive 2 "--alive, NUL on line 3"
check_count nul_alive out '^127\.0\.0\.[12]$' 2 "--alive, NUL on line 3: both taken targets"

# A read error is not an end of file: a pseudo-terminal's master without its slave reads EIO.
# (The system's python: a per-user one, pyenv's, may not be open to the unprivileged user.)
system_python=/usr/bin/python3
[[ -x $system_python ]] || system_python=python3
capture eio run_unpriv "$ns" "$system_python" -c '
import os, pty, subprocess, sys
master, slave = pty.openpty()
os.write(slave, b"127.0.0.1\n")
os.close(slave)
sys.exit(subprocess.run([sys.argv[1], "--json", "--file", "-"], stdin=master).returncode)' "$UPING_BIN"
check_rc eio 2 "--file - reading EIO"
check_line eio err "ping: standard input: Input/output error" "--file - reading EIO"
check_json eio count:summary=1 alive=1 stopped=input_error

# --- a pipe that blocks: read on its own thread ------------------------------------------------------
# Before: read on the pacing thread, 5.8 s with -w 2, 127.0.0.1's rtt 5852 ms, "complete".
capture slow_pipe run_unpriv "$ns" bash -c "exec '$UPING_BIN' --json -w 2 --file - < <(echo 127.0.0.1; sleep 6; echo 127.0.0.2)"
check_within slow_pipe 1900 3500 "-w 2 bounds a run whose --file - blocks"
check_rc slow_pipe 1 "-w 2 with --file - still open"
check_json slow_pipe count:reply=1 targets=1 alive=1 stopped=deadline
check_grep slow_pipe out '"type":"reply","target":"127\.0\.0\.1",.*"rtt_ms":(0|[1-4]?[0-9]?[0-9])\.[0-9]+,' \
  "127.0.0.1's rtt is not the time the pipe blocked (< 500 ms)"
check_line slow_pipe err "ping: the rest of --file not read (deadline)" "-w 2 with --file - still open"

# SIGINT while the reader is blocked: interrupted, and the rest of the file said unread.
run_unpriv "$ns" bash -c "exec '$UPING_BIN' --json --file - < <(echo 127.0.0.1; sleep 8; echo 127.0.0.2)" \
  >"$LIVE_OUT/pipe_int.out" 2>"$LIVE_OUT/pipe_int.err" &
runner=$!
for _ in $(seq 100); do grep -q '"type":"summary"' "$LIVE_OUT/pipe_int.out" && break; sleep 0.05; done
pid=$(pgrep -n -f "^$UPING_BIN --json --file -\$")
t0=$(date +%s%N)
[[ -n $pid ]] && kill -INT "$pid"
wait "$runner"
LIVE_RC[pipe_int]=$?
LIVE_MS[pipe_int]=$((($(date +%s%N) - t0) / 1000000))
check_within pipe_int 0 1500 "SIGINT during a blocked --file - read ends the run at once"
check_rc pipe_int 0 "SIGINT after 127.0.0.1 answered, --file - blocked"
check_json pipe_int count:summary=1 alive=1 stopped=interrupted
check_line pipe_int err "ping: the rest of --file not read (interrupted)" "SIGINT during a blocked --file - read"

# A FIFO with no writer yet: opened without blocking, so -w still bounds the run.
mkfifo -m 644 "$files/fifo"
capture fifo run_unpriv "$ns" timeout 5 "$UPING_BIN" --json -w 1 --file "$files/fifo"
check_within fifo 900 2500 "-w 1 bounds a run whose --file FIFO has no writer"
check_json fifo targets=0 stopped=deadline

# Nothing is left once the reader has seen the end: no "rest of --file" line. --rate 1 takes
# 127.0.0.2 at 1 s and the deadline comes before the file is asked again.
printf '127.0.0.1\n127.0.0.2\n' >"$files/two"
capture all_read run_unpriv "$ns" "$UPING_BIN" --alive --rate 1 -w 1.5 --file "$files/two"
check_count all_read out '^127\.0\.0\.[12]$' 2 "--rate 1 -w 1.5, both lines taken"
check_no_grep all_read err 'rest of --file' "-w after the whole --file was taken"

live_done
