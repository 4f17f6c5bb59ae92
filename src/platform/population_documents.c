/*
 * population_documents.c — the documents a synthetic person holds, with the
 * fields of docs/DOCUMENTS.md, as JSON text ready for the registry.
 *
 * Who holds what (shares of the people the rule applies to):
 *	id_card              citizens from 14 (UA, 92%) or 18 (PL, 97%)
 *	foreign_passport     half of the citizens, children included
 *	driver_licence       ~45% of adults (a few AM/A1 holders at 16-17), EU categories
 *	vehicle_registration ~30% of adults, regional plates, ISO 3779 VINs
 *	residence_permit     foreign residents (0.7% UA, 1.2% PL of people from 14) and
 *	                     every resident from the other country (population_abroad.c)
 *	vaccination          70%, one vaccination series of 1-3 doses
 *	student_card         ~48% of people aged 17-25
 *	military_record      men aged 18-60 who are citizens (UA 95%, PL 70%)
 * A few percent of documents are expired, suspended or lost; dates are
 * consistent with the holder's birth date and with POPULATION_TODAY (a
 * document that is not "expired" has not expired on that day).
 *
 * A resident from the other country holds only the residence permit and,
 * studying here, a student card: the types whose numbers have room for their
 * indexes (POPULATION_RESIDENT_INDEX).
 *
 * Document numbers are a keyed permutation of the person index per type, laid
 * out in each country's format (Ukrainian series in Cyrillic, Polish identity
 * card and passport numbers with their check digit), so no two people share
 * one and no lookup is needed to tell.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "platform/population_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NO_DATE  INT32_MIN

/* Cyrillic letters that Ukrainian document series use (they read the same in Latin). */
static const char *const ua_series[12] = {"А", "В", "Е", "І", "К", "М",
					  "Н", "О", "Р", "С", "Т", "Х"};
