// dcc_schema.js — the EU DCC schema check of src/credential/dcc_schema.c, rule
// for rule (its header comment lists every rule, version difference and the
// national test data that forced it). Value sets are business rules there and
// warnings only; they are not checked here. Returns null when the payload
// passes, else the C code's message.
const GROUPS = {
	v: [['tg', 'code', 'R'], ['vp', 'code', 'R'], ['mp', 'code', 'R'], ['ma', 'code', 'R'], ['dn', 'dose', 'R'],
		['sd', 'dose', 'R'], ['dt', 'date', 'R'], ['co', 'country', 'R'], ['is', 'text', 'RL'], ['ci', 'text', 'RL']],
	t: [['tg', 'code', 'R'], ['tt', 'code', 'R'], ['nm', 'text', 'N'], ['ma', 'code', ''], ['sc', 'datetime', 'R'],
		['dr', 'datetime', 'D'], ['tr', 'code', 'R'], ['tc', 'text', 'BL'], ['co', 'country', 'R'], ['is', 'text', 'RL'],
		['ci', 'text', 'RL']],
	r: [['tg', 'code', 'R'], ['fr', 'date', 'R'], ['co', 'country', 'R'], ['is', 'text', 'RL'], ['df', 'date', 'R'],
		['du', 'date', 'R'], ['ci', 'text', 'RL']],
};
const NAME_FIELDS = [['fn', 'text', 'L'], ['fnt', 'translit', 'L'], ['gn', 'text', 'L'], ['gnt', 'translit', 'L']];
export const DCC_SCHEMA_NEWEST = '1.3.2';

class SchemaError extends Error {}
const fail = (m) => {
	throw new SchemaError(m);
};
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const get = (o, k) => (isObject(o) && has(o, k) ? o[k] : undefined);

function quote(v) {
	if (typeof v === 'string') {
		const bytes = new TextEncoder().encode(v);
		let s = '"';
		let i = 0;
		for (; i < bytes.length && i < 40; i++) {
			const c = bytes[i];
			s += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : '\\x' + c.toString(16).padStart(2, '0');
		}
		return s + (i < bytes.length ? '..."' : '"');
	}
	if (typeof v === 'number') return String(v);
	if (Array.isArray(v)) return 'an array';
	if (isObject(v)) return 'an object';
	if (typeof v === 'boolean') return String(v);
	return 'null';
}
const failType = (path, v, expected) => fail(`${path}: ${quote(v)} is not ${expected}`);

const digits = (s, at, n) => s.length >= at + n && /^\d+$/.test(s.slice(at, at + n));
const num = (s, at, n) => Number(s.slice(at, at + n));
const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function fullDate(s) {
	if (s.length < 10 || !digits(s, 0, 4) || s[4] !== '-' || !digits(s, 5, 2) || s[7] !== '-' || !digits(s, 8, 2)) return false;
	const y = num(s, 0, 4), m = num(s, 5, 2), d = num(s, 8, 2);
	if (m < 1 || m > 12) return false;
	const last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] + (m === 2 && leap(y) ? 1 : 0);
	return d >= 1 && d <= last;
}

function timeAndOffset(s) {
	if (s.length < 8 || !digits(s, 0, 2) || s[2] !== ':' || !digits(s, 3, 2) || s[5] !== ':' || !digits(s, 6, 2)) return false;
	if (num(s, 0, 2) > 23 || num(s, 3, 2) > 59 || num(s, 6, 2) > 60) return false;
	let i = 8;
	if (i < s.length && s[i] === '.') {
		const start = ++i;
		while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
		if (i === start) return false;
	}
	if (i === s.length) return true;
	if ((s[i] === 'Z' || s[i] === 'z') && i + 1 === s.length) return true;
	if (s[i] !== '+' && s[i] !== '-') return false;
	i++;
	if (!digits(s, i, 2) || num(s, i, 2) > 23) return false;
	i += 2;
	if (i === s.length) return true;
	if (s[i] === ':') i++;
	return s.length - i === 2 && digits(s, i, 2) && num(s, i, 2) <= 59;
}

// Byte-level checks (the C code works on UTF-8 bytes; non-ASCII never matches).
const dateTime = (s) => s.length > 11 && fullDate(s) && (s[10] === 'T' || s[10] === 't') && timeAndOffset(s.slice(11));
const dateOrDateTime = (s) => (s.length === 10 && fullDate(s)) || dateTime(s);

function dateOfBirth(s, rules) {
	if (s.length === 0) return rules.dobEmpty;
	if (s.length < 4 || !digits(s, 0, 4) || !(s.startsWith('19') || s.startsWith('20'))) return false;
	let i = 4;
	for (let part = 0; part < 2 && i < s.length && s[i] === '-'; part++) {
		if (s.length - i < 3 || !digits(s, i + 1, 2)) return false;
		i += 3;
	}
	if (i === s.length) return true;
	return rules.dobTime && i === 10 && (s[i] === 'T' || s[i] === 't') && timeAndOffset(s.slice(11));
}

