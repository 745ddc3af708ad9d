# Faster incremental builds: ccache and lld when the machine has them.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
find_program(LLD_PROGRAM ld.lld)
if(LLD_PROGRAM)
  add_link_options(-fuse-ld=lld)
endif()

add_compile_options(-Wall -Wextra -Wno-unused-parameter)
# Line tables only (-g1): backtraces, sanitizer reports and perf keep file:line,
# while objects are 5x smaller and compile 30% faster than with full -g
# (measured on the end-to-end test: 2.0 MB and 12.3 s against 10.8 MB and
# 17.2 s). A CI run on this shared, nearly full disk died twice on space.
# Full debug info for a debugging session: -DCMAKE_BUILD_TYPE=Debug.
set(CMAKE_C_FLAGS_RELWITHDEBINFO "-O2 -g1 -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O2 -g1 -DNDEBUG")
# Debug info stays in one .dwo beside each object instead of being copied into
# every program that links the libraries: the suite's ~100 programs took
# 5.9 GB with it inline, enough to fill a nearly full disk (a CI run died with
# the linker's SIGBUS). Debuggers and symbolizers read the .dwo files.
if(NOT CODEX_FUZZ)
  add_compile_options($<$<CONFIG:RelWithDebInfo,Debug>:-gsplit-dwarf>)
  # What stays in each program (line tables, GCC's name tables) is
  # compressed at link time: test programs of 20 MB instead of 54 (with a
  # .gdb_index instead, 54), the whole build 2.3 GB smaller, for about a
  # second of linking each.
  if(LLD_PROGRAM)
    add_link_options($<$<CONFIG:RelWithDebInfo,Debug>:-Wl,--compress-debug-sections=zlib>)
  endif()
endif()
if(CODEX_NATIVE)
  add_compile_options(-march=native)
endif()

if(CODEX_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CODEX_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  # Every library gets coverage feedback and the sanitizers; the harnesses
  # link libFuzzer's main (tests/fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=address,undefined -fsanitize=fuzzer-no-link
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
