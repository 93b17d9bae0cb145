#!/usr/bin/env bash
# test.sh: every test of gomailcgi, as `make test` runs it.
#   1. install the Debian packages the tests need, when root and missing
#   2. start the real mail stack (Dovecot + Postfix on loopback) unless it is
#      running, and stop what it started on exit; with CI=true a stack that
#      fails to start fails the run
#   3. go vet, then every test with the race detector (real-server tests
#      included, listed as PASS or SKIP), then a short fuzzing run of the
#      message renderer
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"

bash scripts/install-deps.sh

if bash scripts/mailstack.sh status >/dev/null 2>&1; then
  echo "test: using the mail stack that is already running (left running)"
elif bash scripts/mailstack.sh start; then
  trap 'bash scripts/mailstack.sh stop >/dev/null 2>&1 || true' EXIT
elif [ "${CI:-}" = true ]; then
  echo "test: the real mail stack did not start (CI=true): failing" >&2
  exit 1
else
  echo "test: WARNING: the real mail stack did not start; the Dovecot/Postfix tests will SKIP" >&2
fi

"$GO" vet ./...
# -v so the real-server and browser tests show as PASS (or SKIP) and the
# concurrent-delete counts are printed; the full log is shown only when
# something fails.
log="$(mktemp)"
if ! "$GO" test -race -count=1 -v ./... > "$log" 2>&1; then
  cat "$log"; rm -f "$log"; exit 1
fi
grep -E '^(ok|FAIL|\?) |^--- SKIP|^--- PASS: Test(Real|Concurrent|Browser)|concurrent_delete_test.go:[0-9]+: ops' "$log" || true
rm -f "$log"
"$GO" test -run '^$' -fuzz '^FuzzRender$' -fuzztime "${FUZZTIME:-30s}" ./internal/render/
