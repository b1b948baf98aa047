# The one task runner for ctaops. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(abspath $(VENV))/bin:$(PATH)
CARGO ?= cargo
# Release builds everywhere: the tests drive the same binaries the benchmarks measure.
CARGO_PROFILE ?= --release

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.deps-stamp: requirements.txt requirements-dev.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements-dev.txt
	touch $@

.PHONY: venv
venv: $(VENV)/.deps-stamp ## Create .venv with the build and test tools

.PHONY: dev
dev: venv ## Build the extension and the Rust binaries into .venv (editable install)
	$(VENV)/bin/maturin develop -q $(CARGO_PROFILE)
	$(CARGO) build -q $(CARGO_PROFILE) -p ctaops-cli

# The live vulnerability databases (github.com's RustSec database, PyPI's JSON API) are out of the
# CI machine's reach: `make test` runs the audits against the committed, dated advisory subset
# (audit/advisories) plus cargo deny's licences, bans and sources; `make test TEST_AUDIT=audit`
# asks the live databases instead.
TEST_AUDIT ?= audit-offline

.PHONY: test
test: dev test-rust $(TEST_AUDIT) test-python lint docs fuzz wheel-check test-devices ## Build, then run every test, the supply-chain audits (first: they install cargo-deny, which tests/test_audit.py uses), lint, the docs build, a short fuzz run and the wheel check (what CI runs)

.PHONY: test-rust
test-rust: ## cargo test of the whole workspace (starts a throwaway PostgreSQL)
	$(CARGO) test -q $(CARGO_PROFILE) --workspace --locked
	$(CARGO) test -q $(CARGO_PROFILE) --locked -p ctaops-grpc -p ctaops-cli --features kerberos --test negotiate --test kerberos_replay --test kerberos

.PHONY: test-python
test-python: dev device-wheel ## pytest of tests/ against the installed extension (the RPM test packages this tree's wheel)
	CTAOPS_WHEEL="$$(ls $(DEVICE_WHEEL_DIR)/ctaops-*.whl)" $(VPY) -m pytest -q

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
DEVICE_WHEEL_DIR := $(TARGET_DIR)/device-wheel

# The release wheel of this tree, built once per make run: the RPM test (test-python) packages it
# and the device test bed installs it in its guest.
.PHONY: device-wheel
device-wheel: dev
	rm -rf $(DEVICE_WHEEL_DIR)
	$(VENV)/bin/maturin build -q --release -o $(DEVICE_WHEEL_DIR)

.PHONY: test-devices
test-devices: dev device-wheel ## Kernel-in-the-loop tests: a QEMU guest whose sg/st/ch drivers drive tgt's libraries
	CTAOPS_DEVICE_TESTS=1 CTAOPS_DEVICE_BINARY=$(TARGET_DIR)/release/ctaops CTAOPS_DEVICE_WHEEL_DIR=$(DEVICE_WHEEL_DIR) \
		$(VPY) -m pytest -q -p no:cacheprovider tests/devices

.PHONY: lint
lint: lint-rust lint-python ## All linters and type checks

.PHONY: lint-rust
lint-rust: ## rustfmt and clippy (warnings are errors), and keep PyO3 out of the core
	$(CARGO) fmt --all --check
	$(CARGO) clippy -q --workspace --all-targets --locked $(CARGO_PROFILE) -- -D warnings
	$(CARGO) clippy -q -p ctaops-grpc -p ctaops-sim -p ctaops-cli --all-targets --locked $(CARGO_PROFILE) --features kerberos -- -D warnings
	@if $(CARGO) tree -q -p ctaops-core -e normal | grep -q pyo3; then echo "ctaops-core must not depend on pyo3"; exit 1; fi

.PHONY: lint-python
lint-python: dev ## ruff, mypy --strict and stubtest of _core.pyi
	$(VENV)/bin/ruff check python tests benchmarks scripts
	$(VENV)/bin/ruff format --check python tests benchmarks scripts
	$(VENV)/bin/mypy --strict python
	$(VPY) -m mypy.stubtest ctaops._core --allowlist .stubtest-allowlist

.PHONY: docs-gen
docs-gen: dev ## Regenerate the generated docs pages (versions, config reference, Python API, the tools' options)
	$(VPY) scripts/gen_docs.py
	$(VPY) scripts/gen_tool_pages.py

DOCS_SITE_DIR ?= $(TARGET_DIR)/site

.PHONY: docs
docs: dev ## Check the generated pages are current, then build the docs site strictly into $(DOCS_SITE_DIR)
	$(VPY) scripts/gen_docs.py --check
	$(VPY) scripts/gen_tool_pages.py --check
	$(VENV)/bin/mkdocs build --strict -q -d $(abspath $(DOCS_SITE_DIR))

.PHONY: audit
audit: venv ## Supply-chain audits (network): pip-audit of requirements.txt, cargo deny check (deny.toml, audit/allowlist.toml)
	scripts/audit.sh

