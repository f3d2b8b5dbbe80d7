#!/usr/bin/env bash
# One entry point: installs what it needs, builds, and runs the mimi-conformance CLI (docs/ARCHITECTURE.md §9).
#   ./run.sh                 certify the bundled reference DP (= ./run.sh run)
#   ./run.sh test            the project's own tests + a full certification + the self-test
#   ./run.sh run ...         certify a DP (--dp URL --ca FILE | --pin HEX; see ./run.sh run --help and README.md)
#   ./run.sh self-test       the clean reference DP passes and every fault mode fails exactly its mapped rules
#   ./run.sh serve-dp        run the reference DP alone (loopback; --test-control to offer test control)
#   ./run.sh keys generate   the harness's keys for certifying without test control
#   ./run.sh merge | matrix  combine shards | certify several DPs into one interop matrix
#   ./run.sh sender --cmd C  certify a sender through its adapter (vectors/SENDER-ADAPTER.md; --self, several --cmd: a matrix)
#   ./run.sh sender-adapter  the harness's own verifier and selector as an adapter on stdin/stdout (--fault NAME: a broken sender)
#   ./run.sh vectors | cose  generate or check the vector files | verify one COSE_Sign by hand
#   ./run.sh bench [--quick]  speed figures against baselines measured in the same run -> reports/bench.json
#   ./run.sh report allure [RUN_DIR]   render RUN_DIR/allure-results/ (default reports/latest) into one HTML file
#   ./run.sh package         the installable suite -> reports/packages/: single-file executable (linux-x64), dotnet tool
#   ./run.sh mutation        Stryker mutation score of the verifiers (mutation/stryker-config.json) -> reports/mutation/
#   ./run.sh build           build only; every command takes --help
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
ROOT=$(pwd)
CONFIG=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MIMI_REPO_ROOT="$ROOT"

die_prereq() { echo "run.sh: missing prerequisite: $1" >&2; exit 2; }

apt_install() {
  # Idempotent and quiet; only Debian's registry is used.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    die_prereq "install the Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})"
  fi
  if ! { apt-get update -qq >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; then
    die_prereq "apt-get could not install ${missing[*]}; install them and re-run"
  fi
}

prereqs() {
  command -v dotnet >/dev/null || die_prereq "the .NET 10 SDK (dotnet) is not on PATH"
  case "$(dotnet --version 2>/dev/null)" in 10.*) ;; *) die_prereq "the .NET 10 SDK is required (found $(dotnet --version 2>/dev/null || echo none))";; esac
  apt_install ca-certificates
}

