# ws1011 — build, test, lab and benchmark entry points.
SWIFT ?= swift
SHELL := /bin/bash

.PHONY: all build deps interop interop-peers example test busy-test phase1 phase2 phase3 unit lab diagnose reproduce scenarios bench fuzz ci clean format format-fix

all: build

deps:
	@scripts/ensure-system-deps.sh

build: deps
	$(SWIFT) build

## The whole suite (every phase, every module's unit tests, the interop tests against
## third-party peers, which it installs: nginx, HAProxy, openssl, Python websockets/uvicorn).
## Fails if no test ran.
test: deps interop-peers
	@WS1011_INTEROP=required scripts/swift-test.sh ""

## The whole suite as above, with two busy loops holding the CPU (a shared CI runner); the loops are
## always killed on exit.
busy-test: deps interop-peers
	@WS1011_INTEROP=required scripts/busy-test.sh ""

interop-peers:
	@scripts/interop-peers.sh

## Build and test Examples/ConsumerPackage (a package that imports WebSocketTestFramework).
example: deps
	@scripts/consumer-example.sh

## Only the interop tests against third-party peers.
interop: deps interop-peers
	@WS1011_INTEROP=required scripts/swift-test.sh InteropTests

## Phase 1: infrastructure isolation (fault proxy, upgrade path, timeouts, TLS).
phase1: deps
	@scripts/swift-test.sh Phase1

## Phase 2: application layer against the real lab services.
phase2: deps
	@scripts/swift-test.sh Phase2

## Phase 3: end to end through a front (the lab's cloud-run emulation, or staging).
phase3: deps
	@scripts/swift-test.sh Phase3

## Unit tests of the library modules only (the cooperative-pool test in a process of its own).
unit: deps
	@scripts/swift-test.sh 'WebSocketWireTests|WebSocketDiagnosisTests|WebSocketProbeTests|WebSocketLabTests|WebSocketScenariosTests'
	@scripts/swift-test.sh PoolIndependence

## Start the lab (reference backend + auth service) until Ctrl-C.
lab: deps
	$(SWIFT) run ws1011 lab

## The main job: diagnose the embedded lab (or URL=wss://host/ws).
diagnose: deps
	$(SWIFT) run ws1011 diagnose $(URL)

scenarios: deps
	$(SWIFT) run ws1011 scenarios

## Run the 1011 reproduction catalog and print the table.
reproduce: deps
	$(SWIFT) run ws1011 reproduce

bench: deps
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh

ci: test

## Lint the Swift files changed since main with swift-format (.swift-format): a finding fails; never rewrites
## anything. `make format-fix FILES="a.swift b.swift"` reformats the files named, and only those.
format:
	@scripts/format.sh

format-fix:
	@scripts/format.sh --fix $(FILES)

clean:
	rm -rf .build
