/*
 * qr_mask.h — choosing the data mask of a QR code symbol, fast, by the rules of
 * ISO/IEC 18004:2015 §7.8 (data masking) and §7.9 (format information).
 *
 * Why: libqrencode chooses the mask by building all eight masked symbols and
 * scoring each module by module; that costs about 1.2 ms a symbol, more than
 * the signatures of a whole wallet request. Here libqrencode builds the symbol
 * once with a fixed mask, and the eight candidates are scored on bit planes,
 * 64 rows or columns at a time, in a few tens of microseconds.
 *
 * The mask chosen is the one of lowest penalty (§7.8.3.1, Table 11), the
 * lowest mask number on a tie. The complete symbol is scored, as §7.8.3.1
 * says, with the candidate's own format information written in. Where Table 11
 * leaves room, this reading is taken:
 *  - N1 = 3: every run of 5 + i modules of one colour in a row or column, i >= 0,
 *    scores N1 + i;
 *  - N2 = 3: every 2 x 2 block of one colour scores N2 (an m x n block is
 *    (m - 1)(n - 1) such blocks);
 *  - N3 = 40: every dark-light-dark-dark-dark-light-dark (1:1:3:1:1, one module a
 *    unit, as in a finder pattern) in a row or column, whose outer modules are
 *    bounded by light, and which has 4 light modules before it or 4 after it,
 *    scores N3 once; beyond the edge of the symbol lies the light quiet zone
 *    (§6.3.8) — a mask is judged as the symbol will be seen;
 *  - N4 = 10: k = floor(|dark% - 50| / 5), exactly, scores N4 * k.
 * libqrencode 4.1 reads N3 and N4 otherwise — it also counts the pattern at
 * two modules a unit and more (2:2:6:2:2 beside 8 light or the quiet zone), and
 * rounds the dark share to a whole percent before N4 — and so picks another
 * mask for under 1 % of symbols.
 *
 * What it never does: change the version, the segments, the data or error
 * correction codewords, or any function pattern; it touches only the modules
 * libqrencode flags as data (bit 7 clear) or format information (bit 2), and
 * leaves every flag bit as libqrencode set it. qr_mask_encode_string() never
 * returns a symbol whose mask is not the one of lowest penalty. Micro QR
 * symbols are not handled.
 */
#ifndef HROMADA_CREDENTIAL_QR_MASK_H
#define HROMADA_CREDENTIAL_QR_MASK_H

#include <qrencode.h>

#include <hromada/status.h>

#define QR_MASK_PENALTY_N1 3
#define QR_MASK_PENALTY_N2 3
#define QR_MASK_PENALTY_N3 40
#define QR_MASK_PENALTY_N4 10

/*
 * The symbol libqrencode's QRcode_encodeString(text, 0, level, QR_MODE_8, 1)
 * builds — same segments, version and codewords — with its mask chosen by
 * qr_mask_choose(). NULL with errno set when libqrencode fails (ERANGE: the
 * text does not fit; EINVAL: empty text). Free with QRcode_free().
 */
QRcode *qr_mask_encode_string(const char *text, QRecLevel level);

/*
 * Re-masks a symbol libqrencode built at `level`, whatever mask it carries (its
 * format information says which): the best mask by the rules above, stored in
 * *chosen. HR_E_INVALID, the symbol untouched, when its format information is
 * not that of `level` or lies elsewhere than §7.9.1 puts it.
 */
hr_status qr_mask_choose(QRcode *code, QRecLevel level, int *chosen);

/* Re-masks a symbol with the given mask (0 to 7), chosen or not. As above. */
hr_status qr_mask_apply(QRcode *code, QRecLevel level, int mask);

/*
 * The penalty of a finished symbol by the rules above: `modules` holds width x
 * width modules, row by row, bit 0 set for dark; width is 21 to 177.
 */
hr_status qr_mask_penalty(const unsigned char *modules, int width, unsigned *penalty);

#endif
