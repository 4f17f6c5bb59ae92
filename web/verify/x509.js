// x509.js — a minimal DER walker for what a verifier needs of an X.509 signer
// certificate (src/credential/signer_cert.c): the public key (SPKI), the
// validity, the subject's country, and the extended key usage, which says what
// the key may sign. Every length is checked against the bytes that remain;
// anything malformed throws CertError. Nothing here checks a chain: the trust
// list (signed, pinned) is what makes a certificate trusted.
export class CertError extends Error {}

// Hromada document types (DESIGN.md §3), in the order of their EKU arc numbers.
export const DOCUMENT_TYPES = ['id_card', 'foreign_passport', 'driver_licence', 'vehicle_registration',
	'residence_permit', 'vaccination', 'student_card', 'military_record'];
export const HROMADA_EKU_ARC = '2.25.34867928159994576829809997067329114833.1';
const DCC_OID_PREFIX = '1.3.6.1.4.1.1847.2021.1.';
const DCC_OID_LEGACY_PREFIX = '1.3.6.1.4.1.0.1847.2021.1.';
export const DCC_USAGE = { t: 1, v: 2, r: 4 };

const OID = {
	ec: '1.2.840.10045.2.1', rsa: '1.2.840.113549.1.1.1', rsaPss: '1.2.840.113549.1.1.10', ed25519: '1.3.101.112',
	p256: '1.2.840.10045.3.1.7', p384: '1.3.132.0.34', p521: '1.3.132.0.35',
	country: '2.5.4.6', eku: '2.5.29.37',
};

/** One TLV at offset p of bytes (within end): {tag, start (content), end, next}. */
export function tlv(bytes, p, end = bytes.length) {
	if (p + 2 > end) throw new CertError('truncated DER');
	const tag = bytes[p];
	if ((tag & 0x1f) === 0x1f) throw new CertError('high tag numbers are not used here');
	let len = bytes[p + 1];
	let q = p + 2;
	if (len & 0x80) {
		const n = len & 0x7f;
		if (n === 0 || n > 4 || q + n > end) throw new CertError('bad DER length');
		len = 0;
		for (let i = 0; i < n; i++) len = len * 256 + bytes[q + i];
		q += n;
	}
	if (len > end - q) throw new CertError('DER length beyond the data');
	return { tag, start: q, end: q + len, next: q + len, head: p };
}

/** The children of a constructed TLV. */
export function children(bytes, t) {
	const out = [];
	for (let p = t.start; p < t.end;) {
		const c = tlv(bytes, p, t.end);
		out.push(c);
		p = c.next;
	}
	return out;
}

export function oidText(bytes, t) {
	if (t.tag !== 0x06 || t.end === t.start) throw new CertError('not an OID');
	const parts = [];
	let v = 0n;
	for (let i = t.start; i < t.end; i++) {
		v = (v << 7n) | BigInt(bytes[i] & 0x7f);
		if (!(bytes[i] & 0x80)) {
			if (parts.length === 0) {
				const first = v < 80n ? v / 40n : 2n;
				parts.push(first, v - first * 40n);
			} else parts.push(v);
			v = 0n;
		}
	}
	return parts.join('.');
}

function text(bytes, t) {
	return new TextDecoder().decode(bytes.subarray(t.start, t.end));
}

/** UTCTime or GeneralizedTime to seconds since the epoch. */
function timeOf(bytes, t) {
	const s = text(bytes, t);
	let m;
	if (t.tag === 0x17 && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s))) {
		const yy = +m[1];
		return Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) / 1000;
	}
	if (t.tag === 0x18 && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(s)))
		return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
	throw new CertError('certificate validity is unreadable');
}

function unsignedInt(bytes, t) {
	if (t.tag !== 0x02) throw new CertError('not an INTEGER');
	let v = 0n;
	for (let i = t.start; i < t.end; i++) v = (v << 8n) | BigInt(bytes[i]);
	return v;
}

/**
 * Parses one DER certificate. Returns {der, spki, key: {kind, curve?, n?, e?},
 * notBefore, notAfter (seconds), country ("" when none), dccUsage (bits),
 * documentUsage (bit i: DOCUMENT_TYPES[i]), ekuCritical}.
 */
