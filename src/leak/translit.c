/*
 * translit.c — matching keys and the 2010 national Latin spelling of people's
 * names (see translit.h for the steps and the decisions behind them).
 *
 * Why table-driven and allocation-free: leakscan computes a key for every name
 * of every row, tens of millions per dump. Each call works in two stack
 * buffers bounded by TRANSLIT_INPUT_MAX.
 *
 * Invariants: a key holds only [a-z]; nothing is written past size; every
 * failure leaves out as "" (when size > 0).
 */
#include "leak/translit.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/error.h"

/* Each input byte spells as at most 2 ASCII letters (Cyrillic щ: 2 bytes, "shch"). */
#define SPELLED_MAX (2 * TRANSLIT_INPUT_MAX)

/* ---- UTF-8 ---- */

/* The code point at s[*i] (with *i < len), advancing *i; -1 when malformed
 * (truncated, overlong, a surrogate, beyond U+10FFFF, a stray continuation). */
static int32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	int32_t cp, min;
	size_t n;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		cp = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		cp = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if (len - *i <= n)
		return -1;
	for (size_t k = 1; k <= n; k++) {
		unsigned char d = s[*i + k];

		if ((d & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (d & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += n + 1;
	return cp;
}

/* ---- letters ---- */

/* The 2010 table, lower case, by code point - 0x430 (а ... џ): the spelling at
 * the start of a word and elsewhere. NULL: not a letter we spell. The Russian
 * letters of old databases follow the same pattern (ё like є). */
struct cyrillic_spelling {
	const char *start;
	const char *other;
};

static const struct cyrillic_spelling cyrillic[0x30] = {
    [0x00] = {"a", "a"},       /* а */
    [0x01] = {"b", "b"},       /* б */
    [0x02] = {"v", "v"},       /* в */
    [0x03] = {"h", "h"},       /* г ("gh" after з: see spell_cyrillic) */
    [0x04] = {"d", "d"},       /* д */
    [0x05] = {"e", "e"},       /* е */
    [0x06] = {"zh", "zh"},     /* ж */
    [0x07] = {"z", "z"},       /* з */
    [0x08] = {"y", "y"},       /* и */
    [0x09] = {"y", "i"},       /* й */
    [0x0A] = {"k", "k"},       /* к */
    [0x0B] = {"l", "l"},       /* л */
    [0x0C] = {"m", "m"},       /* м */
    [0x0D] = {"n", "n"},       /* н */
    [0x0E] = {"o", "o"},       /* о */
    [0x0F] = {"p", "p"},       /* п */
    [0x10] = {"r", "r"},       /* р */
    [0x11] = {"s", "s"},       /* с */
    [0x12] = {"t", "t"},       /* т */
    [0x13] = {"u", "u"},       /* у */
    [0x14] = {"f", "f"},       /* ф */
    [0x15] = {"kh", "kh"},     /* х */
    [0x16] = {"ts", "ts"},     /* ц */
    [0x17] = {"ch", "ch"},     /* ч */
    [0x18] = {"sh", "sh"},     /* ш */
    [0x19] = {"shch", "shch"}, /* щ */
    [0x1A] = {"", ""},         /* ъ (Russian): dropped as the apostrophe is */
    [0x1B] = {"y", "y"},       /* ы (Russian) */
    [0x1C] = {"", ""},         /* ь: dropped */
    [0x1D] = {"e", "e"},       /* э (Russian) */
    [0x1E] = {"yu", "iu"},     /* ю */
    [0x1F] = {"ya", "ia"},     /* я */
    [0x20] = {"e", "e"},       /* ѐ */
    [0x21] = {"yo", "io"},     /* ё (Russian) */
    [0x24] = {"ye", "ie"},     /* є */
    [0x26] = {"i", "i"},       /* і */
    [0x27] = {"yi", "i"},      /* ї */
    [0x2E] = {"u", "u"},       /* ў (Belarusian) */
};

/* Lower case of a Cyrillic capital, the code point itself otherwise. */
static int32_t cyrillic_lower(int32_t cp)
{
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp == 0x490)
		return 0x491;
	return cp;
}

static bool cyrillic_is_upper(int32_t cp)
{
	return (cp >= 0x400 && cp <= 0x42F) || cp == 0x490;
}

/* The 2010 spelling of a lower-case Cyrillic letter, NULL when it has none.
 * after_z: the letter before was з, which makes г "gh" (Згорани, Zghorany). */
static const char *spell_cyrillic(int32_t lower, bool word_start, bool after_z)
{
	const struct cyrillic_spelling *c;

	if (lower == 0x491) /* ґ */
		return "g";
	if (lower < 0x430 || lower >= 0x460)
		return NULL;
	if (lower == 0x433 && after_z)
		return "gh";
	c = &cyrillic[lower - 0x430];
	return word_start ? c->start : c->other;
}

/* Latin letters with diacritics (Latin-1 Supplement and Latin Extended-A) in
 * lower-case ASCII: Czech-style carons as the digraphs the 2010 table uses. */
struct latin_fold {
	uint16_t first, last;
	const char *ascii;
};

static const struct latin_fold latin_folds[] = {
    {0xC0, 0xC5, "a"},    {0xC6, 0xC6, "ae"},   {0xC7, 0xC7, "c"},    {0xC8, 0xCB, "e"},
    {0xCC, 0xCF, "i"},    {0xD0, 0xD0, "d"},    {0xD1, 0xD1, "n"},    {0xD2, 0xD6, "o"},
    {0xD8, 0xD8, "o"},    {0xD9, 0xDC, "u"},    {0xDD, 0xDD, "y"},    {0xDE, 0xDE, "th"},
    {0xDF, 0xDF, "ss"},   {0xE0, 0xE5, "a"},    {0xE6, 0xE6, "ae"},   {0xE7, 0xE7, "c"},
    {0xE8, 0xEB, "e"},    {0xEC, 0xEF, "i"},    {0xF0, 0xF0, "d"},    {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"},    {0xF8, 0xF8, "o"},    {0xF9, 0xFC, "u"},    {0xFD, 0xFD, "y"},
    {0xFE, 0xFE, "th"},   {0xFF, 0xFF, "y"},    {0x100, 0x105, "a"},  {0x106, 0x10B, "c"},
    {0x10C, 0x10D, "ch"}, /* č */
    {0x10E, 0x111, "d"},  {0x112, 0x11B, "e"},  {0x11C, 0x123, "g"},  {0x124, 0x127, "h"},
    {0x128, 0x131, "i"},  {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},  {0x136, 0x138, "k"},
    {0x139, 0x142, "l"},  {0x143, 0x14B, "n"},  {0x14C, 0x151, "o"},  {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"},  {0x15A, 0x15F, "s"},  {0x160, 0x161, "sh"}, /* š */
    {0x162, 0x167, "t"},  {0x168, 0x173, "u"},  {0x174, 0x175, "w"},  {0x176, 0x178, "y"},
    {0x179, 0x17C, "z"},  {0x17D, 0x17E, "zh"}, /* ž */
    {0x17F, 0x17F, "s"},
};

static const char *fold_latin(int32_t cp)
{
	if (cp < 0xC0 || cp > 0x17F)
		return NULL;
	for (size_t k = 0; k < sizeof(latin_folds) / sizeof(latin_folds[0]); k++) {
		if (cp >= latin_folds[k].first && cp <= latin_folds[k].last)
			return latin_folds[k].ascii;
	}
	return NULL; /* × and ÷ */
}

/* Apostrophes that Ukrainian text uses inside words: ' ` ʹ ʼ ’. */
static bool is_apostrophe(int32_t cp)
{
	return cp == '\'' || cp == '`' || cp == 0x2B9 || cp == 0x2BC || cp == 0x2019;
}

static bool is_letter(int32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	       (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7) ||
	       (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x400 && cp <= 0x4FF);
}

static bool is_upper(int32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || cyrillic_is_upper(cp) ||
	       (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}

/* ---- the key ---- */

/* Step 2 (translit.h): the letters of a name in lower-case ASCII into spelled
 * (SPELLED_MAX bytes); its length, or -1 on malformed UTF-8. */
static long spell_ascii(const unsigned char *s, size_t len, char *spelled)
{
	size_t i = 0, n = 0;
	int32_t prev = 0;

	while (i < len) {
		int32_t cp = utf8_next(s, len, &i);
		const char *ascii = NULL;
		char one[2] = {0, 0};

		if (cp < 0)
			return -1;
		if (cp < 0x80) {
			if (cp >= 'A' && cp <= 'Z')
				one[0] = (char)(cp + 32);
			else if (cp >= 'a' && cp <= 'z')
				one[0] = (char)cp;
			ascii = one;
		} else if (cp >= 0x400 && cp <= 0x4FF) {
			ascii = spell_cyrillic(cyrillic_lower(cp), false,
					       cyrillic_lower(prev) == 0x437);
		} else if (cp == 0x30C) {
			/* a combining caron (decomposed š č ž): the digraph's h */
			if (n > 0 && (spelled[n - 1] == 's' || spelled[n - 1] == 'c' ||
				      spelled[n - 1] == 'z'))
				ascii = "h";
		} else {
			ascii = fold_latin(cp);
		}
		prev = cp;
		if (!ascii)
			continue;
		for (; *ascii; ascii++) {
			assert(n < SPELLED_MAX);
			spelled[n++] = *ascii;
		}
	}
	return (long)n;
}

/* Step 3 (translit.h): rewrites of the spelling into skeleton letters, per
 * first letter, longest first; a letter without a rule stands for itself. */
struct skeleton_rule {
	const char *from;
	const char *to;
};

static const struct skeleton_rule rules_c[] = {{"ch", "x"}, {"cz", "x"}, {"ck", "k"}, {0, 0}};
static const struct skeleton_rule rules_g[] = {{"gh", "h"}, {"g", "h"}, {0, 0}};
static const struct skeleton_rule rules_j[] = {{"j", "i"}, {0, 0}};
static const struct skeleton_rule rules_k[] = {{"kh", "h"}, {0, 0}};
static const struct skeleton_rule rules_o[] = {{"ou", "u"}, {0, 0}};
static const struct skeleton_rule rules_p[] = {{"ph", "f"}, {0, 0}};
static const struct skeleton_rule rules_q[] = {{"q", "k"}, {0, 0}};
static const struct skeleton_rule rules_s[] = {{"schtsch", "x"}, {"shch", "x"}, {"sch", "x"},
					       {"sh", "x"},      {"sz", "x"},   {0, 0}};
static const struct skeleton_rule rules_t[] = {
    {"tsch", "x"}, {"tch", "x"}, {"ts", "c"}, {"tz", "c"}, {0, 0}};
static const struct skeleton_rule rules_w[] = {{"w", "v"}, {0, 0}};
static const struct skeleton_rule rules_x[] = {{"x", "ks"}, {0, 0}};
static const struct skeleton_rule rules_y[] = {{"y", "i"}, {0, 0}};
static const struct skeleton_rule rules_z[] = {{"zh", "j"}, {0, 0}};

static const struct skeleton_rule *const skeleton_rules[26] = {
    ['c' - 'a'] = rules_c, ['g' - 'a'] = rules_g, ['j' - 'a'] = rules_j, ['k' - 'a'] = rules_k,
    ['o' - 'a'] = rules_o, ['p' - 'a'] = rules_p, ['q' - 'a'] = rules_q, ['s' - 'a'] = rules_s,
    ['t' - 'a'] = rules_t, ['w' - 'a'] = rules_w, ['x' - 'a'] = rules_x, ['y' - 'a'] = rules_y,
    ['z' - 'a'] = rules_z,
};

/* The skeleton letters for the spelling at s (n > 0 letters a-z left), NULL for
 * the letter itself; how many letters they stand for in *used. */
static const char *skeleton_rewrite(const char *s, size_t n, size_t *used)
{
	const struct skeleton_rule *r;

	assert(s[0] >= 'a' && s[0] <= 'z');
	*used = 1;
	for (r = skeleton_rules[s[0] - 'a']; r && r->from; r++) {
		size_t k = strlen(r->from);

		if (n >= k && memcmp(s, r->from, k) == 0) {
			*used = k;
			return r->to;
		}
	}
	return NULL;
}

hr_status translit_name_key(const char *utf8, size_t len, char *out, size_t size,
			    struct hr_error *err)
{
	char spelled[SPELLED_MAX];
	size_t i = 0, o = 0;
	char last = 0;
	long n;

	if (size > 0)
		out[0] = 0;
	if (len > TRANSLIT_INPUT_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, "translit",
				    "a name of %zu bytes is longer than %d", len,
				    TRANSLIT_INPUT_MAX);
	n = spell_ascii((const unsigned char *)utf8, len, spelled);
	if (n < 0)
		return hr_error_set(err, HR_E_INVALID, "translit", "the name is not valid UTF-8");
	while (i < (size_t)n) {
		size_t used;
		char self[2] = {spelled[i], 0};
		const char *emit = skeleton_rewrite(spelled + i, (size_t)n - i, &used);

		for (emit = emit ? emit : self; *emit; emit++) {
			if (*emit == last)
				continue; /* step 4: one letter per run */
			if (o + 1 >= size) {
				if (size > 0)
					out[0] = 0;
				return hr_error_set(err, HR_E_TOO_LARGE, "translit",
						    "the key does not fit in %zu bytes", size);
			}
			out[o++] = *emit;
			last = *emit;
		}
		i += used;
	}
	if (size == 0)
		return hr_error_set(err, HR_E_TOO_LARGE, "translit",
				    "the key does not fit in 0 bytes");
	out[o] = 0;
	return HR_OK;
}

/* ---- the 2010 spelling ---- */

static size_t utf8_put(int32_t cp, char *p)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

hr_status translit_to_latin_2010(const char *utf8, size_t len, char *out, size_t size,
				 struct hr_error *err)
{
	int32_t cps[TRANSLIT_INPUT_MAX];
	size_t count = 0, i = 0, o = 0;

	if (size > 0)
		out[0] = 0;
	if (len > TRANSLIT_INPUT_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, "translit",
				    "a name of %zu bytes is longer than %d", len,
				    TRANSLIT_INPUT_MAX);
	while (i < len) {
		int32_t cp = utf8_next((const unsigned char *)utf8, len, &i);

		if (cp < 0)
			return hr_error_set(err, HR_E_INVALID, "translit",
					    "the name is not valid UTF-8");
		cps[count++] = cp;
	}
	for (size_t k = 0; k < count; k++) {
		int32_t cp = cps[k], prev = k > 0 ? cps[k - 1] : 0;
		int32_t next = k + 1 < count ? cps[k + 1] : 0;
		bool cyr = cp >= 0x400 && cp <= 0x4FF;
		const char *latin = NULL;
		char bytes[4];
		size_t need;

		if (cyr) {
			bool word_start = k == 0 || (!is_letter(prev) && !is_apostrophe(prev));

			latin = spell_cyrillic(cyrillic_lower(cp), word_start,
					       cyrillic_lower(prev) == 0x437);
		} else if (is_apostrophe(cp) && prev >= 0x400 && prev <= 0x4FF) {
			continue; /* Знам'янка, Znamianka: the apostrophe is dropped */
		} else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
			continue; /* control characters (NUL too) never reach a report */
		}
		if (latin) {
			/* capitals: Ш -> Sh, but SH inside a word written in capitals */
			bool upper = cyrillic_is_upper(cp);
			bool all = upper && (is_upper(next) || (k > 0 && is_upper(prev)));

			need = strlen(latin);
			if (o + need >= size)
				goto too_large;
			for (size_t c = 0; c < need; c++) {
				char l = latin[c];

				out[o++] = (upper && (all || c == 0)) ? (char)(l - 32) : l;
			}
			continue;
		}
		need = utf8_put(cp, bytes);
		if (o + need >= size)
			goto too_large;
		memcpy(out + o, bytes, need);
		o += need;
	}
	if (size == 0)
		goto too_large;
	out[o] = 0;
	return HR_OK;
too_large:
	if (size > 0)
		out[0] = 0;
	return hr_error_set(err, HR_E_TOO_LARGE, "translit",
			    "the Latin spelling does not fit in %zu bytes", size);
}

bool translit_is_cyrillic(const char *utf8, size_t len)
{
	size_t i = 0;
	bool found = false;

	while (i < len) {
		int32_t cp = utf8_next((const unsigned char *)utf8, len, &i);

		if (cp < 0)
			return false;
		if (cp >= 0x400 && cp <= 0x4FF)
			found = true;
	}
	return found;
}
