// verify.js — the credential verifier of the verifier page, the browser's twin
// of src/credential/verify.c (docs/VERIFY.md): it gives the same JSON object
// as `hromada verify` — {valid, prefix, kid, issuer, stages, error, warnings,
// claims} — for the same input, and runs unchanged in Node 20 and Chromium
// (WebCrypto, DecompressionStream, no dependencies).
//
//	PREFIX ─ Base45 ─ zlib ─ COSE_Sign1(CWT) ─┬─ signature (trusted kid)
//	                                          ├─ expiry (iat, exp, nbf, signer validity)
//	                                          ├─ key usage (signer's EKU vs the kind)
//	                                          ├─ status (null: not checked offline)
//	                                          └─ schema (EU DCC or Hromada document)
//
// The decoding stages stop at the first failure; the checks after them all
// run, and the first failure in the order above is the error. Everything read
// from the QR code is untrusted: the decoders are bounded and throw only
// their own errors, which become a failed stage, never a crash.
import { base45Decode, Base45Error } from './base45.js';
import { cborDecode, itemInt, toJSON, keyText, base64, CborError } from './cbor.js';
import { coseVerify } from './cose_crypto.js';
import { parseCertificate, certificatesFrom, allowsDcc, allowsDocument, fromBase64 } from './x509.js';
import { dccSchemaCheck, dccCertificateType, dccSchemaLacksVersion, DCC_SCHEMA_NEWEST } from './dcc_schema.js';
import { documentSchemaCheck, documentType } from './document_schema.js';

export const STAGES = ['picture', 'unprefix', 'base45', 'zlib', 'cose', 'signature', 'expiry', 'key_usage', 'status', 'schema'];
export const MAX_PAYLOAD = 8192;
export const MAX_DECOMPRESSED = 65536;
const KID_LEN = 8;

class StageError extends Error {}

/* --- the trust store --------------------------------------------------------- */

/** An empty set of trusted signer certificates. */
export function trustStoreNew() {
	return { entries: [] };
}

async function kidOf(der) {
	return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', der)).subarray(0, KID_LEN);
}

const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Adds certificates (PEM, base64 DER, DER bytes) trusted for any issuer, as
 * `--cert` does: each must parse, or nothing is added and this throws.
 */
export async function trustStoreAddCertificates(store, data, country = '') {
	const added = [];
	for (const der of certificatesFrom(data)) {
		const cert = parseCertificate(der);
		added.push({ der, kid: await kidOf(der), country, cert });
	}
	for (const e of added) if (!store.entries.some((x) => sameBytes(x.der, e.der))) store.entries.push(e);
}

/** Adds a trust list's entry (kid checked by the caller); parsed at first use. */
export function trustStoreAddListed(store, der, kid, country) {
	if (!store.entries.some((x) => sameBytes(x.der, der))) store.entries.push({ der, kid, country, cert: undefined });
}

function entryCert(e) {
	if (e.cert === undefined) {
		try {
			const cert = parseCertificate(e.der);
			if (e.country && cert.country && cert.country !== e.country) {
				e.cert = null;
				e.why = `the trusted certificate with this kid names country ${cert.country} but was listed under ${e.country}`;
			} else e.cert = cert;
		} catch (err) {
			e.cert = null;
			e.why = `the trusted certificate with this kid is unusable: ${err.message.slice(0, 60)}`;
		}
	}
	return e.cert;
}

/* --- times ------------------------------------------------------------------- */

/** ISO 8601 as the EU test data writes it (hr_time.c), to seconds since the epoch. */
export function parseTime(text) {
	const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?(Z|z|[+-]\d\d(?::?\d\d)?)?$/.exec(text.trim());
	if (!m) throw new Error(`cannot read the time '${text}'`);
	let s = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)) / 1000;
	if (m[7]) s += Number('0.' + m[7]);
	if (m[8] && m[8] !== 'Z' && m[8] !== 'z') {
		const sign = m[8][0] === '-' ? -1 : 1;
		const d = m[8].slice(1).replace(':', '');
		s -= sign * (+d.slice(0, 2) * 3600 + +(d.slice(2, 4) || 0) * 60);
	}
	return s;
}

