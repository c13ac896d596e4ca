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

for (const file of fs.readdirSync(folder).filter((f) => /\.tokenizer\.json(\.gz)?$/.test(f)).sort()) {
  const name = file.replace(/\.tokenizer\.json(\.gz)?$/, "");
  const json = readJson(path.join(folder, file));
  const configFile = path.join(folder, `${name}.tokenizer_config.json`);
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
  const cases = testStrings(picked).map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
    const kept = ids.filter((id) => id !== bos && id !== eos);
    const decoded = kept.length === 0 ? "" : tokenizer.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    return { text, ids, decoded };
  });
  const out = { source: file, reference: "@huggingface/tokenizers 0.2.0", bos, eos, cases };
  fs.writeFileSync(path.join(folder, `${name}.golden.json`), JSON.stringify(out) + "\n");
  console.log(`${name}: ${cases.length} strings, bos ${bos}, eos ${eos}, specials ${JSON.stringify(picked)}`);
}
