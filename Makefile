# parcours — GNU Make build (see docs/architecture.md).
#   make              build build/release/parcours
#   make run          install missing packages, build, create var/parcours.db with demo data, serve
#   make test         sanitizer build + C unit tests + black-box suite on SQLite and PostgreSQL
#   make SANITIZE=1   ASan + UBSan build under build/san/
#   make unit         C unit tests only
#   make format       clang-format the sources

CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libpq libsodium libcjson
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
  MODE     := san
  OPTFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  MODE     := release
  OPTFLAGS := -O2 -g -D_FORTIFY_SOURCE=2
endif

OUT      := build/$(MODE)
WARN     := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 -Wvla
CFLAGS   ?=
CFLAGS   += -std=c17 -D_GNU_SOURCE $(WARN) $(OPTFLAGS) -fstack-protector-strong -MMD -MP -Isrc -I$(OUT)/gen
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDFLAGS  += $(OPTFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -name main.c))
LIB_OBJ  := $(patsubst src/%.c,$(OUT)/obj/%.o,$(LIB_SRC)) $(OUT)/obj/gen/migrations.o
LIB      := $(OUT)/libparcours.a
BIN      := $(OUT)/parcours
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))
MIGRATIONS := $(sort $(wildcard migrations/sqlite/*.sql migrations/postgres/*.sql))

.PHONY: all run test unit e2e deps format clean bench
all: $(BIN)

$(OUT)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(OUT)/obj/gen/migrations.o: $(OUT)/gen/migrations.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@echo "  AR    $@"
	@ar rcs $@ $^

$(BIN): $(OUT)/obj/main.o $(LIB)
	@echo "  LD    $@"
	@$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(OUT)/obj/main.o: src/main.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(OUT)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) $< -o $@ $(LDFLAGS) $(LIB) $(LDLIBS) -lcmocka

# Runs every unit test binary; cmocka prints its own summary per file.
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/run-demo.sh $(BIN)

# The whole suite: sanitizer build, unit tests, then the black-box suite on both
# backends (scripts/test.sh starts a throw-away PostgreSQL unless PARCOURS_TEST_PG is set).
test: deps
	@$(MAKE) --no-print-directory SANITIZE=1 all unit
	@sh scripts/test.sh build/san/parcours

e2e:
	@sh scripts/test.sh $(BIN)

bench: all
	@sh bench/http.sh

format:
	clang-format -i $$(find src tests/unit bench fuzz -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
