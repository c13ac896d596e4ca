#!/usr/bin/env bash
# Makes the pretraining text of fedspine-instruct-base: fedspine-base's text (Austen's novels + the spam pretraining portion,
# Persuasion ch. 22-24 held out as OUT_DIR/val) plus Dolly's TRAINING split in the prompt template (`fedspine instruct-split`:
# the instruct task's own seeded split, so no test record is pretrained on). Usage: prepare_text.sh AUSTEN_DIR DOLLY_JSONL OUT_DIR
set -euo pipefail
usage="usage: prepare_text.sh AUSTEN_DIR DOLLY_JSONL OUT_DIR"
austen=${1:?$usage}
dolly=${2:?$usage}
out=${3:?$usage}
here=$(cd "$(dirname "$0")/../.." && pwd)
# FEDSPINE: how to run the fedspine command (default: build and run this checkout's CLI in Release)
fedspine=${FEDSPINE:-"dotnet run --project $here/src/FedSpine.Cli -c Release --"}
bash "$here/models/fedspine-base/prepare_text.sh" "$austen" "$out"
# train.jsonl / test.jsonl / train.txt / split.json of the fixed split; only train.txt joins the pretraining text
$fedspine instruct-split --data "$dolly" --out "$out/dolly-split" >&2
cp "$out/dolly-split/train.txt" "$out/train/dolly_train.txt"
echo "pretraining text: $(ls "$out/train" | wc -l) files ($(cat "$out"/train/* | wc -c) bytes) in $out/train;" \
     "validation $(cat "$out"/val/* | wc -c) bytes in $out/val" >&2
