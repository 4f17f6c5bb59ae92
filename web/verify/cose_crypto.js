// cose_crypto.js — COSE signature algorithms (RFC 9053) on WebCrypto, with the
// rules of src/credential/cose_crypto.c: ES256/384/512 take raw r||s (IEEE
// P1363, COSE's form) of the algorithm's or the key's field width on any
// supported curve; PS256/384/512 accept any salt length (checked here with
// BigInt, as WebCrypto wants the salt length up front); EdDSA is Ed25519 where
// the browser has it. Every failure is a SignatureError with a sentence.
export class SignatureError extends Error {}

export const ALGS = new Map([
	[-7, { name: 'ES256', hash: 'SHA-256', field: 32 }],
	[-35, { name: 'ES384', hash: 'SHA-384', field: 48 }],
	[-36, { name: 'ES512', hash: 'SHA-512', field: 66 }],
	[-37, { name: 'PS256', hash: 'SHA-256', rsa: true, hLen: 32 }],
	[-38, { name: 'PS384', hash: 'SHA-384', rsa: true, hLen: 48 }],
	[-39, { name: 'PS512', hash: 'SHA-512', rsa: true, hLen: 64 }],
	[-8, { name: 'EdDSA', eddsa: true }],
]);

const subtle = () => globalThis.crypto.subtle;

async function digest(hash, data) {
	return new Uint8Array(await subtle().digest(hash, data));
}

// r and s, each of the key's field width (leading zeros dropped or added).
function toKeyWidth(sig, width) {
	const half = sig.length / 2;
	const out = new Uint8Array(2 * width);
	for (const [part, at] of [[sig.subarray(0, half), 0], [sig.subarray(half), width]]) {
		let i = 0;
		while (i < part.length - 1 && part[i] === 0) i++;
		const v = part.subarray(i);
		if (v.length > width) return null;
		out.set(v, at + width - v.length);
	}
	return out;
}

const keyCache = new WeakMap();

async function importKey(cert, params) {
	let byAlg = keyCache.get(cert);
	if (!byAlg) keyCache.set(cert, (byAlg = new Map()));
	const id = JSON.stringify(params);
	if (!byAlg.has(id)) byAlg.set(id, subtle().importKey('spki', cert.spki, params, false, ['verify']));
	return byAlg.get(id);
}

function modPow(b, e, m) {
	let r = 1n;
	b %= m;
	while (e > 0n) {
		if (e & 1n) r = (r * b) % m;
		b = (b * b) % m;
		e >>= 1n;
	}
	return r;
}

function bytesToBig(bytes) {
	let v = 0n;
	for (const x of bytes) v = (v << 8n) | BigInt(x);
	return v;
}

function bigToBytes(v, len) {
	const out = new Uint8Array(len);
	for (let i = len - 1; i >= 0; i--) {
		out[i] = Number(v & 0xffn);
		v >>= 8n;
	}
	return v === 0n ? out : null;
}

async function mgf1(hash, hLen, seed, len) {
	const out = new Uint8Array(len);
	for (let counter = 0, o = 0; o < len; counter++) {
		const block = new Uint8Array(seed.length + 4);
		block.set(seed);
		new DataView(block.buffer).setUint32(seed.length, counter);
		const h = await digest(hash, block);
		out.set(h.subarray(0, Math.min(hLen, len - o)), o);
		o += hLen;
	}
	return out;
}

// RFC 8017 §8.1.2 and §9.1.2 (EMSA-PSS-VERIFY) with the salt length recovered.
async function verifyPss(alg, key, tbs, sig) {
	const s = bytesToBig(sig);
	if (s >= key.n) return false;
	const modBits = key.n.toString(2).length;
	const emBits = modBits - 1, emLen = Math.ceil(emBits / 8);
	const em = bigToBytes(modPow(s, key.e, key.n), emLen);
	const hLen = alg.hLen;
	if (em === null || emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
	const maskedDB = em.subarray(0, emLen - hLen - 1), h = em.subarray(emLen - hLen - 1, emLen - 1);
	const topBits = 8 * emLen - emBits;
	if (topBits && maskedDB[0] >> (8 - topBits)) return false;
	const db = await mgf1(alg.hash, hLen, h, maskedDB.length);
	for (let i = 0; i < db.length; i++) db[i] ^= maskedDB[i];
	if (topBits) db[0] &= 0xff >> topBits;
	let i = 0;
	while (i < db.length && db[i] === 0) i++;
	if (i >= db.length || db[i] !== 0x01) return false;
	const salt = db.subarray(i + 1);
	const mHash = await digest(alg.hash, tbs);
	const m2 = new Uint8Array(8 + hLen + salt.length);
	m2.set(mHash, 8);
	m2.set(salt, 8 + hLen);
	const h2 = await digest(alg.hash, m2);
	return h2.every((x, j) => x === h[j]);
}

/** Verifies a COSE signature over tbs with a parsed certificate (x509.js). */
export async function coseVerify(algId, cert, tbs, sig) {
	const alg = ALGS.get(algId);
	if (!alg)
		throw new SignatureError(`algorithm ${algId} is not supported (ES256, ES384, ES512, PS256, PS384, PS512, EdDSA)`);
	const kind = cert.key.kind;
	const isEc = kind === 'P-256' || kind === 'P-384' || kind === 'P-521' || kind === 'EC-other';
	if (alg.field ? !isEc : alg.rsa ? kind !== 'RSA' : kind !== 'Ed25519')
		throw new SignatureError(`algorithm ${alg.name} does not match the signer's key`);
	let ok;
	if (alg.eddsa) {
		if (sig.length !== 64) throw new SignatureError(`EdDSA signature is ${sig.length} bytes, not 64`);
		let key;
		try {
			key = await importKey(cert, { name: 'Ed25519' });
		} catch {
			throw new SignatureError('this browser cannot verify EdDSA (Ed25519) signatures');
		}
		ok = await subtle().verify({ name: 'Ed25519' }, key, sig, tbs);
		if (!ok) throw new SignatureError('EdDSA signature does not verify');
		return;
	}
	if (alg.field) {
		const keyField = cert.key.fieldBytes;
		if (sig.length !== 2 * alg.field && sig.length !== 2 * keyField)
			throw new SignatureError(`${alg.name} signature is ${sig.length} bytes, not ${2 * alg.field}`);
		if (kind === 'EC-other') throw new SignatureError(`${alg.name}: the signer's curve is not one WebCrypto has (P-256, P-384, P-521)`);
		const raw = toKeyWidth(sig, keyField);
		const key = await importKey(cert, { name: 'ECDSA', namedCurve: kind });
		ok = raw !== null && (await subtle().verify({ name: 'ECDSA', hash: alg.hash }, key, raw, tbs));
	} else {
		if (sig.length !== cert.key.bytes)
			throw new SignatureError(`${alg.name} signature is ${sig.length} bytes, not ${cert.key.bytes}`);
		ok = await verifyPss(alg, cert.key, tbs, sig);
	}
	if (!ok) throw new SignatureError(`${alg.name} signature does not verify`);
}
