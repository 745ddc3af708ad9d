# Every external library comes from Debian's archive (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Protobuf REQUIRED)

pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(NETTLE REQUIRED IMPORTED_TARGET nettle)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# Standalone Asio (header-only, Debian's libasio-dev): the network's event loop
# and C++20 coroutines.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(codex_asio INTERFACE)
target_include_directories(codex_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(codex_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Asio 1.22 looks for clang's coroutines in <experimental/coroutine> only;
  # with libstdc++ 12 they are the standard ones.
  target_compile_definitions(codex_asio INTERFACE ASIO_HAS_CO_AWAIT=1 ASIO_HAS_STD_COROUTINE=1)
endif()

if(CODEX_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(CODEX_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
