#!/usr/bin/env bash
# Installs and starts what the tests need beyond npm packages, from Debian's packages, when missing:
# PostgreSQL (a fresh database for the store contract and multi-instance tests), Chromium (browser
# tests, driven by playwright-core; no browser is ever downloaded), Caddy (the TLS proxy of deploy/,
# in the recipe test) and systemd's systemd-analyze (checks deploy/'s unit). Safe to run again.
set -euo pipefail

PG_USER=guide
PG_PASSWORD=guide
PG_DB=guide_test
PG_PORT=${PGPORT:-5432}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
fc-list 2>/dev/null | grep -qi 'noto.*cjk' || missing+=(fonts-noto-cjk)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:setup needs root to install: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "Installing from Debian's packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main --port "$PG_PORT" >/dev/null
  fi
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.5; done
fi
pg_isready -h 127.0.0.1 -p "$PG_PORT"

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi; }
as_postgres "psql -q -p $PG_PORT -tc \"SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'\" | grep -q 1 || psql -q -p $PG_PORT -c \"CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'\""
as_postgres "dropdb -p $PG_PORT --if-exists --force $PG_DB && createdb -p $PG_PORT -O $PG_USER $PG_DB"
echo "PostgreSQL ready: postgres://$PG_USER:***@127.0.0.1:$PG_PORT/$PG_DB (fresh)"
echo "Chromium ready: $(chromium --version 2>/dev/null || echo missing)"
echo "Caddy ready: $(caddy version 2>/dev/null || echo missing); $(systemd-analyze --version 2>/dev/null | head -n 1 || echo 'systemd-analyze missing')"
