/*
 * population.h — the synthetic population of `hromada up` and `hromada population`:
 * Ukrainians and Poles with valid identifiers, names, addresses and documents of
 * all eight types, loaded into the registries.
 *
 * Deterministic: person i of a country is a function of (country, seed, as-of
 * date, i) alone, so a demo, a benchmark or a test can name anyone without
 * asking a database, and two machines given the same seed hold the same
 * people. Person ids are unique by construction (a keyed permutation of the
 * index onto birth date and serial), and so is every document number within
 * its registry. The Ukrainians who live in Poland and the Poles who live in
 * Ukraine are people of both populations (population_abroad).
 *
 * Everything is dated against an as-of date, part of the population's identity
 * like the seed, and never read from the clock while generating: which
 * documents are expired is part of the data, the same on every run. Tests use
 * the fixed POPULATION_TODAY; `hromada up` and `hromada population` the day of
 * the first load, kept for later loads of the same registries.
 *
 * Never: use real people's data (every name is drawn from tables of common
 * names, every number is generated), or log a generated person (log.h: personal
 * data is never logged, synthetic or not — the code cannot tell).
 */
#ifndef HROMADA_PLATFORM_POPULATION_H
#define HROMADA_PLATFORM_POPULATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

/* DOCUMENT_TYPE_COUNT of core/documents.h (checked in population.c); this
 * header does not include that one, whose globals would shadow callers' names. */
#define POPULATION_TYPE_COUNT 8

/* Bumped whenever a change to the generator changes the people it makes: a
 * registry loaded by another version is loaded again. */
#define POPULATION_GENERATOR_VERSION 3
/* The as-of date when none is given: what the tests date against. */
#define POPULATION_TODAY          "2026-06-01"
#define POPULATION_AS_OF_MIN_YEAR 2000
#define POPULATION_AS_OF_MAX_YEAR 2200
#define POPULATION_PEOPLE_MAX     30000000ull /* per country; numbers stay unique up to here */
/*
 * The top POPULATION_CANARY_RESERVE indexes of each country belong to its
 * canary citizens (platform/canary.h): people of the same generator, planted
 * one by one from POPULATION_PEOPLE_MAX - 1 downward. A population therefore
 * loads at most POPULATION_LOAD_MAX people, and no loaded person can ever be a
 * canary, nor a canary a loaded person.
 */
#define POPULATION_CANARY_RESERVE 100000ull
#define POPULATION_LOAD_MAX       (POPULATION_PEOPLE_MAX - POPULATION_CANARY_RESERVE)
#define POPULATION_DEFAULT_PEOPLE 100000ull /* what `hromada up` loads per country */
#define POPULATION_DEFAULT_SEED   1ull
#define POPULATION_BATCH_ROWS     10000 /* rows per transaction and registry */

#define POPULATION_NAME_MAX    81 /* 80 bytes of UTF-8 (document_schema.c) and a NUL */
#define POPULATION_PLACE_MAX   121
#define POPULATION_ADDRESS_MAX 201
#define POPULATION_FIELDS_MAX  3072 /* one document's fields as JSON text */

/* One generator per (country, seed): the keys of its permutations. */
struct population;

/* as_of: "YYYY-MM-DD", or NULL for POPULATION_TODAY. */
hr_status population_new(const char *country, uint64_t seed, const char *as_of,
			 struct population **out, struct hr_error *err);
void population_free(struct population *pop);
const char *population_country(const struct population *pop);
const char *population_as_of(const struct population *pop);
/* Is text a day "YYYY-MM-DD" within the as-of years? Its days since 1970 in *days. */
bool population_parse_date(const char *text, int32_t *days);

