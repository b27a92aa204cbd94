# Sourced (not run) by the .ci scripts that start a background process: stop it again by the
# pid its own pid file holds, never by name, so a process someone else started is left alone.
#
# usage: stop_by_pid_file PID_FILE WHAT SECONDS
#   Sends SIGTERM to the pid in PID_FILE (when it runs), waits up to SECONDS for it to exit and
#   removes PID_FILE. Returns 1 (after saying so) when it still runs then. The caller's `log`
#   function prints the messages.

stop_by_pid_file() {
    local pid_file="$1" what="$2" seconds="$3" pid
    pid="$(cat "$pid_file")"
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping $what pid $pid"
        kill "$pid"
        for _ in $(seq 1 $((seconds * 5))); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "error: $what pid $pid still running after ${seconds}s"
            return 1
        fi
    fi
    rm -f "$pid_file"
}
