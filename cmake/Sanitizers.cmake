# CODEX_SANITIZE: build everything (libraries, programs, tests) with sanitizers.
#   address,undefined  AddressSanitizer + UndefinedBehaviorSanitizer (scripts/sanitize asan)
#   thread             ThreadSanitizer (scripts/sanitize tsan)
# Undefined behaviour aborts (-fno-sanitize-recover) so that it fails the test instead of
# printing a line nobody reads. The runtime options (halt_on_error, leak detection,
# suppressions) are set for CTest in tests/CMakeLists.txt.
set(CODEX_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread | empty for none")
if(CODEX_SANITIZE)
  if(CODEX_SANITIZE MATCHES "thread" AND CODEX_SANITIZE MATCHES "address")
    message(FATAL_ERROR "CODEX_SANITIZE: thread cannot be combined with address")
  endif()
  set(codex_sanitize_flags -fsanitize=${CODEX_SANITIZE} -fno-omit-frame-pointer)
  if(CODEX_SANITIZE MATCHES "undefined")
    list(APPEND codex_sanitize_flags -fno-sanitize-recover=undefined)
  endif()
  # -O1 -g1 (after the build type's flags, so they win): sanitized builds have no compiler
  # cache hits and run on small machines; -O1 compiles much faster than -O2 and keeps the
  # reports' stacks exact, -g1 keeps function names and line numbers.
  add_compile_options(${codex_sanitize_flags} -O1 -g1)
  add_link_options(${codex_sanitize_flags})
  add_compile_definitions(CODEX_SANITIZE="${CODEX_SANITIZE}")
endif()
