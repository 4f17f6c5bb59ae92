// trust_list.js — the signed trust list (docs/TRUST_LIST.md) on the verifier
// page: a JWS in flattened JSON, checked under the pinned anchor (never x5c),
// format and version, freshness (next_update plus a grace, by the real clock),
// no rollback (a sequence lower than the newest accepted), and every entry's
// kid equal to SHA-256 of its certificate. Nothing from a list is trusted
// before all of that passed. Errors are TrustListError with a sentence.
import { coseVerify } from './cose_crypto.js';
import { parseCertificate, fromBase64 } from './x509.js';
import { trustStoreNew, trustStoreAddListed, parseTime } from './verify.js';

export class TrustListError extends Error {}
export const GRACE_S = 86400; // HR_TRUST_LIST_GRACE_DEFAULT: a day offline keeps working
const JOSE_ALGS = { ES256: -7, ES384: -35, ES512: -36, PS256: -37, PS384: -38, PS512: -39, EdDSA: -8 };

const fail = (m) => {
	throw new TrustListError(m);
};

function b64urlBytes(s, what) {
	if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s)) fail(`the trust list's ${what} is not base64url`);
	return fromBase64(s);
}

/** The anchor reply of GET /verify/anchor.json, checked: {kid, certificate, cert}. */
export async function readAnchor(json) {
	if (!json || json.format !== 'hromada-trust-anchor' || typeof json.certificate !== 'string') fail('the anchor is not a hromada-trust-anchor');
	const der = fromBase64(json.certificate);
	const cert = parseCertificate(der);
	const kid = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', der)).subarray(0, 8)));
	return { kid, certificate: json.certificate, cert };
}

/**
 * Opens a list text under the anchor. options: {now (seconds), grace,
 * minSequence}. Returns {sequence, issuedAt, nextUpdate, store, signers}.
 */
export async function openTrustList(text, anchor, options = {}) {
	const now = options.now ?? Date.now() / 1000;
	const grace = options.grace ?? GRACE_S;
	let jws;
	try {
		jws = JSON.parse(text);
	} catch {
		fail('the trust list is not JSON');
	}
	if (!jws || typeof jws.protected !== 'string' || typeof jws.payload !== 'string' || typeof jws.signature !== 'string')
		fail('the trust list is not a flattened JWS');
	let header;
	try {
		header = JSON.parse(new TextDecoder().decode(b64urlBytes(jws.protected, 'header')));
	} catch (e) {
		if (e instanceof TrustListError) throw e;
		fail("the trust list's header is not JSON");
	}
	if ('crit' in header) fail("the trust list's header has crit, which is refused");
	const alg = JOSE_ALGS[header.alg];
	if (alg === undefined) fail(`the trust list's algorithm ${String(header.alg).slice(0, 16)} is not accepted`);
	const signingInput = new TextEncoder().encode(`${jws.protected}.${jws.payload}`);
	try {
		await coseVerify(alg, anchor.cert, signingInput, b64urlBytes(jws.signature, 'signature'));
	} catch (e) {
		fail(`the trust list is not signed by the pinned trust-list signer (${e.message})`);
	}
	let list;
	try {
		list = JSON.parse(new TextDecoder().decode(b64urlBytes(jws.payload, 'payload')));
	} catch (e) {
		if (e instanceof TrustListError) throw e;
		fail("the trust list's payload is not JSON");
	}
	if (list.format !== 'hromada-trust-list' || list.version !== 1) fail('the trust list is not a hromada-trust-list of version 1');
	if (!Number.isSafeInteger(list.sequence) || typeof list.issued_at !== 'string' || typeof list.next_update !== 'string' || !Array.isArray(list.signers))
		fail('the trust list lacks sequence, issued_at, next_update or signers');
	const nextUpdate = parseTime(list.next_update), issuedAt = parseTime(list.issued_at);
	if (now > nextUpdate + grace)
		fail(`the trust list is stale: its next_update ${list.next_update} plus the grace of ${grace} s has passed; connect to the network to fetch a current list`);
	if (options.minSequence !== undefined && list.sequence < options.minSequence)
		fail(`the trust list's sequence ${list.sequence} is older than ${options.minSequence}, which this page has already accepted (a rollback)`);
	const store = trustStoreNew();
	for (const s of list.signers) {
		if (!s || typeof s.country !== 'string' || !/^[A-Z]{2}$/.test(s.country) || typeof s.kid !== 'string' || typeof s.certificate !== 'string')
			fail('a trust list entry lacks country, kid or certificate');
		const der = fromBase64(s.certificate);
		const kid = new Uint8Array(await crypto.subtle.digest('SHA-256', der)).subarray(0, 8);
		const listed = fromBase64(s.kid);
		if (listed.length !== 8 || !listed.every((x, i) => x === kid[i])) fail(`a trust list entry's kid ${s.kid.slice(0, 16)} is not its certificate's`);
		trustStoreAddListed(store, der, kid, s.country);
	}
	return { sequence: list.sequence, issuedAt, nextUpdate, store, signers: list.signers.length };
}
