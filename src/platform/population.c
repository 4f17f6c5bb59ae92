/*
 * population.c — who the synthetic people are: identifiers, sex, birth date,
 * names, addresses (population.h). The documents they hold are in
 * population_documents.c, the name and place tables in population_names.c,
 * loading into the registries in population_load.c.
 *
 * Identity. Person i's id is a keyed permutation of i onto (birth day, serial):
 * the domain is every day from 95 years before the as-of date to the day
 * before it, times the first 9 000 of the 10 000 serial numbers of a day
 * (RNOKPP digits 6-9, PESEL digits 7-10). A permutation cannot map two people
 * to one id, so ids are unique without a lookup, and birth dates come out
 * uniform over the 95 years. The id's last serial digit is the sex digit (odd
 * for men, even for women) in both countries, so sex follows from the id as it
 * does in reality. Serials 9 000-9 999 are the other country's people who live
 * here (population_abroad.c): a country's own people can never take one.
 *
 * Everything else about person i comes from a random stream seeded with
 * (seed, country, i, purpose): xoshiro256** (Blackman and Vigna) seeded through
 * splitmix64. The permutations are four-round Feistel networks over the next
 * even power of two, walking the cycle until the value falls inside the domain
 * (Black and Rogaway, "Ciphers with Arbitrary Finite Domains", 2002). Neither is
 * cryptographic, and neither needs to be: the data is synthetic.
 */
#include "platform/population.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "platform/population_internal.h"

#define STAGE "population"

_Static_assert(POPULATION_TYPE_COUNT == DOCUMENT_TYPE_COUNT, "population.h's count of types");

#define BIRTH_YEARS       95
#define RNOKPP_DAY_OFFSET 25568 /* day 1 of RNOKPP is 1900-01-01; 1970-01-01 is 25568 */
/*
 * Foreign residents of other nationalities than the neighbour's, among people
 * aged 14 and over (the neighbour's own people who live here are the same
 * people as in its population: population_abroad.c). Ukraine had some 280 000
 * foreigners with permits before 2022 (0.7% of its people), half of them from
 * Russia and Belarus, whom these tables leave out; Poland some 450 000 who are
 * not Ukrainian (1.2%), most of them Belarusians, Georgians, Moldovans and
 * Indians.
 */
#define FOREIGN_PER_MILLE_UA 7
#define FOREIGN_PER_MILLE_PL 12

/* ---- random streams ---- */

