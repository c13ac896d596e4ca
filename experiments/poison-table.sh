#!/bin/bash
# Issue 14 poisoning table: VADER, 20 devices (6 tx2, 10 nx, 4 agx), device 7 hostile, for each aggregator setting and
# attack one `fedspine simulate` run, then a summary (final accuracy against the clean run, rounds rolled back).
# Run from the repository root after a Release build:  bash experiments/poison-table.sh [ROUNDS] [JOBS...]
# JOBS are names like defaults--value-3e38 (default: all 24). Runs land in runs/poison/<job>/.
set -u
ROUNDS=${1:-6}; shift || true
FEDSPINE="dotnet src/FedSpine.Cli/bin/Release/net10.0/fedspine.dll"
OUT=runs/poison; mkdir -p $OUT/cfg
declare -A AGG=( [defaults]="" [today]=$'aggregator: scatter\nclip_multiple: 0\nweight_cap_multiple: 0\nmax_global_change: 0'
                 [median]="aggregator: median" [trimmed]="aggregator: trimmed-mean" )
all=()
for a in defaults today median trimmed; do
  for k in none scale:1000 sign-flip value:3e38 samples:2147483647 nan; do
    name="$a--${k//:/-}"; all+=("$name")
    {
      echo "model: models/fedspine-base"; echo "task: sentiment"; echo "data: ../shared/data/vader/movieReviewSnippets_GroundTruth.txt"
      echo 'devices: "6 tx2,10 nx,4 agx"'; echo "partition: dirichlet:0.5"; echo "sparsity: 0.5"
      echo "rounds: $ROUNDS"; echo "local_steps: 3"; echo "methods: [fedspine]"; echo "eval_examples: 300"; echo "eval_every: 5"
      echo "save_models: false"; echo "seed: 1"
      [ "$k" != none ] && { echo "attack: \"$k\""; echo "attack_devices: [7]"; }
      [ -n "${AGG[$a]}" ] && echo "${AGG[$a]}"
    } > $OUT/cfg/$name.yaml
  done
done
jobs=("$@"); [ ${#jobs[@]} -eq 0 ] && jobs=("${all[@]}")
for name in "${jobs[@]}"; do
  [ -f $OUT/$name/summary.json ] && continue
  $FEDSPINE simulate --config $OUT/cfg/$name.yaml --out $OUT/$name > $OUT/$name.log 2>&1 || echo "$name failed: see $OUT/$name.log"
done
# Summary (optional, Python 3 standard library): accuracy against the same aggregator's clean run, rolled-back rounds.
python3 - "$OUT" <<'PY'
import json, os, sys, glob
rows = {}
for d in sorted(glob.glob(os.path.join(sys.argv[1], '*--*'))):
    p = os.path.join(d, 'methods', 'fedspine', 'result.json')
    if os.path.isdir(d) and os.path.exists(p):
        r = json.load(open(p)); a, k = os.path.basename(d).split('--')
        rows[(a, k)] = (r['final_accuracy'], [c['round'] for c in r['curve'] if c.get('rolled_back')])
for (a, k), (acc, rb) in sorted(rows.items()):
    clean = rows.get((a, 'none'))
    diff = f"{100 * (acc - clean[0]):+.1f}" if clean else "?"
    print(f"| {a} | {k} | {100 * acc:.1f} % | {diff} | {', '.join(map(str, rb)) or 'none'} |")
PY