static const char latin_series[] = "ABCEFGHKMNPRSTUVWXYZ";     /* 20 */
static const char plate_letters_ua[] = "ABCEHIKMOPTX";         /* 12, as on Ukrainian plates */
static const char plate_letters_pl[] = "ACEFGHJKLMNPRSTUVWXY"; /* 20 */
static const char vin_alphabet[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"; /* 33: no I O Q */
static const char uvci_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* 32 */

#define PL_PLATE_SPACE 700000ull /* 12345, 1234A (20 letters), 123AB (400 pairs) */

struct vehicle_make {
	const char *make;
	const char *wmi; /* world manufacturer identifier: the VIN's first three */
	const char *models[5];
};

static const struct vehicle_make makes[] = {
    {"Volkswagen", "WVW", {"Golf", "Passat", "Polo", "Tiguan", "Jetta"}},
    {"Škoda", "TMB", {"Octavia", "Fabia", "Superb", "Kodiaq", "Rapid"}},
    {"Toyota", "JTD", {"Corolla", "Camry", "RAV4", "Yaris", "Land Cruiser"}},
    {"Renault", "VF1", {"Megane", "Duster", "Clio", "Kangoo", "Captur"}},
    {"Hyundai", "KMH", {"Tucson", "Elantra", "Accent", "i30", "Santa Fe"}},
    {"Kia", "KNA", {"Sportage", "Ceed", "Rio", "Sorento", "Niro"}},
    {"BMW", "WBA", {"320i", "520d", "X3", "X5", "118i"}},
    {"Mercedes-Benz", "WDD", {"C 200", "E 220", "GLC", "Sprinter", "A 180"}},
    {"Ford", "WF0", {"Focus", "Fiesta", "Kuga", "Transit", "Mondeo"}},
    {"Opel", "W0L", {"Astra", "Corsa", "Insignia", "Vivaro", "Zafira"}},
    {"Nissan", "SJN", {"Qashqai", "X-Trail", "Leaf", "Juke", "Micra"}},
    {"ЗАЗ", "Y6D", {"Lanos", "Sens", "Forza", "Vida", "Таврія"}},
    {"Fiat", "ZFA", {"Panda", "Tipo", "500", "Doblo", "Punto"}},
    {"Peugeot", "VF3", {"208", "308", "3008", "Partner", "508"}},
    {"Audi", "WAU", {"A4", "A6", "Q5", "A3", "Q7"}},
    {"Honda", "JHM", {"Civic", "CR-V", "Accord", "Jazz", "HR-V"}},
    {"Mazda", "JMZ", {"3", "6", "CX-5", "CX-30", "2"}},
    {"Chevrolet", "KL1", {"Aveo", "Lacetti", "Cruze", "Captiva", "Spark"}},
    {"Dacia", "UU1", {"Logan", "Duster", "Sandero", "Jogger", "Spring"}},
};

static const char *const colors_ua[] = {"чорний",   "білий",   "сірий",      "срібний", "синій",
					"червоний", "зелений", "коричневий", "бежевий", "жовтий"};
static const char *const colors_pl[] = {"czarny",   "biały",   "szary",   "srebrny", "niebieski",
					"czerwony", "zielony", "brązowy", "beżowy",  "żółty"};

struct institution {
	const char *name;
	const char *code; /* PL: the prefix of its student numbers */
};

static const struct institution institutions_ua[] = {
    {"Київський національний університет імені Тараса Шевченка", NULL},
    {"Національний університет «Львівська політехніка»", NULL},
    {"Харківський національний університет імені В. Н. Каразіна", NULL},
    {"Одеський національний університет імені І. І. Мечникова", NULL},
    {"КПІ імені Ігоря Сікорського", NULL},
    {"Львівський національний університет імені Івана Франка", NULL},
    {"Дніпровський національний університет імені Олеся Гончара", NULL},
    {"Національний університет «Києво-Могилянська академія»", NULL},
    {"Чернівецький національний університет імені Юрія Федьковича", NULL},
    {"Ужгородський національний університет", NULL},
};
static const char *const faculties_ua[] = {
    "Факультет інформаційних технологій",
    "Юридичний факультет",
    "Економічний факультет",
    "Факультет кібернетики",
    "Історичний факультет",
    "Медичний факультет",
    "Факультет журналістики",
    "Механіко-математичний факультет",
    "Філологічний факультет",
    "Факультет міжнародних відносин",
};

static const struct institution institutions_pl[] = {
    {"Uniwersytet Warszawski", "UW"},
    {"Politechnika Warszawska", "PW"},
    {"Uniwersytet Jagielloński", "UJ"},
    {"Akademia Górniczo-Hutnicza w Krakowie", "AGH"},
    {"Uniwersytet im. Adama Mickiewicza w Poznaniu", "UAM"},
    {"Politechnika Wrocławska", "PWR"},
    {"Uniwersytet Gdański", "UG"},
    {"Uniwersytet Łódzki", "UL"},
    {"Szkoła Główna Handlowa w Warszawie", "SGH"},
    {"Uniwersytet Marii Curie-Skłodowskiej w Lublinie", "UMCS"},
};
static const char *const faculties_pl[] = {
    "Wydział Prawa i Administracji",
    "Wydział Matematyki, Informatyki i Mechaniki",
    "Wydział Ekonomiczny",
    "Wydział Historyczny",
    "Wydział Lekarski",
    "Wydział Elektroniki",
    "Wydział Fizyki",
    "Wydział Zarządzania",
    "Wydział Filologiczny",
    "Wydział Chemii",
};

static const char *const ranks_ua[] = {
    "солдат",  "солдат",          "солдат",    "старший солдат",    "молодший сержант",
    "сержант", "старший сержант", "лейтенант", "старший лейтенант", "капітан",
    "майор"};
static const char *const specialties_ua[] = {
    "стрілець",      "водій",         "кулеметник",    "гранатометник",
    "механік-водій", "оператор БпЛА", "бойовий медик", "радіотелефоніст",
    "сапер",         "навідник",      "кухар"};
static const char *const ranks_pl[] = {
    "szeregowy", "szeregowy", "starszy szeregowy", "kapral",    "starszy kapral",
    "plutonowy", "sierżant",  "podporucznik",      "porucznik", "kapitan"};
static const char *const specialties_pl[] = {"strzelec",
					     "kierowca",
					     "mechanik",
					     "łącznościowiec",
					     "saper",
					     "ratownik medyczny",
					     "operator bezzałogowych statków powietrznych",
					     "kucharz",
					     "celowniczy"};

/* ---- numbers ---- */

static uint64_t number_space(enum population_country_code code, int type)
{
	static const uint64_t ua[DOCUMENT_TYPE_COUNT] = {
	    1000000000ull,             /* id_card: 9 digits */
	    2ull * 20 * 1000000,       /* foreign_passport: F or G, a letter, 6 digits */
	    1728ull * 1000000,         /* driver_licence: 3 Cyrillic letters, 6 digits */
	    1728ull * 1000000,         /* vehicle_registration: the same */
	    1000000000ull,             /* residence_permit: 9 digits */
	    32ull * 32 * 32 * 32 * 32, /* vaccination: 5 of the UVCI's characters */
	    144ull * 100000000,        /* student_card: 2 Cyrillic letters, 8 digits */
	    144ull * 1000000,          /* military_record: 2 Cyrillic letters, 6 digits */
	};
	static const uint64_t pl[DOCUMENT_TYPE_COUNT] = {
	    17576ull * 100000,         /* id_card: 3 letters, check digit, 5 digits */
	    676ull * 1000000,          /* foreign_passport: 2 letters, check digit, 6 digits */
	    1000000000ull,             /* driver_licence: 5 digits and a 4-digit office */
	    26ull * 10000000,          /* vehicle_registration: DR/BA, a letter, 7 digits */
	    26ull * 10000000,          /* residence_permit: R, a letter, 7 digits */
	    32ull * 32 * 32 * 32 * 32, /* vaccination */
	    100000000ull,              /* student_card: 8 digits */
	    676ull * 10000000,         /* military_record: 2 letters, 7 digits */
	};

	return code == POPULATION_UA ? ua[type] : pl[type];
}

static size_t plate_code_count(const struct population_name_tables *t)
{
	size_t n = 0;

	for (size_t r = 0; r < t->region_count; r++)
		n += t->regions[r].plate_count;
	return n;
}

static uint64_t plate_space(const struct population *pop)
{
	uint64_t per_code = pop->code == POPULATION_UA ? 10000ull * 144 : PL_PLATE_SPACE;

	return plate_code_count(pop->names) * per_code;
}

/* Whether a resident from the other country may hold a document of this type:
 * see the top of this file. */
static bool for_residents(int type)
{
	return type == POPULATION_RESIDENCE_PERMIT || type == POPULATION_STUDENT_CARD;
}

void population_documents_init(struct population *pop)
{
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		/* residents' numbers are beyond every native's: room for both */
		assert(!for_residents(t) || number_space(pop->code, t) >=
						POPULATION_RESIDENT_INDEX(POPULATION_PEOPLE_MAX));
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		population_perm_init(&pop->numbers[t], number_space(pop->code, t),
				     population_mix64(pop->key + 0x100 + (uint64_t)t));
	population_perm_init(&pop->vins, 33ull * 1000000, population_mix64(pop->key + 0x200));
	population_perm_init(&pop->plates, plate_space(pop), population_mix64(pop->key + 0x201));
}

static uint64_t document_value(const struct population *pop, int type, uint64_t index)
{
	return population_perm_apply(&pop->numbers[type], index);
}

/* Polish identity card: AAA C DDDDD, C the 7-3-1 check digit over the rest. */
static void pl_id_card_number(uint64_t v, char out[33])
{
	snprintf(out, 33, "%c%c%c0%05u", (char)('A' + v / 100000 / 676 % 26),
		 (char)('A' + v / 100000 / 26 % 26), (char)('A' + v / 100000 % 26),
		 (unsigned)(v % 100000));
	out[3] = (char)('0' + document_check_731(out, 9, 3));
}

/* Polish passport: AA C DDDDDD, C the 7-3-1 check digit over the rest. */
static void pl_passport_number(uint64_t v, char out[33])
{
	snprintf(out, 33, "%c%c0%06u", (char)('A' + v / 1000000 / 26 % 26),
		 (char)('A' + v / 1000000 % 26), (unsigned)(v % 1000000));
	out[2] = (char)('0' + document_check_731(out, 9, 2));
}

/* Series of n Cyrillic letters (UA) from value, most significant first. */
static void ua_series_text(uint64_t value, int n, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = n - 1; i >= 0; i--) {
		uint64_t div = 1;

		for (int k = 0; k < i; k++)
			div *= 12;
		used += (size_t)snprintf(out + used, cap - used, "%s", ua_series[value / div % 12]);
	}
}

