#!/usr/bin/env bash
# test.sh: every test of gomailcgi, as `make test` runs it.
#   1. install the Debian packages the tests need, when root and missing
#   2. start a real mail stack (Dovecot + Postfix on loopback) of this run's
#      own: a new state folder and free ports, handed to the tests through
#      MAILSTACK_DIR; stopped and removed on exit, so no run sees another's
#      state and runs in several clones at once do not meet; with CI=true a
#      stack that fails to start fails the run
#   3. go vet, then every test with the race detector (real-server tests
#      included, listed as PASS or SKIP), then short fuzzing runs of the
#      message parser and the renderer
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"

bash scripts/install-deps.sh
bash scripts/install-npm.sh

# shellcheck source=scripts/stack-of-run.sh
. scripts/stack-of-run.sh
log=""
trap 'stop_stack; rm -f "$log"' EXIT
start_stack || true
if [ -z "$stack" ]; then
  if [ "${CI:-}" = true ]; then
    echo "test: the real mail stack did not start (CI=true): failing" >&2
    exit 1
  fi
  echo "test: WARNING: the real mail stack did not start; the Dovecot/Postfix tests will SKIP" >&2
  # a stack started by hand must not stand in for this run's own
  export MAILSTACK_DIR=/nonexistent
fi

"$GO" vet ./...
# -v so the real-server and browser tests show as PASS (or SKIP) and the
# concurrent-delete counts are printed; the full log is shown only when
# something fails.
log="$(mktemp)"
if ! "$GO" test -race -count=1 -timeout 30m -v ./... > "$log" 2>&1; then
  cat "$log"; exit 1
fi
grep -E '^(ok|FAIL|\?) |^--- SKIP|^--- PASS: Test(Real|Concurrent|Browser|AddUser|Deploy|Accessibility|TextBrowser|Keyboard|Axe)|real_concurrent_delete_test.go:[0-9]+: ops|adduser_test.go:[0-9]+: ' "$log" || true
"$GO" test -run '^$' -fuzz '^FuzzRender$' -fuzztime "${FUZZTIME:-30s}" ./internal/render/
"$GO" test -run '^$' -fuzz '^FuzzParse$' -fuzztime "${FUZZTIME:-30s}" ./internal/mailmsg/
