# gomailcgi: `make run` for the demo, `make test` for every test.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.9.0
FUZZTIME ?= 30s
STRESS_FUZZTIME ?= 10m
LOADTIME ?= 60s
PERF_ARGS ?=

.PHONY: run build image test stress bench screenshots lint fmt stack-start stack-stop

## run: the webmail with its embedded demo mail servers; log in as demo / demo
run:
	$(GO) run ./cmd/gomailcgi -demo

## build: bin/gomailcgi
build:
	$(GO) build -o bin/gomailcgi ./cmd/gomailcgi

## image: the container image "gomailcgi" with podman (Containerfile): a
## static binary on an empty base, user 10001, serving on :8080
image:
	GO=$(GO) bash scripts/image.sh

## test: install what the tests need (as root), start the real mail stack,
## run every test with the race detector, fuzz briefly, stop the stack
test:
	FUZZTIME=$(FUZZTIME) bash scripts/test.sh

## stress: make test with the long runs: the concurrent-delete proof at its
## full count and a long fuzzing run
stress:
	GOMAILCGI_STRESS=1 FUZZTIME=$(STRESS_FUZZTIME) bash scripts/test.sh

## bench: the speed and memory benchmarks; TestPerf, the site against a
## raw POP3 client on a real Dovecot of the run's own (a table, ratios
## first; PERF_ARGS=-perf.strict fails on a missed target); TestPerfCGI,
## the binary as CGI processes against a minimal Go CGI program and under
## lighttpd against itself standalone; then the bounded load test (64
## clients on loopback for LOADTIME against the site and its demo servers)
bench:
	GO=$(GO) LOADTIME=$(LOADTIME) PERF_ARGS='$(PERF_ARGS)' bash scripts/bench.sh

## screenshots: every page of the browser walk at 1280 and 375 px, light
## and dark, and the list and a message in Arabic and Japanese, into
## docs/screenshots (the README shows some of them)
screenshots:
	bash scripts/install-deps.sh
	GOMAILCGI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^(TestBrowserScreenshots|TestBrowserLanguages)$$' ./internal/web

## lint: vet, gofmt, staticcheck, govulncheck
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(GOVULNCHECK) ./... || echo "lint: govulncheck needs its database online (vuln.go.dev); skipped" >&2

fmt:
	gofmt -w $$(git ls-files '*.go')

## stack-start / stack-stop: the real Dovecot + Postfix stack by hand
stack-start:
	bash scripts/install-deps.sh
	bash scripts/mailstack.sh start
stack-stop:
	bash scripts/mailstack.sh stop
