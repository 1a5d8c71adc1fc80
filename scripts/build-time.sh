#!/usr/bin/env bash
# Build time and generated size of the samples (issue 13): for each sample, an incremental build after a change to an
# unrelated file (the generator's cached stages should make this cheap), an incremental build after a change to the
# model, and the generated lines per line of model code.
#
#   scripts/build-time.sh [samples="Gan Diabetes Losses Autograd Optimizers LinearRegression"] (every sample with a [Model])
#
# Builds one sample at a time (2 cores); run it on a quiet machine and read the figures against each other.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
samples="${1:-Gan Diabetes Losses Autograd Optimizers LinearRegression}"
seconds() { local t0 t1; t0=$(date +%s.%N); dotnet build "$1" -c Debug -v q -nologo >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
printf '| sample | model lines | generated lines | ratio | rebuild, unrelated edit | rebuild, model edit |\n|---|---|---|---|---|---|\n'
for s in $samples; do
  dir="samples/$s"
  # what the generator writes now (a file it no longer generates would stay behind and be counted)
  rm -rf "$dir"/obj/Debug/*/generated
  dotnet build "$dir" -c Debug -v q -nologo -p:EmitCompilerGeneratedFiles=true --no-incremental >/dev/null
  model=$(grep -l '\[Model\]' "$dir"/*.cs)
  other=$(ls "$dir"/*.cs | grep -v -F "$model" | head -1)
  model_lines=$(cat $model | grep -cv '^\s*$\|^\s*//')
  generated=$(find "$dir/obj/Debug" -name '*.Kiln.g.cs' -print0 | xargs -0 cat | wc -l)
  # an edit is appended as a comment and taken back, so the tree ends as it started
  echo "// build-time probe" >> "$other"; unrelated=$(seconds "$dir"); sed -i '$ d' "$other"
  echo "// build-time probe" >> "$model"; edited=$(seconds "$dir"); sed -i '$ d' "$model"
  dotnet build "$dir" -c Debug -v q -nologo >/dev/null
  ratio=$(awk -v g="$generated" -v m="$model_lines" 'BEGIN { printf "%.1f", g / m }')
  printf '| %s | %s | %s | %s | %.1f s | %.1f s |\n' "$s" "$model_lines" "$generated" "$ratio" "$unrelated" "$edited"
done
