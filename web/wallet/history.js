/*
 * history.js — the access history in words, each entry's inclusion proof
 * checked on the device (RFC 9162 §2.1.3.2), as src/audit/access_history.c
 * does: leaf hash SHA-256(0x00 || entry bytes), nodes SHA-256(0x01 || l || r),
 * up to the root_hash of the tree head the answer came with.
 *
 * Not checked here: the tree head's signature (the page has no trusted copy
 * of the gateway's tree-head certificate; `hromada device access-log` checks
 * it), nor the per-person sequence. docs/WEB.md says so.
 */
import { b64Decode, sha256 } from './device.js';

function concat(...parts) {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) { out.set(p, at); at += p.length; }
	return out;
}

const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/* true when proof leads from entry (bytes) at index to root in a tree of size. */
export async function inclusionHolds(entry, index, size, proof, root) {
	if (!(index >= 0 && index < size)) return false;
	let fn = BigInt(index), sn = BigInt(size) - 1n;
	let r = await sha256(concat(new Uint8Array([0]), entry));
	for (const p of proof) {
		if (sn === 0n) return false;
		if ((fn & 1n) === 1n || fn === sn) {
			r = await sha256(concat(new Uint8Array([1]), p, r));
			while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
		} else {
			r = await sha256(concat(new Uint8Array([1]), r, p));
		}
		fn >>= 1n; sn >>= 1n;
	}
	return sn === 0n && equal(r, root);
}

/* Each entry of an access-log answer with proven: true/false. */
export async function checkEntries(answer) {
	const head = answer.tree_head || {};
	let root;
	try { root = b64Decode(head.root_hash || ''); } catch { root = new Uint8Array(); }
	const out = [];
	for (const e of answer.entries || []) {
		let proven = false;
		try {
			proven = await inclusionHolds(b64Decode(e.entry), e.leaf_index, head.tree_size,
				(e.inclusion || []).map(b64Decode), root);
		} catch { proven = false; }
		out.push({ ...e, proven });
	}
	return out;
}

/* "PL/GOV/00000003/police" -> words, in the page's language. */
export function memberWords(t, id, ownWallet, country) {
	if (!id) return '?';
	if (id === ownWallet) return t('member.wallet.own');
	const parts = id.split('/');
	const c = country || parts[0];
	const role = parts[parts.length - 1];
	const key = ['wallet', 'police', 'bank', 'cert', 'gateway'].includes(role) ? `member.${role}.${c}`
		: (role.length > 2 && parts.length >= 4 ? `member.registry.${c}` : null);
	const words = key ? t(key) : key;
	return words && words !== key ? words : id;
}

/* A legal basis as the law's purpose in words; the text itself when unknown. */
export function basisWords(t, basis) {
	const b = String(basis || '');
	const rules = [
		[/cooperation agreement|współpracy policyjnej|cross-border/i, 'basis.cross_border'],
		[/Road Traffic|kierujących pojazdami|suspension/i, 'basis.suspension'],
		[/National Police|Ustawa o Policji/i, 'basis.police'],
		[/revocation status/i, 'basis.status'],
		[/Cybersecurity|cyberbezpiecze/i, 'basis.cert'],
	];
	for (const [re, id] of rules) if (re.test(b)) return t(id);
	return b;
}

/* What happened, in words: "checked the validity of: Driving licence". */
export function actionWords(t, fields, documentType) {
	const doc = documentType ? t('doc.' + documentType) : '';
	const service = fields.service || '';
	const id = ['lookup', 'status', 'report-lost', 'suspend', 'reinstate', 'access-log', 'status-changes']
		.includes(service) ? 'service.' + service : 'service.other';
	return t(id, { doc: doc || service });
}

/* One entry as the lines the page shows. */
export function entryWords(t, lang, e, ownWallet) {
	const f = e.fields || {};
	const when = new Date((f.time || 0) * 1000);
	const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(when);
	const date = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric' }).format(when);
	const docType = e.document_type || (f.provider ? f.provider.split('/').pop() : '');
	return {
		who: memberWords(t, f.client, ownWallet, e.client_country),
		time, date,
		action: actionWords(t, f, docType.includes('gateway') ? '' : docType),
		basis: f.legal_basis ? t('history_basis', { basis: basisWords(t, f.legal_basis) }) : t('history_consent'),
		refused: typeof f.status === 'number' && f.status >= 400,
		proven: e.proven,
	};
}
