# Sourceable: makes sure two local PostgreSQL 15 servers run (Debian's cluster 15/main on port 5432
# and a second cluster, 15/second, on 5433: the tests put shards on two servers at once), with a
# role the tests log in as, and exports where they are:
#   DISTRIBUTED_INSERT_TEST_PG   postgres://distributed_insert:…@127.0.0.1:5432/postgres
#   DISTRIBUTED_INSERT_TEST_PG2  the same on 5433
# Tests create and drop their own databases there. Needs root (or the postgres user) and the
# Debian packages postgresql-15 and postgresql-client; installs them with apt when missing and root.
# Idempotent: a second call finds everything in place in well under a second.

_di_pg_role=distributed_insert
_di_pg_password=distributed_insert

_di_pg_as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -n -u postgres sh -c "$*"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
  else
    echo "note: PostgreSQL 15 is not installed; its tests will be skipped (or fail, in CI)" >&2
  fi
fi

if command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "15/second"; then
    pg_createcluster 15 second --port 5433 >/dev/null
  fi
  for _di_cluster in main second; do
    if ! pg_lsclusters -h | awk -v c="$_di_cluster" '$1 == "15" && $2 == c {print $4}' | grep -qx online; then
      pg_ctlcluster 15 "$_di_cluster" start
    fi
  done
  for _di_port in 5432 5433; do
    _di_pg_as_postgres "psql -qAt -p $_di_port -c \"DO \\\$\\\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$_di_pg_role') THEN
        CREATE ROLE $_di_pg_role LOGIN CREATEDB PASSWORD '$_di_pg_password';
      END IF; END \\\$\\\$;\"" >/dev/null
    # DROP DATABASE ... WITH (FORCE) ends the sessions in it, autovacuum's workers among them,
    # which belong to no role of ours: without this, dropping a just-loaded test database can fail.
    _di_pg_as_postgres "psql -qAt -p $_di_port -c 'SET client_min_messages = warning' -c 'GRANT pg_signal_backend TO $_di_pg_role'" >/dev/null
  done
  export DISTRIBUTED_INSERT_TEST_PG="postgres://$_di_pg_role:$_di_pg_password@127.0.0.1:5432/postgres"
  export DISTRIBUTED_INSERT_TEST_PG2="postgres://$_di_pg_role:$_di_pg_password@127.0.0.1:5433/postgres"
fi
