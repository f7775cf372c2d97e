#!/usr/bin/env bash
# Runs every test of ApiCache: the README's second set-up command, and what CI runs (.ci/run).
# Installs what the tests need when it is missing, builds with warnings as errors, runs the xunit
# suite (unit tests, in-process servers on loopback, the real sidecar process, real kubectl), and
# ends with the test runner's summary followed by one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }

# --- prerequisites -----------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first"
  echo "0 passed, 1 failed"
  exit 1
fi

# kubectl: the tests drive kubectl 1.27 and 1.33, which sit beside the link target of the kubectl on
# PATH (kubectl.1.27 ... kubectl.1.33). They come with the machine image and are not on any registry
# reachable here, so a missing one is reported, not installed.
if kubectl_path=$(command -v kubectl); then
  kubectl_dir=$(dirname "$(readlink -f "$kubectl_path")")
  for v in 1.27 1.33; do
    [ -x "$kubectl_dir/kubectl.$v" ] || log "warning: $kubectl_dir/kubectl.$v is missing; the kubectl $v tests will fail"
  done
else
  log "warning: kubectl is not on PATH; the kubectl tests will fail"
fi

# etcd: the DevServer's etcd store is tested against a real etcd (Debian's etcd-server package).
if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    as_root=(false)
  fi
  log "etcd is not on PATH; installing etcd-server with apt-get"
  if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null \
    && command -v etcd >/dev/null 2>&1; then
    log "installed $(etcd --version 2>/dev/null | head -n 1)"
  else
    log "warning: could not install etcd-server (needs root or sudo, and apt); the etcd tests will fail"
  fi
fi

# node and npm: the @kubernetes/client-node tests run the official JavaScript client; the test itself
# installs its pinned packages (npm ci in tests/ApiCache.Tests/Clients/node), so only the tools are checked.
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || log "warning: $tool is not on PATH; the Node client tests will fail"
done

if [ ! -d ../shared/fixtures ]; then
  log "warning: ../shared/fixtures (recorded kube-apiserver answers) is missing; fixture tests will fail"
fi

# --- build and test ----------------------------------------------------------------------------
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Build everything first (benchmarks and load driver too, which dotnet test alone would skip).
if ! dotnet build ApiCache.sln --nologo -v quiet; then
  log "the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
dotnet test ApiCache.sln --nologo "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

# dotnet test prints one summary line per test assembly:
#   Passed!  - Failed:     0, Passed:   120, Skipped:     0, Total:   120, Duration: 9 s - ApiCache.Tests.dll (net10.0)
read -r passed failed < <(awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") { gsub(",", "", $(i+1)); f += $(i+1) }
      if ($i == "Passed:") { gsub(",", "", $(i+1)); p += $(i+1) }
    }
    seen = 1
  }
  END { if (!seen) { p = 0; f = 0 }; print p + 0, f + 0 }' "$out")

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build failed or the runner crashed: no test result says so, but the run did fail.
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
