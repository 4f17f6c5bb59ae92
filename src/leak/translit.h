/*
 * translit.h — people's names across scripts and spellings, for matching the
 * rows of a leaked dump against the registries (DESIGN.md §7, leakscan).
 *
 * The same Ukrainian name turns up as Шевченко, Shevchenko (the national table
 * of 2010), Ševčenko (ISO 9 / Czech style), Schewtschenko (old German-style
 * passports), Chevtchenko (French style), Szewczenko (Polish); Юрій as Yurii,
 * Yuriy, Iurii, Jurij, Yuri. Polish names come with or without diacritics.
 *
 * translit_name_key() reduces every such spelling to one matching key, in four
 * table-driven steps and with no allocation:
 *	1. decode UTF-8 (strictly) and lower-case;
 *	2. spell each letter in lower-case ASCII: Cyrillic by the 2010 table
 *	   (Cabinet of Ministers Resolution No. 55 of 27 January 2010; the
 *	   Russian letters of old databases too: ы y, э e, ё io, ъ dropped),
 *	   Latin diacritics folded — č ch, š sh, ž zh (so ISO 9 meets the 2010
 *	   table), ł l, ą a, ę e, ó o, ś s, ź ż z, ć c, ń n, ä a, ö o, ü u, ß ss —
 *	   and everything that is not a letter (spaces, hyphens, apostrophes, the
 *	   soft sign, digits) dropped;
 *	3. reduce the variant spellings to one skeleton, greedily, longest first:
 *	     ш ч щ  sh ch shch sch tsch tch sz cz szcz      -> x
 *	     ж      zh                                      -> j
 *	     ц      ts tz c                                 -> c
 *	     г ґ х  h g kh gh                               -> h
 *	     и і ї й ы  y i j (and so ii iy yi ij)          -> i
 *	     в      v w                                     -> v
 *	     у      u ou                                    -> u
 *	     x -> ks, q -> k, ph -> f, ck -> k;
 *	4. fold every run of one skeleton letter to a single letter ("Anna" and
 *	   "Ana", "ii" and "i", "shch" and "sh").
 * The key is [a-z]* and is a key, not a spelling: Шевченко is "xevxenko".
 *
 * Decisions, and what the key does not do:
 *  - Ukrainian and Russian forms of a name (Олександр / Александр,
 *    Oleksandr / Aleksandr / Alexander) are different names and keep
 *    different keys; matching across name forms is an alias table's job,
 *    above the key. Forms that differ only in letters the key merges do
 *    meet: Oleh / Oleg, Hryhorii / Grigoriy (г and g are one class).
 *  - "ch" is read as ч (English, 2010) or ш (French, merged with ч anyway);
 *    German, Polish and Czech "ch" for х (Mychajlo, Charkiw) is therefore not
 *    matched to "kh" (Mykhailo, Kharkiv).
 *  - The classes are coarse on purpose (a phonetic key): different names can
 *    share a key, and leakscan confirms a match with the other fields.
 *
 * translit_to_latin_2010() gives the official 2010 spelling for reports:
 * є ї й ю я are Ye Yi Y Yu Ya at the start of a word and ie i i iu ia
 * elsewhere, "зг" is "zgh", the soft sign and the apostrophe are dropped.
 * Capitals follow the text: Шевченко -> Shevchenko, ШЕВЧЕНКО -> SHEVCHENKO.
 *
 * Never: allocate, read past len, or write past size; both functions are safe
 * on any bytes (fuzz/fuzz_translit.c).
 */
#ifndef HROMADA_LEAK_TRANSLIT_H
#define HROMADA_LEAK_TRANSLIT_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

/* Longest name text, in bytes, either function reads; longer is HR_E_TOO_LARGE. */
#define TRANSLIT_INPUT_MAX 512

/*
 * The matching key of a name (family or given) of len bytes of UTF-8 into out
 * (size bytes, NUL-terminated, [a-z] only, possibly empty). Malformed UTF-8 is
 * HR_E_INVALID; input over TRANSLIT_INPUT_MAX or a key that does not fit in
 * size is HR_E_TOO_LARGE. On failure out holds "" (when size > 0).
 */
hr_status translit_name_key(const char *utf8, size_t len, char *out, size_t size,
			    struct hr_error *err);

/*
 * The 2010 national Latin spelling of len bytes of UTF-8 into out (size bytes,
 * NUL-terminated). Ukrainian (and the Russian ы э ё ъ) letters are
 * transliterated; control characters (NUL among them) are dropped, so the
 * text is safe to print; every other character is copied as it is. Errors as for
 * translit_name_key.
 */
hr_status translit_to_latin_2010(const char *utf8, size_t len, char *out, size_t size,
				 struct hr_error *err);

/* Whether len bytes of UTF-8 hold a Cyrillic letter (U+0400-U+04FF). False on
 * malformed UTF-8. */
bool translit_is_cyrillic(const char *utf8, size_t len);

#endif
