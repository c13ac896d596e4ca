#!/usr/bin/env bash
# Runs fedspine bench and the PyTorch peer on the same presets and modes, back to back, and prints both JSON lines
# and the tokens/s ratio for each (peak memory is in both lines). Usage: bash bench/compare.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-5}
peer=../shared/bench/torch_peer.py
dotnet build src/FedSpine.Cli -c Release -v q -nologo >/dev/null
fedspine() { dotnet run --project src/FedSpine.Cli -c Release --no-build -- "$@"; }
rate() { sed -E 's/.*"tokens_per_s": ?([0-9.eE+-]+).*/\1/'; }
for run in "bench-30m lora" "bench-30m full" "bench-30m generate" "stories260k lora" "stories260k generate" \
           "smollm2-135m lora" "smollm2-135m full" "smollm2-135m generate"; do
  set -- $run
  ours=$(fedspine bench --preset "$1" --mode "$2" --steps "$steps" 2>/dev/null)
  echo "$ours"
  if [ -f "$peer" ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then
    theirs=$(/usr/bin/python3 "$peer" --preset "$1" --mode "$2" --steps "$steps")
    echo "$theirs"
    awk -v a="$(echo "$ours" | rate)" -v b="$(echo "$theirs" | rate)" -v p="$1" -v m="$2" \
      'BEGIN { printf "ratio %s %s: %.2fx PyTorch tokens/s\n", p, m, a / b }'
  fi
done
fedspine bench --gemm 2048 2>/dev/null
