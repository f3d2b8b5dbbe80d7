#!/usr/bin/env node
// A MIMI sender behind the adapter protocol of vectors/SENDER-ADAPTER.md, written from vectors/PROFILE.md alone:
// its own deterministic-CBOR decoder, COSE_Sign/COSE_Sign1 and the §5 verifier, node:crypto Ed25519, the §4.4
// tie-break and disclosure check, and a lookup client. No npm packages. Diagnostics go to stderr, never stdout.
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';

const PROTOCOL = 'mimi-sender-adapter/1';
const PROFILE = 'mimi-dp-profile/0.2';
const SKEW = 300;

// ---- deterministic CBOR (RFC 8949 §4.2.1): shortest heads, definite lengths, keys sorted bytewise, no duplicates
class CborError extends Error {}
const utf8 = new TextDecoder('utf-8', { fatal: true });
const cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function decodeAll(buf) {
  const [value, end] = item(buf, 0, 0);
  if (end !== buf.length) throw new CborError(`${buf.length - end} trailing byte(s)`);
  return value;
}
function head(buf, pos) {
  if (pos >= buf.length) throw new CborError('truncated');
  const ib = buf[pos], major = ib >> 5, info = ib & 31;
  if (info < 24) return [major, BigInt(info), pos + 1, info];
  const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
  if (!size) throw new CborError(info === 31 ? 'indefinite length' : 'reserved additional info');
  if (pos + 1 + size > buf.length) throw new CborError('truncated');
  let n = 0n;
  for (let i = 0; i < size; i++) n = (n << 8n) | BigInt(buf[pos + 1 + i]);
  if (major !== 7) {
    const min = { 1: 24n, 2: 256n, 4: 65536n, 8: 4294967296n }[size];
    if (n < min) throw new CborError('not the shortest form');
  }
  return [major, n, pos + 1 + size, info];
}
function item(buf, pos, depth) {
  if (depth > 32) throw new CborError('nested too deep');
  const [major, n, p, info] = head(buf, pos);
  const len = () => { if (n > BigInt(buf.length)) throw new CborError('truncated'); return Number(n); };
  switch (major) {
    case 0: return [{ int: n }, p];
    case 1: return [{ int: -1n - n }, p];
    case 2: { const l = len(); if (p + l > buf.length) throw new CborError('truncated'); return [buf.subarray(p, p + l), p + l]; }
    case 3: { const l = len(); if (p + l > buf.length) throw new CborError('truncated'); return [utf8.decode(buf.subarray(p, p + l)), p + l]; }
    case 4: { const l = len(); const a = []; let q = p; for (let i = 0; i < l; i++) { const [v, e] = item(buf, q, depth + 1); a.push(v); q = e; } return [a, q]; }
    case 5: {
      const l = len(); const m = new Map(); let q = p; let prev = null;
      for (let i = 0; i < l; i++) {
        const ks = q; const [k, ke] = item(buf, q, depth + 1); const kb = buf.subarray(ks, ke);
        if (prev && cmp(prev, kb) >= 0) throw new CborError('map keys not sorted bytewise or repeated');
        prev = kb; const [v, ve] = item(buf, ke, depth + 1); m.set(typeof k === 'string' ? k : k.int !== undefined ? Number(k.int) : Symbol('key'), v); q = ve;
      }
      return [m, q];
    }
    case 6: { const [v, e] = item(buf, p, depth + 1); return [{ tag: n, value: v }, e]; }
    default:
      if (info === 20) return [false, p];
      if (info === 21) return [true, p];
      if (info === 22) return [null, p];
      throw new CborError('simple value or float not used by the profile');
  }
}
const isBytes = (v) => v instanceof Uint8Array;
const isMap = (v) => v instanceof Map;
const isInt = (v) => v && typeof v === 'object' && typeof v.int === 'bigint';

function encHead(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
const encBytes = (b) => Buffer.concat([encHead(2, b.length), Buffer.from(b)]);
const encText = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([encHead(3, b.length), b]); };
const encArray = (items) => Buffer.concat([encHead(4, items.length), ...items]);

