#!/usr/bin/env bash
# check_man_bzl.sh — proves bzl(1) documents the CLI as it is: every command `bzl --help` lists
# has its own entry in deploy/man/bzl.1 (a .B/.BR line opening with the command's words), and
# every long option any command's --help names (--book, --csv, --atomic, ...) appears in the
# page; so a command or option added to the CLI without its man page fails here.
#   usage: check_man_bzl.sh BZL PAGE
set -uo pipefail
bzl=$1 page=$2
failed=0
# The page's text with roff escapes undone: \- is -, \fB \fI \fR \fP are font changes.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page")
entries=$(grep -E '^\.(B|BR) ' <<<"$text" | sed -E 's/^\.(B|BR) "?//')
commands=$("$bzl" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\?\)  .*/\1/p' |
  sed 's/ *$//')
[ "$(wc -l <<<"$commands")" -ge 30 ] || { echo "FAIL: bzl --help lists $(wc -l <<<"$commands") commands?"; exit 1; }
n=0
while read -r cmd; do
  [ "$cmd" = help ] && continue
  n=$((n + 1))
  if ! grep -qE "^$cmd( |\"|,|$)" <<<"$entries"; then
    echo "FAIL: bzl(1) has no entry for command '$cmd'"
    failed=$((failed + 1))
  fi
  # Every long option the command's help names, besides the common ones.
  for opt in $("$bzl" help $cmd | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    if ! grep -qF -- "$opt" <<<"$text"; then
      echo "FAIL: bzl(1) does not mention $opt of '$cmd'"
      failed=$((failed + 1))
    fi
  done
done <<<"$commands"
for opt in $("$bzl" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
  grep -qF -- "$opt" <<<"$text" || { echo "FAIL: bzl(1) does not mention global $opt"; failed=$((failed + 1)); }
done
echo "check_man_bzl: $n commands, $failed failures"
[ "$failed" -eq 0 ]