struct population_person {
	uint64_t index;
	char id[16];         /* "UA:3012345679", "PL:90010112345" */
	char sex;            /* 'M' or 'F', as the id's sex digit says */
	int32_t birth;       /* days since 1970-01-01 */
	bool foreign;        /* a foreign resident: a residence permit, no national documents */
	char nationality[4]; /* ISO 3166-1 alpha-3 */
	/* A resident from the other country (population_abroad): their id at
	 * home, "UA:3012345679" for a Ukrainian in Poland; "" for everyone else. */
	char home_id[16];
	char family_name[POPULATION_NAME_MAX];
	char given_name[POPULATION_NAME_MAX];
	char patronymic[POPULATION_NAME_MAX]; /* "" where there is none (Poles, foreigners) */
	char family_name_latin[POPULATION_NAME_MAX];
	char given_name_latin[POPULATION_NAME_MAX];
	char birth_place[POPULATION_PLACE_MAX];
	char address[POPULATION_ADDRESS_MAX];
	int region; /* index into the country's region table (oblast, voivodeship) */
	int city;   /* index into the region's cities */
};

/* Person index (0 <= index < POPULATION_PEOPLE_MAX) of the generator's country. */
void population_person(const struct population *pop, uint64_t index, struct population_person *out);

/*
 * Ukrainians in Poland and Poles in Ukraine: the same people in both countries.
 *
 * Person index of home may also live in the other country, host, with a
 * residence permit there: about 2.8% of Ukrainians hold a Polish PESEL and
 * permit (as over a million did under Poland's special act of 12 March 2022,
 * mostly women and children), and 0.2% of Poles a Ukrainian RNOKPP and permit.
 * Whether they do, and their id in host (from their birth date and sex, with a
 * serial no native of host can have), depend only on (seed, as-of date, index):
 * host's loader finds them by running over home's indexes, without home's
 * registries. home and host must be of the two countries, with one seed and
 * as-of date.
 *
 * True with *out their record in host: host's id, home_id their id at home,
 * the same birth date and sex, their names as host writes them (a Ukrainian's
 * in their passport's Latin, population_latin_uk), home's nationality, an
 * address in host. population_documents(host, out, ...) gives their documents
 * there: the residence permit, and a student card if they study.
 */
bool population_abroad(const struct population *home, const struct population *host, uint64_t index,
		       struct population_person *out);

/*
 * One document as the registry stores it (registry_store.h): fields is a JSON
 * object without t, v and status (docs/DOCUMENTS.md), its person fields included.
 */
struct population_document {
	int type;           /* index into document_types (core/documents.h) */
	const char *status; /* "valid", "suspended", "expired", "lost" */
	char number[33];
	int32_t issued; /* the issue date, days since 1970-01-01 */
	char fields[POPULATION_FIELDS_MAX];
	size_t fields_len;
};

/*
 * An earlier version of a document (registry_store.h, document_history): its
 * fields as they were from valid_from until valid_to, the day they changed.
 */
struct population_version {
	int type;
	char number[33];
	int32_t valid_from, valid_to; /* days since 1970-01-01 */
	char fields[POPULATION_FIELDS_MAX];
	size_t fields_len;
};

/*
 * People move: about one adult in four has moved within the last twelve
 * years, on a day drawn from their own stream. Each document of docs (the n
 * population_documents gave) that holds an address (ID card, residence permit)
 * and was issued before the move had the old address until that day: its
 * earlier version goes to out. Returns how many (0..POPULATION_VERSIONS_MAX).
 */
#define POPULATION_VERSIONS_MAX 2
size_t population_history(const struct population *pop, const struct population_person *person,
			  const struct population_document *docs, size_t n,
			  struct population_version out[POPULATION_VERSIONS_MAX]);

/* The documents the person holds, in document_types order; returns how many (0..8). */
size_t population_documents(const struct population *pop, const struct population_person *person,
			    struct population_document docs[POPULATION_TYPE_COUNT]);

/* The whole document as a credential carries it: {"t", "v": 1, "status", ...fields}. */
hr_status population_document_json(const struct population_document *doc, json_t **out,
				   struct hr_error *err);

/*
 * Ukrainian Cyrillic to Latin by the Cabinet of Ministers' Resolution No. 55 of
 * 27 January 2010: word-initial є ї й ю я as Ye Yi Y Yu Ya, elsewhere ie i i iu ia;
 * "зг" as "zgh"; the soft sign and the apostrophe are dropped. Capitals stay
 * capitals ("Щ" gives "Shch", "ЩУКА" gives "SHCHUKA"); other bytes are copied.
 * Returns the length written, or (size_t)-1 when out (cap bytes) is too small.
 */
