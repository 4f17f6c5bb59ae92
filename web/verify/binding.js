// binding.js — holder binding, the verifier's side (docs/WEB.md, "Holder
// binding"). A credential whose CWT claims carry cnf (a P-256 device key)
// proves nothing by itself: a screenshot of it verifies. So the page shows a
// challenge QR, HRC1:<nonce>.<credhash16>, the holder's wallet signs
//   "hromada-holder-binding-v1." + b64url(nonce) + "." + b64url(credhash16)
// with the device key (ECDSA P-256 SHA-256, raw r||s) and shows
// HRR1:<nonce>.<signature>; the page checks the nonce is the one it issued
// (single use, within 120 s) and the signature under cnf.
import { base64url } from './cbor.js';
import { fromBase64 } from './x509.js';

export const CHALLENGE_TTL_S = 120;
const enc = new TextEncoder();

export async function credentialHash16(qrText) {
	return new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(qrText))).subarray(0, 16);
}

export function bindingMessage(nonce, hash16) {
	return enc.encode(`hromada-holder-binding-v1.${base64url(nonce)}.${base64url(hash16)}`);
}

/** A new challenge for a verified credential text: {text (the QR), nonce, hash16, issuedAt, used}. */
export async function makeChallenge(qrText, now = Date.now() / 1000) {
	const nonce = crypto.getRandomValues(new Uint8Array(16));
	const hash16 = await credentialHash16(qrText);
	return { text: `HRC1:${base64url(nonce)}.${base64url(hash16)}`, nonce, hash16, issuedAt: now, used: false };
}

/**
 * Checks a response QR text against the challenge and the credential's cnf
 * claim ({jwk: {kty, crv, x, y}} as verify.js renders it). Resolves to
 * {ok: true} or {ok: false, reason: 'format' | 'nonce' | 'used' | 'late' | 'signature' | 'key'}.
 * A challenge is used up by any well-formed answer to it, right or wrong.
 */
export async function checkResponse(challenge, cnf, responseText, now = Date.now() / 1000) {
	const m = /^HRR1:([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{86})$/.exec(String(responseText).trim());
	if (!m) return { ok: false, reason: 'format' };
	const nonce = fromBase64(m[1]);
	if (!challenge || nonce.length !== 16 || !nonce.every((x, i) => x === challenge.nonce[i])) return { ok: false, reason: 'nonce' };
	if (challenge.used) return { ok: false, reason: 'used' };
	challenge.used = true;
	if (now - challenge.issuedAt > CHALLENGE_TTL_S) return { ok: false, reason: 'late' };
	const jwk = cnf && cnf.jwk;
	if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256') return { ok: false, reason: 'key' };
	let key;
	try {
		key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
	} catch {
		return { ok: false, reason: 'key' };
	}
	const sig = fromBase64(m[2]);
	const ok = sig.length === 64 && (await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, bindingMessage(challenge.nonce, challenge.hash16)));
	return ok ? { ok: true } : { ok: false, reason: 'signature' };
}
