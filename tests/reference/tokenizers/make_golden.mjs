// Writes <name>.golden.json beside each <name>.tokenizer.json(.gz) under a folder: for every test string, the ids
// @huggingface/tokenizers gives without added special tokens, and the text it decodes them to (BOS/EOS ids left out).
// Usage: npm ci && node make_golden.mjs ../../fixtures/tokenizers
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { Tokenizer } from "@huggingface/tokenizers";
import { testStrings } from "./strings.mjs";

const folder = process.argv[2] ?? "../../fixtures/tokenizers";
const readJson = (file) => JSON.parse((file.endsWith(".gz") ? zlib.gunzipSync(fs.readFileSync(file)) : fs.readFileSync(file)).toString("utf8"));
const tokenText = (t) => (t == null ? null : typeof t === "string" ? t : t.content ?? null);

// Variants: a file's tokenizer.json with its pre_tokenizer replaced (SmolLM2's layout: Digits, then ByteLevel with GPT-2's
// regex), so that layout is checked on a real vocabulary. RealTokenizerFiles applies the same replacement.
const variants = {
  "qwen3-digits-gpt2": {
    base: "qwen3",
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true }] },
  },
};

const files = fs.readdirSync(folder).filter((f) => /\.tokenizer\.json(\.gz)?$/.test(f)).sort();
for (const entry of [...files.map((file) => ({ file })), ...Object.entries(variants).map(([name, v]) => ({ name, variant: v }))]) {
  const file = entry.file ?? files.find((f) => f.startsWith(`${entry.variant.base}.tokenizer.json`));
  const name = entry.name ?? file.replace(/\.tokenizer\.json(\.gz)?$/, "");
  const json = readJson(path.join(folder, file));
  if (entry.variant) {
    json.pre_tokenizer = entry.variant.pre_tokenizer;
  }
  const configFile = path.join(folder, `${file.replace(/\.tokenizer\.json(\.gz)?$/, "")}.tokenizer_config.json`);
  const config = fs.existsSync(configFile) ? readJson(configFile) : {};
  const tokenizer = new Tokenizer(json, config);
  const idOf = (t) => (t == null ? undefined : tokenizer.token_to_id(t));
  const addedId = (t) => json.added_tokens.find((a) => a.content === t)?.id;
  // The same rule as HfTokenizer: the config's tokens, else added tokens of the usual names, else ids 1 and 2.
  const bos = idOf(tokenText(config.bos_token)) ?? addedId("<s>") ?? addedId("<|begin_of_text|>") ?? addedId("<|endoftext|>") ?? 1;
  const eos = idOf(tokenText(config.eos_token)) ?? addedId("</s>") ?? addedId("<|end_of_text|>") ?? addedId("<|endoftext|>") ?? 2;
  const specials = json.added_tokens.filter((a) => a.special).map((a) => a.content);
  const picked = [...new Set([specials[0], specials[1], specials[specials.length - 1], ...json.added_tokens.filter((a) => !a.special).slice(0, 1).map((a) => a.content)])]
    .filter((s) => s !== undefined);
  // Rust tokenizers' Digits splits on char::is_numeric (any \p{N}); this JS port's Digits only on ASCII \d, so strings
  // with other numerals (½, ², 𝟘) would carry the port's deviation, not HF's behaviour: they are left out of such variants.
  const hasDigits = JSON.stringify(json.pre_tokenizer ?? null).includes('"Digits"');
  const strings = testStrings(picked).filter((text) => !hasDigits || !/[^\P{N}0-9]/u.test(text));
  const cases = strings.map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
    const kept = ids.filter((id) => id !== bos && id !== eos);
    const decoded = kept.length === 0 ? "" : tokenizer.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    return { text, ids, decoded };
  });
  const out = { source: file, pre_tokenizer: entry.variant?.pre_tokenizer, reference: "@huggingface/tokenizers 0.2.0", bos, eos, cases };
  fs.writeFileSync(path.join(folder, `${name}.golden.json`), JSON.stringify(out) + "\n");
  console.log(`${name}: ${cases.length} strings, bos ${bos}, eos ${eos}, specials ${JSON.stringify(picked)}`);
}
