# MQTTZoo. `make up` runs a local cluster, `make test` runs every test; see README.md.
SHELL := /bin/bash
NODE ?= node
MQTTZOO := $(NODE) dist/src/cli/main.js
TOPIC ?= Testing
HOST ?= localhost
PORT ?= 1883

.PHONY: deps deps-test deps-bench build lint typecheck test unit up down status deploy undeploy broker pub sub bench clean
STATE_DIR ?= state/cluster

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

deps-bench:
	@scripts/install-deps.sh bench

build: deps
	npm run --silent build

lint: deps
	npx eslint .
	npx prettier --check .

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

# Everything: lint, types, unit, spec, interop, CLI, coordination and cluster tests.
test: deps-test build lint typecheck
	npx vitest run

# Only the fast tiers (no ZooKeeper, no child processes).
unit: deps
	npx vitest run test/protocol test/actors test/broker

# A local cluster: 3 ZooKeeper servers, 3 brokers (MQTT 1884-1886, HTTP 8081-8083), HAProxy on 1883.
up: build
	$(MQTTZOO) cluster up --state-dir $(STATE_DIR)

down:
	@if [ -f dist/src/cli/main.js ]; then $(MQTTZOO) cluster down --state-dir $(STATE_DIR); fi

status:
	@$(MQTTZOO) cluster status --state-dir $(STATE_DIR)

# Kubernetes (docs/DEPLOY.md): the broker image built into the current cluster, manifests/ applied,
# rollout awaited. OVERLAY=minikube|production IMAGE=registry/name:tag NAMESPACE=ns DRY_RUN=1
deploy:
	@scripts/deploy.sh deploy

# Removes what deploy created; ZooKeeper's volumes too with PURGE=1.
undeploy:
	@scripts/deploy.sh undeploy

broker: build
	$(MQTTZOO) broker --standalone --port $(PORT)

pub: build
	@$(MQTTZOO) pub -t '$(TOPIC)' -h '$(HOST)' -p '$(PORT)'

sub: build
	@$(MQTTZOO) sub -t '$(TOPIC)' -h '$(HOST)' -p '$(PORT)' -v

bench: deps-bench build
	$(NODE) dist/bench/run.js

# The ZooKeeper log alone: append throughput, commit latency, follower lag (docs/COORDINATION.md).
bench-zk: deps build
	$(NODE) dist/bench/zk-log.js

clean:
	rm -rf dist coverage test-results