static void uvci(const struct population *pop, struct population_rng *rng, uint64_t v, char out[33])
{
	char tail[17];

	for (int i = 0; i < 5; i++) {
		tail[4 - i] = uvci_alphabet[v % 32];
		v /= 32;
	}
	for (int i = 5; i < 16; i++)
		tail[i] = uvci_alphabet[population_rng_below(rng, 32)];
	tail[16] = 0;
	snprintf(out, 33, "URN:UVCI:01:%s:%s", pop->country, tail);
}

static void document_number(const struct population *pop, int type, uint64_t index,
			    struct population_rng *rng, int32_t issue, const char *code,
			    char out[33])
{
	uint64_t v = document_value(pop, type, index);
	char series[16];
	int y, m, d;

	if (pop->code == POPULATION_UA) {
		switch (type) {
		case 0: /* id_card */
		case 4: /* residence_permit: an identity card too */
			snprintf(out, 33, "%09llu", (unsigned long long)v);
			return;
		case 1:
			snprintf(out, 33, "%c%c%06u", v / 1000000 / 20 ? 'G' : 'F',
				 latin_series[v / 1000000 % 20], (unsigned)(v % 1000000));
			return;
		case 2:
		case 3:
			ua_series_text(v / 1000000, 3, series, sizeof(series));
			snprintf(out, 33, "%s%06u", series, (unsigned)(v % 1000000));
			return;
		case 5:
			uvci(pop, rng, v, out);
			return;
		case 6:
			ua_series_text(v / 100000000, 2, series, sizeof(series));
			snprintf(out, 33, "%s%08u", series, (unsigned)(v % 100000000));
			return;
		default:
			ua_series_text(v / 1000000, 2, series, sizeof(series));
			snprintf(out, 33, "%s%06u", series, (unsigned)(v % 1000000));
			return;
		}
	}
	switch (type) {
	case 0:
		pl_id_card_number(v, out);
		return;
	case 1:
		pl_passport_number(v, out);
		return;
	case 2: /* number/year/office, as on Polish licences */
		population_civil_from_days(issue, &y, &m, &d);
		snprintf(out, 33, "%05u/%02d/%04u", (unsigned)(v % 100000), y % 100,
			 (unsigned)(v / 100000));
		return;
	case 3:
		snprintf(out, 33, "DR/BA%c%07u", (char)('A' + v / 10000000),
			 (unsigned)(v % 10000000));
		return;
	case 4:
		snprintf(out, 33, "R%c%07u", (char)('A' + v / 10000000), (unsigned)(v % 10000000));
		return;
	case 5:
		uvci(pop, rng, v, out);
		return;
	case 6:
		snprintf(out, 33, "%s %08u", code ? code : "S", (unsigned)v);
		return;
	default:
		snprintf(out, 33, "%c%c%07u", (char)('A' + v / 10000000 / 26 % 26),
			 (char)('A' + v / 10000000 % 26), (unsigned)(v % 10000000));
		return;
	}
}

/* ---- one document ---- */

struct context {
	const struct population *pop;
	const struct population_person *p;
	struct population_rng rng;
	int32_t today;
	int age;
	struct population_document *doc;
	struct population_json w;
};

enum wish {
	WISH_VALID,
	WISH_EXPIRED,
	WISH_SUSPENDED,
	WISH_LOST,
};

static enum wish roll(struct context *c, unsigned expired, unsigned suspended, unsigned lost)
{
	uint64_t r = population_rng_below(&c->rng, 1000);

	if (r < expired)
		return WISH_EXPIRED;
	if (r < expired + suspended)
		return WISH_SUSPENDED;
	if (r < expired + suspended + lost)
		return WISH_LOST;
	return WISH_VALID;
}