export function formatTime(seconds) {
	return new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/* --- decoding ---------------------------------------------------------------- */

async function inflateOnce(bytes, limit) {
	const ds = new DecompressionStream('deflate');
	const writer = ds.writable.getWriter();
	writer.write(bytes).catch(() => {});
	writer.close().catch(() => {});
	const reader = ds.readable.getReader();
	const parts = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.length;
		if (total > limit) {
			reader.cancel().catch(() => {});
			throw new StageError(`the payload inflates to more than ${limit} bytes`);
		}
		parts.push(value);
	}
	const out = new Uint8Array(total);
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

/**
 * Exactly one complete zlib stream (RFC 1950) to at most limit bytes. Node's
 * DecompressionStream ignores bytes after the stream's end and Chromium's
 * refuses them; so that both agree (and agree with zlib_codec.c), a stream
 * that still inflates without its last byte had bytes after its end.
 */
export async function inflate(bytes, limit = MAX_DECOMPRESSED) {
	let out;
	try {
		out = await inflateOnce(bytes, limit);
	} catch (e) {
		if (e instanceof StageError) throw e;
		throw new StageError(`not a complete zlib stream: ${e.message}`);
	}
	let trailing = false;
	if (bytes.length > 0) {
		try {
			await inflateOnce(bytes.subarray(0, bytes.length - 1), limit);
			trailing = true;
		} catch {
			/* the last byte was the stream's own */
		}
	}
	if (trailing) throw new StageError('bytes after the end of the zlib stream');
	return out;
}

const fail = (m) => {
	throw new StageError(m);
};

// RFC 9052 §3: header parameters we act on; others are stepped over.
function readHeaderMap(map, isProtected) {
	const h = {};
	if (map.type !== 'map') fail(isProtected ? 'protected header is not a map' : 'unprotected header is not a map');
	for (const [k, v] of map.entries) {
		if (k.type === 'text') continue;
		const label = itemInt(k);
		if (label === null) fail('header label is neither an integer nor text');
		if (label === 1n) {
			if ('alg' in h) fail('alg appears twice in one header');
			const alg = itemInt(v);
			if (alg === null) fail('alg is not an integer algorithm identifier');
			h.alg = Number(alg);
		} else if (label === 4n) {
			if ('kid' in h) fail('kid appears twice in one header');
			if ((v.type !== 'bytes' && v.type !== 'text') || v.indefinite) fail('kid is neither a byte nor a text string');
			h.kid = v.bytes;
		} else if (label === 2n) {
			if (!isProtected || v.type !== 'array' || v.indefinite || v.items.length === 0)
				fail('crit must be a non-empty array in the protected header');
			for (const el of v.items) {
				const c = itemInt(el);
				if (c !== 1n && c !== 4n) fail('a critical header parameter is not understood');
			}
		}
	}
	return h;
}

function definiteBytes(it, what) {
	if (!it || it.type !== 'bytes' || it.indefinite) fail(what);
	return it.bytes;
}

// COSE_Sign1 (RFC 9052 §4.2), optionally tagged 18 and then 61 (RFC 8392 §6).
function decodeSign1(bytes) {
	let it = cborDecode(bytes, { maxDepth: 32 });
	if (it.type === 'tag' && it.value === 61n) {
		it = it.content;
		if (it.type !== 'tag' || it.value !== 18n) fail('a CWT tag must wrap a tagged COSE_Sign1');
	}
	if (it.type === 'tag') {
		if (it.value !== 18n) fail(`tag ${it.value} is not COSE_Sign1 (18)`);
		it = it.content;
	}
	if (it.type !== 'array' || it.indefinite || it.items.length !== 4) fail('COSE_Sign1 must be an array of 4 elements');
	const [p, u, payload, signature] = it.items;
	const protectedHeader = definiteBytes(p, 'protected header is not a byte string');
	const prot = protectedHeader.length === 0 ? {} : readHeaderMap(cborDecode(protectedHeader, { maxDepth: 32 }), true);
	const unprot = readHeaderMap(u, false);
	if (payload.type === 'simple' && payload.value === 22n) fail('detached payloads are not accepted');
	if (payload.type !== 'bytes' || payload.indefinite) fail('payload is not a byte string');
	const sig = definiteBytes(signature, 'signature is not a byte string');
	return {
		protectedHeader, payload: payload.bytes, signature: sig,
		alg: 'alg' in prot ? prot.alg : unprot.alg,
		kid: 'kid' in prot ? prot.kid : unprot.kid,
	};
}

const CLAIM_NAMES = new Map([[1n, 'iss'], [2n, 'sub'], [3n, 'aud'], [4n, 'exp'], [5n, 'nbf'], [6n, 'iat'], [7n, 'cti'],
	[8n, 'cnf'], [-260n, 'hcert'], [-65537n, 'document'], [65535n, 'status']]);
const REGISTERED = new Set(CLAIM_NAMES.values());

function numericDate(v, name) {
	const n = itemInt(v);
	if (n !== null) return Number(n);
	if (v.type === 'float' && Number.isFinite(v.number) && Math.abs(v.number) < 1e15) return v.number;
	fail(`CWT claim ${name} is not a NumericDate`);
}

const simpleKey = (k) => k.type === 'uint' || k.type === 'negint' || (k.type === 'text' && !k.indefinite);

function readStatus(v, c) {
	if (v.type !== 'map') fail('CWT status claim (65535) is not a map');
	for (const [k, val] of v.entries) {
		if (!simpleKey(k)) fail('CWT status claim is malformed');
		if (k.type === 'text' && k.text === 'status_list') {
			if (c.status) fail('CWT status claim holds status_list twice');
			if (val.type !== 'map') fail('CWT status.status_list is not a map');
			let idx, uri;
			for (const [sk, sv] of val.entries) {
				if (!simpleKey(sk)) fail('CWT status.status_list is malformed');
				if (sk.type === 'text' && sk.text === 'idx') {
					if (idx !== undefined || sv.type !== 'uint') fail('CWT status.status_list.idx is not one unsigned integer');
					idx = sv.value;
				} else if (sk.type === 'text' && sk.text === 'uri') {
					if (uri !== undefined || sv.type !== 'text' || sv.indefinite || sv.bytes.length === 0 || sv.bytes.length > 2048 || sv.bytes.includes(0))
						fail('CWT status.status_list.uri is not one text of 1 to 2048 bytes');
					uri = sv.text;
				}
			}
			if (idx === undefined || uri === undefined) fail('CWT status.status_list needs idx and uri');
			c.status = { idx, uri };
		}
	}
}

// cwt.c: the claims we act on, typed, and all claims as JSON.
function decodeClaims(payload) {
	const map = cborDecode(payload, { maxDepth: 32 });
	if (map.type !== 'map') fail('CWT payload is not a map of claims');
	const c = {};
	const seen = new Set();
	for (const [k, v] of map.entries) {
		if (k.type === 'text') continue;
		const claim = itemInt(k);
		if (claim === null) fail('CWT a claim key is neither an integer nor text');
		const name = CLAIM_NAMES.get(claim);
		if (name && name !== 'sub' && name !== 'aud' && name !== 'cti') {
			if (seen.has(name)) fail(`CWT claim ${claim} appears twice`);
			seen.add(name);
		}
		switch (name) {
		case 'iss':
			if (v.type !== 'text' || v.indefinite) fail('CWT iss is not a text string');
			c.iss = v.text;
			break;
		case 'exp':
		case 'nbf':
		case 'iat':
			c[name] = numericDate(v, name);
			break;
		case 'hcert':
			if (v.type !== 'map') fail('CWT hcert claim (-260) is not a map');
			for (const [hk, hv] of v.entries) {
				if (itemInt(hk) !== 1n) fail('CWT hcert claim must hold exactly key 1 (eu_DCC_v1)');
				if (c.hcert) fail('CWT hcert claim holds key 1 twice');
				if (hv.type !== 'map') fail('CWT hcert[1] is not a map');
				c.hcert = true;
			}
			if (!c.hcert) fail('CWT hcert claim is empty');
			break;
		case 'document':
			if (v.type !== 'map') fail('CWT document claim (-65537) is not a map');
			c.document = true;
			break;
		case 'cnf':
			if (v.type !== 'map') fail('CWT cnf claim is not a map');
			c.cnf = true;
			break;
		case 'status':
			readStatus(v, c);
			break;
		}
	}
	return { typed: c, map };
}

function cnfToJwk(cnf) {
	const key = cnf && cnf['1'];
	if (!key || key['1'] !== 2 || key['-1'] !== 1 || typeof key['-2'] !== 'string' || typeof key['-3'] !== 'string') return null;
	return { jwk: { kty: 'EC', crv: 'P-256', x: key['-2'], y: key['-3'] } };
}

function claimsToJSON(map) {
	const claims = {};
	for (const [k, v] of map.entries) {
		let name, registered = null;
		if (k.type === 'text') {
			if (k.text.includes('\u0000')) fail('CWT a text claim key is malformed');
			if (REGISTERED.has(k.text)) fail(`CWT has a text claim named like the registered claim '${k.text.slice(0, 40)}'`);
			name = k.text;
		} else {
			const claim = itemInt(k);
			if (claim === null) fail('CWT a claim key is neither an integer nor text');
			name = registered = CLAIM_NAMES.get(claim) || keyText(k);
		}
		if (Object.prototype.hasOwnProperty.call(claims, name)) fail(`CWT claim '${name.slice(0, 40)}' appears twice`);
		let value = toJSON(v);
		if (registered === 'hcert' && value && typeof value === 'object' && '1' in value) value = value['1'];
		else if (registered === 'cnf') value = cnfToJwk(value) || value;
		Object.defineProperty(claims, name, { value, enumerable: true, writable: true, configurable: true });
	}
	return claims;
}

/* --- the checks after decoding ---------------------------------------------- */

const HEX = /^[0-9a-fA-F]{16}$/;

function findByKid(store, kid) {
	return store.entries.filter((e) => sameBytes(e.kid, kid));
}

async function checkSignature(store, d, tbs) {
	let found = [];
	if (d.msg.kid !== undefined) {
		found = findByKid(store, d.msg.kid);
		const text = new TextDecoder().decode(d.msg.kid);
		if (found.length === 0 && d.msg.kid.length === 16 && HEX.test(text))
			found = findByKid(store, fromBase64(btoa(text.match(/../g).map((h) => String.fromCharCode(parseInt(h, 16))).join(''))));
	} else if (store.entries.length === 1) {
		found = [store.entries[0]];
	}
	if (found.length === 0) {
		if (store.entries.length === 1) {
			const cert = entryCert(store.entries[0]);
			if (cert) d.candidate = { entry: store.entries[0], cert };
		}
		fail(d.msg.kid !== undefined ? 'no trusted signer certificate has this kid' : 'the credential names no kid, so no signer can be chosen');
	}
	let last = 'signature does not verify';
	for (const e of found) {
		const cert = entryCert(e);
		if (!cert) {
			last = e.why;
			continue;
		}
		if (!d.candidate) d.candidate = { entry: e, cert };
		if (d.msg.alg === undefined) {
			last = 'no algorithm (alg) in the headers';
			continue;
		}
		try {
			await coseVerify(d.msg.alg, cert, tbs, d.msg.signature);
		} catch (err) {
			last = err.message;
			continue;
		}
		d.candidate = { entry: e, cert };
		if (e.country && d.cwt.iss !== e.country)
			fail(`the signer is trusted for ${e.country}, but the credential names issuer '${(d.cwt.iss ?? '').slice(0, 8)}'`);
		return;
	}
	fail(last);
}

function checkExpiry(d, at) {
	const c = d.cwt;
	if (c.exp === undefined) fail('the credential has no exp claim');
	if (at > c.exp) fail(`expired at ${formatTime(c.exp)} (clock ${formatTime(at)})`);
	if (c.iat !== undefined && at < c.iat) fail(`issued at ${formatTime(c.iat)}, after the clock ${formatTime(at)}`);
	if (c.nbf !== undefined && at < c.nbf) fail(`not valid before ${formatTime(c.nbf)} (clock ${formatTime(at)})`);
	const cert = d.candidate && d.candidate.cert;
	if (cert && (at < cert.notBefore || at > cert.notAfter))
		fail(`the signer certificate is valid from ${formatTime(cert.notBefore)} to ${formatTime(cert.notAfter)} only`);
}

function checkKeyUsage(d, dcc) {
	const cert = d.candidate.cert;
	if (dcc) {
		const kind = dccCertificateType(d.claims.hcert);
		if (kind === null) fail('the certificate is not exactly one of v, t, r');
		if (cert.dccUsage === 0 && cert.documentUsage === 0 && cert.ekuCritical)
			fail("the signer's extended key usage is critical and names no DCC purpose, so its key signs no DCC (RFC 5280 4.2.1.12)");
		if (!allowsDcc(cert, kind))
			fail(`the signer's key usage does not cover ${{ v: 'vaccination', t: 'test', r: 'recovery' }[kind]} certificates`);
		return;
	}
	const doc = d.claims.document;
	const type = documentType(doc);
	if (type < 0) fail('the document names no known type');
	if (!allowsDocument(cert, type)) fail(`the signer may not sign ${doc.t} documents`);
}

function checkSchema(d, dcc) {
	const why = dcc ? dccSchemaCheck(d.claims.hcert) : documentSchemaCheck(d.claims.document);
	if (why !== null) fail(why);
}

function sigStructure(protectedHeader, payload) {
	// RFC 9052 §4.4: ["Signature1", protected, h'', payload]; an encoded empty
	// map is signed as the empty string (cose.c).
	const prot = protectedHeader.length === 1 && protectedHeader[0] === 0xa0 ? new Uint8Array(0) : protectedHeader;
	const head = (major, n) => {
		if (n < 24) return [(major << 5) | n];
		if (n < 256) return [(major << 5) | 24, n];
		if (n < 65536) return [(major << 5) | 25, n >> 8, n & 0xff];
		return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
	};
	const label = new TextEncoder().encode('Signature1');
	const parts = [[0x84], head(3, label.length), label, head(2, prot.length), prot, [0x40], head(2, payload.length), payload];
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

/* --- the pipeline ------------------------------------------------------------ */

function newResult() {
	const stages = {};
	for (const s of STAGES) stages[s] = null;
	return { valid: false, prefix: null, kid: null, issuer: null, stages, error: null, warnings: [], claims: null };
}

function stageDone(r, stage, message) {
	r.stages[stage] = message === null;
	if (message !== null && r.error === null) r.error = { stage, message };
}

async function run(r, stage, fn) {
	try {
		const v = await fn();
		stageDone(r, stage, null);
		return { ok: true, v };
	} catch (e) {
		if (!(e instanceof StageError || e instanceof CborError || e instanceof Base45Error))
			// a bug or an unexpected engine error: still a failed stage, never a crash
			stageDone(r, stage, `internal error: ${e && e.message}`);
		else stageDone(r, stage, e.message);
		return { ok: false };
	}
}

/**
 * Verifies one credential text. options: {at (seconds, Date or ISO text; the
 * validation clock, default now), picture (true when the text came from a
 * picture)}. Resolves to the object `hromada verify` prints, plus a
 * non-enumerable `details` {cnf, statusReference, typed claims} for the page.
 */
export async function verifyCredential(store, text, options = {}) {
	const r = newResult();
	let at = options.at;
	if (at === undefined || at === null) at = Date.now() / 1000;
	else if (at instanceof Date) at = at.getTime() / 1000;
	else if (typeof at === 'string') at = parseTime(at);
	if (options.picture !== undefined) r.stages.picture = !!options.picture;
	let payload = String(text).replace(/^[\s\u000b]+|[\s\u000b]+$/g, '');
	if (payload.length > MAX_PAYLOAD) {
		stageDone(r, 'unprefix', `payload longer than ${MAX_PAYLOAD} characters`);
		return r;
	}
	let step = await run(r, 'unprefix', () => {
		if (payload.length >= 4 && payload[3] === ':' && (payload.startsWith('HC1') || payload.startsWith('HR1'))) {
			r.prefix = payload.slice(0, 3);
			payload = payload.slice(4);
			return;
		}
		if (payload.length >= 4 && payload[3] === ':' && /^[A-Za-z0-9]{3}/.test(payload))
			fail(`context identifier '${payload.slice(0, 4)}' is not HC1: or HR1:`);
		fail('no HC1: or HR1: prefix');
	});
	if (!step.ok) return r;
	step = await run(r, 'base45', () => base45Decode(payload));
	if (!step.ok) return r;
	step = await run(r, 'zlib', () => inflate(step.v));
	if (!step.ok) return r;
	const inflated = step.v;
	const dcc = r.prefix === 'HC1';
	const d = {};
	step = await run(r, 'cose', () => {
		d.msg = decodeSign1(inflated);
		const { typed, map } = decodeClaims(d.msg.payload);
		d.cwt = typed;
		if (dcc && !typed.hcert) fail('an HC1 credential has no hcert claim');
		if (!dcc && !typed.document) fail('an HR1 credential has no document claim (-65537)');
		try {
			d.claims = claimsToJSON(map);
		} catch (e) {
			if (e instanceof CborError) fail(`cbor: ${e.message}`);
			throw e;
		}
		if (d.msg.kid !== undefined) r.kid = base64(d.msg.kid.subarray(0, 32));
		if (typed.iss !== undefined && typed.iss !== '') r.issuer = typed.iss.slice(0, 15);
	});
	if (!step.ok) return r;
	await run(r, 'signature', () => checkSignature(store, d, sigStructure(d.msg.protectedHeader, d.msg.payload)));
	await run(r, 'expiry', () => checkExpiry(d, at));
	if (d.candidate) await run(r, 'key_usage', () => checkKeyUsage(d, dcc));
	await run(r, 'schema', () => checkSchema(d, dcc));
	if (dcc && dccSchemaLacksVersion(d.claims.hcert))
		r.warnings.push({ check: 'schema_version', message: `the DCC payload has no "ver", which every schema version requires; it was checked against the newest rules (${DCC_SCHEMA_NEWEST})` });
	r.valid = r.error === null;
	r.claims = d.claims;
	Object.defineProperty(r, 'details', { value: { statusReference: d.cwt.status || null, cnf: d.claims.cnf || null, signer: d.candidate ? d.candidate.entry.country : null }, enumerable: false });
	return r;
}