// ---- Ed25519 (RFC 8032 strict, plus the SHOULD of PROFILE-SV-14: no small-order or non-canonical points)
const P = 2n ** 255n - 19n;
const SMALL_ORDER_Y = new Set(['0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05']);
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (b) => { let n = 0n; for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]); return n; };
function badPoint(b) {
  const y = Buffer.from(b); y[31] &= 0x7f;
  return SMALL_ORDER_Y.has(y.toString('hex')) || le(y) >= P;
}
function ed25519(pk, msg, sig) {
  if (pk.length !== 32 || sig.length !== 64) return false;
  if (badPoint(pk) || badPoint(sig.subarray(0, 32)) || le(sig.subarray(32)) >= L) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]), format: 'der', type: 'spki' });
    return edVerify(null, msg, key, sig);
  } catch { return false; }
}
const kidOf = (pk) => createHash('sha256').update(pk).digest().subarray(0, 16);
const same = (a, b) => isBytes(a) && isBytes(b) && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

// ---- COSE (RFC 9052) as PROFILE.md §4.1/§4.2 narrow it
class Fmt extends Error {}
function headers(bytes) {
  if (bytes.length === 0) return new Map();
  const m = decodeAll(bytes);
  if (!isMap(m)) throw new Fmt('a protected header is not a map');
  checkHeaderMap(m);
  return m;
}
function checkHeaderMap(m) {
  for (const [k, v] of m) {
    if (typeof k === 'symbol') throw new Fmt('header label is neither int nor text');
    const ok = (x) => isInt(x) || typeof x === 'string' || isBytes(x) || typeof x === 'boolean' || (Array.isArray(x) && x.every(ok));
    if (!ok(v)) throw new Fmt(`header value of label ${k} is not used by the profile`);
  }
}
function coseSign(bytes) {
  const v = decodeAll(bytes);
  if (!v || v.tag !== 98n || !Array.isArray(v.value) || v.value.length !== 4) throw new Fmt('not a tag-98 COSE_Sign of 4 elements');
  const [bp, un, payload, sigs] = v.value;
  if (!isBytes(bp) || !isMap(un) || !isBytes(payload) || !Array.isArray(sigs) || sigs.length === 0) throw new Fmt('COSE_Sign elements have the wrong types');
  checkHeaderMap(un);
  const signatures = sigs.map((s) => {
    if (!Array.isArray(s) || s.length !== 3 || !isBytes(s[0]) || !isMap(s[1]) || !isBytes(s[2])) throw new Fmt('a COSE_Signature is not [bstr, map, bstr]');
    checkHeaderMap(s[1]);
    return { protectedBytes: s[0], protected: headers(s[0]), unprotected: s[1], signature: s[2] };
  });
  return { bodyProtectedBytes: bp, bodyProtected: headers(bp), unprotected: un, payload, signatures };
}
function coseSign1(bytes) {
  const v = decodeAll(bytes);
  if (!v || v.tag !== 18n || !Array.isArray(v.value) || v.value.length !== 4) throw new Fmt('not a tag-18 COSE_Sign1 of 4 elements');
  const [pb, un, payload, sig] = v.value;
  if (!isBytes(pb) || !isMap(un) || !isBytes(payload) || !isBytes(sig)) throw new Fmt('COSE_Sign1 elements have the wrong types');
  const prot = headers(pb);
  if (un.size > 0 || prot.has(2)) throw new Fmt('credential with an unprotected header or crit');
  return { protectedBytes: pb, protected: prot, payload, signature: sig };
}
const roleOf = (h) => (typeof h.get('role') === 'string' ? h.get('role') : null);
const algOf = (h) => (isInt(h.get(1)) ? h.get(1).int : null);
function verifySig(cose, s, pk) {
  if (algOf(s.protected) !== -8n) return false;
  const tbs = encArray([encText('Signature'), encBytes(cose.bodyProtectedBytes), encBytes(s.protectedBytes), encBytes(Buffer.alloc(0)), encBytes(cose.payload)]);
  return ed25519(pk, tbs, s.signature);
}