static int32_t max32(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

static int32_t min32(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

/* A day in [lo, hi]; lo when the range is empty (callers keep it from being so). */
static int32_t day_between(struct context *c, int32_t lo, int32_t hi)
{
	if (hi < lo)
		return lo;
	return (int32_t)population_rng_range(&c->rng, lo, hi);
}

/*
 * An issue date for a document valid `years` years that can be had from `from`:
 * an expired one was issued more than `years` ago, any other late enough to be
 * valid today (with a month to spare). False when no such day exists.
 */
static bool pick_issue(struct context *c, int32_t from, int years, bool expired, int32_t *issue)
{
	int32_t lo, hi;

	if (expired) {
		lo = from;
		hi = population_add_years(c->today, -years) - 1;
	} else {
		lo = max32(from, population_add_years(c->today, -years) + 31);
		hi = c->today - 1;
	}
	if (lo > hi)
		return false;
	*issue = day_between(c, lo, hi);
	return true;
}

static const char *status_text(enum wish wish)
{
	switch (wish) {
	case WISH_EXPIRED:
		return "expired";
	case WISH_SUSPENDED:
		return "suspended";
	case WISH_LOST:
		return "lost";
	default:
		return "valid";
	}
}

/* Starts the document: the person's fields, then the document's own. */
static void begin(struct context *c, int type, int32_t issue, int32_t expiry, const char *authority,
		  const char *code, enum wish wish)
{
	const struct population_person *p = c->p;
	struct population_document *doc = c->doc;

	doc->type = type;
	doc->issued = issue;
	/* Nothing that has expired by today may claim otherwise. */
	if (expiry != NO_DATE && expiry <= c->today)
		wish = WISH_EXPIRED;
	else if (wish == WISH_EXPIRED)
		wish = WISH_VALID;
	doc->status = status_text(wish);
	document_number(c->pop, type, p->index, &c->rng, issue, code, doc->number);
	population_json_begin(&c->w, doc->fields, sizeof(doc->fields));
	population_json_str(&c->w, "person_id", p->id);
	population_json_str(&c->w, "family_name", p->family_name);
	population_json_str(&c->w, "given_name", p->given_name);
	if (p->patronymic[0])
		population_json_str(&c->w, "patronymic", p->patronymic);
	population_json_str(&c->w, "family_name_latin", p->family_name_latin);
	population_json_str(&c->w, "given_name_latin", p->given_name_latin);
	population_json_date(&c->w, "birth_date", p->birth);
	population_json_str(&c->w, "document_number", doc->number);
	population_json_date(&c->w, "issue_date", issue);
	if (expiry != NO_DATE)
		population_json_date(&c->w, "expiry_date", expiry);
	population_json_str(&c->w, "issuing_authority", authority);
}

static bool finish(struct context *c)
{
	size_t n = population_json_end(&c->w);

	/* The buffer is sized for the largest document: running out is a bug in
	 * the tables, and the document is left out rather than cut. */
	if (n == (size_t)-1)
		return false;
	c->doc->fields_len = n;
	return true;
}

static const struct population_region *home_region(const struct context *c)
{
	return &c->pop->names->regions[c->p->region];
}

static const struct population_city *home_city(const struct context *c)
{
	return &home_region(c)->cities[c->p->city];
}

/* A Polish town hall, named with the city's locative; the capital's mayor. */
static void pl_town_hall(const struct context *c, char *out, size_t cap)
{
	if (c->p->region == 0 && c->p->city == 0)
		snprintf(out, cap, "Prezydent m.st. Warszawy");
	else
		snprintf(out, cap, "Urząd Miasta w %s", home_city(c)->adjective);
}

/* Four-digit code of a Ukrainian issuing unit (as printed on ID cards). */
static void ua_unit(struct context *c, char *out, size_t cap)
{
	snprintf(out, cap, "%04u",
		 (unsigned)(1210 + c->p->region * 300 + (int)population_rng_below(&c->rng, 99)));
}

/* Record number (УНЗР): birth date, the id's serial, a check digit. */
static void ua_record_number(const struct population_person *p, char out[33])
{
	char digits[13];
	int y, m, d, sum = 0;

	population_civil_from_days(p->birth, &y, &m, &d);
	snprintf(digits, sizeof(digits), "%04d%02d%02d%.4s", y, m, d, p->id + 3 + 5);
	for (int i = 0; i < 12; i++)
		sum += (i % 3 == 0 ? 7 : i % 3 == 1 ? 3 : 1) * (digits[i] - '0');
	snprintf(out, 33, "%.8s-%.4s%d", digits, digits + 8, sum % 10);
}

static bool id_card(struct context *c)
{
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	int32_t from, issue, expiry;
	char authority[128], record[33];
	enum wish wish;
	int years = 10;

	if (p->foreign || c->age < (ua ? 14 : 18) ||
	    !population_rng_chance(&c->rng, ua ? 920 : 970))
		return false;
	wish = roll(c, 30, 20, 15);
	from = population_add_years(p->birth, ua ? 14 : 18);
	/* Ukrainian ID cards since January 2016; Polish ones since 2001 */
	from = max32(from, ua ? population_days_from_civil(2016, 1, 11)
			      : population_days_from_civil(2001, 1, 1));
	if (!pick_issue(c, from, years, wish == WISH_EXPIRED, &issue) &&
	    !pick_issue(c, from, years, false, &issue))
		return false;
	/* a Ukrainian card issued before 18 is valid 4 years */
	if (ua && population_age(p->birth, issue) < 18)
		years = 4;
	expiry = population_add_years(issue, years);
	if (ua)
		ua_unit(c, authority, sizeof(authority));
	else
		pl_town_hall(c, authority, sizeof(authority));
	begin(c, 0, issue, expiry, authority, NULL, wish);
	population_json_str(&c->w, "sex", p->sex == 'M' ? "M" : "F");
	population_json_str(&c->w, "nationality", p->nationality);
	population_json_str(&c->w, "birth_place", p->birth_place);
	if (ua) {
		ua_record_number(p, record);
		population_json_str(&c->w, "record_number", record);
	}
	population_json_str(&c->w, "address", p->address);
	return finish(c);
}

static bool foreign_passport(struct context *c)
{
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	int32_t from, issue, expiry;
	char authority[128], record[33];
	enum wish wish;
	int years = 10;

	if (p->foreign || !population_rng_chance(&c->rng, 500))
		return false;
	wish = roll(c, 60, 10, 20);
	/* biometric passports: Ukraine since 2015, Poland since 2006 */
	from = max32(p->birth, ua ? population_days_from_civil(2015, 1, 12)
				  : population_days_from_civil(2006, 8, 28));
	if (!pick_issue(c, from, years, wish == WISH_EXPIRED, &issue) &&
	    !pick_issue(c, from, years, false, &issue))
		return false;
	if (population_age(p->birth, issue) < (ua ? 18 : 13))
		years = ua ? 4 : 5;
	expiry = population_add_years(issue, years);
	if (ua) {
		ua_unit(c, authority, sizeof(authority));
	} else {
		snprintf(authority, sizeof(authority), "Wojewoda %s", home_region(c)->adjective);
	}
	begin(c, 1, issue, expiry, authority, NULL, wish);
	population_json_str(&c->w, "sex", p->sex == 'M' ? "M" : "F");
	population_json_str(&c->w, "nationality", p->nationality);
	population_json_str(&c->w, "birth_place", p->birth_place);
	if (ua) {
		ua_record_number(p, record);
		population_json_str(&c->w, "record_number", record);
	}
	return finish(c);
}

/* The licence's categories: a set, with when each was first obtained. */
static void licence_categories(struct context *c, int32_t first, int32_t issue, int32_t expiry,
			       bool teen)
{
	static const char *const sets[][4] = {
	    {"B", NULL},
	    {"A", "B", NULL},
	    {"B", "BE", NULL},
	    {"B", "C1", "C", NULL},
	    {"B", "C", "CE", NULL},
	    {"B", "D1", "D", NULL},
	    {"A1", "B", "T", NULL},
	    {"AM", "A2", "B", NULL},
	    {"B", "C1", "C1E", NULL},
	    {"B", "D", "DE", NULL},
	};
	static const unsigned cumulative[] = {800, 880, 920, 950, 970, 982, 990, 995, 998, 1000};
	static const char *const teen_sets[][2] = {{"AM", NULL}, {"A1", NULL}};
	bool ua = c->pop->code == POPULATION_UA;
	const char *const *set;
	uint64_t r = population_rng_below(&c->rng, 1000);
	size_t which = 0;

	if (teen) {
		set = teen_sets[population_rng_below(&c->rng, 2)];
	} else {
		while (r >= cumulative[which])
			which++;
		set = sets[which];
	}
	population_json_open(&c->w, "categories", '[');
	for (size_t i = 0; set[i] != NULL; i++) {
		const char *code = set[i];
		bool heavy = code[0] == 'C' || code[0] == 'D';
		int32_t obtained = i == 0 ? first : day_between(c, first, issue);
		int32_t until = expiry;

		/* Polish C and D entitlements need a medical every 5 years */
		if (heavy && !ua)
			until = min32(expiry, population_add_years(issue, 5));
		population_json_open(&c->w, NULL, '{');
		population_json_str(&c->w, "code", code);
		population_json_date(&c->w, "issue_date", obtained);
		population_json_date(&c->w, "expiry_date", until);
		population_json_close(&c->w, '}');
	}
	population_json_close(&c->w, ']');
}

static bool driver_licence(struct context *c)
{
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	bool teen = c->age >= 16 && c->age < 18;
	int32_t adult, first, issue, expiry;
	int years = ua ? 30 : 15;
	char authority[128];
	enum wish wish;

	if (teen ? !population_rng_chance(&c->rng, 40)
		 : c->age < 18 || !population_rng_chance(&c->rng, c->age > 75 ? 250 : 480))
		return false;
	adult = population_add_years(p->birth, teen ? 16 : 18);
	if (adult >= c->today - 30)
		return false; /* not yet had the time to pass the test */
	wish = roll(c, 40, 25, 10);
	first = day_between(c, adult, min32(population_add_years(adult, 25), c->today - 30));
	if (!pick_issue(c, first, years, wish == WISH_EXPIRED, &issue)) {
		/* too young to have outlived a licence: suspended instead */
		if (wish == WISH_EXPIRED)
			wish = WISH_SUSPENDED;
		if (!pick_issue(c, first, years, false, &issue))
			issue = day_between(c, first, c->today - 1);
	}
	/* a first Ukrainian licence is valid 2 years */
	if (ua && issue - first < 2 * 365) {
		issue = first;
		years = 2;
	}
	expiry = population_add_years(issue, years);
	if (ua)
		snprintf(
		    authority, sizeof(authority), "ТСЦ МВС № %u",
		    (unsigned)(8000 + c->p->region * 10 + (int)population_rng_below(&c->rng, 9)));
	else
		pl_town_hall(c, authority, sizeof(authority));
	begin(c, 2, issue, expiry, authority, NULL, wish);
	licence_categories(c, first, issue, expiry, teen);
	if (population_rng_chance(&c->rng, 160))
		population_json_str(&c->w, "restrictions",
				    population_rng_chance(&c->rng, 100) ? "01, 78" : "01");
	return finish(c);
}

/* ISO 3779 check digit (the ninth character), as North America requires. */
static char vin_check_digit(const char vin[17])
{
	static const int weights[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
	static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
	static const int values[] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
				     5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9};
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		char ch = vin[i];
		int value = 0;

		if (ch >= '0' && ch <= '9') {
			value = ch - '0';
		} else {
			const char *at = strchr(letters, ch);
			value = at ? values[at - letters] : 0;
		}
		sum += weights[i] * value;
	}
	sum %= 11;
	return sum == 10 ? 'X' : (char)('0' + sum);
}

static void make_vin(struct context *c, const char *wmi, int year, char out[18])
{
	static const char years[] = "ABCDEFGHJKLMNPRSTVWXY123456789"; /* 1980.., every 30 */
	uint64_t unique = population_perm_apply(&c->pop->vins, c->p->index);

	memcpy(out, wmi, 3);
	for (int i = 3; i < 8; i++)
		out[i] = vin_alphabet[population_rng_below(&c->rng, 33)];
	out[8] = '0';
	out[9] = years[(year - 1980) % 30];
	out[10] = vin_alphabet[unique / 1000000];
	snprintf(out + 11, 7, "%06u", (unsigned)(unique % 1000000));
	out[8] = vin_check_digit(out);
	out[17] = 0;
}

static void make_plate(struct context *c, char *out, size_t cap)
{
	const struct population_name_tables *t = c->pop->names;
	bool ua = c->pop->code == POPULATION_UA;
	uint64_t per_code = ua ? 10000ull * 144 : PL_PLATE_SPACE;
	uint64_t v = population_perm_apply(&c->pop->plates, c->p->index);
	uint64_t code_index = v / per_code, rest = v % per_code;
	const char *code = "XX";

	for (size_t r = 0; r < t->region_count; r++) {
		if (code_index < t->regions[r].plate_count) {
			code = t->regions[r].plates[code_index];
			break;
		}
		code_index -= t->regions[r].plate_count;
	}
	if (ua) {
		unsigned suffix = (unsigned)(rest / 10000);
		snprintf(out, cap, "%s%04u%c%c", code, (unsigned)(rest % 10000),
			 plate_letters_ua[suffix / 12], plate_letters_ua[suffix % 12]);
	} else if (rest < 100000) {
		snprintf(out, cap, "%s %05u", code, (unsigned)rest);
	} else if (rest < 300000) {
		rest -= 100000;
		snprintf(out, cap, "%s %04u%c", code, (unsigned)(rest / 20),
			 plate_letters_pl[rest % 20]);
	} else {
		rest -= 300000;
		snprintf(out, cap, "%s %03u%c%c", code, (unsigned)(rest / 400),
			 plate_letters_pl[rest / 20 % 20], plate_letters_pl[rest % 20]);
	}
}

static bool vehicle_registration(struct context *c)
{
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	const struct vehicle_make *make;
	int32_t adult, registered;
	int by, bm, bd, ty, tm, td, year;
	char authority[128], plate[17], vin[18];
	enum wish wish;

	if (c->age < 18 || !population_rng_chance(&c->rng, c->age > 75 ? 150 : 320))
		return false;
	/* a registration does not expire: it is suspended (a wanted car) or lost */
	wish = roll(c, 0, 40, 20);
	adult = population_add_years(p->birth, 18);
	population_civil_from_days(adult, &by, &bm, &bd);
	population_civil_from_days(c->today, &ty, &tm, &td);
	make = &makes[population_rng_below(&c->rng, COUNT(makes))];
	year = (int)population_rng_range(&c->rng, by > 1995 ? by : 1995, ty);
	registered =
	    day_between(c, max32(adult, population_days_from_civil(year, 1, 1)), c->today - 1);
	if (ua)
		snprintf(
		    authority, sizeof(authority), "ТСЦ МВС № %u",
		    (unsigned)(8000 + c->p->region * 10 + (int)population_rng_below(&c->rng, 9)));
	else
		pl_town_hall(c, authority, sizeof(authority));
	make_plate(c, plate, sizeof(plate));
	make_vin(c, make->wmi, year, vin);
	begin(c, 3, registered, NO_DATE, authority, NULL, wish);
	population_json_str(&c->w, "plate", plate);
	population_json_str(&c->w, "vin", vin);
	population_json_str(&c->w, "make", make->make);
	population_json_str(&c->w, "model", make->models[population_rng_below(&c->rng, 5)]);
	population_json_int(&c->w, "year", year);
	population_json_str(&c->w, "color",
			    ua ? colors_ua[population_rng_below(&c->rng, COUNT(colors_ua))]
			       : colors_pl[population_rng_below(&c->rng, COUNT(colors_pl))]);
	population_json_date(&c->w, "registration_date", registered);
	return finish(c);
}

static bool residence_permit(struct context *c)
{
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	bool resident = p->home_id[0] != 0;
	/* most Ukrainians in Poland came in 2022 and hold temporary permits */
	bool permanent = population_rng_chance(&c->rng, resident && !ua ? 100 : 300);
	int years = permanent ? 10 : ua ? 2 : 3;
	int32_t from, issue, expiry;
	char authority[128];
	enum wish wish;

	if (!p->foreign)
		return false;
	wish = roll(c, 60, 20, 10);
	/* Others from 14; the neighbour's people at any age (children came with
	 * their mothers), from a month old: abroad_per_mille leaves out the
	 * youngest, so a valid permit always has a day to be issued on. */
	from = resident ? p->birth + 30 : population_add_years(p->birth, 14);
	if (!pick_issue(c, from, years, wish == WISH_EXPIRED, &issue) &&
	    !pick_issue(c, from, years, false, &issue))
		return false;
	expiry = population_add_years(issue, years);
	if (ua)
		snprintf(authority, sizeof(authority), "Державна міграційна служба України");
	else
		snprintf(authority, sizeof(authority), "Wojewoda %s", home_region(c)->adjective);
	begin(c, 4, issue, expiry, authority, NULL, wish);
	population_json_str(&c->w, "sex", p->sex == 'M' ? "M" : "F");
	population_json_str(&c->w, "nationality", p->nationality);
	population_json_str(&c->w, "permit_type", permanent ? "permanent" : "temporary");
	population_json_str(&c->w, "address", p->address);
	return finish(c);
}

/* ---- vaccination: one series of 1-3 doses of one vaccine ---- */

struct dose {
	int32_t date;
	int number;
};

static size_t covid_doses(struct context *c, struct dose *doses, size_t want)
{
	int32_t date = day_between(c, population_days_from_civil(2021, 3, 1),
				   population_days_from_civil(2022, 6, 30));
	size_t n = 0;

	/* offered from 12 years of age */
	if (population_age(c->p->birth, date) < 12)
		return 0;
	for (size_t i = 0; i < want && date < c->today; i++) {
		doses[n].date = date;
		doses[n].number = (int)i + 1;
		n++;
		date += i == 0 ? (int32_t)population_rng_range(&c->rng, 21, 56)
			       : (int32_t)population_rng_range(&c->rng, 150, 300);
	}
	return n;
}

static size_t influenza_doses(struct context *c, struct dose *doses, size_t want)
{
	int first = (int)population_rng_range(&c->rng, 2019, 2025 - (int)want + 1);
	size_t n = 0;

	for (size_t i = 0; i < want; i++) {
		int32_t date = population_days_from_civil(first + (int)i, 10, 1) +
			       (int32_t)population_rng_below(&c->rng, 60);

		if (date <= c->p->birth + 180 || date >= c->today)
			continue;
		doses[n].date = date;
		doses[n].number = 1; /* a new season's vaccine is a first dose again */
		n++;
	}
	return n;
}

static size_t measles_doses(struct context *c, struct dose *doses, size_t want)
{
	const int32_t at[2] = {
	    population_add_years(c->p->birth, 1) + (int32_t)population_rng_below(&c->rng, 90),
	    population_add_years(c->p->birth, 6) + (int32_t)population_rng_below(&c->rng, 180)};
	size_t n = 0;

	for (size_t i = 0; i < want && i < 2 && at[i] < c->today; i++) {
		doses[n].date = at[i];
		doses[n].number = (int)i + 1;
		n++;
	}
	return n;
}

static size_t hepatitis_b_doses(struct context *c, struct dose *doses, size_t want)
{
	/* at birth since 2002, otherwise as an adult */
	int32_t date = c->p->birth >= population_days_from_civil(2002, 1, 1)
			   ? c->p->birth + 1
			   : day_between(c,
					 max32(population_add_years(c->p->birth, 18),
					       population_days_from_civil(2005, 1, 1)),
					 c->today - 1);
	static const int32_t gaps[3] = {0, 30, 150};
	size_t n = 0;

	for (size_t i = 0; i < want; i++) {
		date += gaps[i] + (int32_t)population_rng_below(&c->rng, 14);
		if (date >= c->today)
			break;
		doses[n].date = date;
		doses[n].number = (int)i + 1;
		n++;
	}
	return n;
}

static size_t tetanus_doses(struct context *c, struct dose *doses, size_t want)
{
	int32_t date =
	    population_add_years(c->p->birth, 16) + (int32_t)population_rng_below(&c->rng, 365);
	size_t n = 0;

	for (size_t i = 0; i < want && date < c->today; i++) {
		doses[n].date = date;
		doses[n].number = (int)i + 1;
		n++;
		date = population_add_years(date, 10) + (int32_t)population_rng_below(&c->rng, 200);
	}
	return n;
}

static bool vaccination(struct context *c)
{
	static const char *const covid_vaccines[] = {"Comirnaty", "Spikevax", "Vaxzevria",
						     "CoronaVac", "Jcovden"};
	static const char *const flu_vaccines[] = {"Vaxigrip Tetra", "Influvac Tetra"};
	static const char *const measles_vaccines[] = {"Priorix", "M-M-RvaxPro"};
	bool ua = c->pop->code == POPULATION_UA;
	uint64_t r = population_rng_below(&c->rng, 100);
	size_t want = 1 + (size_t)(population_rng_below(&c->rng, 100) >= 40) +
		      (size_t)(population_rng_below(&c->rng, 100) >= 60);
	const char *disease, *vaccine;
	struct dose doses[3];
	char lot[16];
	size_t n;
	enum wish wish;

	if (!population_rng_chance(&c->rng, 700))
		return false;
	wish = roll(c, 0, 15, 0);
	if (r < 50) {
		disease = "COVID-19";
		vaccine = covid_vaccines[population_rng_below(&c->rng, ua ? 5 : 3)];
		n = covid_doses(c, doses, want);
	} else if (r < 70) {
		disease = "Influenza";
		vaccine = flu_vaccines[population_rng_below(&c->rng, 2)];
		n = influenza_doses(c, doses, want);
	} else if (r < 85) {
		disease = "Measles";
		vaccine = measles_vaccines[population_rng_below(&c->rng, 2)];
		n = measles_doses(c, doses, want);
	} else if (r < 95) {
		disease = "Hepatitis B";
		vaccine = "Engerix-B";
		n = hepatitis_b_doses(c, doses, want);
	} else {
		disease = "Tetanus";
		vaccine = "Boostrix";
		n = tetanus_doses(c, doses, want);
	}
	if (n == 0) {
		/* too young for the series drawn: the newborn's hepatitis B dose */
		disease = "Hepatitis B";
		vaccine = "Engerix-B";
		if (c->p->birth + 1 >= c->today)
			return false;
		doses[0].date = c->p->birth + 1;
		doses[0].number = 1;
		n = 1;
	}
	begin(c, 5, doses[n - 1].date, NO_DATE,
	      ua ? "Міністерство охорони здоров'я України" : "Ministerstwo Zdrowia", NULL, wish);
	population_json_open(&c->w, "vaccinations", '[');
	for (size_t i = 0; i < n; i++) {
		snprintf(lot, sizeof(lot), "%c%c%04u",
			 latin_series[population_rng_below(&c->rng, 20)],
			 latin_series[population_rng_below(&c->rng, 20)],
			 (unsigned)population_rng_below(&c->rng, 10000));
		population_json_open(&c->w, NULL, '{');
		population_json_str(&c->w, "disease", disease);
		population_json_str(&c->w, "vaccine", vaccine);
		population_json_int(&c->w, "dose", doses[i].number);
		population_json_date(&c->w, "date", doses[i].date);
		population_json_str(&c->w, "country", ua ? "UKR" : "POL");
		population_json_str(&c->w, "lot", lot);
		population_json_close(&c->w, '}');
	}
	population_json_close(&c->w, ']');
	return finish(c);
}

static bool student_card(struct context *c)
{
	static const char *const forms[] = {"full_time", "part_time", "distance"};
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	const struct institution *inst;
	int by, bm, bd, ty, tm, td, first_year, last_year, enrolled, course, years;
	int32_t issue, expiry;
	uint64_t form = population_rng_below(&c->rng, 100);
	enum wish wish;

	if (c->age < 17 || c->age > 25 || !population_rng_chance(&c->rng, 480))
		return false;
	wish = roll(c, 50, 10, 15);
	population_civil_from_days(p->birth, &by, &bm, &bd);
	population_civil_from_days(c->today, &ty, &tm, &td);
	/* enrolled on 1 September (UA) or 1 October (PL) at 17 or later */
	first_year = by + 17 + (bm >= 9);
	last_year = ty - (tm < 9 ? 1 : 0);
	if (first_year < last_year - 5)
		first_year = last_year - 5;
	if (first_year > last_year)
		return false;
	enrolled = (int)population_rng_range(&c->rng, first_year, last_year);
	course = last_year - enrolled + 1;
	years = course > 4 ? 6 : 4; /* a bachelor's, then a master's */
	issue = population_days_from_civil(enrolled, ua ? 9 : 10, 1);
	if (ua) {
		expiry = population_days_from_civil(enrolled + years, 6, 30);
		if (wish == WISH_EXPIRED) /* left before the end */
			expiry = population_days_from_civil(ty - 1, 6, 30);
	} else {
		/* Polish cards are stamped each semester: to 31 March or 31 October */
		expiry = wish == WISH_EXPIRED
			     ? population_days_from_civil(ty - 1, 10, 31)
			     : population_days_from_civil(ty, tm <= 3 ? 3 : 10, 31);
	}
	if (expiry <= issue)
		expiry = population_add_years(issue, 1);
	inst = ua ? &institutions_ua[population_rng_below(&c->rng, COUNT(institutions_ua))]
		  : &institutions_pl[population_rng_below(&c->rng, COUNT(institutions_pl))];
	begin(c, 6, issue, expiry, inst->name, inst->code, wish);
	population_json_str(&c->w, "institution", inst->name);
	population_json_str(&c->w, "faculty",
			    ua ? faculties_ua[population_rng_below(&c->rng, COUNT(faculties_ua))]
			       : faculties_pl[population_rng_below(&c->rng, COUNT(faculties_pl))]);
	population_json_str(&c->w, "study_form", forms[form < 80 ? 0 : form < 95 ? 1 : 2]);
	population_json_int(&c->w, "course", course > 6 ? 6 : course);
	return finish(c);
}

static bool military_record(struct context *c)
{
	bool ua = c->pop->code == POPULATION_UA;
	const struct population_person *p = c->p;
	const char *status;
	char office[160];
	uint64_t r;
	int32_t issue;
	enum wish wish;

	if (p->foreign || p->sex != 'M' || c->age < 18 || c->age > 60 ||
	    !population_rng_chance(&c->rng, ua ? 950 : 700))
		return false;
	wish = roll(c, 0, 0, 30);
	r = population_rng_below(&c->rng, 100);
	if (c->age < (ua ? 25 : 20))
		status = r < 70   ? "conscript"
			 : r < 85 ? "serving"
			 : r < 90 ? "exempt"
				  : "reservist";
	else
		status = r < (ua ? 75u : 85u) ? "reservist" : r < 90 ? "serving" : "exempt";
	/* registered at 17 (UA) or at the qualification at 19 (PL) */
	issue = population_add_years(p->birth, ua ? 17 : 19) +
		(int32_t)population_rng_below(&c->rng, 365);
	if (issue >= c->today)
		issue = c->today - 1;
	if (ua && p->region == 0)
		snprintf(office, sizeof(office), "Київський міський ТЦК та СП");
	else if (ua)
		snprintf(office, sizeof(office), "%s районний ТЦК та СП", home_city(c)->adjective);
	else
		snprintf(office, sizeof(office), "Wojskowe Centrum Rekrutacji w %s",
			 home_city(c)->adjective);
	begin(c, 7, issue, NO_DATE, office, NULL, wish);
	population_json_str(&c->w, "military_status", status);
	if (strcmp(status, "reservist") == 0 || strcmp(status, "serving") == 0) {
		population_json_str(&c->w, "rank",
				    ua ? ranks_ua[population_rng_below(&c->rng, COUNT(ranks_ua))]
				       : ranks_pl[population_rng_below(&c->rng, COUNT(ranks_pl))]);
		population_json_str(
		    &c->w, "specialty",
		    ua ? specialties_ua[population_rng_below(&c->rng, COUNT(specialties_ua))]
		       : specialties_pl[population_rng_below(&c->rng, COUNT(specialties_pl))]);
	}
	population_json_str(&c->w, "registration_office", office);
	return finish(c);
}

static bool (*const makers[DOCUMENT_TYPE_COUNT])(struct context *) = {
    id_card,          foreign_passport, driver_licence, vehicle_registration,
    residence_permit, vaccination,      student_card,   military_record,
};

/* The person's document of type t into doc, if they hold one. */
static bool make_document(const struct population *pop, const struct population_person *person,
			  int t, struct population_document *doc)
{
	struct context c = {.pop = pop, .p = person, .today = pop->today, .doc = doc};

	c.age = population_age(person->birth, pop->today);
	/* each type draws from its own stream: see population_internal.h */
	population_rng_init(&c.rng, pop->key, person->index, STREAM_DOCUMENT + (uint64_t)t);
	return makers[t](&c);
}

size_t population_documents(const struct population *pop, const struct population_person *person,
			    struct population_document docs[DOCUMENT_TYPE_COUNT])
{
	size_t n = 0;

	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		if (person->home_id[0] != 0 && !for_residents(t))
			continue;
		if (make_document(pop, person, t, &docs[n]))
			n++;
	}
	return n;
}

