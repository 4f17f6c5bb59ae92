/*
 * dump_encoding.c — UTF-8 checking and Windows-1251 decoding for the dump
 * reader.
 *
 * Why: Ukrainian leaks come as UTF-8 or as CP1251 (1C exports, old Excel
 * CSVs); every field must reach the matcher as UTF-8. The CP1251 table is not
 * written out here: it is built by asking the C library's
 * iconv ("CP1251" -> "UTF-8") for each byte 0x80-0xFF, so the per-byte work
 * in the hot loop is a table look-up, not an iconv call; the table is built
 * once per process. The one byte CP1251
 * leaves undefined (0x98) becomes U+FFFD.
 *
 * A UTF-8 input with a field that is not valid UTF-8 (dumps glued together
 * from several sources do this) keeps its valid sequences and reads each
 * stray byte as CP1251; dump_reader_recoded_fields counts such fields.
 *
 * Never: hand out a byte sequence that is not valid UTF-8 (RFC 3629 §3: no
 * overlong forms, no surrogates, nothing above U+10FFFF).
 */
#include <assert.h>
#include <iconv.h>
#include <pthread.h>

#include "leak/dump_internal.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629 §4), 0 when invalid or cut. */
static size_t utf8_sequence(const uint8_t *p, size_t avail)
{
	uint8_t b = p[0];
	size_t n, i;
	uint32_t cp;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2, cp = b & 0x1fu;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3, cp = b & 0x0fu;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4, cp = b & 0x07u;
	else
		return 0;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool dump_utf8_valid(const uint8_t *p, size_t len, bool allow_truncated_end)
{
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_sequence(p + i, len - i);
		if (n == 0) {
			/* a sample may end in the middle of a character */
			size_t want = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;

			/* only the bytes within len count: what lies beyond
			 * the sample is not the sample's to judge */
			if (allow_truncated_end && p[i] >= 0xc2 && p[i] <= 0xf4 && len - i < want) {
				for (size_t k = i + 1; k < len; k++)
					if ((p[k] & 0xc0) != 0x80)
						return false;
				return true;
			}
			return false;
		}
		i += n;
	}
	return true;
}

size_t dump_utf8_encode(uint32_t cp, uint8_t out[4])
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return dump_utf8_encode(0xfffd, out);
	out[0] = (uint8_t)(0xf0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Built once per process (pthread_once): iconv_open loads a gconv module. */
static pthread_once_t cp1251_once = PTHREAD_ONCE_INIT;
static bool cp1251_ok;
static uint8_t cp1251_utf8[128][4];
static uint8_t cp1251_utf8_len[128];

static void cp1251_build(void)
{
	iconv_t cd = iconv_open("UTF-8", "CP1251");
	unsigned b;

	for (b = 0; b < 128; b++)
		cp1251_utf8_len[b] = (uint8_t)dump_utf8_encode(0xfffd, cp1251_utf8[b]);
	if (cd == (iconv_t)-1)
		return; /* no converter: stray bytes of a UTF-8 input become U+FFFD */
	for (b = 0x80; b <= 0xff; b++) {
		char in[1] = {(char)b}, out[8];
		char *ip = in, *op = out;
		size_t il = 1, ol = sizeof(out), n;

		iconv(cd, NULL, NULL, NULL, NULL);
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0)
			continue; /* 0x98 is undefined in CP1251: U+FFFD */
		n = sizeof(out) - ol;
		if (n == 0 || n > 4 || !dump_utf8_valid((const uint8_t *)out, n, false))
			continue;
		memcpy(cp1251_utf8[b - 0x80], out, n);
		cp1251_utf8_len[b - 0x80] = (uint8_t)n;
	}
	iconv_close(cd);
	cp1251_ok = true;
}

bool dump_cp1251_table(struct dump_reader *r)
{
	pthread_once(&cp1251_once, cp1251_build);
	memcpy(r->cp1251, cp1251_utf8, sizeof(r->cp1251));
	memcpy(r->cp1251_len, cp1251_utf8_len, sizeof(r->cp1251_len));
	r->have_cp1251 = cp1251_ok;
	return cp1251_ok;
}

void dump_field_recode(struct dump_reader *r, struct dump_field *f, size_t *recode_used)
{
	const uint8_t *p = (const uint8_t *)f->ptr;
	uint8_t *out = r->recode + *recode_used;
	size_t i = 0, o = 0, n;

	/* each input byte gives at most 3 output bytes, and the row holds at most
	 * row_max input bytes: 3 * row_max is enough for a whole row */
	assert(*recode_used + 3 * f->len <= 3 * r->row_max);
	while (i < f->len) {
		n = utf8_sequence(p + i, f->len - i);
		if (n > 0) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		memcpy(out + o, r->cp1251[p[i] - 0x80], r->cp1251_len[p[i] - 0x80]);
		o += r->cp1251_len[p[i] - 0x80];
		i++;
	}
	f->ptr = (const char *)out;
	f->len = o;
	*recode_used += o;
	r->recoded_fields++;
}
