# End-to-end tests: every tests/e2e/test_NAME.c drives the real binary (real
# HTTP over loopback, real files) and is registered as "e2e.NAME".
file(GLOB E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_*.c)
# helpers shared by the end-to-end tests (a citizen's device, a calling member)
add_library(hromada_e2e_helpers STATIC ${CMAKE_CURRENT_SOURCE_DIR}/e2e/slice.c
            ${CMAKE_CURRENT_SOURCE_DIR}/e2e/certs.c)
target_link_libraries(hromada_e2e_helpers PUBLIC hromada_testkit)
foreach(source ${E2E_TESTS})
  get_filename_component(name ${source} NAME_WE)
  string(REGEX REPLACE "^test_" "" short ${name})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE hromada_e2e_helpers hromada_testkit)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  add_dependencies(${name} hromada)
  add_test(NAME e2e.${short} COMMAND ${name})
  set_tests_properties(e2e.${short} PROPERTIES ENVIRONMENT "${HROMADA_TEST_ENV}" TIMEOUT 300)
endforeach()

# The slice again with every registry in the throw-away PostgreSQL server
# (store.cmake's fixture), one schema per registry.
add_test(NAME e2e.slice_postgresql COMMAND test_slice)
set_tests_properties(e2e.slice_postgresql PROPERTIES
  FIXTURES_REQUIRED ${HROMADA_PG_FIXTURE}
  ENVIRONMENT "${HROMADA_TEST_ENV};${HROMADA_PG_ENV};HROMADA_SLICE_STORE=postgresql"
  TIMEOUT 300)

# An HSM is SoftHSM2 here: without it installed the test says so and skips.
set_tests_properties(e2e.pkcs11 PROPERTIES SKIP_RETURN_CODE 77)
