# Checks on what the build and the repository ship rather than on behaviour
# (issue 13), each a python3 script in tests/tools/ with its own self-test:
#  lint.hardening     the built hromada and hromada-services.so are PIE, full
#                     RELRO, NX stack, stack protector, and fortified where the
#                     build fortifies (HROMADA_FORTIFY, CMakeLists.txt)
#  lint.systemd_units packaging/systemd/: a sandboxed unit per role, accepted
#                     by systemd-analyze verify, exposure rated by security
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(HROMADA_FORTIFY)
  set(HROMADA_FORTIFY_CHECK on)
else()
  set(HROMADA_FORTIFY_CHECK off)
endif()

add_test(NAME lint.hardening
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_hardening.py
                 --fortify ${HROMADA_FORTIFY_CHECK} --self-test ${CMAKE_C_COMPILER}
                 $<TARGET_FILE:hromada> $<TARGET_FILE:hromada_services>)
add_test(NAME lint.systemd_units
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_systemd_units.py
                 ${PROJECT_SOURCE_DIR}/packaging/systemd --self-test
                 --hromada $<TARGET_FILE:hromada>)
set_tests_properties(lint.hardening lint.systemd_units PROPERTIES TIMEOUT 120)
