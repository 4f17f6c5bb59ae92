// base45.js — Base45 (RFC 9285) decoding, as strict as src/credential/base45.c:
// only the 45 characters of the QR alphanumeric mode, no lone trailing
// character, no group above 0xffff (three characters) or 0xff (two).
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export class Base45Error extends Error {}

function value(text, i) {
	const c = text.charCodeAt(i);
	return c < 128 ? VALUE[c] : -1;
}

function groupError(text, at, count) {
	for (let i = at; i < at + count; i++) {
		if (value(text, i) < 0) {
			const hex = text.charCodeAt(i).toString(16).padStart(2, '0');
			return new Base45Error(`character 0x${hex} at offset ${i} is not in the Base45 alphabet`);
		}
	}
	return new Base45Error(`the group at offset ${at} encodes a value out of range`);
}

/** Decodes Base45 text to bytes; throws Base45Error with the C code's wording. */
export function base45Decode(text) {
	const len = text.length;
	if (len % 3 === 1) throw new Base45Error(`a lone character at offset ${len - 1} ends the input`);
	const out = new Uint8Array(Math.floor(len / 3) * 2 + (len % 3 === 2 ? 1 : 0));
	let o = 0, i = 0;
	for (; i + 3 <= len; i += 3) {
		const a = value(text, i), b = value(text, i + 1), c = value(text, i + 2);
		const n = a + b * 45 + c * 2025;
		if (a < 0 || b < 0 || c < 0 || n > 0xffff) throw groupError(text, i, 3);
		out[o++] = n >> 8;
		out[o++] = n & 0xff;
	}
	if (i < len) {
		const a = value(text, i), b = value(text, i + 1);
		const n = a + b * 45;
		if (a < 0 || b < 0 || n > 0xff) throw groupError(text, i, 2);
		out[o++] = n;
	}
	return out;
}

export function base45Encode(bytes) {
	let s = '';
	let i = 0;
	for (; i + 2 <= bytes.length; i += 2) {
		const n = (bytes[i] << 8) | bytes[i + 1];
		s += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45) % 45] + ALPHABET[Math.floor(n / 2025)];
	}
	if (i < bytes.length) {
		const n = bytes[i];
		s += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45)];
	}
	return s;
}