/* ---- earlier versions ---- */

#define MOVED_PER_MILLE    250 /* adults who moved within MOVED_WITHIN_YEARS */
#define MOVED_WITHIN_YEARS 12

static bool holds_address(int type)
{
	return type == 0 || type == POPULATION_RESIDENCE_PERMIT;
}

size_t population_history(const struct population *pop, const struct population_person *person,
			  const struct population_document *docs, size_t n,
			  struct population_version out[POPULATION_VERSIONS_MAX])
{
	struct population_person before;
	struct population_document version, *doc = &version;
	struct population_rng rng;
	int32_t lo, moved;
	size_t count = 0;

	population_rng_init(&rng, pop->key, person->index, STREAM_MOVES);
	lo = max32(population_add_years(person->birth, 18),
		   population_add_years(pop->today, -MOVED_WITHIN_YEARS));
	if (lo >= pop->today - 1 || !population_rng_chance(&rng, MOVED_PER_MILLE))
		return 0;
	moved = (int32_t)population_rng_range(&rng, lo, pop->today - 1);
	/* only the address was different: the region and city the documents'
	 * issuers come from stay, so nothing else of a version changes */
	before = *person;
	population_make_address(pop, &rng, &before);
	before.region = person->region;
	before.city = person->city;
	memcpy(before.birth_place, person->birth_place, sizeof(before.birth_place));
	if (strcmp(before.address, person->address) == 0)
		return 0;
	for (size_t d = 0; d < n && count < POPULATION_VERSIONS_MAX; d++) {
		struct population_version *v = &out[count];

		if (!holds_address(docs[d].type) || docs[d].issued >= moved)
			continue;
		if (!make_document(pop, &before, docs[d].type, doc) ||
		    strcmp(doc->number, docs[d].number) != 0)
			continue;
		v->type = doc->type;
		memcpy(v->number, doc->number, sizeof(v->number));
		v->valid_from = doc->issued;
		v->valid_to = moved;
		memcpy(v->fields, doc->fields, doc->fields_len + 1);
		v->fields_len = doc->fields_len;
		count++;
	}
	return count;
}
