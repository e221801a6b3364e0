# aib-logs: the two commands a newcomer runs are `make demo` and `make test`.
SWIFT ?= swift
BINARY := .build/release/aib-logs
DEMO_LOG ?= SampleLogs/win-new-hang-cancelled.log

.PHONY: all deps build demo test tsan lint format check-corpus bench install clean

all: build

# The C libraries (PCRE2 and zlib headers); installed with apt when missing.
deps:
	@Scripts/install-deps.sh

# The Swift runtime and Foundation are linked in (--static-swift-stdlib): the binary runs on a
# machine without Swift, and starts in about 8 instead of 11-15 ms (no dynamic symbol binding
# of the runtime's libraries), which every command pays.
build: deps
	$(SWIFT) build -c release --static-swift-stdlib

# Build, then diagnose a bundled sample log (exit 1 means "a failure was found": expected here).
demo: build
	@$(BINARY) analyze $(DEMO_LOG); status=$$?; test $$status -le 1

# Unit, pattern-library and end-to-end tests, then the pattern samples through the CLI.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	.build/debug/aib-logs patterns check

# The threaded parts (read-ahead, scan pipeline) under ThreadSanitizer; any report fails.
tsan: deps
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --sanitize=thread --scratch-path .build-tsan \
	  --filter 'ScanPipelineTests|LineFilterTunerTests|ReadAheadSourceTests|InputOpenerTests|SampleLogTests'

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Plugins Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Plugins Package.swift

# Scores the release binary on the real logs in ../shared/corpus/real.
check-corpus: build
	@if [ -d ../shared/corpus/real ]; then \
	  python3 ../shared/tools/check-corpus --binary $(BINARY) ../shared/corpus/real; \
	else \
	  echo "check-corpus: skipped, ../shared/corpus/real is not beside this checkout"; \
	fi

# Throughput and memory against cat, wc -l, grep, zcat and rg on a generated 1 GB log.
bench: build
	Scripts/bench.sh $(BENCH_MB)

install: build
	install -d $(DESTDIR)/usr/local/bin
	install -m 755 $(BINARY) $(DESTDIR)/usr/local/bin/aib-logs

clean:
	rm -rf .build .build-tsan bench-data
