/*
 * qr_mask.c — the data mask of a QR code symbol (ISO/IEC 18004:2015 §7.8),
 * chosen by the penalty rules of §7.8.3.1 on bit planes. qr_mask.h says how the
 * rules are read and what this file never does.
 *
 * A symbol is held twice as bit planes: by row (word k of entry y holds the
 * modules x = 64k .. 64k + 63 of row y) and by column (word k of entry x holds
 * the modules y = 64k .. 64k + 63 of column x). The rules that look along a
 * line — runs (N1), finder-like patterns (N3) — combine consecutive entries of
 * a plane word by word, and so judge 64 lines at once with a few AND, OR and
 * XOR: runs along rows come from the plane by column, runs along columns from
 * the plane by row. Blocks (N2) and the dark proportion (N4) come from the
 * plane by row.
 *
 * libqrencode builds the symbol once, with mask 0 (QRcode_encodeMask, which
 * Debian's libqrencode exports though qrencode.h does not declare it). The mask
 * it carries is read back from the format information and undone, leaving the
 * modules as placed (§7.7.3); each candidate is then the fixed modules, the
 * data XOR the candidate's pattern, and the candidate's format information.
 * Where libqrencode does not export QRcode_encodeMask, the symbol of its own
 * mask choice is re-masked instead: slower, the same result.
 */
#include "credential/qr_mask.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* libqrencode 4 defines both; a build of it without its tests keeps them
 * static. Weak, so that such a library still links: the pointers are NULL. */
QRcode *QRcode_encodeMask(QRinput *input, int mask) __attribute__((weak));
int Split_splitStringToQRinput(const char *string, QRinput *input, QRencodeMode hint,
			       int casesensitive) __attribute__((weak));

#define WIDTH_MIN   21
#define WIDTH_MAX   177
#define WORDS       3 /* 64-bit words for a line of up to 177 modules */
#define BEFORE      4 /* light entries before the first: N3 looks 4 modules out */
#define AFTER       4 /* ... and after the last */
#define ENTRIES     (BEFORE + WIDTH_MAX + AFTER)
#define MASKS       8
#define PERIOD      12 /* every mask pattern repeats every 12 rows and 12 columns */
#define FORMAT_BITS 15

/* libqrencode's flags in QRcode->data (qrencode.h) */
#define MODULE_DARK     0x01
#define MODULE_FORMAT   0x04
#define MODULE_FUNCTION 0x80

struct plane {
	uint64_t word[ENTRIES][WORDS];
};

/* The words of entry i, 0 <= i < width; the entries around stay zero (light). */
#define AT(plane, i) ((plane)->word[BEFORE + (i)])

struct symbol {
	int width;
	int words;                 /* words in use per entry */
	uint64_t lines[WORDS];     /* bits that are lines of the symbol */
	uint64_t pairs[WORDS];     /* bits x with x + 1 < width: a 2 x 2 block can start there */
	struct plane fixed_by_row; /* modules without a mask; format information light */
	struct plane data_by_row;  /* 1 for a module the mask applies to */
	struct plane fixed_by_column;
	struct plane data_by_column;
	struct plane by_row; /* one candidate, complete */
	struct plane by_column;
};

/* Bit j of row_pattern[mask][r] is set where the mask inverts the module of a
 * row r (mod 12) in column j; column_pattern is the same down a column. */
static uint64_t row_pattern[MASKS][PERIOD][WORDS];
static uint64_t column_pattern[MASKS][PERIOD][WORDS];
static pthread_once_t patterns_once = PTHREAD_ONCE_INIT;

/* §7.8.2, Table 10: whether the mask inverts the module of row i, column j. */
static bool mask_inverts(int mask, int i, int j)
{
	switch (mask) {
	case 0:
		return (i + j) % 2 == 0;
	case 1:
		return i % 2 == 0;
	case 2:
		return j % 3 == 0;
	case 3:
		return (i + j) % 3 == 0;
	case 4:
		return (i / 2 + j / 3) % 2 == 0;
	case 5:
		return (i * j) % 2 + (i * j) % 3 == 0;
	case 6:
		return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
	default:
		return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
	}
}

static void patterns_init(void)
{
	for (int mask = 0; mask < MASKS; mask++)
		for (int r = 0; r < PERIOD; r++)
			for (int j = 0; j < WORDS * 64; j++) {
				uint64_t bit = (uint64_t)1 << (j % 64);

				if (mask_inverts(mask, r, j))
					row_pattern[mask][r][j / 64] |= bit;
				if (mask_inverts(mask, j, r))
					column_pattern[mask][r][j / 64] |= bit;
			}
}

