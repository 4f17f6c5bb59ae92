// cbor.js — a bounded CBOR (RFC 8949) decoder for untrusted input, the
// browser's twin of src/credential/cbor.c: well-formedness checked in full
// (reserved additional information, breaks, chunk types, simple values below
// 32 in two bytes, UTF-8 of text), every declared length checked against the
// bytes that remain before use, limits on items, string length and nesting.
// It never throws anything but CborError, whatever the bytes.
//
// Items are plain objects: {type, value (BigInt, for integers, tags, simple),
// bytes (Uint8Array, strings), text (string), items (array), entries ([[k, v]],
// map), content (tag), number (float), indefinite, offset, end}.
export class CborError extends Error {
	constructor(reason, offset) {
		super(`${reason} at offset ${offset}`);
		this.reason = reason;
		this.offset = offset;
	}
}

export const LIMITS = Object.freeze({ maxItems: 65536, maxDepth: 16, maxString: 1 << 20 });
const BREAK = 0xff;
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Decoder {
	constructor(bytes, limits) {
		this.b = bytes;
		this.p = 0;
		this.items = 0;
		this.limits = { ...LIMITS, ...(limits || {}) };
	}
	fail(reason, offset) {
		throw new CborError(reason, offset ?? this.p);
	}
	remaining() {
		return this.b.length - this.p;
	}
	argument(ai, offset) {
		if (ai < 24) return BigInt(ai);
		const n = 1 << (ai - 24);
		if (this.remaining() < n) this.fail('truncated item', offset);
		let v = 0n;
		for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.b[this.p + i]);
		this.p += n;
		return v;
	}
	string(major, len, offset) {
		if (len > BigInt(this.remaining())) this.fail('string longer than the remaining input', offset);
		if (len > BigInt(this.limits.maxString)) this.fail('string longer than the limit', offset);
		const n = Number(len);
		const bytes = this.b.subarray(this.p, this.p + n);
		let text;
		if (major === 3) {
			try {
				text = utf8.decode(bytes);
			} catch {
				this.fail('invalid UTF-8 in a text string', this.p);
			}
		}
		this.p += n;
		return { bytes, text };
	}
	// One whole item; depth counts the containers and tags around it.
	item(depth) {
		const offset = this.p;
		if (this.p >= this.b.length) this.fail('unexpected end of input', offset);
		if (this.items >= this.limits.maxItems) this.fail('more items than the limit', offset);
		this.items++;
		const ib = this.b[this.p++];
		const major = ib >> 5, ai = ib & 0x1f;
		if (ai > 27 && ai < 31) this.fail('reserved additional information', offset);
		let value = 0n;
		let indefinite = false;
		if (ai === 31) {
			if (major === 7) this.fail('unexpected break', offset);
			if (major < 2 || major > 5) this.fail('indefinite length on an integer or tag', offset);
			indefinite = true;
		} else {
			value = this.argument(ai, offset);
		}
		const it = { offset, indefinite };
		switch (major) {
		case 0:
			return this.done(Object.assign(it, { type: 'uint', value }));
		case 1:
			return this.done(Object.assign(it, { type: 'negint', value }));
		case 2:
		case 3: {
			it.type = major === 2 ? 'bytes' : 'text';
			if (!indefinite) {
				Object.assign(it, this.string(major, value, offset));
				return this.done(it);
			}
			const parts = [];
			let total = 0;
			for (;;) {
				const at = this.p;
				if (this.p >= this.b.length) this.fail('indefinite-length string without a break', at);
				const c = this.b[this.p];
				if (c === BREAK) {
					this.p++;
					break;
				}
				if (c >> 5 !== major) this.fail('string chunk of another major type', at);
				const cai = c & 0x1f;
				if (cai === 31) this.fail('indefinite-length string chunk', at);
				if (cai > 27) this.fail('reserved additional information', at);
				if (this.items >= this.limits.maxItems) this.fail('more items than the limit', at);
				this.items++;
				this.p++;
				const chunk = this.string(major, this.argument(cai, at), at);
				total += chunk.bytes.length;
				if (total > this.limits.maxString) this.fail('string longer than the limit', at);
				parts.push(chunk);
			}
			const bytes = new Uint8Array(total);
			let o = 0;
			for (const part of parts) {
				bytes.set(part.bytes, o);
				o += part.bytes.length;
			}
			it.bytes = bytes;
			if (major === 3) it.text = parts.map((part) => part.text).join('');
			return this.done(it);
		}
		case 4:
		case 5: {
			it.type = major === 4 ? 'array' : 'map';
			if (depth >= this.limits.maxDepth) this.fail('nesting deeper than the limit', offset);
			const pairs = major === 5 ? 2n : 1n;
			if (!indefinite) {
				if (value * pairs > BigInt(this.remaining()))
					this.fail(`${it.type} count larger than the remaining input`, offset);
				if (value * pairs > BigInt(this.limits.maxItems - this.items))
					this.fail('more items than the limit', offset);
			}
			const list = [];
			for (let i = 0n; indefinite || i < value; i++) {
				if (indefinite && this.atBreak()) break;
				if (major === 4) {
					list.push(this.item(depth + 1));
				} else {
					const k = this.item(depth + 1);
					if (indefinite && this.b[this.p] === BREAK) this.fail('unexpected break', this.p);
					list.push([k, this.item(depth + 1)]);
				}
			}
			if (major === 4) it.items = list;
			else it.entries = list;
			return this.done(it);
		}
		case 6:
			if (depth >= this.limits.maxDepth) this.fail('nesting deeper than the limit', offset);
			it.type = 'tag';
			it.value = value;
			it.content = this.item(depth + 1);
			return this.done(it);
		default:
			return this.done(Object.assign(it, this.simple(ai, value, offset)));
		}
	}
	atBreak() {
		if (this.p >= this.b.length) this.fail('unexpected end of input', this.p);
		if (this.b[this.p] !== BREAK) return false;
		this.p++;
		return true;
	}
	done(it) {
		it.end = this.p;
		return it;
	}
	simple(ai, value, offset) {
		if (ai === 24) {
			if (value < 32n) this.fail('simple value below 32 in two bytes', offset);
			return { type: 'simple', value };
		}
		if (ai === 25) return { type: 'float', number: halfToNumber(Number(value)) };
		const view = new DataView(new ArrayBuffer(8));
		if (ai === 26) {
			view.setUint32(0, Number(value));
			return { type: 'float', number: view.getFloat32(0) };
		}
		if (ai === 27) {
			view.setBigUint64(0, value);
			return { type: 'float', number: view.getFloat64(0) };
		}
		return { type: 'simple', value };
	}
}