export function parseCertificate(der) {
	const cert = tlv(der, 0);
	if (cert.tag !== 0x30 || cert.next !== der.length) throw new CertError('not a DER X.509 certificate');
	const [tbs] = children(der, cert);
	if (!tbs || tbs.tag !== 0x30) throw new CertError('not a DER X.509 certificate');
	const f = children(der, tbs);
	let i = 0;
	if (f[i] && f[i].tag === 0xa0) i++; // version
	const serial = f[i++], sigAlg = f[i++], issuer = f[i++], validity = f[i++], subject = f[i++], spki = f[i++];
	if (!spki || serial.tag !== 0x02 || sigAlg.tag !== 0x30 || issuer.tag !== 0x30 || validity.tag !== 0x30 ||
	    subject.tag !== 0x30 || spki.tag !== 0x30)
		throw new CertError('not a DER X.509 certificate');
	const out = { der, spki: der.subarray(spki.head, spki.end), country: '', dccUsage: 0, documentUsage: 0, ekuCritical: false };
	const [nb, na] = children(der, validity);
	if (!nb || !na) throw new CertError('certificate validity is unreadable');
	out.notBefore = timeOf(der, nb);
	out.notAfter = timeOf(der, na);
	out.key = readKey(der, spki);
	out.country = readCountry(der, subject);
	for (; i < f.length; i++) {
		if (f[i].tag !== 0xa3) continue;
		const [exts] = children(der, f[i]);
		for (const ext of children(der, exts)) {
			const parts = children(der, ext);
			if (oidText(der, parts[0]) !== OID.eku) continue;
			const critical = parts.length === 3 && parts[1].tag === 0x01 && der[parts[1].start] !== 0;
			const value = parts[parts.length - 1];
			readUsage(der, tlv(der, value.start, value.end), out);
			out.ekuCritical = critical;
		}
	}
	return out;
}

function readKey(der, spki) {
	const [alg, bits] = children(der, spki);
	if (!alg || !bits || bits.tag !== 0x03) throw new CertError('certificate key is unreadable');
	const algParts = children(der, alg);
	const oid = oidText(der, algParts[0]);
	const keyBytes = der.subarray(bits.start + 1, bits.end);
	if (oid === OID.ec) {
		const params = algParts[1];
		const curveOid = params && params.tag === 0x06 ? oidText(der, params) : '';
		const curve = { [OID.p256]: 'P-256', [OID.p384]: 'P-384', [OID.p521]: 'P-521' }[curveOid];
		return { kind: curve ? curve : 'EC-other', curve, fieldBytes: { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[curve] || Math.floor((keyBytes.length - 1) / 2) };
	}
	if (oid === OID.rsa || oid === OID.rsaPss) {
		const seq = tlv(keyBytes, 0);
		const [n, e] = children(keyBytes, seq);
		const nv = unsignedInt(keyBytes, n), ev = unsignedInt(keyBytes, e);
		if (nv.toString(2).length < 2048) throw new CertError('certificate key is not EC, RSA >= 2048 or Ed25519');
		return { kind: 'RSA', n: nv, e: ev, bytes: Math.ceil(nv.toString(2).length / 8) };
	}
	if (oid === OID.ed25519) return { kind: 'Ed25519' };
	throw new CertError('certificate key is not EC, RSA >= 2048 or Ed25519');
}

function readCountry(der, subject) {
	for (const rdn of children(der, subject)) {
		for (const atv of children(der, rdn)) {
			const [type, value] = children(der, atv);
			if (type && value && oidText(der, type) === OID.country) {
				const c = text(der, value);
				return /^[A-Z]{2}$/.test(c) ? c : '';
			}
		}
	}
	return '';
}

function readUsage(der, seq, out) {
	for (const o of children(der, seq)) {
		let oid;
		try {
			oid = oidText(der, o);
		} catch {
			continue;
		}
		let last = null;
		if (oid.startsWith(DCC_OID_PREFIX)) last = oid.slice(DCC_OID_PREFIX.length);
		else if (oid.startsWith(DCC_OID_LEGACY_PREFIX)) last = oid.slice(DCC_OID_LEGACY_PREFIX.length);
		if (last !== null) {
			if (last === '1') out.dccUsage |= DCC_USAGE.t;
			else if (last === '2') out.dccUsage |= DCC_USAGE.v;
			else if (last === '3') out.dccUsage |= DCC_USAGE.r;
			continue;
		}
		if (oid.startsWith(HROMADA_EKU_ARC + '.')) {
			const rest = oid.slice(HROMADA_EKU_ARC.length + 1);
			const n = /^\d+$/.test(rest) ? Number(rest) : 0;
			if (n >= 1 && n <= DOCUMENT_TYPES.length) out.documentUsage |= 1 << (n - 1);
		}
	}
}

/** May this certificate sign a DCC of kind "v", "t" or "r"? (signer_cert_allows_dcc) */
export function allowsDcc(cert, kind) {
	if (cert.dccUsage === 0) return cert.documentUsage === 0;
	return (cert.dccUsage & (DCC_USAGE[kind] || 0)) !== 0;
}

export function allowsDocument(cert, typeIndex) {
	return typeIndex >= 0 && typeIndex < DOCUMENT_TYPES.length && (cert.documentUsage & (1 << typeIndex)) !== 0;
}

/** Certificates from PEM (one or more), base64 of DER, or DER bytes. */
export function certificatesFrom(data) {
	if (data instanceof Uint8Array) {
		if (data[0] === 0x30) return [data];
		data = new TextDecoder().decode(data);
	}
	const pem = [...data.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)];
	if (pem.length) return pem.map((m) => fromBase64(m[1]));
	return [fromBase64(data.trim())];
}

export function fromBase64(s) {
	const clean = s.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new CertError('not base64');
	const bin = atob(clean + '='.repeat((4 - (clean.length % 4)) % 4));
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out;
}