/*
 * Set bits of a word. Baseline x86-64 has no POPCNT instruction and the
 * compiler's builtin becomes a library call there; the scoring functions are
 * built twice on x86-64, and the loader picks the POPCNT build on processors
 * that have it (all since 2008).
 */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define WITH_POPCNT __attribute__((target_clones("popcnt", "default")))
#endif
#endif
#ifndef WITH_POPCNT
#define WITH_POPCNT
#endif

static inline unsigned count_bits(uint64_t v)
{
	return (unsigned)__builtin_popcountll(v);
}

/* Eight modules, the first in the lowest byte; written out, the compiler makes
 * it one load (and store8 one store) whatever the byte order. */
static uint64_t load8(const unsigned char *m)
{
	return (uint64_t)m[0] | (uint64_t)m[1] << 8 | (uint64_t)m[2] << 16 | (uint64_t)m[3] << 24 |
	       (uint64_t)m[4] << 32 | (uint64_t)m[5] << 40 | (uint64_t)m[6] << 48 |
	       (uint64_t)m[7] << 56;
}

static void store8(unsigned char *m, uint64_t v)
{
	m[0] = (unsigned char)v;
	m[1] = (unsigned char)(v >> 8);
	m[2] = (unsigned char)(v >> 16);
	m[3] = (unsigned char)(v >> 24);
	m[4] = (unsigned char)(v >> 32);
	m[5] = (unsigned char)(v >> 40);
	m[6] = (unsigned char)(v >> 48);
	m[7] = (unsigned char)(v >> 56);
}

/* Bit 0 of each byte, as eight bits: the product gathers byte i's bit in bit
 * 56 + i, and no two partial products meet. */
static uint64_t pack8(uint64_t v)
{
	return (v & 0x0101010101010101u) * 0x0102040810204080u >> 56;
}

/* The other way: bit i of `bits` to bit 0 of byte i. Byte i keeps bit i of a
 * copy of `bits`, and adding 0x80 - 2^i carries it into its bit 7. */
static uint64_t unpack8(uint64_t bits)
{
	uint64_t v = (bits & 0xff) * 0x0101010101010101u & 0x8040201008040201u;

	return (v + 0x00406070787c7e7fu) >> 7 & 0x0101010101010101u;
}

/* §7.9.1: the error correction level (Table 12) and the mask, 5 bits, with 10
 * bits of BCH(15,5) code, generator x^10 + x^8 + x^5 + x^4 + x^2 + x + 1, all
 * XOR 101010000010010 so that no combination is all light. */
static unsigned format_information(QRecLevel level, int mask)
{
	static const unsigned level_bits[] = {
	    [QR_ECLEVEL_L] = 1, [QR_ECLEVEL_M] = 0, [QR_ECLEVEL_Q] = 3, [QR_ECLEVEL_H] = 2};
	unsigned data = level_bits[level] << 3 | (unsigned)mask;
	unsigned code = data << 10;

	for (int bit = 14; bit >= 10; bit--)
		if (code & 1u << bit)
			code ^= 0x537u << (bit - 10);
	return (data << 10 | code) ^ 0x5412u;
}

/* §7.9.1, Figure 25: where bit `bit` (0: least significant) of the format
 * information lies, in copy 0 (around the upper left finder pattern) or copy 1
 * (below the upper right one and beside the lower left one). */
static void format_module(int bit, int copy, int width, int *x, int *y)
{
	if (copy == 0 && bit < 8) {
		*x = 8;
		*y = bit < 6 ? bit : bit + 1; /* over the timing pattern in row 6 */
	} else if (copy == 0) {
		*x = bit == 8 ? 7 : 14 - bit; /* over the timing pattern in column 6 */
		*y = 8;
	} else if (bit < 8) {
		*x = width - 1 - bit;
		*y = 8;
	} else {
		*x = 8;
		*y = width - 15 + bit;
	}
}

/* The mask a symbol carries by its format information; -1 when the two copies
 * disagree, lie elsewhere, or are not of `level`. */