function halfToNumber(half) {
	const exponent = (half >> 10) & 0x1f, mantissa = half & 0x3ff;
	let v;
	if (exponent === 0) v = mantissa * 2 ** -24;
	else if (exponent !== 31) v = (mantissa + 1024) * 2 ** (exponent - 25);
	else v = mantissa === 0 ? Infinity : NaN;
	return half & 0x8000 ? -v : v;
}

/** Decodes exactly one item filling all of bytes (else CborError "trailing bytes"). */
export function cborDecode(bytes, limits) {
	const d = new Decoder(bytes, limits);
	const it = d.item(0);
	if (d.p !== bytes.length) d.fail('trailing bytes', d.p);
	return it;
}

const INT64_MIN = -(1n << 63n), INT64_MAX = (1n << 63n) - 1n;

/** The integer of a uint/negint item if it fits int64, else null. */
export function itemInt(it) {
	if (!it || (it.type !== 'uint' && it.type !== 'negint')) return null;
	const v = it.type === 'uint' ? it.value : -1n - it.value;
	return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

// RFC 8949 §3.4 tags that only annotate their content (cbor_json.c).
const TAG_FITS = new Map([
	[0n, (c) => c.type === 'text'],
	[1004n, (c) => c.type === 'text'],
	[1n, (c) => c.type === 'uint' || c.type === 'negint' || c.type === 'float'],
	[100n, (c) => c.type === 'uint' || c.type === 'negint'],
]);

export function base64url(bytes) {
	let s = '';
	for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
	return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64(bytes) {
	let s = '';
	for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
	return btoa(s);
}

/** A map key as JSON object key text (text as is, integers in decimal), or throws. */
export function keyText(k) {
	if (k.type === 'text') {
		if (k.text.includes('\u0000')) throw new CborError('map key containing U+0000', k.offset);
		return k.text;
	}
	if (k.type === 'uint') return k.value.toString();
	if (k.type === 'negint') return (-1n - k.value).toString();
	throw new CborError('map key neither text nor integer', k.offset);
}

/**
 * CBOR to JSON as cbor_json.c does it: bytes as base64url, integers that fit
 * int64 (as Number; precise within 2^53), tags 0/1/100/1004 unwrapped, no
 * duplicate keys, no NaN, nesting at most LIMITS.maxDepth.
 */
export function toJSON(it, depth = 0) {
	switch (it.type) {
	case 'uint':
	case 'negint': {
		const v = itemInt(it);
		if (v === null) throw new CborError('integer outside the 64-bit range', it.offset);
		return Number(v);
	}
	case 'bytes':
		return base64url(it.bytes);
	case 'text':
		return it.text;
	case 'array':
	case 'map':
	case 'tag':
		if (depth >= LIMITS.maxDepth) throw new CborError('nesting deeper than the limit', it.offset);
		if (it.type === 'array') return it.items.map((x) => toJSON(x, depth + 1));
		if (it.type === 'map') {
			const obj = Object.create(null);
			for (const [k, v] of it.entries) {
				const name = keyText(k);
				if (Object.prototype.hasOwnProperty.call(obj, name)) throw new CborError('duplicate map key', k.offset);
				obj[name] = toJSON(v, depth + 1);
			}
			return plain(obj);
		}
		{
			const fits = TAG_FITS.get(it.value);
			if (!fits) throw new CborError('tag with no JSON form', it.offset);
			if (!fits(it.content)) throw new CborError('tag content of the wrong type', it.content.offset);
			return toJSON(it.content, depth + 1);
		}
	case 'simple':
		if (it.value === 20n || it.value === 21n) return it.value === 21n;
		if (it.value === 22n || it.value === 23n) return null;
		throw new CborError('simple value with no JSON form', it.offset);
	case 'float':
		if (!Number.isFinite(it.number)) throw new CborError('NaN or infinity has no JSON form', it.offset);
		return it.number;
	default:
		throw new CborError('unknown item type', it.offset);
	}
}

// An object with a prototype again (JSON.stringify and consumers expect one),
// keys set with defineProperty so "__proto__" stays data.
function plain(obj) {
	const out = {};
	for (const k of Object.keys(obj)) Object.defineProperty(out, k, { value: obj[k], enumerable: true, writable: true, configurable: true });
	return out;
}
