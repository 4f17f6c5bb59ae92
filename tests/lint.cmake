# Checks on what the build and the repository ship rather than on behaviour
# (issue 13), each a python3 script in tests/tools/ with its own self-test:
#  lint.hardening     the built hromada and hromada-services.so are PIE, full
#                     RELRO, NX stack, stack protector, and fortified where the
#                     build fortifies (HROMADA_FORTIFY, CMakeLists.txt)
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
set_tests_properties(lint.hardening PROPERTIES TIMEOUT 120)
