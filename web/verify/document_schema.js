// document_schema.js — the field tables of the eight Hromada document types and
// the checker of src/credential/document_schema.c (docs/DOCUMENTS.md). Returns
// null when a document passes, else the C code's message.
import { DOCUMENT_TYPES } from './x509.js';

const SEXES = ['F', 'M', 'X'];
const STATUSES = ['valid', 'suspended', 'expired', 'lost'];
const CATEGORIES = ['AM', 'A1', 'A2', 'A', 'B1', 'B', 'BE', 'C1', 'C1E', 'C', 'CE', 'D1', 'D1E', 'D', 'DE', 'T'];

const text = (max) => ({ kind: 'text', max });
const PERSON = {
	person_id: { kind: 'person_id' }, family_name: text(80), given_name: text(80), patronymic: text(80),
	family_name_latin: { kind: 'latin', max: 80 }, given_name_latin: { kind: 'latin', max: 80 }, birth_date: { kind: 'date' },
};
const DOCUMENT = {
	document_number: text(32), issue_date: { kind: 'date' }, expiry_date: { kind: 'date' },
	issuing_authority: text(120), status: { kind: 'choice', choices: STATUSES },
};
const base = (extra) => ({ ...PERSON, ...DOCUMENT, ...extra });
const choice = (choices) => ({ kind: 'choice', choices });
const int = (min, max) => ({ kind: 'int', min, max });

export const DOCUMENT_SCHEMAS = {
	id_card: base({ sex: choice(SEXES), nationality: { kind: 'country3' }, birth_place: text(120), record_number: text(32), address: text(200) }),
	foreign_passport: base({ sex: choice(SEXES), nationality: { kind: 'country3' }, birth_place: text(120), record_number: text(32) }),
	driver_licence: base({
		categories: { kind: 'array', max: 16, items: { code: choice(CATEGORIES), issue_date: { kind: 'date' }, expiry_date: { kind: 'date' } } },
		restrictions: text(120),
	}),
	vehicle_registration: base({ plate: text(16), vin: { kind: 'vin' }, make: text(40), model: text(40), year: int(1900, 2100), color: text(40), registration_date: { kind: 'date' } }),
	residence_permit: base({ sex: choice(SEXES), nationality: { kind: 'country3' }, permit_type: choice(['temporary', 'permanent']), address: text(200) }),
	vaccination: base({
		vaccinations: { kind: 'array', max: 32, items: { disease: text(80), vaccine: text(80), dose: int(1, 20), date: { kind: 'date' }, country: { kind: 'country3' }, lot: text(40) } },
	}),
	student_card: base({ institution: text(120), faculty: text(120), study_form: choice(['full_time', 'part_time', 'distance']), course: int(1, 10) }),
	military_record: base({ military_status: choice(['conscript', 'reservist', 'serving', 'exempt', 'retired']), rank: text(60), specialty: text(60), registration_office: text(120) }),
};

class SchemaError extends Error {}
const fail = (m) => {
	throw new SchemaError(m);
};
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const bytes = (s) => new TextEncoder().encode(s).length;
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function dateValid(s) {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
	const y = +s.slice(0, 4), m = +s.slice(5, 7), d = +s.slice(8, 10);
	if (y < 1800 || m < 1 || m > 12 || d < 1 || d > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]) return false;
	return !(m === 2 && d === 29 && !((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0));
}

function rnokppValid(d) {
	if (!/^\d{10}$/.test(d)) return false;
	const w = [-1, 5, 7, 9, 4, 6, 10, 5, 7];
	let sum = 0;
	for (let i = 0; i < 9; i++) sum += w[i] * +d[i];
	sum %= 11;
	if (sum < 0) sum += 11;
	return sum % 10 === +d[9];
}

function peselValid(d) {
	if (!/^\d{11}$/.test(d)) return false;
	const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
	let sum = 0;
	for (let i = 0; i < 10; i++) sum += w[i] * +d[i];
	if ((10 - (sum % 10)) % 10 !== +d[10]) return false;
	let year = +d.slice(0, 2), month = +d.slice(2, 4);
	const day = +d.slice(4, 6);
	const century = month > 80 ? 1800 : month > 60 ? 2200 : month > 40 ? 2100 : month > 20 ? 2000 : 1900;
	month %= 20;
	year += century;
	if (month < 1 || month > 12 || day < 1 || day > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]) return false;
	return !(month === 2 && day === 29 && !((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0));
}

export function personIdValid(id) {
	if (id.startsWith('UA:')) return rnokppValid(id.slice(3));
	if (id.startsWith('PL:')) return peselValid(id.slice(3));
	return false;
}

function checkValue(v, f, parent, key) {
	const path = `${parent}${parent ? '.' : ''}${key}`;
	if (f.kind === 'int') {
		if (typeof v !== 'number' || !Number.isInteger(v) || v < f.min || v > f.max)
			fail(`${path} must be an integer from ${f.min} to ${f.max}`);
		return;
	}
	if (f.kind === 'array') {
		if (!Array.isArray(v) || v.length === 0 || v.length > f.max) fail(`${path} must be an array of 1 to ${f.max} entries`);
		v.forEach((el, i) => checkObject(el, f.items, `${path}[${i}]`));
		return;
	}
	if (typeof v !== 'string') fail(`${path} must be a string`);
	// the C code sees a C string: it ends at an embedded U+0000
	const s = v.split('\u0000')[0];
	switch (f.kind) {
	case 'text':
		if (s === '' || bytes(s) > f.max) fail(`${path} must be 1 to ${f.max} bytes of text`);
		break;
	case 'latin':
		if (bytes(s) > f.max || !/^[A-Z '-]+$/.test(s)) fail(`${path} must be transliterated Latin capitals`);
		break;
	case 'date':
		if (!dateValid(s)) fail(`${path} must be a YYYY-MM-DD date`);
		break;
	case 'choice':
		if (!f.choices.includes(s)) fail(`${path}: '${s.slice(0, 40)}' is not allowed`);
		break;
	case 'person_id':
		if (!personIdValid(s)) fail(`${path} is not a valid UA:RNOKPP or PL:PESEL`);
		break;
	case 'country3':
		if (!/^[A-Z]{3}$/.test(s)) fail(`${path} must be an ISO 3166 alpha-3 country code`);
		break;
	case 'vin':
		if (!/^[0-9A-HJ-NPR-Z]{17}$/.test(s)) fail(`${path} is not a 17-character VIN`);
		break;
	}
}

function checkObject(obj, fields, path) {
	if (!isObject(obj)) fail(`${path} must be an object`);
	for (const key of Object.keys(obj)) {
		if (path === '' && (key === 't' || key === 'v')) continue;
		if (!own(fields, key)) fail(`unknown field ${path}${path ? '.' : ''}${key}`);
		checkValue(obj[key], fields[key], path, key);
	}
}

/** Index of the document's type in DOCUMENT_TYPES, or -1. */
export function documentType(doc) {
	return isObject(doc) && typeof doc.t === 'string' ? DOCUMENT_TYPES.indexOf(doc.t) : -1;
}

export function documentSchemaCheck(doc) {
	try {
		if (!isObject(doc)) fail('the document is not an object');
		const type = documentType(doc);
		if (type < 0) fail('t must name a document type (id_card, driver_licence, ...)');
		if (doc.v !== 1) fail('v must be 1');
		checkObject(doc, DOCUMENT_SCHEMAS[DOCUMENT_TYPES[type]], '');
		return null;
	} catch (e) {
		if (e instanceof SchemaError) return e.message;
		throw e;
	}
}
