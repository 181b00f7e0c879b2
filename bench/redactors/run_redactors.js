#!/usr/bin/env node
// Runs npm PII redactors over a labelled post corpus, the way
// bench_compliance and `clearpostctl check` run Clearpost's engine:
//
//   node run_redactors.js CORPUS_DIR OUT_DIR [--mb 10] [--max-seconds 60]
//
// For each engine it writes OUT_DIR/<engine>.jsonl in the JSONL result format
// of `clearpostctl check` (one line per post: id, verdict, findings with
// UTF-8 byte offsets), so the same evaluator scores every engine, and prints
// one JSON line with its throughput over the corpus replicated to --mb MB
// (or as much of it as fits in --max-seconds). A benchmark, not a test.
//
// A redactor has no severities: every detected span becomes a blocking
// finding, and a post with any finding is blocked.

'use strict';

const fs = require('fs');
const path = require('path');

const { OpenRedaction } = require('@openredaction/openredaction');
const { SyncRedactor } = require('redact-pii');

function usage() {
  console.error('usage: node run_redactors.js CORPUS_DIR OUT_DIR [--mb 10] [--max-seconds 60]');
  process.exit(2);
}

const args = process.argv.slice(2);
const positional = [];
const options = { mb: 10, maxSeconds: 60 };
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--mb') options.mb = Number(args[++i]);
  else if (args[i] === '--max-seconds') options.maxSeconds = Number(args[++i]);
  else positional.push(args[i]);
}
if (positional.length !== 2 || !(options.mb > 0) || !(options.maxSeconds > 0)) usage();
const [corpusDir, outDir] = positional;

const posts = fs
  .readFileSync(path.join(corpusDir, 'posts.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
fs.mkdirSync(outDir, { recursive: true });

// Corpus kinds for each engine's entity types (best effort: the redactors
// know general PII, not Safe Harbor's eighteen identifiers).
function kindOfOpenRedaction(type) {
  const t = type.toUpperCase();
  if (t === 'NAME' || t.includes('PERSON')) return 'name';
  if (t.includes('EMAIL')) return 'email';
  if (t.includes('PHONE') || t.includes('FAX')) return 'phone';
  if (t.includes('SSN') || t.includes('SOCIAL_SECURITY')) return 'ssn';
  if (t.includes('ZIP') || t.includes('POSTCODE') || t.includes('POSTAL')) return 'geo';
  if (t.includes('ADDRESS')) return 'address';
  if (t.includes('DATE') || t.includes('DOB') || t.includes('BIRTH')) return 'date';
  if (t.startsWith('IP')) return 'ip';
  if (t.includes('URL')) return 'url';
  if (t.includes('MEDICAL_RECORD') || t === 'MRN' || t.includes('PATIENT')) return 'mrn';
  if (t.includes('INSURANCE') || t.includes('MEDICARE') || t.includes('MEDICAID') || t.includes('HEALTH_PLAN')) return 'health_plan';
  if (t.includes('PLATE') || t.includes('VIN') || t.includes('VEHICLE')) return 'vehicle';
  if (t.includes('LICENSE') || t.includes('LICENCE')) return 'license';
  if (t.includes('DEVICE') || t.includes('SERIAL') || t.includes('IMEI')) return 'device';
  if (t.includes('ACCOUNT') || t.includes('CARD') || t.includes('IBAN') || t.includes('CLAIM')) return 'account';
  return 'other_id';
}

// redact-pii's placeholders (the snake-cased names of its built-ins).
const REDACT_PII_KINDS = {
  PERSON_NAME: 'name',
  EMAIL_ADDRESS: 'email',
  PHONE_NUMBER: 'phone',
  US_SOCIAL_SECURITY_NUMBER: 'ssn',
  STREET_ADDRESS: 'address',
  ZIPCODE: 'geo',
  URL: 'url',
  IP_ADDRESS: 'ip',
  CREDIT_CARD_NUMBER: 'account',
  DIGITS: 'other_id',
  USERNAME: 'other_id',
  PASSWORD: 'other_id',
  CREDENTIALS: 'other_id',
};
const PLACEHOLDER = new RegExp(
  Object.keys(REDACT_PII_KINDS)
    .sort((a, b) => b.length - a.length)
    .join('|'),
  'g'
);

// UTF-16 index in `text` -> UTF-8 byte offset.
function byteOffsets(text) {
  const offsets = new Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; ++i) {
    offsets[i] = bytes;
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) bytes += 2; // half of a 4-byte sequence
    else if (c >= 0xdc00 && c <= 0xdfff) bytes += 2;
    else bytes += 3;
  }
  offsets[text.length] = bytes;
  return offsets;
}