.PHONY: audit-offline
audit-offline: venv ## The audits without network: cargo deny's licences, bans, sources, and advisories of both ecosystems from audit/advisories
	scripts/audit.sh --offline

.PHONY: fuzz
fuzz: ## Run every cargo-fuzz target briefly (FUZZ_SECONDS each, default 10)
	scripts/fuzz.sh

.PHONY: fmt
fmt: venv ## Format Rust and Python sources
	$(CARGO) fmt --all
	$(VENV)/bin/ruff format python tests benchmarks scripts
	$(VENV)/bin/ruff check --fix -q python tests benchmarks scripts || true

.PHONY: bench
bench: dev ## Benchmarks against the obvious alternatives; prints ratios
	$(VPY) benchmarks/bench_checksum.py
	$(VPY) benchmarks/bench_checksum_cli.py
	$(VPY) benchmarks/bench_tape_verify.py
	$(VPY) benchmarks/bench_sim.py
	$(VPY) benchmarks/bench_scsi.py
	$(VPY) benchmarks/bench_atresys.py
	$(VPY) benchmarks/bench_atresys_steps.py
	$(VPY) benchmarks/bench_grpc.py
	$(VPY) benchmarks/bench_grpc_sim.py
	$(CARGO) bench -q -p ctaops-scsi --bench scsi
	$(VPY) benchmarks/bench_admin_parse.py
	$(VPY) benchmarks/bench_opsadmin.py
	$(VPY) benchmarks/bench_data_monitoring.py
	$(VPY) benchmarks/bench_change_storage_class.py
	$(VPY) benchmarks/bench_pool_supply.py

.PHONY: bench-devices
bench-devices: dev ## verify through st against dd in the device test bed's guest (about 10 minutes)
	rm -rf $(DEVICE_WHEEL_DIR)
	$(VENV)/bin/maturin build -q --release -o $(DEVICE_WHEEL_DIR)
	$(VPY) benchmarks/bench_st_verify.py $(TARGET_DIR)/release/ctaops $(DEVICE_WHEEL_DIR)/ctaops-*.whl

.PHONY: demo
demo: dev ## Show the toolkit working on generated data
	$(VPY) scripts/demo.py

.PHONY: binary
binary: ## Build the ctaops binary and strip a copy into dist/ctaops (the release profile keeps line tables for backtraces)
	$(CARGO) build -q --release --locked -p ctaops-cli
	mkdir -p dist
	strip --strip-all -o dist/ctaops $(TARGET_DIR)/release/ctaops

.PHONY: wheel
wheel: venv binary ## Build a release wheel and the stripped binary into dist/ and print their sizes
	$(VENV)/bin/maturin build -q --release -o dist
	@for f in "$$(ls -t dist/ctaops-*.whl | head -1)" dist/ctaops $(TARGET_DIR)/release/ctaops; do \
		printf '%-60s %8s\n' "$$f" "$$(numfmt --to=iec --suffix=B "$$(stat -c %s "$$f")")"; done

.PHONY: rpm
rpm: ## Build the RPM (packaging/rpm/ctaops.spec) into dist/ from the newest wheel there (`make wheel` first if none)
	@ls dist/ctaops-*.whl >/dev/null 2>&1 || $(MAKE) wheel
	scripts/build_rpm.sh "$$(ls -t dist/ctaops-*.whl | head -1)" dist

.PHONY: deb
deb: ## Build the .deb (packaging/deb/, dpkg-deb) into dist/ from the newest wheel there (`make wheel` first if none)
	@ls dist/ctaops-*.whl >/dev/null 2>&1 || $(MAKE) wheel
	scripts/build_deb.sh "$$(ls -t dist/ctaops-*.whl | head -1)" dist

.PHONY: wheel-check
wheel-check: device-wheel ## Check this tree's wheel in a clean venv without a compiler (every console script's --help and --version, the analysis extra)
	WHEEL="$$(ls $(DEVICE_WHEEL_DIR)/ctaops-*.whl)" scripts/wheel_check.sh

# The container image (packaging/container/Containerfile) of this tree's wheel, built with buildah:
# CONTAINER_BASE=local is a Debian bookworm base made with debootstrap and cached in
# /var/cache/ctaops-containers (no registry needed); a site's image reference works too.
CONTAINER_BASE ?= local
CONTAINER_TAG ?= localhost/ctaops:latest

.PHONY: container
container: device-wheel ## Build the container image with buildah (CONTAINER_BASE=local|IMAGE, CONTAINER_TAG); needs root, buildah, debootstrap
	$(VPY) scripts/build_container.py --wheel "$$(ls $(DEVICE_WHEEL_DIR)/ctaops-*.whl)" --base $(CONTAINER_BASE) --tag $(CONTAINER_TAG)

.PHONY: clean
clean: ## Remove build products and the venv
	rm -rf $(VENV) dist target .mypy_cache .ruff_cache .pytest_cache
