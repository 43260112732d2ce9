# twofold: build, run and test. See README.md for the two commands that matter:
#   make run    build and start the service on SQLite in ./data
#   make test   install what the tests need, build, run every test suite
SHELL   = /bin/sh
BUILD  ?= build
ifeq ($(origin CC),default)
CC      = cc
endif
PKGS    = libmicrohttpd jansson libsodium libargon2 sqlite3 libpq libcrypto libqrencode libpng libcurl libcbor icu-uc icu-i18n libxml-2.0
WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -Isrc -I$(BUILD)/gen $(WARN) -pthread \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libunistring (Unicode categories and grapheme clusters) has no pkg-config file on Debian
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lunistring -pthread -lm
OPT    ?= -O2 -g
SAN    ?=
CFLAGS_ALL = $(CFLAGS_BASE) $(OPT) $(SAN) $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

SRCS    = $(shell find src -name '*.c' ! -name main.c | sort)
OBJS    = $(SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o $(BUILD)/obj/gen/hosted_templates.o \
          $(BUILD)/obj/gen/hosted_assets.o $(BUILD)/obj/gen/l10n_catalogs.o
MIGRATIONS = $(sort $(wildcard src/store/migrations/sqlite/*.sql))
MIGRATIONS_PG = $(sort $(wildcard src/store/migrations/postgres/*.sql))
TEMPLATES  = $(sort $(wildcard src/hosted/templates/*.html))
ASSETS     = $(sort $(wildcard src/hosted/assets/*))
# the languages: one catalog per language in po/, English being the source text
LANGUAGES  = de fr es it nl pl pt
CATALOGS   = $(LANGUAGES:%=$(BUILD)/gen/po/%.mo)
UNIT_SRCS  = $(shell find tests/unit -name 'test_*.c' | sort)
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
PYTEST  = /usr/bin/python3 -m pytest

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: install all run test test-po test-unit test-api api-js-deps test-api-sqlite test-api-postgres test-js test-browser browser-deps test-example example-deps test-openapi openapi-deps test-bench test-asan test-fuzz fuzz fuzz-build lint clean deps-run deps-test
FUZZ_TARGETS = device_cookie json_body json_fast validators sso transaction headers pwhash cose_key auth_data client_data attestation logo locale audit_export
FUZZ_SECONDS ?= 60

all: $(BUILD)/twofold

$(BUILD)/twofold: $(BUILD)/obj/src/main.o $(BUILD)/libtwofold.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/obj/src/main.o $(BUILD)/libtwofold.a $(LIBS)

$(BUILD)/libtwofold.a: $(OBJS)
	@rm -f $@ && ar rcs $@ $(OBJS)

$(BUILD)/obj/%.o: %.c $(shell find src -name '*.h' -o -name '*.def') | $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) $(MIGRATIONS_PG) tools/embed-migrations
	@mkdir -p $(dir $@)
	{ tools/embed-migrations sqlite $(MIGRATIONS) && tools/embed-migrations postgres $(MIGRATIONS_PG); } > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/gen/hosted_templates.c: $(TEMPLATES) tools/embed-files
	@mkdir -p $(dir $@)
	tools/embed-files hosted_templates $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/hosted_assets.c: $(ASSETS) tools/embed-files
	@mkdir -p $(dir $@)
	tools/embed-files hosted_assets $(ASSETS) > $@.tmp && mv $@.tmp $@

# msgfmt -c checks each catalog's format strings and header as it compiles it
$(BUILD)/gen/po/%.mo: po/%.po
	@mkdir -p $(dir $@)
	@msgfmt -c -o $@.tmp $< && mv $@.tmp $@

$(BUILD)/gen/l10n_catalogs.c: $(CATALOGS) tools/embed-binary
	@mkdir -p $(dir $@)
	tools/embed-binary l10n_catalogs $(CATALOGS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c src/base/embedded.h
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtwofold.a tests/support/fake_clock.h tests/support/temp_store.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(BUILD)/libtwofold.a $(LIBS) $(shell pkg-config --libs cmocka)

deps-run:
	@tools/install-deps run
deps-test:
	@tools/install-deps test

# Start the service on its embedded default: SQLite in ./data, development delivery.
run: deps-run
	@$(MAKE) --no-print-directory all
	@mkdir -p data
	$(BUILD)/twofold serve --listen $${TWOFOLD_LISTEN:-127.0.0.1:8420} --data data --delivery-echo on \
	  --events-allow-private-urls on

test: deps-test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-po
	@$(MAKE) --no-print-directory test-openapi
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-api
	@$(MAKE) --no-print-directory test-js
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory test-example
	@$(MAKE) --no-print-directory test-bench
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-fuzz

test-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# every answer the API tests receive from a native route is validated against docs/openapi.yaml
# (tests/api/openapi_check.py; TWOFOLD_OPENAPI_CHECK=0 turns that off)
# The whole API suite twice: on SQLite, and on a throw-away PostgreSQL cluster that the
# harness starts (tests/api/pg_cluster.py), where tests/api/test_multinode.py also runs two nodes.
# The two run at once, one per core (most of a test is waiting on its server); -O prints each
# one's output whole when it ends. API_TEST_BIN and API_TEST_ENV choose the binary and the
# sanitizers' options (test-asan).
API_TEST_BIN ?= $(CURDIR)/$(BUILD)/twofold
API_TEST_ENV ?=
test-api: all api-js-deps
	@$(MAKE) --no-print-directory -j2 -O test-api-sqlite test-api-postgres
test-api-sqlite:
	$(API_TEST_ENV) TWOFOLD_BIN=$(API_TEST_BIN) $(PYTEST) -q tests/api
test-api-postgres:
	$(API_TEST_ENV) TWOFOLD_BIN=$(API_TEST_BIN) TWOFOLD_TEST_DATABASE=postgres $(PYTEST) -q tests/api

# jose (npm, tests/api/js): the API tests verify the security event tokens they receive with it
api-js-deps:
	@[ -d tests/api/js/node_modules/jose ] || (cd tests/api/js && npm ci --no-audit --no-fund --loglevel=error)

# docs/openapi.yaml: Redocly CLI's lint (npm, tools/openapi; strict recommended rules, no
# telemetry), then tests/openapi: the route table and the document agree both ways, and
# the error codes agree with src/base/errors.def
openapi-deps:
	@[ -d tools/openapi/node_modules/@redocly/cli ] || (cd tools/openapi && npm ci --no-audit --no-fund --loglevel=error)

test-openapi: openapi-deps
	cd tools/openapi && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  node_modules/.bin/redocly lint --config redocly.yaml ../../docs/openapi.yaml
	$(PYTEST) -q tests/openapi

# The JavaScript packages' own tests (node --test), cross-checked against build/twofold
test-js: all
	TWOFOLD_BIN=$(CURDIR)/$(BUILD)/twofold node --test packages/twofold-signer/test/ packages/twofold-audit-verify/test/

# The hosted pages in Debian's Chromium, driven by playwright-core (npm); screenshots go to
# build/screenshots/
browser-deps:
	@[ -d tests/browser/node_modules/playwright-core ] && [ -d tests/browser/node_modules/@simplewebauthn/server ] && [ -d tests/browser/node_modules/@axe-core/playwright ] || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

test-browser: all browser-deps
	TWOFOLD_BIN=$(CURDIR)/$(BUILD)/twofold node --test tests/browser/

# The example partner app (examples/partner-app) in Chromium in front of build/twofold, through
# seed 000's typical flow; it reuses tests/browser's support and playwright-core
example-deps:
	@[ -e examples/partner-app/node_modules/twofold-signer ] || (cd examples/partner-app && npm ci --no-audit --no-fund --loglevel=error)

test-example: all browser-deps example-deps
	TWOFOLD_BIN=$(CURDIR)/$(BUILD)/twofold node --test examples/partner-app/test/

# bench/run's output contract: every scenario for one second each (its own optimised build in
# build-bench/; about two minutes), the last line's JSON keys, the table agreeing with it
test-bench:
	$(PYTEST) -q tests/bench

# The same unit, API (on SQLite and on PostgreSQL at once, as test-api: store_pg*.c and libpq's
# results are only exercised there) and browser suites against an AddressSanitizer +
# UndefinedBehaviorSanitizer build.
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 TWOFOLD_SANITIZED=1
test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all test-unit
	@$(MAKE) --no-print-directory api-js-deps
	@$(MAKE) --no-print-directory -j2 -O API_TEST_BIN=$(CURDIR)/build-asan/twofold API_TEST_ENV="$(ASAN_ENV)" \
	  test-api-sqlite test-api-postgres
	@$(MAKE) --no-print-directory browser-deps
	$(ASAN_ENV) TWOFOLD_BIN=$(CURDIR)/build-asan/twofold node --test tests/browser/

# libFuzzer targets (fuzz/), built with ASan and UBSan over an instrumented library.
FUZZ_MAKE = $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	SAN="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all"

# the library is brought up to date and every target relinked each time (a few seconds)
fuzz-build:
	@$(FUZZ_MAKE) build-fuzz/libtwofold.a
	@set -e; for t in $(FUZZ_TARGETS); do echo "  FUZZ    build-fuzz/fuzz_$$t"; \
	  clang -std=c11 -D_GNU_SOURCE -Isrc -Ibuild-fuzz/gen -g -O1 -fsanitize=fuzzer,address,undefined \
	  $(shell pkg-config --cflags $(PKGS)) -o build-fuzz/fuzz_$$t fuzz/fuzz_$$t.c build-fuzz/libtwofold.a $(LIBS); done

# make test replays every seed corpus (and what fuzzing added to it) once
test-fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do build-fuzz/fuzz_$$t -runs=0 fuzz/corpus/$$t 2>&1 | tail -1; done

# make fuzz runs each target for FUZZ_SECONDS, adding what it finds to the corpus
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do echo "== $$t"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 fuzz/corpus/$$t 2>&1 | tail -3; done

# Installs the binary, the manual page, the systemd unit and an example configuration (the
# configuration is never overwritten). Then: useradd --system twofold; systemctl enable --now twofold
install: all
	install -D -m 0755 $(BUILD)/twofold $(DESTDIR)$(PREFIX)/bin/twofold
	install -D -m 0644 docs/twofold.1 $(DESTDIR)$(PREFIX)/share/man/man1/twofold.1
	install -D -m 0644 packaging/twofold.service $(DESTDIR)/etc/systemd/system/twofold.service
	@if [ ! -e $(DESTDIR)/etc/twofold/twofold.conf ]; then \
	  install -D -m 0600 packaging/twofold.conf $(DESTDIR)/etc/twofold/twofold.conf; fi

lint:
	@tools/lint

# every language's catalog whole: no entry missing, untranslated or fuzzy, msgfmt -c clean
test-po:
	@tools/po-check

clean:
	rm -rf build build-asan build-fuzz build-bench
