# codex_library(NAME DIR [EXCLUDE regex...]): a static library from every .cpp
# below DIR (one concept per file; new files need no CMake edit). Paths that
# match an EXCLUDE regex (relative to DIR) are left out.
function(codex_library name dir)
  cmake_parse_arguments(ARG "" "" "EXCLUDE" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/*.cpp)
  # Programs' entry points live in cli/ and main/ folders, outside the library.
  list(FILTER srcs EXCLUDE REGEX "^(cli|main)/")
  foreach(re ${ARG_EXCLUDE})
    list(FILTER srcs EXCLUDE REGEX "${re}")
  endforeach()
  list(TRANSFORM srcs PREPEND ${dir}/)
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

# codex_check_includes(TARGET DIR ALLOW prefix...): the layer rules of
# DESIGN.md, enforced by the build. Every project header a file below DIR
# includes ("agent/eth/x.h", "exchange/…") must start with one of the allowed
# prefixes (a folder: "base", "exchange", "agent/eth"); otherwise TARGET fails
# to build, naming the file and the include. System and library headers
# (<…>, or "…" outside the project's folders) are not checked.
function(codex_check_includes target dir)
  cmake_parse_arguments(ARG "" "" "ALLOW" ${ARGN})
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${dir}/*.cpp ${dir}/*.h)
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.layer-check)
  string(REPLACE ";" "," allow "${ARG_ALLOW}")
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DROOT=${PROJECT_SOURCE_DIR} -DALLOW=${allow}
            -DTARGET=${target} -DSTAMP=${stamp} -P ${PROJECT_SOURCE_DIR}/cmake/CheckIncludes.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/CheckIncludes.cmake
    VERBATIM)
  add_custom_target(${target}_layer_check DEPENDS ${stamp})
  add_dependencies(${target} ${target}_layer_check)
endfunction()

# Test files whose node processes make Groth16 proofs on a chain with short
# periods.
set(CODEX_PROVING_TESTS marketplace_e2e_test sales_crash_test slot_repair_e2e_test
    validator_e2e_test)
# The devnet's fault run: four provers and two validators on 10 s periods
# fill two cores by themselves, so nothing runs beside it.
set(CODEX_SERIAL_TESTS devnet_test stress_test)

# codex_tests(AREA LIBS...): one GoogleTest executable per tests/AREA/*_test.cpp.
function(codex_tests area)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${area}/*_test.cpp)
  foreach(src ${srcs})
    get_filename_component(stem ${src} NAME_WE)
    set(target test_${area}_${stem})
    add_executable(${target} ${src})
    target_link_libraries(${target} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main)
    target_compile_definitions(${target} PRIVATE
      CODEX_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      CODEX_BINARY_DIR="${PROJECT_BINARY_DIR}")
    # The agent's tests drive processes, sockets and the chain; their own code
    # is not where time goes, and -Og compiles them 22% faster than -O2 (the
    # end-to-end test: 11.2 s against 14.3 s), which CI's time limit needs.
    # The libraries they test keep -O2.
    if(area STREQUAL "agent")
      target_compile_options(${target} PRIVATE $<$<CONFIG:RelWithDebInfo,Release>:-Og>)
    endif()
    # Tests whose nodes prove every period take one of the two "provers" of
    # tests/ctest-resources.json (scripts/test passes it): four of them at once
    # on two cores make proofs outlast 10 s periods, while the light tests
    # still fill the other -j slots.
    set(properties LABELS ${area})
    if(stem IN_LIST CODEX_PROVING_TESTS)
      list(APPEND properties RESOURCE_GROUPS "provers:1")
    endif()
    if(stem IN_LIST CODEX_SERIAL_TESTS)
      list(APPEND properties RUN_SERIAL TRUE)
    endif()
    gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
  endforeach()
endfunction()
