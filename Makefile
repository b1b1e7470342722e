# Two commands for a developer: `make run` and `make test`. Both install what
# they need first, so a fresh Debian/Ubuntu machine works without a setup doc.

SHELL := /bin/bash
GO ?= go
GOTESTFLAGS ?= -race -count=1

# Go's official tarball installs here but does not touch PATH.
ifeq ($(shell command -v $(GO) 2>/dev/null),)
ifneq ($(wildcard /usr/local/go/bin/go),)
export PATH := /usr/local/go/bin:$(PATH)
endif
endif

# command=Debian package that provides it. Checking the command rather than
# the package accepts a JDK or compiler installed some other way.
DEPS_COMMANDS := gcc=gcc pkg-config=pkg-config keytool=default-jdk-headless Xvfb=xvfb
# The credentials tests run against a real Secret Service: a private D-Bus
# session with gnome-keyring in it (scripts/with-secret-service.sh).
# Not dbus-x11: with its dbus-launch, libraries start stray session buses
# wherever none runs.
DEPS_COMMANDS += gnome-keyring-daemon=gnome-keyring dbus-run-session=dbus \
	secret-tool=libsecret-tools
# Header-only packages: no command to look for, so ask dpkg.
DEPS_PACKAGES := libgl1-mesa-dev xorg-dev
BENCH_COMMANDS := hyperfine=hyperfine

# $(call ensure,COMMAND_PAIRS,PACKAGES): apt-get install whatever is missing,
# updating the package lists only when there is something to install.
define ensure
	@missing=""; \
	for pair in $(1); do \
	  command -v "$${pair%%=*}" >/dev/null 2>&1 || missing="$$missing $${pair#*=}"; \
	done; \
	for p in $(2); do \
	  dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: no apt-get here; install the equivalents of:$$missing"; \
	  echo "deps: (a C compiler, pkg-config, OpenGL/X11 headers on Linux, a JDK with keytool)"; \
	  exit 0; \
	fi; \
	sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	echo "deps: installing$$missing"; \
	$$sudo apt-get update -q && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing
endef

.PHONY: deps run test vet fmtcheck build bench fmt screenshots startup-time man

deps:
	$(call ensure,$(DEPS_COMMANDS),$(DEPS_PACKAGES))
	@command -v $(GO) >/dev/null || { echo "deps: Go not found; install Go 1.26 from https://go.dev/dl/"; exit 1; }
	$(GO) mod download

run: deps
	$(GO) run ./app

# LOCKING_TEST locks the login keyring that every package's keyring tests
# share in the one Secret Service: run beside them (go test runs packages
# at once), it made another package's keyring call fail now and then. It
# runs on its own, right after the rest.
LOCKING_TEST = TestSecretServiceLocked

test: deps fmtcheck vet
	bash scripts/with-secret-service.sh sh -c '$(GO) test $(GOTESTFLAGS) -skip "^$(LOCKING_TEST)$$" ./... && \
		$(GO) test $(GOTESTFLAGS) -run "^$(LOCKING_TEST)$$" ./core/credentials/'

vet: deps
	$(GO) vet ./...

fmtcheck:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed (run make fmt):"; echo "$$unformatted"; exit 1; fi

build: deps
	$(GO) build -o bin/opsdesk ./app

# The man pages, one a command, from the commands' own definitions (the
# .deb installs them); `opsdesk completion bash|zsh|fish|powershell` prints
# the shell completions from the same definitions.
man:
	$(GO) run ./internal/cmd/mangen bin/man

bench: build
	$(call ensure,$(BENCH_COMMANDS),)
	bash scripts/bench.sh

# The README's screenshots (docs/screenshot-*.png): the real app under Xvfb,
# light theme, demo data in a throwaway OPSDESK_HOME and file keyring;
# OPSDESK_XVFB_DISPLAY=:N puts Xvfb on that display instead of a free one.
SCREENSHOT_COMMANDS := Xvfb=xvfb xdotool=xdotool import=imagemagick openssl=openssl zip=zip

screenshots: build
	$(call ensure,$(SCREENSHOT_COMMANDS),)
	bash scripts/screenshots.sh

# Launch to first window under Xvfb, cold and warm (issue 5: within 1 s).
STARTUP_COMMANDS := Xvfb=xvfb xdotool=xdotool

startup-time: build
	$(call ensure,$(STARTUP_COMMANDS),)
	bash scripts/startup-time.sh

fmt:
	gofmt -w .

# Installers (scripts/dist.sh): what a user downloads, built into dist/ with
# SHA256SUMS and checked. `make dist` builds all of it; the Windows cross build
# compiles GLFW with MinGW-w64 (about 7 minutes cold), so CI runs only
# `make check-deb`, which also installs the .deb and runs `opsdesk version`.
DIST_LINUX_COMMANDS := dpkg-shlibdeps=dpkg-dev lintian=lintian xz=xz-utils \
	desktop-file-validate=desktop-file-utils appstreamcli=appstream
DIST_WINDOWS_COMMANDS := x86_64-w64-mingw32-gcc=gcc-mingw-w64-x86-64 makensis=nsis \
	7z=p7zip-full wrestool=icoutils

.PHONY: dist dist-linux dist-windows check-deb

dist: deps
	$(call ensure,$(DIST_LINUX_COMMANDS) $(DIST_WINDOWS_COMMANDS),)
	bash scripts/dist.sh linux windows

dist-linux: deps
	$(call ensure,$(DIST_LINUX_COMMANDS),)
	bash scripts/dist.sh linux

dist-windows: deps
	$(call ensure,$(DIST_WINDOWS_COMMANDS),)
	bash scripts/dist.sh windows

check-deb: dist-linux
	bash scripts/check-dist.sh install-deb

# The Windows lane (scripts/windows/test-windows.sh, which says what it
# does): the Windows test binaries, then the real setup.exe, opsdesk.com
# and opsdesk.exe, under Wine in a throwaway prefix. About 15 minutes cold
# on two cores, most of it compiling GLFW with MinGW-w64 once; CI runs it.
WINDOWS_LANE_COMMANDS := wine=wine Xvfb=xvfb xdotool=xdotool openssl=openssl iconv=libc-bin
WINDOWS_LANE_PACKAGES := wine64

.PHONY: test-windows

test-windows: deps
	$(call ensure,$(DIST_WINDOWS_COMMANDS) $(WINDOWS_LANE_COMMANDS),$(WINDOWS_LANE_PACKAGES))
	bash scripts/windows/test-windows.sh
