// Baseline for the bundled spam task: multinomial naive Bayes on lower-cased word counts (Laplace smoothing, equal
// weight per token, class priors from the training set), trained on train.jsonl and scored on test.jsonl. It tells how
// hard the task is; no dependencies. Usage: `node baseline.mjs` in this folder.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const read = name => readFileSync(join(HERE, name), 'utf8').split('\n').filter(l => l.length > 0).map(l => JSON.parse(l));
const tokens = text => text.toLowerCase().match(/[\p{L}\p{N}$!'_-]+/gu) ?? [];

function train(rows) {
  const labels = [...new Set(rows.map(r => r.label))].sort();
  const docs = Object.fromEntries(labels.map(l => [l, 0]));
  const counts = Object.fromEntries(labels.map(l => [l, new Map()]));
  const totals = Object.fromEntries(labels.map(l => [l, 0]));
  const vocab = new Set();
  for (const r of rows) {
    docs[r.label]++;
    for (const t of tokens(r.text)) {
      counts[r.label].set(t, (counts[r.label].get(t) ?? 0) + 1);
      totals[r.label]++;
      vocab.add(t);
    }
  }
  return { labels, docs, counts, totals, vocab, n: rows.length };
}

function predict(model, text) {
  let best = null;
  let bestScore = -Infinity;
  const toks = tokens(text).filter(t => model.vocab.has(t));
  for (const l of model.labels) {
    let score = Math.log(model.docs[l] / model.n);
    const denom = Math.log(model.totals[l] + model.vocab.size);
    for (const t of toks) {
      score += Math.log((model.counts[l].get(t) ?? 0) + 1) - denom;
    }
    if (score > bestScore) {
      bestScore = score;
      best = l;
    }
  }
  return best;
}

const trainRows = read('train.jsonl');
const testRows = read('test.jsonl');
const model = train(trainRows);
const confusion = {};
let correct = 0;
for (const r of testRows) {
  const p = predict(model, r.text);
  if (p === r.label) correct++;
  const key = `${r.label}->${p}`;
  confusion[key] = (confusion[key] ?? 0) + 1;
}
const majority = Math.max(...model.labels.map(l => testRows.filter(r => r.label === l).length)) / testRows.length;
console.log(`naive Bayes (words): test accuracy ${(100 * correct / testRows.length).toFixed(2)}% (${correct}/${testRows.length}); ` +
  `majority class ${(100 * majority).toFixed(2)}%; vocabulary ${model.vocab.size}; confusion ${JSON.stringify(confusion)}`);
const byGroup = {};
for (const r of testRows) {
  const g = (byGroup[r.group] ??= { n: 0, ok: 0 });
  g.n++;
  if (predict(model, r.text) === r.label) g.ok++;
}
console.log('per group: ' + Object.entries(byGroup).map(([g, v]) => `${g} ${(100 * v.ok / v.n).toFixed(1)}% of ${v.n}`).join(', '));
