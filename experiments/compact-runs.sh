#!/bin/bash
# Compacts the complete runs of an experiment folder so it can be kept in git: removes checkpoints, gzips per-method
# metrics (fedspine reads metrics.jsonl.gz in their place), drops the run-level metrics copy. Usage: compact-runs.sh DIR
set -euo pipefail
dir=${1:?usage: compact-runs.sh EXPERIMENT_FOLDER}
[ -f "$dir/experiment.json" ] || { echo "error: $dir is not an experiment folder (no experiment.json)" >&2; exit 1; }
count=0
for summary in "$dir"/runs/*/seed-*/summary.json; do
  [ -e "$summary" ] || continue
  run=$(dirname "$summary")
  rm -f "$run"/methods/*/checkpoint*.safetensors "$run/metrics.jsonl"
  for m in "$run"/methods/*/metrics.jsonl; do
    [ -e "$m" ] && gzip -n -9 -f "$m"
  done
  count=$((count + 1))
done
echo "compacted $count complete runs under $dir"