static int read_mask(const QRcode *code, QRecLevel level)
{
	unsigned copies[2] = {0, 0};

	for (int copy = 0; copy < 2; copy++)
		for (int bit = 0; bit < FORMAT_BITS; bit++) {
			int x, y;
			unsigned char module;

			format_module(bit, copy, code->width, &x, &y);
			module = code->data[y * code->width + x];
			if ((module & (MODULE_FUNCTION | MODULE_FORMAT)) !=
			    (MODULE_FUNCTION | MODULE_FORMAT))
				return -1;
			copies[copy] |= (unsigned)(module & MODULE_DARK) << bit;
		}
	if (copies[0] != copies[1])
		return -1;
	for (int mask = 0; mask < MASKS; mask++)
		if (format_information(level, mask) == copies[0])
			return mask;
	return -1;
}

/* Transposes a 64 x 64 bit matrix in place (bit c of m[r] <-> bit r of m[c]):
 * swaps the two off-diagonal halves, then quarters within them, down to bits. */
static void transpose64(uint64_t m[64])
{
	uint64_t keep = 0x00000000ffffffffu;

	for (int j = 32; j != 0; j >>= 1, keep ^= keep << j)
		for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
			uint64_t t = ((m[k] >> j) ^ m[k | j]) & keep;

			m[k | j] ^= t;
			m[k] ^= t << j;
		}
}

/* The plane by column of a plane by row, or the other way round. */
static void transpose(const struct plane *from, struct plane *to, const struct symbol *s)
{
	uint64_t block[64];

	for (int r = 0; r < s->words; r++)
		for (int c = 0; c < s->words; c++) {
			for (int i = 0; i < 64; i++)
				block[i] = 64 * r + i < s->width ? AT(from, 64 * r + i)[c] : 0;
			transpose64(block);
			for (int i = 0; i < 64 && 64 * c + i < s->width; i++)
				AT(to, 64 * c + i)[r] = block[i];
		}
}

static struct symbol *symbol_new(int width)
{
	struct symbol *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->width = width;
	s->words = (width + 63) / 64;
	for (int k = 0; k < s->words; k++) {
		int in_word = width - 64 * k;

		s->lines[k] = in_word >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << in_word) - 1;
		s->pairs[k] = in_word - 1 >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (in_word - 1)) - 1;
	}
	return s;
}

/* Fills the fixed and data planes from a libqrencode symbol carrying `mask`. */
static void symbol_load(struct symbol *s, const QRcode *code, int mask)
{
	const unsigned char *row = code->data;

	for (int y = 0; y < s->width; y++, row += s->width) {
		uint64_t dark[WORDS] = {0}, data[WORDS] = {0};
		int x = 0;

		/* eight at a time: x % 64 is a multiple of 8, a group never straddles */
		for (; x + 8 <= s->width; x += 8) {
			uint64_t v = load8(row + x);

			dark[x / 64] |= pack8(v) << (x % 64);
			data[x / 64] |= pack8(~v >> 7) << (x % 64);
		}
		for (; x < s->width; x++) {
			dark[x / 64] |= (uint64_t)(row[x] & MODULE_DARK) << (x % 64);
			data[x / 64] |= (uint64_t)(row[x] >> 7 ^ 1) << (x % 64);
		}
		for (int k = 0; k < s->words; k++) {
			uint64_t *fixed = AT(&s->fixed_by_row, y);

			fixed[k] = dark[k] ^ (row_pattern[mask][y % PERIOD][k] & data[k]);
			AT(&s->data_by_row, y)[k] = data[k];
		}
	}
	for (int bit = 0; bit < FORMAT_BITS; bit++)
		for (int copy = 0; copy < 2; copy++) {
			int x, y;

			format_module(bit, copy, s->width, &x, &y);
			AT(&s->fixed_by_row, y)[x / 64] &= ~((uint64_t)1 << (x % 64));
		}
	transpose(&s->fixed_by_row, &s->fixed_by_column, s);
	transpose(&s->data_by_row, &s->data_by_column, s);
}

/* The complete symbol under `mask` in by_row and by_column. */
static void symbol_build(struct symbol *s, QRecLevel level, int mask)
{
	unsigned format = format_information(level, mask);

	for (int i = 0, r = 0; i < s->width; i++, r = r + 1 == PERIOD ? 0 : r + 1) {
		uint64_t *row = AT(&s->by_row, i), *column = AT(&s->by_column, i);

		for (int k = 0; k < s->words; k++) {
			row[k] = AT(&s->fixed_by_row, i)[k] ^
				 (row_pattern[mask][r][k] & AT(&s->data_by_row, i)[k]);
			column[k] = AT(&s->fixed_by_column, i)[k] ^
				    (column_pattern[mask][r][k] & AT(&s->data_by_column, i)[k]);
		}
	}
	for (int bit = 0; bit < FORMAT_BITS; bit++) {
		if (!(format >> bit & 1))
			continue;
		for (int copy = 0; copy < 2; copy++) {
			int x, y;

			format_module(bit, copy, s->width, &x, &y);
			AT(&s->by_row, y)[x / 64] |= (uint64_t)1 << (x % 64);
			AT(&s->by_column, x)[y / 64] |= (uint64_t)1 << (y % 64);
		}
	}
}

