# scenario.sh — what the shell scenarios under tests/daemon/e2e share; sourced, never run. The
# caller sets tmp (its scratch directory) first and keeps bzld's process id in pid.
#   check NAME COMMAND...   counts COMMAND's success, or prints "FAIL: NAME" and counts that
#   scenario_end NAME       prints the counts; its status is 0 only when nothing failed
# On exit the scratch directory is removed and a bzld still running in pid is killed.
passed=0 failed=0
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name" >&2; fi
}

scenario_end() { # scenario_end NAME
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
