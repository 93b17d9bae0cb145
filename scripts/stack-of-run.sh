# stack-of-run.sh: sourced by test.sh and bench.sh. start_stack starts a
# real mail stack (Dovecot + Postfix on loopback) of the run's own, in a
# new folder on free ports, and exports MAILSTACK_DIR; stop_stack stops it
# and removes the folder. start_stack returns 1 when no stack would start.

stack=""
stop_stack() {
  [ -n "$stack" ] || return 0
  MAILSTACK_DIR="$stack" bash scripts/mailstack.sh stop > /dev/null 2>&1 || true
  rm -rf "$stack"; stack=""
}

start_stack() {
  # Ports are picked free, but another process may take one before the
  # server binds it: then start again on other ports.
  for _ in 1 2 3; do
    stack="$(mktemp -d /tmp/gomailcgi-test.XXXXXX)"
    if MAILSTACK_DIR="$stack" MAILSTACK_PORTS=auto bash scripts/mailstack.sh start; then
      export MAILSTACK_DIR="$stack"
      return 0
    fi
    stop_stack
  done
  return 1
}
