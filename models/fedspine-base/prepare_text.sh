#!/usr/bin/env bash
# Makes the pretraining text of the bundled base model: Jane Austen's six novels with their hard line wraps joined
# into one line per paragraph, plus the pretraining portion of the spam e-mails. Usage: prepare_text.sh AUSTEN_DIR OUT_DIR
set -euo pipefail
austen=${1:?"usage: prepare_text.sh AUSTEN_DIR OUT_DIR"}
out=${2:?"usage: prepare_text.sh AUSTEN_DIR OUT_DIR"}
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
for f in "$austen"/*.txt; do
  # blank-line separated paragraphs; single newlines inside a paragraph become spaces; CRLF tolerated
  awk 'BEGIN { RS = ""; ORS = "\n\n" } { gsub(/\r/, ""); gsub(/\n[ \t]*/, " "); print }' "$f" > "$out/austen_$(basename "$f")"
done
cp "$here/data/spam/pretrain.txt" "$out/spam_pretrain.txt"
echo "wrote $(ls "$out" | wc -l) files, $(cat "$out"/*.txt | wc -c) bytes to $out" >&2
