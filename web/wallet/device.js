/*
 * device.js — the citizen's device in the browser: its key, its session and
 * every call to the wallet API, made exactly as `hromada device` makes them
 * (src/cli/cmd_device.c, src/exchange/dpop.c, src/exchange/consent.c):
 *
 *   DPoP proof (RFC 9449), compact JWS, ES256:
 *     header {"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x","y"}}
 *     claims {"jti","htm","htu","iat"[,"ath"]}
 *   consent, compact JWS, ES256:
 *     header {"typ":"hromada-consent+jwt","jwk":{...},"alg":"ES256"}
 *     claims {"sub","purpose":"citizen-wallet","aud":<attestation iss>,"docs":[...],
 *             "iat","exp":iat+60,"jti","att":<device attestation>}
 *
 * Both serialised as jansson's JSON_COMPACT does (members in insertion order,
 * no spaces, UTF-8 unescaped), which JSON.stringify matches byte for byte; jti
 * is 16 random bytes in base64url.
 *
 * What is kept, and where (no personal data at rest, docs/WEB.md):
 *   IndexedDB "hromada-wallet", store "keys":
 *     device  — the P-256 key pair; the private key generated non-extractable
 *     wrap    — an AES-GCM key, non-extractable
 *     session — {iv, data}: the person id, token and attestation encrypted
 *               with wrap; never written in clear anywhere
 *   memory    — the session in clear while the page is open
 * Sign-out deletes the database. API answers are fetched with no-store (and
 * the server sends Cache-Control: no-store), so none lands in the HTTP cache.
 */

const DB_NAME = 'hromada-wallet';
const STORE = 'keys';
const enc = new TextEncoder();
const dec = new TextDecoder();

export const DOCUMENT_TYPES = [
	'id_card', 'foreign_passport', 'driver_licence', 'vehicle_registration',
	'residence_permit', 'vaccination', 'student_card', 'military_record',
];
export const CONSENT_CALL_LIFETIME_S = 60;
export const PURPOSE = 'citizen-wallet';

/* --- encodings ------------------------------------------------------------ */

export function b64url(bytes) {
	const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let s = '';
	for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
	return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function b64urlDecode(text) {
	if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
	const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
}

export function b64Decode(text) {
	const s = atob(text);
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
}

export function randomB64url(n) {
	return b64url(crypto.getRandomValues(new Uint8Array(n)));
}

export async function sha256(bytes) {
	return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/* The claims of a compact JWS, unverified (the attestation's iss). */
export function jwsClaims(jws) {
	const part = String(jws).split('.')[1];
	return JSON.parse(dec.decode(b64urlDecode(part)));
}

/* --- IndexedDB ------------------------------------------------------------ */

function openDb() {
	return new Promise((resolve, reject) => {
		const r = indexedDB.open(DB_NAME, 1);
		r.onupgradeneeded = () => r.result.createObjectStore(STORE);
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
}

async function dbOp(mode, fn) {
	const db = await openDb();
	try {
		return await new Promise((resolve, reject) => {
			const tx = db.transaction(STORE, mode);
			const req = fn(tx.objectStore(STORE));
			tx.oncomplete = () => resolve(req ? req.result : undefined);
			tx.onerror = () => reject(tx.error);
			tx.onabort = () => reject(tx.error);
		});
	} finally {
		db.close();
	}
}

const dbGet = (key) => dbOp('readonly', (s) => s.get(key));
const dbPut = (key, value) => dbOp('readwrite', (s) => s.put(value, key));

function dbDelete() {
	return new Promise((resolve) => {
		const r = indexedDB.deleteDatabase(DB_NAME);
		r.onsuccess = r.onerror = r.onblocked = () => resolve();
	});
}

/* --- the device key --------------------------------------------------------- */

let device = null; /* {pair, jwk} */

async function publicJwk(publicKey) {
	const j = await crypto.subtle.exportKey('jwk', publicKey);
	/* the members and order of jose_key_to_jwk */
	return { kty: 'EC', crv: 'P-256', x: j.x, y: j.y };
}

/* A fresh key for an enrolment: the private half can never leave the browser. */
async function newDeviceKey() {
	const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
	await dbPut('device', pair);
	device = { pair, jwk: await publicJwk(pair.publicKey) };
	return device;
}

async function loadDeviceKey() {
	if (device) return device;
	const pair = await dbGet('device');
	if (!pair) return null;
	device = { pair, jwk: await publicJwk(pair.publicKey) };
	return device;
}

async function signJws(header, claims) {
	const input = b64url(enc.encode(JSON.stringify(header))) + '.' + b64url(enc.encode(JSON.stringify(claims)));
	const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, device.pair.privateKey, enc.encode(input));
	return input + '.' + b64url(sig);
}

/* Signs bytes with the device key: raw r||s, 64 bytes (holder binding). */
export async function deviceSign(bytes) {
	if (!(await loadDeviceKey())) throw new Error('no device key');
	return new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, device.pair.privateKey, bytes));
}

const now = () => Math.floor(Date.now() / 1000);

/* dpop_proof_make: htu is the URI without query and fragment. */
export async function dpopProof(method, uri, accessToken) {
	const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: device.jwk };
	const claims = { jti: randomB64url(16), htm: method, htu: uri.split(/[?#]/)[0], iat: now() };
	if (accessToken) claims.ath = b64url(await sha256(enc.encode(accessToken)));
	return signJws(header, claims);
}

/* consent_scope_for_wallet_path: the document types a call needs, or null. */
export function consentDocs(path) {
	const bare = path.split('?')[0];
	if (bare === '/v1/documents') return DOCUMENT_TYPES.slice();
	const m = /^\/v1\/documents\/([^/]+)(\/.*)?$/.exec(bare);
	if (m) return DOCUMENT_TYPES.includes(m[1]) ? [m[1]] : null;
	if (bare === '/v1/access-log') return ['access_log'];
	if (bare === '/v1/leaks') return ['leaks'];
	return null;
}

/* consent_make, with the wallet that attested the device as its audience. */
export async function consentFor(path, s = session) {
	const docs = consentDocs(path);
	if (!docs || !s) return null;
	const iat = now();
	/* jose_jws_sign sets "alg" after the members the header had: last */
	const header = { typ: 'hromada-consent+jwt', jwk: device.jwk, alg: 'ES256' };
	const claims = {
		sub: s.person, purpose: PURPOSE, aud: jwsClaims(s.attestation).iss, docs,
		iat, exp: iat + CONSENT_CALL_LIFETIME_S, jti: randomB64url(16), att: s.attestation,
	};
	return signJws(header, claims);
}

/* --- the session ------------------------------------------------------------ */

let session = null; /* {person, token, attestation, expires} in memory only */

async function wrapKey() {
	let key = await dbGet('wrap');
	if (!key) {
		key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
		await dbPut('wrap', key);
	}
	return key;
}

async function saveSession(s) {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await wrapKey(), enc.encode(JSON.stringify(s)));
	await dbPut('session', { iv, data: new Uint8Array(data) });
}

/* The session kept encrypted from the last visit, if any and still valid. */
export async function resumeSession() {
	if (session) return session;
	const kept = await dbGet('session');
	const key = await dbGet('wrap');
	if (!kept || !key || !(await loadDeviceKey())) return null;
	try {
		const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: kept.iv }, key, kept.data);
		const s = JSON.parse(dec.decode(plain));
		if (!s.expires || s.expires <= now()) {
			await signOut();
			return null;
		}
		session = s;
		return s;
	} catch {
		await signOut();
		return null;
	}
}