build() {
  local stamp="$ROOT/reports/.build-stamp"
  mkdir -p "$ROOT/reports"
  # Rebuild when any source, project or props file is newer than the last good build.
  if [ -f "$stamp" ] && [ -z "$(find harness suite vectors Directory.*.props Directory.*.targets global.json -newer "$stamp" \( -name '*.cs' -o -name '*.css' -o -name '*.js' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' \) -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  echo "run.sh: building (restore + build; about a minute the first time)" >&2
  dotnet restore Mimi.Conformance.sln -v q >/dev/null || { echo "run.sh: dotnet restore failed" >&2; exit 2; }
  if ! dotnet build Mimi.Conformance.sln -c "$CONFIG" --no-restore -v q -nologo >"$ROOT/reports/.build.log" 2>&1; then
    grep -E 'error|warning' "$ROOT/reports/.build.log" | sort -u | head -40 >&2
    echo "run.sh: build failed (full log: reports/.build.log)" >&2
    exit 2
  fi
  touch "$stamp"
}

ALLURE_VERSION=3.18.0
allure_bin() {
  # npm allure into a local, git-ignored node_modules (reports/.tools/allure); idempotent and quiet.
  local dir="$ROOT/reports/.tools/allure"
  if ! grep -q "\"version\": \"$ALLURE_VERSION\"" "$dir/node_modules/allure/package.json" 2>/dev/null; then
    command -v npm >/dev/null || die_prereq "node and npm are needed for the Allure report (apt-get install -y nodejs npm)"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "allure@$ALLURE_VERSION" >"$dir/npm.log" 2>&1 \
      || die_prereq "npm could not install allure@$ALLURE_VERSION (see $dir/npm.log)"
  fi
  echo "$dir/node_modules/.bin/allure"
}

report_allure() {
  local run; run=$(readlink -f "${1:-$ROOT/reports/latest}" || true)
  if [ -z "$run" ] || [ ! -d "$run/allure-results" ]; then
    echo "run.sh: ${1:-reports/latest} has no allure-results/ (certify first: ./run.sh)" >&2; exit 2
  fi
  local allure; allure=$(allure_bin)
  rm -rf "$run/allure-report"
  if ! "$allure" generate "$run/allure-results" --config "$ROOT/harness/Mimi.Conformance.Cli/allure/allurerc.mjs" \
       --output "$run/allure-report" >"$run/allure-generate.log" 2>&1 || [ ! -f "$run/allure-report/index.html" ]; then
    tail -n 20 "$run/allure-generate.log" >&2; echo "run.sh: allure generate failed (log: $run/allure-generate.log)" >&2; exit 2
  fi
  echo "allure report: $run/allure-report/index.html"
}

STRYKER_VERSION=5.1.0
stryker_bin() {
  # dotnet-stryker from the NuGet registry into reports/.tools/stryker; idempotent and quiet.
  local dir="$ROOT/reports/.tools/stryker"
  if ! "$dir/dotnet-stryker" --version 2>/dev/null | grep -q "$STRYKER_VERSION"; then
    rm -rf "$dir"; mkdir -p "$ROOT/reports/.tools"
    dotnet tool install dotnet-stryker --version "$STRYKER_VERSION" --tool-path "$dir" >"$ROOT/reports/.tools/stryker-install.log" 2>&1 \
      || die_prereq "dotnet could not install dotnet-stryker $STRYKER_VERSION (see reports/.tools/stryker-install.log)"
  fi
  echo "$dir/dotnet-stryker"
}

run_mutation() {
  # Stryker rebuilds and swaps assemblies under bin/, so it works on a private copy of the tree: a build or test
  # running meanwhile in the checkout is never disturbed.
  local out="$ROOT/reports/mutation" stryker; stryker=$(stryker_bin)
  local work="$out/tree"
  rm -rf "$out"; mkdir -p "$work"
  tar --exclude=./.git --exclude=./reports --exclude='*/bin' --exclude='*/obj' --exclude=node_modules -cf - . | tar -xf - -C "$work"
  echo "== mutation testing (dotnet-stryker $STRYKER_VERSION, config mutation/stryker-config.json; log reports/mutation/stryker.log)"
  local started=$SECONDS
  if ! (cd "$work/harness/Mimi.Conformance.Protocol" && MIMI_REPO_ROOT="$work" "$stryker" --config-file "$work/mutation/stryker-config.json" \
        --output "$out/run" >"$out/stryker.log" 2>&1); then
    tail -n 20 "$out/stryker.log" >&2; echo "run.sh: stryker failed (log: reports/mutation/stryker.log)" >&2; exit 2
  fi
  rm -rf "$work"
  node "$ROOT/mutation/score.mjs" "$out/run/reports/mutation-report.json" "$out/score.json" "$((SECONDS - started))"
}

package() {
  # The installable suite (harness/Mimi.Conformance.Package, README "Install without the repository"). The tool reuses
  # the solution's build; the single file is its one self-contained publish. Idempotent: both are overwritten.
  local out="$ROOT/reports/packages" stage="$ROOT/reports/.package" log="$ROOT/reports/.package.log"
  local project="$ROOT/harness/Mimi.Conformance.Package"
  mkdir -p "$out"; rm -f "$out"/mimi-conformance.*.nupkg
  # -nr:false: no MSBuild node outlives the packaging (it runs beside the tests in ./run.sh test).
  if ! { dotnet pack "$project" -c "$CONFIG" -o "$out" -v q -nologo -nr:false \
         && dotnet publish "$project" -c "$CONFIG" -p:SingleFile=true -o "$stage" -v q -nologo -nr:false; } >"$log" 2>&1; then
    grep -E 'error' "$log" | sort -u | head -20 >&2; echo "run.sh: packaging failed (full log: reports/.package.log)" >&2; return 2
  fi
  cp "$stage/Mimi.Conformance.Package" "$out/mimi-conformance"
}

cli() { dotnet "$ROOT/harness/Mimi.Conformance.Cli/bin/$CONFIG/net10.0/mimi-conformance.dll" "$@"; }

run_tests() {
  local results="$ROOT/reports/test-results"
  rm -rf "$results"; mkdir -p "$results"
  local passed=0 failed=0
  count_xml() {  # adds an xunit XML's passed to the totals, and its failed and errors (e.g. a cleanup failure) to the failures
    local p f e
    p=$(grep -o '<assembly [^>]*' "$1" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    f=$(grep -o '<assembly [^>]*' "$1" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    e=$(grep -o '<assembly [^>]*' "$1" | grep -o ' errors="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    passed=$((passed + p)); failed=$((failed + f + e))
  }
  # The five parts share no files and each waits on sockets and child processes part of the time, so they run at
  # once: the machine's cores stay busy (the CI budget is 6 minutes on 2 cores). Their logs are printed in order after.
  echo "== project tests, certification, self-test, sender self-test and packages, at once (logs in reports/test-results/)"
  local started=$SECONDS
  step() {  # step NAME COMMAND...: runs the command, records its exit code and its wall and CPU seconds (children included)
    local name=$1; shift
    local TIMEFORMAT="%0R s wall, %0U+%0S s CPU"
    { time { if "$@" >"$results/$name.txt" 2>&1; then echo 0 >"$results/$name.rc"; else echo 1 >"$results/$name.rc"; fi; } ; } 2>"$results/$name.time"
  }
  harness_tests() { dotnet "$ROOT/harness/Mimi.Conformance.Harness.Tests/bin/$CONFIG/net10.0/Mimi.Conformance.Harness.Tests.dll" -noLogo -noColor -parallel collections -xml "$results/harness-tests.xml"; }
  certify_and_allure() { step certification cli run --out "$ROOT/reports" && [ "$(cat "$results/certification.rc")" = 0 ] && step allure report_allure "$ROOT/reports/latest"; }
  # Packaging builds the CLI and the suite again (their outputs are what the other parts execute), so it runs first.
  package_built=0; package >"$results/package-build.txt" 2>&1 || package_built=$?
  step harness-tests harness_tests &
  local jobs=($!)
  certify_and_allure & jobs+=($!)
  step self-test cli self-test --out "$results/self-test-runs" & jobs+=($!)
  step sender-self-test cli sender --self-test & jobs+=($!)
  packages_installed() { [ "$package_built" = 0 ] && "$ROOT/harness/Mimi.Conformance.Package/install-test.sh" "$ROOT/reports/packages"; }
  step packages packages_installed & jobs+=($!)
  wait "${jobs[@]}" || true
  echo "   all parts done in $((SECONDS - started)) s ($(for t in "$results"/*.time; do printf '%s %s; ' "$(basename "$t" .time)" "$(cat "$t")"; done))"
  ok() { [ "$(cat "$results/$1.rc" 2>/dev/null)" = 0 ]; }

  echo "== project tests (harness, protocol, reference DP, reports)"
  if [ -f "$results/harness-tests.xml" ]; then count_xml "$results/harness-tests.xml"; else failed=$((failed + 1)); fi
  grep -E '\[FAIL\]|Total:' "$results/harness-tests.txt" | sed 's/^/   /' | head -30 || true

  echo "== certification of the reference DP (./run.sh run)"
  if ok certification; then
    passed=$((passed + 1)); tail -n 2 "$results/certification.txt" | sed 's/^/   /'
  else
    failed=$((failed + 1)); tail -n 40 "$results/certification.txt" | sed 's/^/   /'
  fi

  echo "== self-test (every fault mode caught, clean DP passes)"
  if ok self-test; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  sed 's/^/   /' "$results/self-test.txt" | tail -n 30

  echo "== sender self-test (the self adapter certifies, every sender fault fails exactly its rules)"
  if ok sender-self-test; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  grep -v '^ok ' "$results/sender-self-test.txt" | sed 's/^/   /' | tail -n 25

  echo "== allure report (./run.sh report allure on the certification run)"
  if ok allure; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  sed 's/^/   /' "$results/allure.txt" 2>/dev/null | tail -n 5 || echo "   not run: the certification failed"

  echo "== packages (./run.sh package; each installed outside the repository certifies the reference DP)"
  local installed broken
  installed=$(grep -c '^ok ' "$results/packages.txt" || true); broken=$(grep -c '^FAIL ' "$results/packages.txt" || true)
  # A packaging error before any install counts once.
  if ! ok packages && [ "$broken" -eq 0 ]; then broken=1; fi
  passed=$((passed + installed)); failed=$((failed + broken))
  sed 's/^/   /' "$results/package-build.txt" "$results/packages.txt" | tail -n 20

  echo "$passed passed, $failed failed" | tee "$results/summary.txt"
  [ "$failed" -eq 0 ]
}

cmd="${1:-run}"
[ $# -gt 0 ] && shift
case "$cmd" in
  -h|--help|help)
    sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0;;
  test)
    prereqs; apt_install chromium wrk curl; build; run_tests;;
  report)
    case "${1:-}" in
      allure) shift; report_allure "$@";;
      *) echo "run.sh: usage: ./run.sh report allure [RUN_DIR]" >&2; exit 2;;
    esac;;
  build)
    prereqs; build;;
  package)
    prereqs; build; package || exit 2; ls -l "$ROOT/reports/packages" | tail -n +2 | awk '{print "reports/packages/" $NF " (" $5 " bytes)"}';;
  mutation)
    prereqs; command -v node >/dev/null || die_prereq "node is needed to summarise the mutation report (apt-get install -y nodejs)"; run_mutation;;
  bench)
    # wrk (Debian) drives the HTTP figures; openssl speed is the second crypto baseline.
    prereqs; apt_install wrk openssl; build; dotnet "$ROOT/harness/Mimi.Conformance.Bench/bin/$CONFIG/net10.0/mimi-conformance-bench.dll" "$@";;
  *)
    prereqs; build; cli "$cmd" "$@";;
esac
