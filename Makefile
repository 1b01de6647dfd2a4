# The two commands a newcomer types (see README.md): `make run` and `make test`.
# Both install what they need from Debian's packages first (as root), then build with SwiftPM.
RULES ?= Config/jurisdictions
SAMPLE ?= Config/samples/facts.jsonl

.PHONY: deps build run sample test release install bench-eval bench-federation fuzz bench-data-protection

deps:
	@if ! pkg-config --exists lua5.4 sqlite3 2>/dev/null; then \
	  echo "make: installing liblua5.4-dev, libsqlite3-dev and pkg-config from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblua5.4-dev libsqlite3-dev pkg-config; \
	fi
	@if ! command -v luacheck >/dev/null 2>&1; then \
	  echo "make: installing lua-check (luacheck, for the packs) from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua-check; \
	fi

# One debug build serves both commands: `make run` builds the host, `make test` adds the test targets to the
# same build. From a fresh clone the first build took 5 minutes on 2 cores here (the dependencies are
# compiled once), the test targets 1 more; later ones take a minute or two. `make release` is for deployments (about 20 minutes).
build: deps
	@echo "make: building glo-host (debug; about 5 minutes from a fresh clone, then incremental)"
	swift build --product glo-host

# The main job: the host on the embedded default (SQLite under ./data/, every pack of Config/jurisdictions,
# the default plugins of Config/glo-host.yaml). Stop it with Ctrl-C (a graceful shutdown).
# `make run PORT=8090` serves on another port.
run: build
	.build/debug/glo-host serve $(if $(PORT),--port $(PORT))

# An optimised build for a deployment, and its installation on the PATH (/usr/local/bin by default).
release: deps
	@echo "make: building glo-host (release; about 20 minutes from a fresh clone)"
	swift build -c release --product glo-host
PREFIX ?= /usr/local
install: release
	install -m 755 .build/release/glo-host $(PREFIX)/bin/glo-host
	@echo "make: installed $(PREFIX)/bin/glo-host"

# Decide the sample facts with the Thai pack (one JSON line per input line; the last sample line is
# malformed on purpose, and gets an error).
sample: build
	.build/debug/glo-host rules check $(RULES)
	-.build/debug/glo-host rules eval --rules $(RULES) --jurisdiction TH --decision identification.pathway --at 2026-01-01 --input $(SAMPLE)

# Every test: the Swift suites (runtime, packs, host, workflows, API, CLI against the built binary; the
# store suite against SQLite and a throwaway PostgreSQL, Debian's, installed and started by
# scripts/postgres-test-server.sh), the packs' own tests, the API fuzzed against its OpenAPI document
# (schemathesis from PyPI, bounded), the web UI driven in a real browser (Debian's chromium, Selenium from
# PyPI; screenshots in artifacts/screenshots), and two hosts on one PostgreSQL with one killed mid-load,
# then the store moved PostgreSQL -> SQLite -> PostgreSQL (Tests/scaleout/test_two_hosts.py), and two countries'
# hosts on loopback exchanging a return, its answers, follow-ups and notices (Tests/federation/test_two_countries.py). The packs also
# pass luacheck with the sandbox's globals ($(RULES)/.luacheckrc), and their documentation is built into
# artifacts/rules-docs/ with every relative link checked (scripts/check-links.py).
# The Swift tests run one at a time: the CLI and crash tests wait for real processes with blocking calls,
# and on a 2-core machine two of them at once hold both threads of Swift's cooperative pool, starving the
# timed event-bus tests running beside them.
test: deps
	@echo "make: building the tests (debug, the build make run uses: about 1 minute after make run, 8 from a fresh clone)"
	swift build --build-tests
	bash scripts/test.sh

# The eval benchmark against standalone lua5.4 + lua-cjson (scripts/bench-eval.sh).
bench-eval: deps
	bash scripts/bench-eval.sh

# Messages per second between two hosts on loopback, and the CPU cost of sealing and opening one message,
# each against a plain HTTP POST of the same size in the same run (scripts/bench-federation.sh).
bench-federation: deps
	bash scripts/bench-federation.sh

# libFuzzer harnesses of the C code that reads untrusted input (Tests/Fuzz): the JSON codec, the bounded
# pattern matcher checked against stock Lua 5.4, module loading; built with the Swift toolchain's clang
# (-fsanitize=fuzzer,address,undefined), each run FUZZ_SECONDS (default 300) from Tests/Fuzz/corpus/.
# make test runs each for 15 seconds. A failing input is kept in artifacts/fuzz/.
FUZZ_SECONDS ?= 300
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)