/* N1 and N3 along the entries of a plane, for 64 lines a word. */
WITH_POPCNT static unsigned score_lines(const struct plane *p, const struct symbol *s)
{
	unsigned long runs = 0, finders = 0;

	for (int k = 0; k < s->words; k++) {
		uint64_t lone[WIDTH_MAX], previous = 0;
		uint64_t d0 = AT(p, 0)[k] ^ AT(p, 1)[k], d1 = AT(p, 1)[k] ^ AT(p, 2)[k],
			 d2 = AT(p, 2)[k] ^ AT(p, 3)[k];

		/* `same` has a line's bit set where its modules i .. i + 4 agree: a
		 * run of 5 + j sets it at j + 1 consecutive entries, and starts once */
		for (int i = 0; i + 4 < s->width; i++) {
			uint64_t d3 = AT(p, i + 3)[k] ^ AT(p, i + 4)[k];
			uint64_t same = ~(d0 | d1 | d2 | d3) & s->lines[k];

			runs += count_bits(same) +
				(QR_MASK_PENALTY_N1 - 1) * count_bits(same & ~previous);
			previous = same;
			d0 = d1;
			d1 = d2;
			d2 = d3;
		}
		/* modules i - 1 .. i + 7 light-dark-light-dark-dark-dark-light-dark-
		 * light: a lone dark module at i and at i + 6, three dark between;
		 * then three more light before or after. The entries around the
		 * plane are light, and so are the bits past the last line. */
		for (int i = 0; i < s->width; i++)
			lone[i] = AT(p, i)[k] & ~AT(p, i - 1)[k] & ~AT(p, i + 1)[k];
		for (int i = 0; i + 7 <= s->width; i++) {
			uint64_t core = lone[i] & lone[i + 6] & AT(p, i + 2)[k] & AT(p, i + 3)[k] &
					AT(p, i + 4)[k];
			uint64_t light_before, light_after;

			if (core == 0)
				continue;
			light_before = ~(AT(p, i - 4)[k] | AT(p, i - 3)[k] | AT(p, i - 2)[k]);
			light_after = ~(AT(p, i + 8)[k] | AT(p, i + 9)[k] | AT(p, i + 10)[k]);
			finders += count_bits(core & (light_before | light_after));
		}
	}
	return (unsigned)(runs + QR_MASK_PENALTY_N3 * finders);
}

/* N2: 2 x 2 blocks of one colour, from the plane by row. */
WITH_POPCNT static unsigned score_blocks(const struct symbol *s)
{
	uint64_t above[WORDS] = {0};
	unsigned blocks = 0;

	for (int y = 0; y < s->width; y++) {
		const uint64_t *row = AT(&s->by_row, y), *up = AT(&s->by_row, y - 1);

		for (int k = 0; k < s->words; k++) {
			uint64_t next = k + 1 < s->words ? row[k + 1] : 0;
			/* bit x: modules x and x + 1 of the row agree */
			uint64_t pair = ~(row[k] ^ (row[k] >> 1 | next << 63)) & s->pairs[k];

			/* ... and so do the two above, and the two columns */
			if (y > 0)
				blocks += count_bits(pair & above[k] & ~(row[k] ^ up[k]));
			above[k] = pair;
		}
	}
	return QR_MASK_PENALTY_N2 * blocks;
}

/* N4: k = floor(|100 dark / total - 50| / 5) = floor(|20 dark - 10 total| / total). */
WITH_POPCNT static unsigned score_balance(const struct symbol *s)
{
	unsigned dark = 0, total = (unsigned)(s->width * s->width);
	unsigned twenty, ten;

	for (int y = 0; y < s->width; y++)
		for (int k = 0; k < s->words; k++)
			dark += count_bits(AT(&s->by_row, y)[k]);
	twenty = 20 * dark;
	ten = 10 * total;
	return QR_MASK_PENALTY_N4 * ((twenty > ten ? twenty - ten : ten - twenty) / total);
}

/* The penalty of the candidate in by_row and by_column, or some figure at
 * least `limit` once it is clear the penalty reaches that. */
