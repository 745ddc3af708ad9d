#!/bin/sh
# Runs one GoogleTest program and checks how it ends, for the CI-strictness
# checks of tests/CMakeLists.txt (environment set by CTest):
#   expect_outcome.sh fail|skip|pass PROGRAM GTEST_FILTER
# fail: non-zero exit with "MISSING TOOL under CI"; skip: exit 0 with
# "MISSING TOOL, test SKIPPED"; pass: exit 0, nothing skipped.
set -u
expect=$1 program=$2 filter=$3
out=$("$program" --gtest_filter="$filter" 2>&1)
rc=$?
printf '%s\n' "$out"
case $expect in
  fail) [ $rc -ne 0 ] && printf '%s' "$out" | grep -q 'MISSING TOOL under CI' ;;
  skip) [ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'MISSING TOOL, test SKIPPED' ;;
  pass) [ $rc -eq 0 ] && ! printf '%s' "$out" | grep -q 'SKIPPED' ;;
  *) echo "expect_outcome.sh: unknown outcome $expect" >&2; exit 2 ;;
esac || { echo "expect_outcome.sh: expected '$expect', exit status $rc" >&2; exit 1; }
