# Checks on what the build and the repository ship rather than on behaviour
# (issue 13), each a python3 script in tests/tools/ with its own self-test:
#  lint.hardening     the built hromada and hromada-services.so are PIE, full
#                     RELRO, NX stack, stack protector, and fortified where the
#                     build fortifies (HROMADA_FORTIFY, CMakeLists.txt)
#  lint.systemd_units packaging/systemd/: a sandboxed unit per role, accepted
#                     by systemd-analyze verify, exposure rated by security
#  doc.threat_model   every test docs/THREAT_MODEL.md cites exists in tests/
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
add_test(NAME doc.threat_model
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_threat_model.py
                 ${PROJECT_SOURCE_DIR}/docs/THREAT_MODEL.md ${CMAKE_CURRENT_SOURCE_DIR}
                 ${PROJECT_SOURCE_DIR}/fuzz --self-test)
set_tests_properties(lint.hardening lint.systemd_units doc.threat_model PROPERTIES TIMEOUT 120)