function rulesFrom(ver) {
	if (ver === undefined)
		return { version: DCC_SCHEMA_NEWEST, dobEmpty: true, singleEntry: true, nmLimited: true, maxText: 80, fntOptional: true };
	if (typeof ver !== 'string') failType('ver', ver, 'a string');
	const m = /^(\d{1,6})\.(\d{1,6})\.(\d{1,6})$/.exec(ver);
	if (!m || new TextEncoder().encode(ver).length >= 16) failType('ver', ver, 'a schema version MAJOR.MINOR.PATCH');
	const [major, minor, patch] = [+m[1], +m[2], +m[3]];
	const key = major >= 1000 || minor >= 1000 || patch >= 1000 ? (major >= 1 ? 999999999 : 0) : major * 1e6 + minor * 1e3 + patch;
	return {
		version: ver, dobTime: key < 1001000, drDefined: key < 1002000, dobEmpty: key >= 1003000,
		singleEntry: key >= 1003000, nmLimited: key >= 1003000, doseMax9: key < 1003000, tcRequired: key < 1003000,
		maxText: key < 1003000 ? Infinity : 80, fntOptional: key >= 1003002,
	};
}

const chars = (s) => [...s].length;

function checkLength(v, path, max, rules) {
	const n = chars(v);
	if (n > max) fail(`${path}: ${n} characters, more than the ${max} allowed (schema ${rules.version})`);
}

function checkDose(v, path, rules) {
	if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) failType(path, v, 'a positive integer');
	if (rules.doseMax9 && v > 9) fail(`${path}: ${v} is more than 9 (schema ${rules.version})`);
}

function checkField([name, kind, flags], v, path, rules) {
	if (kind === 'dose') return checkDose(v, path, rules);
	if (typeof v !== 'string') failType(path, v, 'a string');
	if (kind === 'translit' && !/^[A-Z<]*$/.test(v)) fail(`${path}: ${quote(v)} does not match ^[A-Z<]*$ (ICAO 9303 transliteration)`);
	if (kind === 'country' && !/[A-Z]/.test(v)) fail(`${path}: ${quote(v)} does not match [A-Z]{1,10}`);
	if (kind === 'date' && !dateOrDateTime(v)) failType(path, v, 'a date YYYY-MM-DD');
	if (kind === 'datetime' && !dateTime(v)) failType(path, v, 'a date-time YYYY-MM-DDThh:mm:ss[.s][Z|+hh:mm] (RFC 3339)');
	if (flags.includes('L')) return checkLength(v, path, rules.maxText, rules);
	if (flags.includes('N') && rules.nmLimited) checkLength(v, path, 80, rules);
}

function checkFields(obj, prefix, fields, rules) {
	for (const field of fields) {
		const [name, , flags] = field;
		const required = flags.includes('R') || (flags.includes('B') && rules.tcRequired);
		const path = `${prefix}.${name}`;
		if (flags.includes('D') && !rules.drDefined) continue;
		let v = get(obj, name);
		if (v === null) v = undefined;
		if (v === undefined) {
			if (required) fail(`${path}: required field is missing`);
			continue;
		}
		checkField(field, v, path, rules);
	}
}

const absent = (o, k) => get(o, k) === undefined || get(o, k) === null;

function presentGroup(payload) {
	let group = null, found = 0;
	for (const key of ['v', 't', 'r']) {
		const v = get(payload, key);
		if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
		group = key;
		found++;
	}
	return { group: found === 1 ? group : null, found };
}

/** "v", "t" or "r" when exactly one group holds entries, else null. */
export function dccCertificateType(payload) {
	return isObject(payload) ? presentGroup(payload).group : null;
}

export function dccSchemaLacksVersion(payload) {
	return isObject(payload) && !has(payload, 'ver');
}

/** null when the payload passes, else the reason. */
export function dccSchemaCheck(payload) {
	try {
		if (!isObject(payload)) fail('the DCC payload is not a JSON object');
		const rules = rulesFrom(get(payload, 'ver'));
		let nam = get(payload, 'nam');
		if (nam === null) nam = undefined;
		if (nam === undefined) fail('nam: required field is missing');
		if (!isObject(nam)) failType('nam', nam, 'an object');
		if (rules.fntOptional) {
			if (absent(nam, 'fnt') && absent(nam, 'gnt')) fail('nam: one of fnt and gnt is required');
		} else if (absent(nam, 'fnt')) fail(`nam.fnt: required field is missing (schema ${rules.version})`);
		checkFields(nam, 'nam', NAME_FIELDS, rules);
		let dob = get(payload, 'dob');
		if (dob === null) dob = undefined;
		if (dob === undefined) fail('dob: required field is missing');
		if (typeof dob !== 'string') failType('dob', dob, 'a string');
		if (!dateOfBirth(dob, rules))
			failType('dob', dob, rules.dobEmpty ? 'a date of birth YYYY[-MM[-DD]] in 1900-2099 or ""' : 'a date of birth YYYY[-MM[-DD]] in 1900-2099');
		const { group, found } = presentGroup(payload);
		if (group === null) fail(`exactly one of v, t, r must hold entries (found ${found})`);
		const entries = payload[group];
		if (!Array.isArray(entries)) failType(group, entries, 'an array');
		if (entries.length > 1 && rules.singleEntry)
			fail(`${group}: must hold exactly one entry, holds ${entries.length} (schema ${rules.version})`);
		entries.forEach((entry, i) => {
			if (!isObject(entry)) failType(`${group}[${i}]`, entry, 'an object');
			checkFields(entry, `${group}[${i}]`, GROUPS[group], rules);
		});
		return null;
	} catch (e) {
		if (e instanceof SchemaError) return e.message;
		throw e;
	}
}
