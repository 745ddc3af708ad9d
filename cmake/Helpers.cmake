# codex_library(NAME DIR [EXCLUDE regex...]): a static library from every .cpp
# below DIR (one concept per file; new files need no CMake edit).
function(codex_library name dir)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/*.cpp)
  # Programs' entry points live in cli/ and main/ folders, outside the library.
  list(FILTER srcs EXCLUDE REGEX "^(cli|main)/")
  list(TRANSFORM srcs PREPEND ${dir}/)
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

# codex_tests(AREA LIBS...): one GoogleTest executable per tests/AREA/*_test.cpp.
function(codex_tests area)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${area}/*_test.cpp)
  foreach(src ${srcs})
    get_filename_component(stem ${src} NAME_WE)
    set(target test_${area}_${stem})
    add_executable(${target} ${src})
    target_link_libraries(${target} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main)
    target_compile_definitions(${target} PRIVATE
      CODEX_SHARED_DIR="${CODEX_SHARED_DIR}"
      CODEX_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      CODEX_BINARY_DIR="${PROJECT_BINARY_DIR}")
    gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60
      PROPERTIES LABELS ${area})
  endforeach()
endfunction()
