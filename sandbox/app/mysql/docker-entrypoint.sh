#!/usr/bin/env bash
# Minimal re-implementation of the official mysql image's entrypoint for
# MariaDB, for running as a non-root uid with all capabilities dropped.
set -euo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
log() { printf '%s [Entrypoint]: %s\n' "$(date -Is)" "$*" >&2; }

if [[ "${1:-}" == -* ]]; then set -- mariadbd "$@"; fi
if [[ "${1:-}" != mariadbd && "${1:-}" != mysqld ]]; then exec "$@"; fi

if [[ ! -w "$DATADIR" ]]; then
  log "ERROR: $DATADIR is not writable by uid $(id -u); mount a volume owned by $(id -u):$(id -g)"
  exit 1
fi

sql_escape() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g"; }

if [[ ! -d "$DATADIR/mysql" ]]; then
  if [[ -z "${MYSQL_ROOT_PASSWORD:-}" && -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" && -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]]; then
    log "ERROR: database is uninitialized and password option is not specified"
    log "  You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD"
    exit 1
  fi
  log "Initializing database files"
  mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve --rpm >/dev/null
  log "Database files initialized; starting temporary server"
  mariadbd --skip-networking --socket="$SOCKET" --datadir="$DATADIR" &
  tmp_pid=$!
  for _ in $(seq 60); do
    mariadb-admin --socket="$SOCKET" ping --silent >/dev/null 2>&1 && break
    kill -0 "$tmp_pid" 2>/dev/null || { log "ERROR: temporary server died"; exit 1; }
    sleep 1
  done

  root_pw="${MYSQL_ROOT_PASSWORD:-}"
  if [[ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]]; then
    root_pw="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    log "GENERATED ROOT PASSWORD: $root_pw"
  fi
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.user WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'root') OR host NOT IN ('localhost');"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_escape "$root_pw")';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(sql_escape "$root_pw")';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [[ -n "${MYSQL_DATABASE:-}" ]]; then
      echo "CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE//\`/}\`;"
    fi
    if [[ -n "${MYSQL_USER:-}" && -n "${MYSQL_PASSWORD:-}" ]]; then
      echo "CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
      if [[ -n "${MYSQL_DATABASE:-}" ]]; then
        echo "GRANT ALL ON \`${MYSQL_DATABASE//\`/}\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --protocol=socket --socket="$SOCKET" -uroot
  log "Users and database created; stopping temporary server"
  kill -TERM "$tmp_pid"
  wait "$tmp_pid" || true
  log "MySQL init process done. Ready for start up."
fi

exec "$@"
