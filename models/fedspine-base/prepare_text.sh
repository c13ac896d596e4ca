#!/usr/bin/env bash
# Makes the pretraining text of the bundled base model: OUT_DIR/train (Austen's six novels, one line per paragraph,
# plus the spam pretraining portion) and OUT_DIR/val (Persuasion chapters 22-24, never trained on). Usage: prepare_text.sh AUSTEN_DIR OUT_DIR
set -euo pipefail
austen=${1:?"usage: prepare_text.sh AUSTEN_DIR OUT_DIR"}
out=${2:?"usage: prepare_text.sh AUSTEN_DIR OUT_DIR"}
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out/train" "$out/val"
# blank-line separated paragraphs; single newlines inside a paragraph become spaces; CRLF tolerated
unwrap() { awk 'BEGIN { RS = ""; ORS = "\n\n" } { gsub(/\r/, ""); gsub(/\n[ \t]*/, " "); print }'; }
for f in "$austen"/*.txt; do
  name=$(basename "$f")
  if [ "$name" = persuasion.txt ]; then
    split=$(grep -n -m1 '^Chapter 22' "$f" | cut -d: -f1)
    head -n $((split - 1)) "$f" | unwrap > "$out/train/austen_$name"
    tail -n +"$split" "$f" | unwrap > "$out/val/persuasion_ch22-24.txt"
  elif [ "$name" != README.md ]; then
    unwrap < "$f" > "$out/train/austen_$name"
  fi
done
cp "$here/data/spam/pretrain.txt" "$out/train/spam_pretrain.txt"
echo "wrote $(ls "$out/train" | wc -l) training files ($(cat "$out"/train/* | wc -c) bytes) and" \
     "$(cat "$out"/val/* | wc -c) validation bytes to $out" >&2
