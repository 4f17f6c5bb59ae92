/*
 * population_internal.h — what the population's files share and nothing else
 * includes: the random streams, the keyed permutations, dates, the name and
 * place tables, and a bounded JSON text writer.
 */
#ifndef HROMADA_PLATFORM_POPULATION_INTERNAL_H
#define HROMADA_PLATFORM_POPULATION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/documents.h"
#include "platform/population.h"

/* ---- random streams: xoshiro256** seeded through splitmix64 ---- */

struct population_rng {
	uint64_t s[4];
};

/* Streams of one person: each purpose draws from its own, so adding a draw to
 * one document never changes another. */
enum population_stream {
	STREAM_PERSON = 1,
	STREAM_MOVES = 2,     /* where and when they lived before (population_history) */
	STREAM_DOCUMENT = 16, /* + document type */
};

uint64_t population_mix64(uint64_t x);
void population_rng_init(struct population_rng *rng, uint64_t key, uint64_t index, uint64_t stream);
uint64_t population_rng_next(struct population_rng *rng);
/* Uniform in [0, n), n > 0. */
uint64_t population_rng_below(struct population_rng *rng, uint64_t n);
/* Uniform in [lo, hi], lo <= hi. */
int64_t population_rng_range(struct population_rng *rng, int64_t lo, int64_t hi);
/* True with probability per_mille / 1000. */
bool population_rng_chance(struct population_rng *rng, unsigned per_mille);

/* ---- keyed permutations of [0, domain): a Feistel network with cycle walking ---- */

struct population_perm {
	uint64_t domain;
	unsigned half_bits;
	uint64_t mask;
	uint64_t keys[4];
};

void population_perm_init(struct population_perm *perm, uint64_t domain, uint64_t key);
uint64_t population_perm_apply(const struct population_perm *perm, uint64_t x);

/* ---- dates: days since 1970-01-01, proleptic Gregorian ---- */

int32_t population_days_from_civil(int year, int month, int day);
void population_civil_from_days(int32_t days, int *year, int *month, int *day);
/* The same day n years later (29 February becomes 28 February). */
int32_t population_add_years(int32_t days, int years);
/* Whole years from birth to day. */
int population_age(int32_t birth, int32_t day);
/* "YYYY-MM-DD" into out (11 bytes). */
void population_format_date(int32_t days, char out[11]);
/* POPULATION_TODAY, the reference date of the tests. */
int32_t population_today(void);

/* ---- names and places (population_names.c) ---- */

struct population_given_name {
	const char *name;
	const char *patronymic_male;   /* UA male names only: "Іванович" */
	const char *patronymic_female; /* "Іванівна" */
};

struct population_city {
	const char *name;      /* "Бровари", "Kraków" */
	const char *adjective; /* UA: "Броварський"; PL: the locative, "Krakowie" */
	const char *postal;    /* PL: the first two digits of its postal codes */
};

struct population_region {
	const char *name;      /* UA: "Київська обл."; PL: "mazowieckie" */
	const char *adjective; /* PL: "Mazowiecki" (the voivode's title) */
	const struct population_city *cities;
	size_t city_count;
	const char *const *plates; /* UA: plate codes "AA"; PL: prefixes "WA" */
	size_t plate_count;
};

struct population_name_tables {
	const struct population_given_name *male, *female;
	size_t male_count, female_count;
	const char *const *family; /* male forms; population_family_name makes female ones */
	size_t family_count;
	const char *const *streets;
	size_t street_count;
	const struct population_region *regions;
	size_t region_count;
	unsigned capital_per_mille; /* share of people in the first city of region 0 */
};

extern const struct population_name_tables population_names_ua;
extern const struct population_name_tables population_names_pl;

/* The family name of that sex: Ukrainian -ський/-ська, -ов/-ова, -ий/-а ...,
 * Polish -ski/-ska, -cki/-cka, -dzki/-dzka; others are the same for both. */
void population_family_name(bool ukrainian, const char *male, char sex, char *out, size_t cap);
/* Latin capitals for the _latin fields: A-Z, space, hyphen, apostrophe. */
void population_latin_upper(bool ukrainian, const char *text, char *out, size_t cap);

/* ---- the generator ---- */

enum population_country_code {
	POPULATION_UA,
	POPULATION_PL,
};

struct population {
	enum population_country_code code;
	const char *country;
	uint64_t seed;
	uint64_t key; /* mixes seed and country */
	struct population_perm identity;
	struct population_perm numbers[DOCUMENT_TYPE_COUNT];
	struct population_perm vins, plates;
	int32_t today, first_birth; /* today: the as-of date */
	char as_of[11];
	const struct population_name_tables *names;
};

/* Indexes into document_types (core/documents.h) the generator names. */
#define POPULATION_RESIDENCE_PERMIT 4
#define POPULATION_STUDENT_CARD     6

/* The 4 serial digits of RNOKPP and PESEL: ids per day of birth. A country's
 * own people take the first 9 000; the rest are for the neighbour's people who
 * live there (population_abroad.c). */
#define POPULATION_SERIALS        10000u
#define POPULATION_NATIVE_SERIALS 9000u

/*
 * The index under which the host country knows a resident from the other
 * country whose index at home is home_index: beyond every index of its own
 * people, so their documents' numbers (a permutation of the index) and random
 * streams are their own. Only document types whose number space holds twice
 * POPULATION_PEOPLE_MAX are issued to them (population_documents).
 */
#define POPULATION_RESIDENT_INDEX(home_index) (POPULATION_PEOPLE_MAX + (home_index))

/* Sizes and keys the permutations of document numbers, VINs and plates. */
void population_documents_init(struct population *pop);

/* Person index's birth day and serial (< POPULATION_NATIVE_SERIALS). */
void population_identity(const struct population *pop, uint64_t index, int32_t *birth,
			 unsigned *serial);
/* The country's id ("UA:" + RNOKPP, "PL:" + PESEL) of a birth day and serial. */
void population_make_id(const struct population *pop, int32_t birth, unsigned serial, char out[16]);
/* Numeric value of the id without its check digit: the key that sorts people
 * as their ids sort, for loading in primary-key order. */
uint64_t population_sort_key(const struct population *pop, uint64_t index);
uint64_t population_id_sort_key(const struct population *pop, int32_t birth, unsigned serial);
/* p's address and birth place in pop's country, drawn from rng. */
void population_make_address(const struct population *pop, struct population_rng *rng,
			     struct population_person *p);

/*
 * Does person index of home also live in host (population_abroad)? If so,
 * *sort_key is their place among host's people (population_id_sort_key), at
 * the cost of one identity and one small permutation: what the loader runs
 * over every person of the other country.
 */
bool population_abroad_key(const struct population *home, const struct population *host,
			   uint64_t index, uint64_t *sort_key);

/* ---- JSON text, written straight into a fixed buffer ---- */

struct population_json {
	char *start, *p, *end;
	bool overflow; /* latched: the buffer was too small */
	bool first;    /* no member written yet at the current level */
};

void population_json_begin(struct population_json *w, char *buf, size_t cap);
void population_json_open(struct population_json *w, const char *key, char bracket);
void population_json_close(struct population_json *w, char bracket);
void population_json_str(struct population_json *w, const char *key, const char *value);
void population_json_int(struct population_json *w, const char *key, long long value);
void population_json_date(struct population_json *w, const char *key, int32_t days);
/* Length written, or (size_t)-1 when it overflowed. Leaves the text NUL-terminated. */
size_t population_json_end(struct population_json *w);

#endif
