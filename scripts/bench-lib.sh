# shellcheck shell=bash
# Shared by scripts/bench-mass-reset and scripts/bench-ssh: build what the benchmark needs, then run one of the
# Java programs under src/test/java/io/rotor/bench with the main and test classes and target/lib on the class path.
# Secrets never go on a command line: the programs read the 0600 files of scripts/targets.sh themselves.
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_build() {
  if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    echo "building (mvn -q -B -DskipTests package; BENCH_SKIP_BUILD=1 skips this)" >&2
    (cd "$BENCH_ROOT" && mvn -q -B -DskipTests package)
  fi
  [[ -f $BENCH_ROOT/target/rotor.jar && -d $BENCH_ROOT/target/test-classes/io/rotor/bench ]] ||
    { echo "bench: target/rotor.jar or the bench classes are missing; build failed?" >&2; exit 1; }
}

bench_run() {
  local main=$1; shift
  local home=${ROTOR_IT_HOME:-/tmp/rotor-it}
  [[ -f $home/targets.env ]] || { echo "bench: $home/targets.env is missing: run scripts/targets.sh start" >&2; exit 1; }
  cd "$BENCH_ROOT"
  exec java ${BENCH_JAVA_OPTS:-} -Drotor.repo="$BENCH_ROOT" \
    -cp "target/test-classes:target/classes:target/lib/*" "$main" "$@"
}
