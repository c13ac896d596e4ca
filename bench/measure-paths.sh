#!/usr/bin/env bash
# Measures every instruction-set path (FMA peak, GEMM 2048, bench-30m LoRA/full/generate) and smollm2-135m on the default
# and avx2 paths, beside the PyTorch peer, back to back. Run on a quiet machine: bash bench/measure-paths.sh > LOG
set -u
cd "$(dirname "$0")/.."
dotnet build src/FedSpine.Cli -c Release -v q -nologo >/dev/null
F=src/FedSpine.Cli/bin/Release/net10.0/fedspine
peer=../shared/bench/torch_peer.py
echo "== cpu: $(grep -o -m1 avx512f /proc/cpuinfo) $(grep -m1 'model name' /proc/cpuinfo)"
for isa in default avx2 vector128 scalar; do
  case $isa in
    default) envs="";;
    avx2) envs="DOTNET_EnableAVX512=0";;
    vector128) envs="DOTNET_PreferredVectorBitWidth=128";;
    scalar) envs="FEDSPINE_ISA=scalar";;
  esac
  echo "== path $isa ($envs)"
  env $envs $F bench --peak 2>/dev/null
  env $envs $F bench --gemm 2048 2>/dev/null
  steps=5; [ $isa = scalar ] && steps=2
  for m in lora full generate; do env $envs $F bench --preset bench-30m --mode $m --steps $steps 2>/dev/null; done
done
echo "== peer bench-30m"
for m in lora full generate; do /usr/bin/python3 $peer --preset bench-30m --mode $m --steps 5; done
echo "== smollm2-135m ours then peer"
for m in lora full generate; do $F bench --preset smollm2-135m --mode $m --steps 5 2>/dev/null; /usr/bin/python3 $peer --preset smollm2-135m --mode $m --steps 5; done
for m in lora full generate; do DOTNET_EnableAVX512=0 $F bench --preset smollm2-135m --mode $m --steps 5 2>/dev/null; done
echo "== done $(date)"
