#!/usr/bin/env bash
# swift-format (it ships with the toolchain: `swift format`) with the checked-in .swift-format.
#
#   scripts/format.sh                 lint the Swift files changed since BASE
#   scripts/format.sh --all           lint every Swift file of the package (what CI runs)
#   scripts/format.sh --fix FILE…     reformat the named files in place (never the whole tree)
#
# BASE is $FORMAT_BASE, else the merge base with `main` (origin/main first); without one (a shallow
# clone) every file is linted. The tree is formatted, so a finding fails (exit 1) and names the file, line
# and rule; `make format-fix FILES="…"` fixes the files named. FORMAT_STRICT=0 only reports (exit 0).
# Exit 2: swift format is missing or an argument is wrong.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! swift format --version >/dev/null 2>&1; then
  echo "error: 'swift format' is not available; install a Swift 6 toolchain (it ships swift-format)" >&2
  exit 2
fi

roots=(Sources Tests TestFramework Benchmarks Fuzz Plugins Examples Package.swift)

if [[ "${1:-}" == "--fix" ]]; then
  shift
  if [[ $# -eq 0 ]]; then
    echo "error: --fix takes the files to reformat (e.g. the ones you changed); it never rewrites the whole tree" >&2
    exit 2
  fi
  exec swift format format --in-place --configuration .swift-format "$@"
fi

files=()
if [[ "${1:-}" == "--all" ]]; then
  mapfile -t files < <(git ls-files -- "${roots[@]}" | grep '\.swift$')
elif [[ $# -gt 0 ]]; then
  echo "error: unknown argument '$1'; use no argument, --all, or --fix FILE…" >&2
  exit 2
else
  base="${FORMAT_BASE:-}"
  if [[ -z "$base" ]]; then
    for candidate in origin/main main; do
      base=$(git merge-base HEAD "$candidate" 2>/dev/null) && break
      base=""
    done
  fi
  if [[ -n "$base" ]]; then
    # Changed since BASE, and new files not yet added (git diff does not list those).
    mapfile -t files < <({ git diff --name-only --diff-filter=ACMR "$base" -- "${roots[@]}"
      git ls-files --others --exclude-standard -- "${roots[@]}"; } | grep '\.swift$' | sort -u)
    echo "swift format lint: ${#files[@]} Swift file(s) changed since ${base:0:12}"
  else
    echo "swift format lint: no merge base with main (a shallow clone?): linting every file"
    mapfile -t files < <(git ls-files -- "${roots[@]}" | grep '\.swift$')
  fi
fi

if [[ ${#files[@]} -eq 0 ]]; then
  echo "swift format lint: nothing to lint"
  exit 0
fi
log="$(mktemp -t ws1011-format.XXXXXX)"
trap 'rm -f "$log"' EXIT
swift format lint --configuration .swift-format "${files[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
findings=$(grep -c ': warning: \|: error: ' "$log" || true)
if [[ $status -ne 0 && $findings -eq 0 ]]; then
  echo "error: swift format lint failed (exit $status) without a finding to show: see its output above" >&2
  exit 2
fi
echo "swift format lint: $findings finding(s) in ${#files[@]} file(s)"
if [[ "${FORMAT_STRICT:-1}" != "0" && "$findings" -gt 0 ]]; then
  echo "swift format lint: fix them with: make format-fix FILES=\"<the files above>\" (FORMAT_STRICT=0 only reports)" >&2
  exit 1
fi
exit 0
