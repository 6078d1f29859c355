#!/usr/bin/env bash
# Make this machine ready for the whole test suite; `make test` runs it first.
#
# Idempotent, and quick when nothing is missing:
#   1. installs the Debian packages the tests need (browser, PDF text, fonts, the British
#      English word list the anonymiser reads, compose
#      validator, libmagic for upload types, PostgreSQL and Redis with their clients)
#      when they are missing;
#   2. starts PostgreSQL and Redis when they are installed but down;
#   3. creates the database role (LOGIN CREATEDB, so pytest can create its test
#      database) and the database named in DATABASE_URL.
# It only touches services on this machine (127.0.0.1 / localhost URLs).
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://scr:scr@127.0.0.1:5432/scr}"
CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1}"

say() { echo "test-machine: $*"; }
is_local() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" ]]; }

# ---------------------------------------------------------------- 1. Debian packages
missing=()
need() { eval "$2" >/dev/null 2>&1 || missing+=("$1"); }
need chromium          "command -v chromium"
need poppler-utils     "command -v pdftotext"
need wbritish          "test -f /usr/share/dict/british-english"
need libmagic1         "ldconfig -p | grep -q libmagic.so.1"
need fonts-liberation  "test -d /usr/share/fonts/truetype/liberation"
need docker-compose    "command -v docker-compose"
need libpango-1.0-0    "ldconfig -p | grep -q libpango-1.0.so"
need libpangoft2-1.0-0 "ldconfig -p | grep -q libpangoft2-1.0.so"
need postgresql        "command -v pg_ctlcluster"
need postgresql-client "command -v pg_isready"
need redis-server      "command -v redis-server"
need redis-tools       "command -v redis-cli"
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { say "missing ${missing[*]} and not root: install them"; exit 1; }
    sudo="sudo"
  fi
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------- 2. services
pg_re='^postgres(ql)?://([^:@/]+)(:([^@]*))?@([^:/]+)(:([0-9]+))?/([^?]+)'
if [[ "$DATABASE_URL" =~ $pg_re ]]; then
  pg_user="${BASH_REMATCH[2]}" pg_pass="${BASH_REMATCH[4]}" pg_host="${BASH_REMATCH[5]}"
  pg_port="${BASH_REMATCH[7]:-5432}" pg_db="${BASH_REMATCH[8]}"
  if is_local "$pg_host" && ! pg_isready -h "$pg_host" -p "$pg_port" -q; then
    say "starting PostgreSQL"
    for version in /etc/postgresql/*/; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -h "$pg_host" -p "$pg_port" -q && break; sleep 1; done
  fi
fi

redis_re='^rediss?://([^:/@]*@)?([^:/]+)(:([0-9]+))?'
if [[ "$CELERY_BROKER_URL" =~ $redis_re ]]; then
  redis_host="${BASH_REMATCH[2]}" redis_port="${BASH_REMATCH[4]:-6379}"
  if is_local "$redis_host" && ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no
    for _ in $(seq 1 30); do
      redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 1
    done
  fi
fi

# ---------------------------------------------------------------- 3. role and database
if [ -n "${pg_db:-}" ] && is_local "$pg_host"; then
  # The postgres superuser over TCP (trust, as on the project's machines), else over the
  # socket as the postgres system user (peer, as a fresh Debian install sets it up).
  psql_admin() {
    psql -w -h "$pg_host" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@" 2>/dev/null \
      || runuser -u postgres -- psql -p "$pg_port" -v ON_ERROR_STOP=1 -qtA "$@"
  }
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$pg_user'")" != "1" ]; then
    say "creating role $pg_user"
    psql_admin -c "CREATE ROLE \"$pg_user\" LOGIN CREATEDB PASSWORD '$pg_pass'"
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$pg_db'")" != "1" ]; then
    say "creating database $pg_db"
    psql_admin -c "CREATE DATABASE \"$pg_db\" OWNER \"$pg_user\""
  fi
fi
say "ready: PostgreSQL ${pg_host:-?}:${pg_port:-?}/${pg_db:-?}, Redis ${redis_host:-?}:${redis_port:-?}"
