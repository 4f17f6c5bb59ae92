# The store tests: one suite (tests/unit/test_store.c), run once per driver.
#
# pg.start / pg.stop bracket a throw-away PostgreSQL server (scripts/pg_harness.sh)
# as the CTest fixture "postgres"; a test that needs it sets
#	FIXTURES_REQUIRED postgres
#	ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
# and finds the server's URL through tk_pg_url(). The PostgreSQL run fails, never
# skips, when the server is missing.
set(HROMADA_PG_DIR ${CMAKE_CURRENT_BINARY_DIR}/pg)
set(HROMADA_PG_FIXTURE postgres)
set(HROMADA_PG_ENV "HROMADA_TEST_PG_URL_FILE=${HROMADA_PG_DIR}/url")

add_test(NAME pg.start COMMAND ${PROJECT_SOURCE_DIR}/scripts/pg_harness.sh start ${HROMADA_PG_DIR})
set_tests_properties(pg.start PROPERTIES FIXTURES_SETUP ${HROMADA_PG_FIXTURE} TIMEOUT 120)
add_test(NAME pg.stop COMMAND ${PROJECT_SOURCE_DIR}/scripts/pg_harness.sh stop ${HROMADA_PG_DIR})
set_tests_properties(pg.stop PROPERTIES FIXTURES_CLEANUP ${HROMADA_PG_FIXTURE} TIMEOUT 60)

add_test(NAME unit.store.sqlite COMMAND test_store sqlite)
set_tests_properties(unit.store.sqlite PROPERTIES ENVIRONMENT "${HROMADA_TEST_ENV}" TIMEOUT 300)

add_test(NAME unit.store.postgresql COMMAND test_store postgresql)
set_tests_properties(unit.store.postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
  TIMEOUT 300)

# The population loader's PostgreSQL path (tests/unit/test_population.c; the
# rest of that suite runs as unit.population).
add_test(NAME unit.population.postgresql COMMAND test_population postgresql)
set_tests_properties(unit.population.postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
  TIMEOUT 300)

# The registry role on PostgreSQL (tests/unit/test_registry.c; on SQLite it
# runs as unit.registry).
add_test(NAME unit.registry.postgresql COMMAND test_registry postgresql)
set_tests_properties(unit.registry.postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
  TIMEOUT 300)

# The nccc hub's store and correlation index on PostgreSQL
# (tests/unit/test_nccc_store.c; on SQLite it runs as unit.nccc_store).
add_test(NAME unit.nccc_store.postgresql COMMAND test_nccc_store postgresql)
set_tests_properties(unit.nccc_store.postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
  TIMEOUT 300)

# Canaries planted into registries on PostgreSQL (tests/unit/test_canaries.c;
# the rest of that suite runs as unit.canaries).
add_test(NAME unit.canaries.postgresql COMMAND test_canaries postgresql)
set_tests_properties(unit.canaries.postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
  TIMEOUT 300)

# Replay records in the store (tests/unit/test_replay_store.c; on SQLite it
# runs as unit.replay_store).
add_test(NAME unit.replay_store.postgresql COMMAND test_replay_store postgresql)
set_tests_properties(unit.replay_store.postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV}"
  TIMEOUT 300)
