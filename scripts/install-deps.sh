#!/usr/bin/env bash
# Installs what MQTTZoo needs on a Debian machine, skipping what is already there.
#   scripts/install-deps.sh run    # to run a local cluster: Java, ZooKeeper, HAProxy, npm packages, build
#   scripts/install-deps.sh test   # to run the tests: the above plus mosquitto clients and Chromium
#   scripts/install-deps.sh bench  # to benchmark: the above plus mosquitto and redis-server
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-run}
packages=(default-jre-headless zookeeper haproxy)
case "$profile" in
  run) ;;
  test) packages+=(mosquitto-clients chromium) ;;
  bench) packages+=(mosquitto-clients chromium mosquitto redis-server) ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Java may come from another package than default-jre-headless: accept any java on PATH.
if command -v java >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [ "$p" = default-jre-headless ] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # Debian's packages start their services where an init system runs them; we run our own.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.mqttzoo-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  node scripts/complete-lock.mjs package-lock.json
  npm ci --no-audit --no-fund
  touch "$stamp"
fi