// redact-pii returns only the redacted text. Its placeholders replaced
// contiguous stretches of the original, so walking both texts recovers the
// spans: literal runs must match, and a placeholder covers the original up
// to where the next literal run starts.
function redactPiiSpans(original, redacted) {
  const pieces = [];
  let last = 0;
  for (const m of redacted.matchAll(PLACEHOLDER)) {
    if (m.index > last) pieces.push({ literal: redacted.slice(last, m.index) });
    pieces.push({ placeholder: m[0] });
    last = m.index + m[0].length;
  }
  if (last < redacted.length) pieces.push({ literal: redacted.slice(last) });
  const spans = [];
  let pos = 0;
  for (let k = 0; k < pieces.length; ++k) {
    const piece = pieces[k];
    if (piece.literal !== undefined) {
      if (original.startsWith(piece.literal, pos)) pos += piece.literal.length;
      else {
        const at = original.indexOf(piece.literal, pos);
        if (at >= 0) pos = at + piece.literal.length;
      }
      continue;
    }
    const next = pieces[k + 1];
    let end = original.length;
    if (next && next.literal !== undefined) {
      const at = original.indexOf(next.literal, pos + 1);
      if (at >= 0) end = at;
    } else if (next) {
      end = Math.min(original.length, pos + 1); // two placeholders in a row: at least one character
    }
    if (end > pos) spans.push({ start: pos, end, kind: REDACT_PII_KINDS[piece.placeholder] });
    pos = end;
  }
  return spans;
}

const engines = [
  {
    name: 'openredaction',
    make: () => new OpenRedaction(),
    run: (engine, text) => engine.detect(text),
    spans: (text, result) =>
      result.detections.map((d) => ({ start: d.position[0], end: d.position[1], kind: kindOfOpenRedaction(d.type) })),
  },
  {
    name: 'openredaction-hipaa',
    make: () => new OpenRedaction({ preset: 'hipaa' }),
    run: (engine, text) => engine.detect(text),
    spans: (text, result) =>
      result.detections.map((d) => ({ start: d.position[0], end: d.position[1], kind: kindOfOpenRedaction(d.type) })),
  },
  {
    name: 'redact-pii',
    make: () => new SyncRedactor(),
    run: (engine, text) => engine.redact(text),
    spans: (text, result) => redactPiiSpans(text, result),
  },
];

for (const spec of engines) {
  const engine = spec.make();
  // Detections, scored by the evaluator.
  const lines = [];
  for (const post of posts) {
    const result = spec.run(engine, post.text);
    const offsets = byteOffsets(post.text);
    const findings = spec
      .spans(post.text, result)
      .filter((s) => s.start >= 0 && s.end <= post.text.length && s.end > s.start)
      .map((s) => ({
        rule: `${spec.name}.${s.kind}`,
        kind: s.kind,
        severity: 'block',
        start: offsets[s.start],
        end: offsets[s.end],
        message: `${spec.name} detected ${s.kind}`,
      }));
    lines.push(JSON.stringify({ id: post.id, verdict: findings.length ? 'block' : 'pass', findings }));
  }
  fs.writeFileSync(path.join(outDir, `${spec.name}.jsonl`), lines.join('\n') + '\n');

  // Throughput: the corpus replicated to options.mb MB, post by post, on
  // one thread; stops early after options.maxSeconds.
  const target = options.mb * 1024 * 1024;
  let bytes = 0;
  let checked = 0;
  let sink = 0;
  const started = process.hrtime.bigint();
  let seconds = 0;
  outer: while (bytes < target) {
    for (const post of posts) {
      const result = spec.run(engine, post.text);
      sink += typeof result === 'string' ? result.length : result.detections.length;
      bytes += Buffer.byteLength(post.text, 'utf8');
      ++checked;
      if ((checked & 63) === 0) {
        seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (seconds > options.maxSeconds) break outer;
      }
      if (bytes >= target) break;
    }
  }
  seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mb = bytes / 1048576;
  console.log(
    JSON.stringify({
      engine: spec.name,
      mb: Number(mb.toFixed(2)),
      seconds: Number(seconds.toFixed(2)),
      mb_per_s: Number((mb / seconds).toFixed(3)),
      posts: checked,
      sink,
    })
  );
}