static unsigned score(const struct symbol *s, unsigned limit)
{
	unsigned penalty = score_balance(s);

	if (penalty < limit)
		penalty += score_blocks(s);
	if (penalty < limit)
		penalty += score_lines(&s->by_column, s);
	if (penalty < limit)
		penalty += score_lines(&s->by_row, s);
	return penalty;
}

/* Writes the candidate's modules into the symbol; flags stay as they were. */
static void symbol_store(const struct symbol *s, QRcode *code)
{
	unsigned char *row = code->data;

	for (int y = 0; y < s->width; y++, row += s->width) {
		const uint64_t *dark = AT(&s->by_row, y);
		int x = 0;

		for (; x + 8 <= s->width; x += 8)
			store8(row + x, (load8(row + x) & ~0x0101010101010101u) |
					    unpack8(dark[x / 64] >> (x % 64)));
		for (; x < s->width; x++)
			row[x] = (unsigned char)((row[x] & ~MODULE_DARK) |
						 (dark[x / 64] >> (x % 64) & 1));
	}
}

/* The symbol's planes without a mask; *mask is -1 to choose the best. */
static hr_status remask(QRcode *code, QRecLevel level, int *mask)
{
	struct symbol *s;
	int carried;

	if (code == NULL || code->data == NULL || code->width < WIDTH_MIN ||
	    code->width > WIDTH_MAX || code->width != 17 + 4 * code->version ||
	    level < QR_ECLEVEL_L || level > QR_ECLEVEL_H || *mask < -1 || *mask >= MASKS)
		return HR_E_INVALID;
	pthread_once(&patterns_once, patterns_init);
	if ((carried = read_mask(code, level)) < 0)
		return HR_E_INVALID;
	if ((s = symbol_new(code->width)) == NULL)
		return HR_E_NOMEM;
	symbol_load(s, code, carried);
	if (*mask < 0) {
		unsigned best = UINT_MAX;

		for (int candidate = 0; candidate < MASKS; candidate++) {
			unsigned penalty;

			symbol_build(s, level, candidate);
			/* a later mask must do strictly better: ties go to the lowest */
			if ((penalty = score(s, best)) < best) {
				best = penalty;
				*mask = candidate;
			}
		}
	}
	symbol_build(s, level, *mask);
	symbol_store(s, code);
	free(s);
	return HR_OK;
}

hr_status qr_mask_choose(QRcode *code, QRecLevel level, int *chosen)
{
	int mask = -1;
	hr_status rc = remask(code, level, &mask);

	if (rc == HR_OK)
		*chosen = mask;
	return rc;
}

hr_status qr_mask_apply(QRcode *code, QRecLevel level, int mask)
{
	if (mask < 0 || mask >= MASKS)
		return HR_E_INVALID;
	return remask(code, level, &mask);
}

hr_status qr_mask_penalty(const unsigned char *modules, int width, unsigned *penalty)
{
	struct symbol *s;

	if (modules == NULL || width < WIDTH_MIN || width > WIDTH_MAX)
		return HR_E_INVALID;
	if ((s = symbol_new(width)) == NULL)
		return HR_E_NOMEM;
	for (int y = 0; y < width; y++) {
		uint64_t *row = AT(&s->by_row, y);

		for (int x = 0; x < width; x++)
			row[x / 64] |= (uint64_t)(modules[y * width + x] & MODULE_DARK) << (x % 64);
	}
	transpose(&s->by_row, &s->by_column, s);
	*penalty = score(s, UINT_MAX);
	free(s);
	return HR_OK;
}

QRcode *qr_mask_encode_string(const char *text, QRecLevel level)
{
	QRcode *code = NULL;
	QRinput *input;
	int mask, saved;
	hr_status rc;

	if (text == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (QRcode_encodeMask != NULL && Split_splitStringToQRinput != NULL) {
		/* what QRcode_encodeString does, but for the mask selection */
		if ((input = QRinput_new2(0, level)) == NULL)
			return NULL;
		if (Split_splitStringToQRinput(text, input, QR_MODE_8, 1) == 0)
			code = QRcode_encodeMask(input, 0);
		saved = errno;
		QRinput_free(input);
		errno = saved;
	} else {
		code = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
	}
	if (code == NULL)
		return NULL;
	if ((rc = qr_mask_choose(code, level, &mask)) != HR_OK) {
		QRcode_free(code);
		errno = rc == HR_E_NOMEM ? ENOMEM : EPROTO;
		return NULL;
	}
	return code;
}