export const currentSession = () => session;

/* Forgets everything: the session in memory, the key, the database. */
export async function signOut() {
	session = null;
	device = null;
	try { sessionStorage.clear(); } catch { /* none */ }
	await dbDelete();
}

/* --- calls ------------------------------------------------------------------ */

export class ApiError extends Error {
	constructor(status, code, message, retryAfter) {
		super(message || code || `HTTP ${status}`);
		this.status = status;
		this.code = code;
		this.retryAfter = retryAfter;
	}
}

/* The URL the wallet names itself by (DPoP's htu), which is not always the
 * page's origin (opened as localhost, or through a proxy): the wallet says it
 * at /wallet/origin.json, asked once per page. */
let ownOrigin = null;

async function walletOrigin() {
	if (ownOrigin === null) {
		try {
			const r = await fetch('/wallet/origin.json', { cache: 'no-store', credentials: 'omit' });
			ownOrigin = r.ok ? new URL((await r.json()).url).origin : location.origin;
		} catch {
			ownOrigin = location.origin;
		}
	}
	return ownOrigin;
}

async function send(method, path, { query = '', body, auth = true } = {}) {
	const token = auth && session ? session.token : null;
	const headers = { DPoP: await dpopProof(method, (await walletOrigin()) + path, token) };
	if (token) {
		headers.Authorization = 'DPoP ' + token;
		const consent = await consentFor(path);
		if (consent) headers['Hromada-Consent'] = consent;
	}
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	let r;
	try {
		r = await fetch(path + query, {
			method, headers, body: body === undefined ? undefined : JSON.stringify(body),
			cache: 'no-store', credentials: 'omit', redirect: 'error',
		});
	} catch (e) {
		throw new ApiError(0, 'network', e.message);
	}
	const text = await r.text();
	let answer = null;
	try { answer = text ? JSON.parse(text) : null; } catch { answer = null; }
	if (r.ok) return answer;
	const err = (answer && answer.error) || {};
	throw new ApiError(r.status, err.code, err.message, r.headers.get('Retry-After'));
}

export async function enrolStart(person) {
	await newDeviceKey(); /* start proves a key as the CLI does; finish enrols it */
	return send('POST', '/v1/enrol/start', { body: { person }, auth: false });
}

export async function enrolFinish(person, code) {
	if (!(await loadDeviceKey())) await newDeviceKey();
	const answer = await send('POST', '/v1/enrol/finish', {
		body: { person, code, device_key: device.jwk }, auth: false,
	});
	const s = {
		person, token: answer.access_token, attestation: answer.device_attestation,
		expires: now() + (answer.expires_in || 0),
	};
	await saveSession(s);
	session = s;
	return s;
}

export const api = {
	documents: () => send('GET', '/v1/documents'),
	document: (type, { fields, number } = {}) => {
		const q = new URLSearchParams();
		if (fields && fields.length) q.set('fields', fields.join(','));
		if (number) q.set('number', number);
		const s = q.toString().replace(/%2C/g, ',');
		return send('GET', `/v1/documents/${encodeURIComponent(type)}`, { query: s ? '?' + s : '' });
	},
	reportLost: (type, number) => send('POST', `/v1/documents/${encodeURIComponent(type)}/report-lost`,
		{ body: number ? { document_number: number } : undefined }),
	accessLog: (before) => send('GET', '/v1/access-log', { query: before != null ? `?before=${before}` : '' }),
	leaks: () => send('GET', '/v1/leaks'),
};