uint64_t population_mix64(uint64_t x)
{
	/* splitmix64's finaliser */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void population_rng_init(struct population_rng *rng, uint64_t key, uint64_t index, uint64_t stream)
{
	uint64_t state = population_mix64(
	    key ^ population_mix64(index * 0x9e3779b97f4a7c15ull + stream * 0xd1b54a32d192ed03ull));

	for (int i = 0; i < 4; i++) {
		state += 0x9e3779b97f4a7c15ull;
		rng->s[i] = population_mix64(state);
	}
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t population_rng_next(struct population_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t population_rng_below(struct population_rng *rng, uint64_t n)
{
	/* The modulo bias is below n / 2^64: invisible for tables and day ranges. */
	return population_rng_next(rng) % n;
}

int64_t population_rng_range(struct population_rng *rng, int64_t lo, int64_t hi)
{
	return lo + (int64_t)population_rng_below(rng, (uint64_t)(hi - lo) + 1);
}

bool population_rng_chance(struct population_rng *rng, unsigned per_mille)
{
	return population_rng_below(rng, 1000) < per_mille;
}

/* ---- permutations ---- */

void population_perm_init(struct population_perm *perm, uint64_t domain, uint64_t key)
{
	unsigned bits = 2;

	while (bits < 64 && (1ull << bits) < domain)
		bits++;
	if (bits % 2)
		bits++;
	perm->domain = domain;
	perm->half_bits = bits / 2;
	perm->mask = (1ull << perm->half_bits) - 1;
	for (int i = 0; i < 4; i++)
		perm->keys[i] = population_mix64(key + (uint64_t)i * 0x632be59bd9b4e019ull);
}

uint64_t population_perm_apply(const struct population_perm *perm, uint64_t x)
{
	/* x < domain, and the network permutes [0, 2^(2*half_bits)): walking the
	 * cycle from x must come back into the domain. */
	do {
		uint64_t left = x >> perm->half_bits, right = x & perm->mask;

		for (int round = 0; round < 4; round++) {
			uint64_t next =
			    left ^ (population_mix64(right ^ perm->keys[round]) & perm->mask);

			left = right;
			right = next;
		}
		x = left << perm->half_bits | right;
	} while (x >= perm->domain);
	return x;
}

/* ---- dates (Howard Hinnant's days_from_civil / civil_from_days) ---- */

int32_t population_days_from_civil(int year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void population_civil_from_days(int32_t days, int *year, int *month, int *day)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

int32_t population_add_years(int32_t days, int years)
{
	int y, m, d;

	population_civil_from_days(days, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		d = 28;
	return population_days_from_civil(y, m, d);
}

int population_age(int32_t birth, int32_t day)
{
	int by, bm, bd, y, m, d;

	population_civil_from_days(birth, &by, &bm, &bd);
	population_civil_from_days(day, &y, &m, &d);
	return y - by - (m < bm || (m == bm && d < bd));
}

void population_format_date(int32_t days, char out[11])
{
	int y, m, d;

	population_civil_from_days(days, &y, &m, &d);
	/* Years stay within 1800..9999 here: four digits always. */
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 0;
}

int32_t population_today(void)
{
	int32_t days;

	(void)population_parse_date(POPULATION_TODAY, &days);
	return days;
}

bool population_parse_date(const char *text, int32_t *days)
{
	int y, m, d;
	char check[11];

	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return false;
	}
	y = atoi(text);
	m = atoi(text + 5);
	d = atoi(text + 8);
	if (y < POPULATION_AS_OF_MIN_YEAR || y > POPULATION_AS_OF_MAX_YEAR || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return false;
	*days = population_days_from_civil(y, m, d);
	population_format_date(*days, check);
	return strcmp(check, text) == 0; /* 2026-02-30 is not a day */
}

/* ---- generators ---- */

hr_status population_new(const char *country, uint64_t seed, const char *as_of,
			 struct population **out, struct hr_error *err)
{
	struct population *pop;
	uint64_t key;
	int32_t today;

	*out = NULL;
	if (country == NULL || (strcmp(country, "UA") != 0 && strcmp(country, "PL") != 0))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "no population for country '%.8s' (known: UA, PL)",
				    country ? country : "");
	if (!population_parse_date(as_of ? as_of : POPULATION_TODAY, &today))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "as-of date '%.16s': expected YYYY-MM-DD between %d and %d",
				    as_of, POPULATION_AS_OF_MIN_YEAR, POPULATION_AS_OF_MAX_YEAR);
	if ((pop = calloc(1, sizeof(*pop))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	pop->code = strcmp(country, "UA") == 0 ? POPULATION_UA : POPULATION_PL;
	pop->country = pop->code == POPULATION_UA ? "UA" : "PL";
	pop->names = pop->code == POPULATION_UA ? &population_names_ua : &population_names_pl;
	pop->seed = seed;
	key =
	    population_mix64(seed ^ population_mix64(pop->code == POPULATION_UA ? 0x5541 : 0x504c));
	pop->key = key;
	pop->today = today;
	population_format_date(today, pop->as_of);
	pop->first_birth = population_add_years(pop->today, -BIRTH_YEARS);
	population_perm_init(&pop->identity,
			     (uint64_t)(pop->today - pop->first_birth) * POPULATION_NATIVE_SERIALS,
			     key);
	population_documents_init(pop);
	*out = pop;
	return HR_OK;
}

void population_free(struct population *pop)
{
	free(pop);
}

const char *population_country(const struct population *pop)
{
	return pop->country;
}

const char *population_as_of(const struct population *pop)
{
	return pop->as_of;
}

void population_identity(const struct population *pop, uint64_t index, int32_t *birth,
			 unsigned *serial)
{
	uint64_t v = population_perm_apply(&pop->identity, index);

	*birth = pop->first_birth + (int32_t)(v / POPULATION_NATIVE_SERIALS);
	*serial = (unsigned)(v % POPULATION_NATIVE_SERIALS);
}

/* PESEL's first six digits as a number: YYMMDD, the century in the month. */
static unsigned pesel_date(int32_t birth)
{
	int y, m, d;

	population_civil_from_days(birth, &y, &m, &d);
	if (y >= 2000)
		m += 20;
	return (unsigned)((y % 100) * 10000 + m * 100 + d);
}

uint64_t population_sort_key(const struct population *pop, uint64_t index)
{
	unsigned serial;
	int32_t birth;

	population_identity(pop, index, &birth, &serial);
	return population_id_sort_key(pop, birth, serial);
}

uint64_t population_id_sort_key(const struct population *pop, int32_t birth, unsigned serial)
{
	if (pop->code == POPULATION_UA)
		return (uint64_t)(birth + RNOKPP_DAY_OFFSET) * POPULATION_SERIALS + serial;
	return (uint64_t)pesel_date(birth) * POPULATION_SERIALS + serial;
}

static void make_rnokpp(int32_t birth, unsigned serial, char out[12])
{
	static const int weights[9] = {-1, 5, 7, 9, 4, 6, 10, 5, 7};
	int sum = 0;

	/* birth + offset has five digits and serial four (see population_new) */
	snprintf(out, 12, "%05d%04u", (int)(birth + RNOKPP_DAY_OFFSET) % 100000,
		 serial % POPULATION_SERIALS);
	for (int i = 0; i < 9; i++)
		sum += weights[i] * (out[i] - '0');
	sum %= 11;
	if (sum < 0)
		sum += 11;
	out[9] = (char)('0' + sum % 10);
	out[10] = 0;
}

static void make_pesel(int32_t birth, unsigned serial, char out[12])
{
	static const int weights[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
	int sum = 0;

	snprintf(out, 12, "%06u%04u", pesel_date(birth) % 1000000, serial % POPULATION_SERIALS);
	for (int i = 0; i < 10; i++)
		sum += weights[i] * (out[i] - '0');
	out[10] = (char)('0' + (10 - sum % 10) % 10);
	out[11] = 0;
}

void population_make_id(const struct population *pop, int32_t birth, unsigned serial, char out[16])
{
	char digits[12];

	if (pop->code == POPULATION_UA)
		make_rnokpp(birth, serial, digits);
	else
		make_pesel(birth, serial, digits);
	snprintf(out, 16, "%s:%s", pop->country, digits);
}

static const char *pick(struct population_rng *rng, const char *const *list, size_t n)
{
	return list[population_rng_below(rng, n)];
}

static void copy_text(char *out, size_t cap, const char *text)
{
	snprintf(out, cap, "%s", text);
}

/* Names: a Ukrainian citizen's in Cyrillic with a patronymic; a Pole's in Polish; a
 * foreign resident's from the other country's tables, in Latin letters. */
static void make_names(const struct population *pop, struct population_rng *rng,
		       struct population_person *p)
{
	bool ukrainian_names = (pop->code == POPULATION_UA) != p->foreign;
	const struct population_name_tables *t =
	    ukrainian_names ? &population_names_ua : &population_names_pl;
	const struct population_given_name *given =
	    p->sex == 'M' ? &t->male[population_rng_below(rng, t->male_count)]
			  : &t->female[population_rng_below(rng, t->female_count)];
	const char *family = pick(rng, t->family, t->family_count);
	char native[POPULATION_NAME_MAX];

	population_family_name(ukrainian_names, family, p->sex, native, sizeof(native));
	p->patronymic[0] = 0;
	if (ukrainian_names && !p->foreign) {
		const struct population_given_name *father =
		    &t->male[population_rng_below(rng, t->male_count)];
		copy_text(p->patronymic, sizeof(p->patronymic),
			  p->sex == 'M' ? father->patronymic_male : father->patronymic_female);
	}
	if (ukrainian_names && p->foreign) {
		/* A Ukrainian living in Poland: written as in the passport, in Latin. */
		if (population_latin_uk(native, p->family_name, sizeof(p->family_name)) ==
		    (size_t)-1)
			copy_text(p->family_name, sizeof(p->family_name), "?");
		if (population_latin_uk(given->name, p->given_name, sizeof(p->given_name)) ==
		    (size_t)-1)
			copy_text(p->given_name, sizeof(p->given_name), "?");
	} else {
		copy_text(p->family_name, sizeof(p->family_name), native);
		copy_text(p->given_name, sizeof(p->given_name), given->name);
	}
	population_latin_upper(ukrainian_names, native, p->family_name_latin,
			       sizeof(p->family_name_latin));
	population_latin_upper(ukrainian_names, given->name, p->given_name_latin,
			       sizeof(p->given_name_latin));
}

static void pick_place(const struct population_name_tables *t, struct population_rng *rng,
		       int *region, int *city)
{
	if (population_rng_chance(rng, t->capital_per_mille)) {
		*region = 0;
		*city = 0;
		return;
	}
	*region = (int)population_rng_below(rng, t->region_count);
	*city = (int)population_rng_below(rng, t->regions[*region].city_count);
}

void population_make_address(const struct population *pop, struct population_rng *rng,
			     struct population_person *p)
{
	const struct population_name_tables *t = pop->names;
	const struct population_region *region;
	const struct population_city *city;
	const char *street = pick(rng, t->streets, t->street_count);
	unsigned house = (unsigned)population_rng_range(rng, 1, 160);
	unsigned flat =
	    population_rng_chance(rng, 650) ? (unsigned)population_rng_range(rng, 1, 320) : 0;
	int birth_region, birth_city;

	pick_place(t, rng, &p->region, &p->city);
	region = &t->regions[p->region];
	city = &region->cities[p->city];
	if (pop->code == POPULATION_UA) {
		char flat_text[32] = "";

		if (flat)
			snprintf(flat_text, sizeof(flat_text), ", кв. %u", flat);
		snprintf(p->address, sizeof(p->address), "%s%sм. %s, вул. %s, буд. %u%s",
			 region->name, region->name[0] ? ", " : "", city->name, street, house,
			 flat_text);
	} else {
		char flat_text[32] = "";

		if (flat)
			snprintf(flat_text, sizeof(flat_text), " m. %u", flat);
		snprintf(p->address, sizeof(p->address), "ul. %s %u%s, %s-%03u %s", street, house,
			 flat_text, city->postal, (unsigned)population_rng_below(rng, 1000),
			 city->name);
	}
	/* Most people were born in the region they live in. */
	if (population_rng_chance(rng, 600)) {
		birth_region = p->region;
		birth_city = (int)population_rng_below(rng, region->city_count);
	} else {
		pick_place(t, rng, &birth_region, &birth_city);
	}
	region = &t->regions[birth_region];
	city = &region->cities[birth_city];
	if (pop->code == POPULATION_UA)
		snprintf(p->birth_place, sizeof(p->birth_place), "м. %s%s%s", city->name,
			 region->name[0] ? ", " : "", region->name);
	else
		copy_text(p->birth_place, sizeof(p->birth_place), city->name);
}

void population_person(const struct population *pop, uint64_t index, struct population_person *p)
{
	/* the neighbour's people are not among them: they are its own people */
	static const char *const foreign_in_ua[] = {"GEO", "GEO", "AZE", "AZE", "MDA", "MDA",
						    "TUR", "IND", "ARM", "KAZ", "CZE", "LTU"};
	static const char *const foreign_in_pl[] = {"BLR", "BLR", "BLR", "BLR", "GEO", "GEO",
						    "MDA", "IND", "KAZ", "LTU", "UZB", "UZB"};
	struct population_rng rng;
	unsigned serial;
	int32_t birth;

	memset(p, 0, sizeof(*p));
	p->index = index;
	population_identity(pop, index, &birth, &serial);
	p->birth = birth;
	p->sex = serial % 2 ? 'M' : 'F';
	population_make_id(pop, birth, serial, p->id);

	population_rng_init(&rng, pop->key, index, STREAM_PERSON);
	p->foreign = population_age(birth, pop->today) >= 14 &&
		     population_rng_chance(&rng, pop->code == POPULATION_UA ? FOREIGN_PER_MILLE_UA
									    : FOREIGN_PER_MILLE_PL);
	if (p->foreign)
		copy_text(
		    p->nationality, sizeof(p->nationality),
		    pop->code == POPULATION_UA
			? pick(&rng, foreign_in_ua, sizeof(foreign_in_ua) / sizeof(*foreign_in_ua))
			: pick(&rng, foreign_in_pl,
			       sizeof(foreign_in_pl) / sizeof(*foreign_in_pl)));
	else
		copy_text(p->nationality, sizeof(p->nationality),
			  pop->code == POPULATION_UA ? "UKR" : "POL");
	make_names(pop, &rng, p);
	population_make_address(pop, &rng, p);
}

hr_status population_document_json(const struct population_document *doc, json_t **out,
				   struct hr_error *err)
{
	json_t *fields, *document;
	hr_status rc;

	*out = NULL;
	if ((rc = hr_json_parse_object(doc->fields, doc->fields_len, &fields, err)) != HR_OK)
		return rc;
	if ((document = json_object()) == NULL ||
	    json_object_set_new(document, "t", json_string(document_types[doc->type])) != 0 ||
	    json_object_set_new(document, "v", json_integer(1)) != 0 ||
	    json_object_set_new(document, "status", json_string(doc->status)) != 0 ||
	    json_object_update(document, fields) != 0) {
		json_decref(fields);
		json_decref(document);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	json_decref(fields);
	*out = document;
	return HR_OK;
}

/* ---- JSON text ---- */

void population_json_begin(struct population_json *w, char *buf, size_t cap)
{
	w->start = buf;
	w->p = buf;
	w->end = buf + cap - 1; /* room for the NUL */
	w->overflow = cap < 2;
	w->first = true;
	if (!w->overflow)
		*w->p++ = '{';
}

static void put(struct population_json *w, const char *text, size_t n)
{
	if (w->overflow || (size_t)(w->end - w->p) < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p, text, n);
	w->p += n;
}

/* A JSON string: quotes and backslashes escaped, control bytes as \u00XX,
 * UTF-8 copied as it is (RFC 8259 §7). */
static void put_string(struct population_json *w, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = text;

	put(w, "\"", 1);
	for (const char *s = text; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			escape[1] = (char)c;
			put(w, escape, 2);
		} else {
			put(w, escape, 6);
		}
		run = s + 1;
	}
	put(w, run, strlen(run));
	put(w, "\"", 1);
}

static void put_key(struct population_json *w, const char *key)
{
	if (!w->first)
		put(w, ",", 1);
	w->first = false;
	if (key != NULL) {
		put_string(w, key);
		put(w, ":", 1);
	}
}

void population_json_open(struct population_json *w, const char *key, char bracket)
{
	put_key(w, key);
	put(w, &bracket, 1);
	w->first = true;
}

void population_json_close(struct population_json *w, char bracket)
{
	put(w, &bracket, 1);
	w->first = false;
}

void population_json_str(struct population_json *w, const char *key, const char *value)
{
	put_key(w, key);
	put_string(w, value);
}

void population_json_int(struct population_json *w, const char *key, long long value)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%lld", value);

	put_key(w, key);
	put(w, text, (size_t)n);
}

void population_json_date(struct population_json *w, const char *key, int32_t days)
{
	char date[11];

	population_format_date(days, date);
	population_json_str(w, key, date);
}

size_t population_json_end(struct population_json *w)
{
	put(w, "}", 1);
	if (w->overflow)
		return (size_t)-1;
	*w->p = 0;
	return (size_t)(w->p - w->start);
}
