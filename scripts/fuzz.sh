#!/usr/bin/env bash
# A long fuzz campaign over the generator (issue 10): seeded mutants of every [Model] class in the samples and test
# models, checked in-process (no escaped exception, no KLN0009, generated code compiles beside valid user code, no
# collision with the user's declarations). Failing mutants are written to the output folder for reproduction.
#
#   scripts/fuzz.sh [mutants=5000] [seed=1] [out=artifacts/fuzz]
#
# CI runs the same test with 300 mutants from a fixed seed (FuzzTests.Mutants_never_break_a_promise).
set -euo pipefail
cd "$(dirname "$0")/.."
export KILN_FUZZ_MUTANTS="${1:-5000}" KILN_FUZZ_SEED="${2:-1}" KILN_FUZZ_OUT="${3:-artifacts/fuzz}"
KILN_FUZZ_OUT="$(mkdir -p "$KILN_FUZZ_OUT" && cd "$KILN_FUZZ_OUT" && pwd)"
export KILN_FUZZ_OUT
dotnet test tests/Kiln.Tests --filter "FullyQualifiedName=Kiln.Tests.Generator.FuzzTests.Mutants_never_break_a_promise" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E 'mutants \(seed|mutant [0-9]+ of|Passed!|Failed!|crashed|aborted' || true
echo "failing mutants (if any): $KILN_FUZZ_OUT"
echo "if the test host crashed, the mutant that killed it is $KILN_FUZZ_OUT/current.cs"