// ---- payloads (§4.1, §4.2, §3)
const E164 = /^\+[1-9][0-9]{0,14}$/;
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
function strictMap(bytes, keys, what) {
  const m = decodeAll(bytes);
  if (!isMap(m)) throw new Fmt(`${what} is not a map`);
  for (const k of m.keys()) if (typeof k !== 'string' || !keys.includes(k)) throw new Fmt(`${what} has an unknown key`);
  for (const k of keys) if (!m.has(k) && k !== 'sd_tags') throw new Fmt(`${what} lacks ${k}`);
  return m;
}
const uint = (v) => { if (!isInt(v) || v.int < 0n || v.int > 9007199254740991n) throw new Fmt('not an unsigned integer'); return Number(v.int); };
const text = (v) => { if (typeof v !== 'string') throw new Fmt('not a text string'); return v; };
const bytesOf = (v, n) => { if (!isBytes(v) || (n !== undefined && v.length !== n)) throw new Fmt('not a byte string of the right size'); return v; };
function mappingPayload(bytes) {
  const m = strictMap(bytes, ['v', 'csi', 'csi_type', 'msps', 'iat', 'exp', 'nonce', 'new_holder', 'dp', 'pop'], 'payload');
  if (!isInt(m.get('v')) || m.get('v').int !== 1n) throw new Fmt('v is not 1');
  const msps = m.get('msps');
  if (!Array.isArray(msps)) throw new Fmt('msps is not an array');
  const entries = msps.map((e) => {
    if (!isMap(e) || [...e.keys()].some((k) => !['msp', 'tags', 'sd_tags'].includes(k)) || !e.has('msp') || !e.has('tags')) throw new Fmt('bad msps entry');
    const tags = e.get('tags');
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw new Fmt('bad tags');
    let sd = null;
    if (e.has('sd_tags')) {
      sd = e.get('sd_tags');
      if (!Array.isArray(sd) || sd.length === 0 || sd.some((d) => !isBytes(d) || d.length !== 32)) throw new Fmt('bad sd_tags');
    }
    return { msp: text(e.get('msp')), tags, sd };
  });
  const p = { csi: text(m.get('csi')), csiType: text(m.get('csi_type')), msps: entries, iat: uint(m.get('iat')), exp: uint(m.get('exp')),
    nonce: bytesOf(m.get('nonce'), 16), dp: text(m.get('dp')), pop: bytesOf(m.get('pop')) };
  if (typeof m.get('new_holder') !== 'boolean') throw new Fmt('new_holder is not a bool');
  const valid = p.csiType === 'e164' ? E164.test(p.csi) : p.csiType === 'email' ? p.csi.length <= 254 && EMAIL.test(p.csi) : false;
  if (!valid) throw new Fmt('CSI not in §3 syntax');
  return p;
}
function popPayload(bytes) {
  const m = strictMap(bytes, ['iss', 'sub', 'csi_type', 'cnf', 'assigned_at', 'iat', 'exp'], 'credential');
  return { iss: text(m.get('iss')), sub: text(m.get('sub')), csiType: text(m.get('csi_type')), cnf: bytesOf(m.get('cnf'), 32),
    assignedAt: uint(m.get('assigned_at')), iat: uint(m.get('iat')), exp: uint(m.get('exp')) };
}

