#!/usr/bin/env bash
# bench.sh: gomailcgi's measurements, as `make bench` runs them.
#   1. install the Debian packages of the real mail stack, when root and
#      missing
#   2. start a mail stack (Dovecot + Postfix on loopback) of this run's own:
#      a new state folder and free ports, handed to the tests through
#      MAILSTACK_DIR; stopped and removed on exit, as scripts/test.sh does
#   3. the Go benchmarks; then TestPerf, the site against the floor POP3
#      client (internal/testing/floorpop) on that stack: list latency at
#      100, 1,000 and 10,000 messages, the view of a 1 MB HTML message
#      (alone, with its frame, the frame's first byte), a 100 MB message's
#      view and download, and requests per second and p99 at 1, 8 and 64
#      users, printed as one table,
#      ratios first (PERF_ARGS adds flags, e.g. "-perf.strict" or
#      "-perf.rounds 50 -perf.load 2s"); then TestPerfSearch, a search of
#      10,000 messages against floorpop.Headers (the whole scan, the first
#      row's arrival, the live heap); then TestPerfCGI, gomailcgi as CGI
#      processes against a minimal Go CGI program (the login page, and a
#      list page of 1,000 messages), and a list page under lighttpd's CGI
#      against the same binary standalone; then TestLoad, the demo
#      servers' load test, for LOADTIME. After TestPerf's table, the top
#      20 of a CPU profile of each of its phases (BENCH_PROFILES keeps the
#      files)
# Every step has a go test timeout, so the run stops by itself: about five
# minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
LOADTIME="${LOADTIME:-60s}"

bash scripts/install-deps.sh

# shellcheck source=scripts/stack-of-run.sh
. scripts/stack-of-run.sh
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_stack || true
if [ -z "$stack" ]; then
  echo "bench: the real mail stack did not start; TestPerf needs it" >&2
  exit 1
fi

"$GO" test -run '^$' -bench . -benchmem -timeout 10m ./...
# The CPU profile of each TestPerf phase goes to BENCH_PROFILES (a folder
# of the run's own, removed at the end, when not set); the top 20 of each
# are printed after the table.
profiles="${BENCH_PROFILES:-}"
if [ -z "$profiles" ]; then
  profiles="$(mktemp -d /tmp/gomailcgi-bench.XXXXXX)"
  trap 'stop_stack; rm -rf "$profiles"' EXIT
fi
mkdir -p "$profiles"
"$GO" test -c -o "$profiles/web.test" ./internal/web
# shellcheck disable=SC2086 # PERF_ARGS is a list of flags
(cd internal/web && "$profiles/web.test" -test.run '^TestPerf$' -test.count=1 -test.v -test.timeout 15m \
  -perf -perf.profiles "$profiles" ${PERF_ARGS:-})
for phase in list view large load64; do
  [ -f "$profiles/$phase.prof" ] || continue
  echo "--- CPU profile of TestPerf's $phase phase, top 20 by own time (this process: the site and the floor's client)"
  "$GO" tool pprof -top -nodecount=20 "$profiles/web.test" "$profiles/$phase.prof" 2>/dev/null | sed -n '1,30p'
done
# shellcheck disable=SC2086 # PERF_ARGS is a list of flags
"$GO" test -run '^TestPerfSearch$' -count=1 -v -timeout 10m ./internal/web -perf ${PERF_ARGS:-}
# TestPerfCGI has its own -perf.rounds; of PERF_ARGS it takes -perf.strict.
cgi_args=()
case " ${PERF_ARGS:-} " in *" -perf.strict "*) cgi_args+=(-perf.strict) ;; esac
"$GO" test -run '^TestPerfCGI$' -count=1 -v -timeout 10m ./cmd/gomailcgi -perf "${cgi_args[@]}"
"$GO" test -run '^TestLoad$' -count=1 -v -timeout 10m ./internal/web -load "$LOADTIME"
