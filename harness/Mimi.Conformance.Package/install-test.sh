#!/usr/bin/env bash
# Installs each package of ./run.sh package in a clean temporary folder outside the repository and certifies the
# reference DP with it (README "Install without the repository"). One line per check: "ok NAME" or "FAIL NAME: why".
#   install-test.sh PACKAGES_DIR
# The single file runs with an environment of its own: no dotnet on PATH, no DOTNET_ROOT, no MIMI_REPO_ROOT, and (as
# root, where mount namespaces work) the .NET installation hidden under an empty tmpfs.
set -uo pipefail
packages=$(readlink -f "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/mimi-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

# certify NAME FOLDER COMMAND...: a full certification of the embedded reference DP, run from FOLDER (reports/ there).
certify() {
  local name=$1 folder=$2; shift 2
  mkdir -p "$folder"
  (cd "$folder" && "$@" run >"$folder/run.txt" 2>&1)
  local status=$?
  if [ "$status" != 0 ]; then
    fail "$name" "the certification did not pass (exit $status): $(tail -n 3 "$folder/run.txt" | tr '\n' ' ')"; return
  fi
  grep -q '^compliant:' "$folder/run.txt" || { fail "$name" "no compliant verdict: $(tail -n 2 "$folder/run.txt" | tr '\n' ' ')"; return; }
  local file
  for file in report.json report.html junit.xml summary.md; do
    [ -s "$folder/reports/latest/$file" ] || { fail "$name" "reports/latest/$file was not written"; return; }
  done
  ok "$name"
}

# The single file: a copy of it alone, in a folder of its own.
exe="$work/exe"
mkdir -p "$exe/bin" "$exe/home"
cp "$packages/mimi-conformance" "$exe/bin/"
isolated=(env -i "HOME=$exe/home" "PATH=$exe/bin" "TMPDIR=$work")
hidden=""
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  hidden=$(dirname "$(readlink -f "$(command -v dotnet)")")
  isolated=(unshare -m /bin/sh -c 'mount -t tmpfs none "$0" && exec "$@"' "$hidden" "${isolated[@]}")
fi
if "${isolated[@]}" /bin/sh -c 'command -v dotnet || { [ -n "$0" ] && [ -e "$0/dotnet" ]; }' "$hidden" >/dev/null 2>&1; then
  fail single-file "dotnet is still reachable in the isolated environment"
else
  certify single-file "$exe/work" "${isolated[@]}" "$exe/bin/mimi-conformance"
fi

# The dotnet tool, from the package folder alone (no other package source is asked).
tool="$work/tool"
mkdir -p "$tool/home"
cat >"$tool/nuget.config" <<EOF
<configuration><packageSources><clear /><add key="packages" value="$packages" /></packageSources></configuration>
EOF
tool_env=(env -i "HOME=$tool/home" "PATH=$(dirname "$(command -v dotnet)"):/usr/bin:/bin" "TMPDIR=$work" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1)
if ! "${tool_env[@]}" dotnet tool install mimi-conformance --tool-path "$tool/bin" --configfile "$tool/nuget.config" >"$tool/install.txt" 2>&1; then
  fail tool "dotnet tool install failed: $(tail -n 2 "$tool/install.txt" | tr '\n' ' ')"
else
  certify tool "$tool/work" "${tool_env[@]}" "$tool/bin/mimi-conformance"
  # Without its libsodium the program says so in one line and exits 2 (the tool's copy can be taken away).
  sodium=$(find "$tool/bin/.store" -path '*/runtimes/linux-x64/native/libsodium.so' | head -n 1)
  rm -f "$sodium"
  "${tool_env[@]}" "$tool/bin/mimi-conformance" run >"$tool/no-sodium.txt" 2>&1
  status=$?
  if [ -n "$sodium" ] && [ "$status" = 2 ] && [ "$(wc -l <"$tool/no-sodium.txt")" = 1 ] && grep -q '^mimi-conformance: cannot load libsodium' "$tool/no-sodium.txt"; then
    ok tool-without-libsodium
  else
    fail tool-without-libsodium "expected one line and exit 2, got exit $status: $(head -c 300 "$tool/no-sodium.txt")"
  fi
fi
exit $failed