size_t population_latin_uk(const char *text, char *out, size_t cap);
/* Polish: diacritics dropped (ą→a, ł→l, ż→z ...), case kept. Same contract. */
size_t population_latin_pl(const char *text, char *out, size_t cap);

/* --- loading -------------------------------------------------------------- */

struct population_load_stats {
	uint64_t people;    /* generated so far, residents from the other country included */
	uint64_t residents; /* of whom from the other country (population_abroad) */
	uint64_t rows;      /* documents loaded so far */
	uint64_t rows_by_type[POPULATION_TYPE_COUNT];
	double seconds;
	bool reused;    /* the registries held this population already: nothing loaded */
	char as_of[11]; /* the date the population is dated against */
};

struct population_load_options {
	const char *country; /* "UA" or "PL" */
	uint64_t seed;
	uint64_t people; /* 1..POPULATION_LOAD_MAX */
	/* The size of the other country's population (PL's for UA, UA's for PL),
	 * 0..POPULATION_LOAD_MAX: its people who also live here are loaded with
	 * this country's (population_abroad), and the residence permit registry
	 * links their home ids to them. Both countries' loads must agree on the
	 * seed and as-of date for these to be the same people. */
	uint64_t partner_people;
	/* "YYYY-MM-DD", or NULL: the date the registries were loaded as of when
	 * they hold this country, seed and size already, else today (UTC). */
	const char *as_of;
	/* Where each registry lives: url_template (population_registry_url, e.g.
	 * "postgresql:///hromada?host=/run/pg&schema=registry_{country}_{type}"), or when
	 * NULL, sqlite:STATE_DIR/<COUNTRY>/registry-<type>/registry.db, the layout of
	 * `hromada up` (directories created as needed). */
	const char *state_dir;
	const char *url_template;
	size_t batch_rows; /* rows per transaction and registry; 0 = POPULATION_BATCH_ROWS */
	bool force;        /* load even when the same population is there already */
	/* Called from the loading thread about once a second, and once at the end. */
	void (*progress)(void *arg, const struct population_load_stats *so_far);
	void *progress_arg;
};

/*
 * A registry's store URL from a template: "{country}" and "{type}" replaced by
 * the registry's country and document type. The template must name {type}.
 * Stage "population".
 */
hr_status population_registry_url(const char *url_template, const char *country, const char *type,
				  char *out, size_t size, struct hr_error *err);

/*
 * Loads people 0..people-1 into the eight registries of the country, and the
 * other country's people among 0..partner_people-1 who live here, with a link
 * from each one's home id in the residence permit registry (person_links):
 * migrates each store (registry_migrations), and unless force is set, returns
 * at once (stats->reused) when every registry records this country, seed,
 * sizes, generator version and as-of date (any one date when as_of is NULL). Otherwise it empties
 * the registries and loads them in batches of batch_rows documents per transaction, in primary-key
 * order, and records the population last, so an interrupted load is redone next time. Stage
 * "population".
 */
hr_status population_load(const struct population_load_options *options,
			  struct population_load_stats *stats, struct hr_error *err);

/*
 * Demo citizens for DIR/demo.json: an array of at least `count` (and at least
 * 10) {"person", "family_name", "given_name", "documents": [types]} among
 * people 0..people-1, who together hold a valid document of every type when
 * the population is large enough to have one. "documents" lists the types the
 * person holds a document of that is valid today by the real clock (valid in
 * the registry and not past its expiry date). Citizens who also live in the
 * other country have "abroad": [{"country", "person", "documents"}], their id
 * and valid documents there; at least two such citizens are among them (added
 * when the first ones chosen are not) when the population has them. The
 * caller owns *out.
 */
hr_status population_demo(const char *country, uint64_t seed, const char *as_of, uint64_t people,
			  size_t count, json_t **out, struct hr_error *err);

#endif
