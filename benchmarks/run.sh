#!/usr/bin/env bash
# Runs Flotilla's benchmarks and prints their figures. They are harnesses with a main(),
# kept in the manager's test sources beside the fixtures they use; not unit tests.
#   benchmarks/run.sh verify   image-list verification: a signed list of 10,000 images
#   benchmarks/run.sh plan     one planning pass over 100,000 machines in 200 spaces
#   benchmarks/run.sh          both
# Extra arguments go to the harness (verify: IMAGES ITERATIONS; plan: PASSES).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
which=${1:-all}
shift || true

classpath_file=$(mktemp)
trap 'rm -f "$classpath_file"' EXIT
echo "benchmarks: compiling (mvn test-compile)..." >&2
mvn -q -B -DskipTests -pl manager -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" >&2
cp="manager/target/test-classes:manager/target/classes:$(cat "$classpath_file")"

run() {
  java -Xmx1g -cp "$cp" "$@"
}
case $which in
  verify) run io.flotilla.trust.VerifyBenchmark "$@" ;;
  plan) run io.flotilla.control.PlanBenchmark "$@" ;;
  all)
    run io.flotilla.trust.VerifyBenchmark
    run io.flotilla.control.PlanBenchmark ;;
  *) echo "usage: $0 [verify|plan|all] [ARGS...]" >&2; exit 2 ;;
esac