// ---- PROFILE.md §5: the first rule that fails, or null
function verifyMapping(bytes, trust, now, joint) {
  const find = (role, kid) => trust.find((k) => k.role === role && same(kidOf(k.pk), kid));
  let cose;
  try { cose = coseSign(bytes); } catch (e) { if (e instanceof Fmt || e instanceof CborError || e instanceof TypeError) return { rule: 'cose-structure' }; throw e; }
  const all = [cose.bodyProtected, ...cose.signatures.map((s) => s.protected)];
  if (cose.bodyProtected.get(3) !== 'application/mimi-mapping+cbor' || all.some((h) => h.has(2))
      || cose.unprotected.size > 0 || cose.signatures.some((s) => s.unprotected.size > 0)) return { rule: 'cose-structure' };
  let p;
  try { p = mappingPayload(cose.payload); } catch (e) { if (e instanceof Fmt || e instanceof CborError || e instanceof TypeError) return { rule: 'payload-format' }; throw e; }
  const id = createHash('sha256').update(cose.payload).digest('base64url');
  const fail = (rule) => ({ rule, id, payload: p });
  if (!(p.iat <= now + SKEW && now < p.exp && p.iat < p.exp)) return fail('mapping-validity');
  let cred, pop;
  try { cred = coseSign1(p.pop); pop = popPayload(cred.payload); } catch (e) { if (e instanceof Fmt || e instanceof CborError || e instanceof TypeError) return fail('pop-format'); throw e; }
  const kid = cred.protected.get(4);
  const issuer = isBytes(kid) ? find('csip', kid) : undefined;
  if (!issuer || roleOf(cred.protected) !== 'csip' || issuer.owner !== pop.iss) return fail('pop-issuer-trusted');
  const tbs1 = encArray([encText('Signature1'), encBytes(cred.protectedBytes), encBytes(Buffer.alloc(0)), encBytes(cred.payload)]);
  if (algOf(cred.protected) !== -8n || !ed25519(issuer.pk, tbs1, cred.signature)) return fail('pop-signature');
  if (pop.sub !== p.csi || pop.csiType !== p.csiType) return fail('pop-subject');
  if (!(pop.iat <= p.iat + SKEW && p.iat <= pop.exp && pop.assignedAt <= pop.iat)) return fail('pop-validity');
  const roles = cose.signatures.map((s) => roleOf(s.protected));
  if (roles.some((r) => !['recipient', 'msp', 'dp'].includes(r)) || roles.filter((r) => r === 'recipient').length !== 1 || roles.filter((r) => r === 'dp').length > 1) return fail('signer-roles');
  const recipient = cose.signatures.find((s) => roleOf(s.protected) === 'recipient');
  if (!same(recipient.protected.get(4), kidOf(pop.cnf))) return fail('recipient-key-bound');
  if (!verifySig(cose, recipient, pop.cnf)) return fail('recipient-signature');
  const third = (sig, role, owner) => {
    if (!sig) return `${role}-signature`;
    const key = isBytes(sig.protected.get(4)) ? find(role, sig.protected.get(4)) : undefined;
    if (!key || key.owner !== owner) return `${role}-key-trusted`;
    return verifySig(cose, sig, key.pk) ? null : `${role}-signature`;
  };
  const dpSig = cose.signatures.find((s) => roleOf(s.protected) === 'dp');
  if (dpSig || joint) { const r = third(dpSig, 'dp', p.dp); if (r) return fail(r); }
  const mspSigs = cose.signatures.filter((s) => roleOf(s.protected) === 'msp');
  if (mspSigs.length > 0 || joint) {
    for (const entry of p.msps) {
      const sig = mspSigs.find((s) => isBytes(s.protected.get(4)) && find('msp', s.protected.get(4))?.owner === entry.msp);
      if (sig || joint) { const r = third(sig, 'msp', entry.msp); if (r) return fail(r); }
    }
    if (!mspSigs.every((s) => { const k = isBytes(s.protected.get(4)) ? find('msp', s.protected.get(4)) : undefined; return k && p.msps.some((m) => m.msp === k.owner); })) return fail('msp-signers-listed');
  }
  return { rule: null, id, payload: p, cnf: pop.cnf };
}

// ---- §4.4: tie-break and disclosures
function select(req) {
  const entries = (req.mappings || []).flatMap((m) => m.msps.map((e) => ({ mapping_id: m.mapping_id, msp: e.msp, tags: e.tags })));
  const s = req.saved;
  let pick = null;
  if (!req.reevaluate && s && s.csi === req.csi && (s.purpose ?? null) === (req.purpose ?? null) && entries.some((e) => e.mapping_id === s.mapping_id && e.msp === s.msp)) pick = { mapping_id: s.mapping_id, msp: s.msp };
  else if (entries.length > 0) {
    const tagged = req.purpose != null ? entries.filter((e) => e.tags.includes(req.purpose)) : [];
    const defaults = entries.filter((e) => e.tags.length === 0 || (e.tags.length === 1 && e.tags[0] === 'default'));
    const pool = tagged.length ? tagged : defaults.length ? defaults : entries;
    const ord = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    pool.sort((a, b) => ord(Buffer.from(a.mapping_id), Buffer.from(b.mapping_id)) || cmp(Buffer.from(a.msp), Buffer.from(b.msp)));
    pick = { mapping_id: pool[0].mapping_id, msp: pool[0].msp };
  }
  return { choice: pick, saved: pick && { csi: req.csi, purpose: req.purpose ?? null, mapping_id: pick.mapping_id, msp: pick.msp } };
}
function disclose(req) {
  const cose = coseSign(Buffer.from(req.mapping, 'hex'));
  const p = mappingPayload(cose.payload);
  const block = Buffer.from(req.disclosures, 'hex');
  let list, end;
  try {
    [list, end] = item(block, 0, 0);
    if (!Array.isArray(list) || block.subarray(end).some((b) => b !== 0)) return { tags: [] };
  } catch { return { tags: [] }; }
  const own = p.msps.filter((e) => e.msp === req.msp).flatMap((e) => e.sd || []);
  const tags = new Set();
  for (const d of list) {
    if (!Array.isArray(d) || d.length !== 2 || !isBytes(d[0]) || d[0].length !== 16 || typeof d[1] !== 'string') continue;
    const digest = createHash('sha256').update(Buffer.concat([d[0], Buffer.from(d[1], 'utf8')])).digest();
    if (own.some((c) => same(c, digest))) tags.add(d[1]);
  }
  return { tags: [...tags] };
}

