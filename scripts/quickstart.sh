#!/usr/bin/env bash
# The README's Quick start. Installs what is missing (Debian packages, npm dependencies, the build),
# then either runs a short standalone benchmark (`demo`) or the whole test suite (`test`).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  demo | test) ;;
  *)
    echo "usage: scripts/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "ffrtmp needs Node.js >= 20 (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

# Debian packages the main job and the tests use, and the command that proves each is there.
packages=(
  "ffmpeg:ffmpeg"
  "g++:g++"
  "make:make"
  "python3:python3"
  "procps:pgrep"
  "victoria-metrics:/usr/bin/victoria-metrics"
  "nginx:/usr/sbin/nginx"
  "libnginx-mod-rtmp:/usr/lib/nginx/modules/ngx_rtmp_module.so"
  "prometheus-alertmanager:/usr/bin/prometheus-alertmanager"
  "chromium:/usr/bin/chromium"
  "postgresql:pg_ctlcluster"
)
missing=()
for entry in "${packages[@]}"; do
  pkg="${entry%%:*}"
  probe="${entry#*:}"
  if ! command -v "$probe" >/dev/null 2>&1 && ! [ -e "$probe" ]; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

if [ "$mode" = test ]; then
  exec npm run check # types, lint, format, then every test (npm test builds first)
fi

echo "==> building"
npm run build --silent
exec node dist/cli/main.js demo
