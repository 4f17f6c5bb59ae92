# End-to-end tests: the real binary, real HTTP over loopback.
add_executable(test_up ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_up.c)
target_link_libraries(test_up PRIVATE hromada_testkit)
set_target_properties(test_up PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_dependencies(test_up hromada)
add_test(NAME e2e.up COMMAND test_up)
set_tests_properties(e2e.up PROPERTIES ENVIRONMENT "${HROMADA_TEST_ENV}" TIMEOUT 300)