// ---- lookup over HTTPS (§6.1, §6.3): metadata, lookup, 307/308 on the same origin, one retry after a short 429
function fetchJson(url, ca, method, body, redirects = 3) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}, timeout: 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode;
        if ([301, 302, 303, 307, 308].includes(status) && res.headers.location && redirects > 0) {
          const next = new URL(res.headers.location, url);
          if (next.origin !== new URL(url).origin) return reject(new Error('cross-origin redirect'));
          const keep = status === 307 || status === 308;
          return fetchJson(next, ca, keep ? method : 'GET', keep ? body : undefined, redirects - 1).then(resolve, reject);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(raw); } catch { /* not JSON */ }
        resolve({ status, json, retryAfter: res.headers['retry-after'] });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function lookup(req, trust) {
  const base = req.dp.replace(/\/+$/, '');
  const metaUrl = new URL(base + '/.well-known/mimi-discovery');
  const meta = await fetchJson(metaUrl, req.ca, 'GET');
  if (meta.status !== 200 || !meta.json) return { status: 'unavailable', kept: [] };
  const lookupUrl = new URL(meta.json.endpoints?.lookup ?? '/v1/lookup', metaUrl);
  const body = JSON.stringify({ csi: req.csi, csi_type: req.csi_type });
  let res = await fetchJson(lookupUrl, req.ca, 'POST', body);
  if (res.status === 429) {
    const wait = Number(res.retryAfter);
    if (!(wait >= 0 && wait <= 5)) return { status: 'rate-limited', kept: [] };
    await sleep(wait * 1000);
    res = await fetchJson(lookupUrl, req.ca, 'POST', body);
    if (res.status === 429) return { status: 'rate-limited', kept: [] };
  }
  if (res.status !== 200 || !res.json || !Array.isArray(res.json.mappings)) return { status: 'unavailable', kept: [] };
  const kept = new Set();
  for (const entry of res.json.mappings) {
    if (typeof entry?.mapping !== 'string') continue;
    const v = verifyMapping(Buffer.from(entry.mapping, 'base64url'), trust, req.now, req.class === 'joint');
    if (v.rule === null) kept.add(v.id);
  }
  return { status: kept.size ? 'found' : 'not_found', kept: [...kept].sort() };
}

// ---- the protocol loop: one JSON object per line in, one per line out
const trustOf = (list) => (list || []).map((k) => ({ role: k.role, owner: k.owner, pk: Buffer.from(k.public_key, 'hex') }));
async function answer(req) {
  switch (req.op) {
    case 'handshake':
      return { protocol: PROTOCOL, profile: PROFILE, adapter: { name: 'mimi-node-sender', language: `JavaScript (node ${process.version})`, version: '1.0.0' },
        ops: ['verify', 'ed25519', 'select', 'disclose', 'resolve', 'lookup'] };
    case 'verify': {
      const v = verifyMapping(Buffer.from(req.mapping, 'hex'), trustOf(req.trust), req.now, req.class === 'joint');
      return v.rule === null ? { result: 'valid' } : { result: 'invalid', rule: v.rule };
    }
    case 'ed25519':
      return { result: ed25519(Buffer.from(req.public_key, 'hex'), Buffer.from(req.message, 'hex'), Buffer.from(req.signature, 'hex')) ? 'valid' : 'invalid' };
    case 'select': return select(req);
    case 'disclose': return disclose(req);
    case 'resolve': return { url: new URL(req.reference, req.document_url).href };
    case 'lookup': return lookup(req, trustOf(req.trust));
    default: return { error: `unknown op ${req.op}` };
  }
}
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
rl.on('line', (line) => {
  queue = queue.then(async () => {
    let req;
    try { req = JSON.parse(line); } catch (e) { process.stdout.write(JSON.stringify({ id: null, error: `not JSON: ${e.message}` }) + '\n'); return; }
    let out;
    try { out = await answer(req); } catch (e) { out = { error: `${e.name}: ${e.message}` }; }
    process.stdout.write(JSON.stringify({ id: req.id, ...out }) + '\n');
  });
});
