# The web pages' JavaScript run in Node (no browser): web.verify_vectors runs the
# verifier page's verifier (web/verify/verify.js) and `hromada verify` on every
# EU DCC vector of ../shared/vectors/dcc and thousands of mutations of them,
# and fails on any difference in valid, a stage or error.stage. Without
# ../shared it says so and is skipped (77). web/ holds ES modules in .js files
# without "type": "module" in web/package.json; Node's note about it is muted.
find_program(HROMADA_NODE_WEB node)
if(HROMADA_NODE_WEB AND NOT HROMADA_SANITIZE AND NOT HROMADA_FUZZ)
  add_test(NAME web.verify_vectors
           COMMAND ${HROMADA_NODE_WEB} --disable-warning=MODULE_TYPELESS_PACKAGE_JSON
                   ${CMAKE_CURRENT_SOURCE_DIR}/web/verify_vectors.mjs)
  set_tests_properties(web.verify_vectors PROPERTIES LABELS unit TIMEOUT 600 SKIP_RETURN_CODE 77
                       ENVIRONMENT "${HROMADA_TEST_ENV}")
endif()
