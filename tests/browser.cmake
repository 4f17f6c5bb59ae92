# Browser tests: every tests/browser/NAME.test.mjs is a Node program that drives
# Debian's Chromium through web/'s pinned playwright-core (tests/browser/lib.mjs)
# against a real `hromada up`, registered as "browser.NAME" with label browser.
# They need web/node_modules (scripts/deps.sh) and /usr/bin/chromium; without
# Chromium a test says so and exits 77 (skipped). Registered in the plain build
# only: the C they reach is the same the e2e tests run under the sanitizers.
find_program(HROMADA_NODE node)
file(GLOB BROWSER_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/browser/*.test.mjs)
if(HROMADA_NODE AND NOT HROMADA_SANITIZE AND NOT HROMADA_FUZZ)
  foreach(source ${BROWSER_TESTS})
    get_filename_component(file ${source} NAME)
    string(REGEX REPLACE "\\.test\\.mjs$" "" short ${file})
    add_test(NAME browser.${short} COMMAND ${HROMADA_NODE} ${source})
    set_tests_properties(browser.${short} PROPERTIES LABELS browser TIMEOUT 300
      SKIP_RETURN_CODE 77
      ENVIRONMENT "${HROMADA_TEST_ENV};HROMADA_ARTEFACTS=${PROJECT_BINARY_DIR}/browser-artefacts")
  endforeach()
endif()
