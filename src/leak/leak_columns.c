/*
 * leak_columns.c — the kinds of a dump's columns (leak_columns.h).
 *
 * A name is reduced like an address (leak_address_key: lower case, letters
 * and digits only), then looked up whole among the names dumps use, then by
 * the words it contains ("client_passport_no" holds "passport"). The lists
 * are from leaked databases' usual headers in the four languages.
 */
#include "leak/leak_columns.h"

#include <string.h>

#include "leak/identifiers.h"
#include "leak/leak_index.h"

struct name_rule {
	const char *name; /* reduced form */
	enum leak_column kind;
};

/* whole names */
static const struct name_rule exact[] = {
    {"personid", LEAK_COL_PERSON_ID},
    {"rnokpp", LEAK_COL_PERSON_ID},
    {"рнокпп", LEAK_COL_PERSON_ID},
    {"inn", LEAK_COL_PERSON_ID},
    {"инн", LEAK_COL_PERSON_ID},
    {"іпн", LEAK_COL_PERSON_ID},
    {"ipn", LEAK_COL_PERSON_ID},
    {"pesel", LEAK_COL_PERSON_ID},
    {"taxid", LEAK_COL_PERSON_ID},
    {"documentnumber", LEAK_COL_DOCUMENT},
    {"docnumber", LEAK_COL_DOCUMENT},
    {"recordnumber", LEAK_COL_DOCUMENT},
    {"унзр", LEAK_COL_DOCUMENT},
    {"familyname", LEAK_COL_FAMILY_NAME},
    {"lastname", LEAK_COL_FAMILY_NAME},
    {"surname", LEAK_COL_FAMILY_NAME},
    {"прізвище", LEAK_COL_FAMILY_NAME},
    {"фамилия", LEAK_COL_FAMILY_NAME},
    {"nazwisko", LEAK_COL_FAMILY_NAME},
    {"familynamelatin", LEAK_COL_FAMILY_NAME},
    {"givenname", LEAK_COL_GIVEN_NAME},
    {"firstname", LEAK_COL_GIVEN_NAME},
    {"givennamelatin", LEAK_COL_GIVEN_NAME},
    {"імя", LEAK_COL_GIVEN_NAME},
    {"имя", LEAK_COL_GIVEN_NAME},
    {"imie", LEAK_COL_GIVEN_NAME},
    {"imię", LEAK_COL_GIVEN_NAME},
    {"patronymic", LEAK_COL_PATRONYMIC},
    {"middlename", LEAK_COL_PATRONYMIC},
    {"побатькові", LEAK_COL_PATRONYMIC},
    {"отчество", LEAK_COL_PATRONYMIC},
    {"fullname", LEAK_COL_FULL_NAME},
    {"name", LEAK_COL_FULL_NAME},
    {"fio", LEAK_COL_FULL_NAME},
    {"піб", LEAK_COL_FULL_NAME},
    {"фио", LEAK_COL_FULL_NAME},
    {"імяпрізвище", LEAK_COL_FULL_NAME},
    {"imienazwisko", LEAK_COL_FULL_NAME},
    {"birthdate", LEAK_COL_BIRTH_DATE},
    {"dateofbirth", LEAK_COL_BIRTH_DATE},
    {"dob", LEAK_COL_BIRTH_DATE},
    {"birthday", LEAK_COL_BIRTH_DATE},
    {"датанародження", LEAK_COL_BIRTH_DATE},
    {"датарождения", LEAK_COL_BIRTH_DATE},
    {"dataurodzenia", LEAK_COL_BIRTH_DATE},
    {"address", LEAK_COL_ADDRESS},
    {"адреса", LEAK_COL_ADDRESS},
    {"адрес", LEAK_COL_ADDRESS},
    {"adres", LEAK_COL_ADDRESS},
    {"sex", LEAK_COL_HELD},
    {"gender", LEAK_COL_HELD},
    {"стать", LEAK_COL_HELD},
    {"пол", LEAK_COL_HELD},
    {"płeć", LEAK_COL_HELD},
    {"nationality", LEAK_COL_HELD},
    {"birthplace", LEAK_COL_HELD},
    {"issuedate", LEAK_COL_HELD},
    {"expirydate", LEAK_COL_HELD},
    {"issuingauthority", LEAK_COL_HELD},
    {"status", LEAK_COL_HELD},
    {"plate", LEAK_COL_HELD},
    {"vin", LEAK_COL_HELD},
    {"make", LEAK_COL_HELD},
    {"model", LEAK_COL_HELD},
    {"color", LEAK_COL_HELD},
    {"year", LEAK_COL_HELD},
    {"categories", LEAK_COL_HELD},
    {"password", LEAK_COL_PASSWORD},
    {"passwd", LEAK_COL_PASSWORD},
    {"pass", LEAK_COL_PASSWORD},
    {"pwd", LEAK_COL_PASSWORD},
    {"пароль", LEAK_COL_PASSWORD},
    {"hasło", LEAK_COL_PASSWORD},
    {"haslo", LEAK_COL_PASSWORD},
    {"hash", LEAK_COL_PASSWORD},
    {"pan", LEAK_COL_CARD},
    {"card", LEAK_COL_CARD},
    {"карта", LEAK_COL_CARD},
    {"картка", LEAK_COL_CARD},
    {"karta", LEAK_COL_CARD},
    {"cvv", LEAK_COL_CVV},
    {"cvc", LEAK_COL_CVV},
    {"cvv2", LEAK_COL_CVV},
    {"phone", LEAK_COL_PHONE},
    {"tel", LEAK_COL_PHONE},
    {"mobile", LEAK_COL_PHONE},
    {"телефон", LEAK_COL_PHONE},
    {"telefon", LEAK_COL_PHONE},
    {"email", LEAK_COL_EMAIL},
    {"mail", LEAK_COL_EMAIL},
    {"пошта", LEAK_COL_EMAIL},
    {"почта", LEAK_COL_EMAIL},
    {"login", LEAK_COL_LOGIN},
    {"username", LEAK_COL_LOGIN},
    {"логін", LEAK_COL_LOGIN},
    {"логин", LEAK_COL_LOGIN},
    {"ip", LEAK_COL_IP},
    {"ipaddress", LEAK_COL_IP},
};

/* words inside longer names, in the order they are tried */
static const struct name_rule contained[] = {
    {"password", LEAK_COL_PASSWORD},   {"пароль", LEAK_COL_PASSWORD},
    {"cardnumber", LEAK_COL_CARD},     {"номеркарт", LEAK_COL_CARD},
    {"email", LEAK_COL_EMAIL},         {"phone", LEAK_COL_PHONE},
    {"телефон", LEAK_COL_PHONE},       {"birth", LEAK_COL_BIRTH_DATE},
    {"народж", LEAK_COL_BIRTH_DATE},   {"рожден", LEAK_COL_BIRTH_DATE},
    {"rnokpp", LEAK_COL_PERSON_ID},    {"рнокпп", LEAK_COL_PERSON_ID},
    {"pesel", LEAK_COL_PERSON_ID},     {"ідентифікац", LEAK_COL_PERSON_ID},
    {"passport", LEAK_COL_DOCUMENT},   {"паспорт", LEAK_COL_DOCUMENT},
    {"paszport", LEAK_COL_DOCUMENT},   {"licen", LEAK_COL_DOCUMENT},
    {"посвідч", LEAK_COL_DOCUMENT},    {"dowod", LEAK_COL_DOCUMENT},
    {"dowód", LEAK_COL_DOCUMENT},      {"документ", LEAK_COL_DOCUMENT},
    {"surname", LEAK_COL_FAMILY_NAME}, {"прізвищ", LEAK_COL_FAMILY_NAME},
    {"address", LEAK_COL_ADDRESS},     {"адрес", LEAK_COL_ADDRESS},
    {"adres", LEAK_COL_ADDRESS},
};

enum leak_column leak_column_from_name(const char *name)
{
	char key[256];

	if (leak_address_key(name, strlen(name), key, sizeof(key)) == 0)
		return LEAK_COL_UNKNOWN;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(key, exact[i].name) == 0)
			return exact[i].kind;
	for (size_t i = 0; i < sizeof(contained) / sizeof(contained[0]); i++)
		if (strstr(key, contained[i].name) != NULL)
			return contained[i].kind;
	return LEAK_COL_UNKNOWN;
}

static bool luhn_card(const char *s, size_t len)
{
	unsigned sum = 0, n = 0;

	for (size_t i = len; i-- > 0;) {
		unsigned d;

		if (s[i] == ' ' || s[i] == '-')
			continue;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (n++ % 2 == 1)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return n >= 13 && n <= 19 && sum % 10 == 0;
}

static bool looks_email(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	return at != NULL && at > s && memchr(at, '.', len - (size_t)(at - s)) != NULL &&
	       memchr(s, ' ', len) == NULL;
}

static bool looks_phone(const char *s, size_t len)
{
	size_t digits = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (!strchr("+ -()", s[i]))
			return false;
	}
	/* +380 (12 digits), 0 and 9 digits (10), +48 and 9 digits (11) */
	return (s[0] == '+' && digits >= 11 && digits <= 13) ||
	       (s[0] == '0' && digits == 10 && len > 10);
}

static bool looks_hash(const char *s, size_t len)
{
	size_t hex = 0;

	if (len >= 4 && s[0] == '$' && (s[1] == '2' || s[1] == '1' || s[1] == '5' || s[1] == '6'))
		return true; /* bcrypt, md5-crypt, sha-crypt */
	for (size_t i = 0; i < len; i++)
		hex += (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
	return hex == len && (len == 32 || len == 40 || len == 64);
}

void leak_column_vote(struct leak_column_votes *v, const char *value, size_t len)
{
	char canonical[LEAK_ID_CANONICAL_MAX];
	enum leak_id_kind id;

	while (len > 0 && (*value == ' ' || *value == '"'))
		value++, len--;
	if (len == 0)
		return;
	v->values++;
	id = leak_id_parse(value, len, canonical, sizeof(canonical), NULL);
	if (id == LEAK_ID_RNOKPP || id == LEAK_ID_PESEL)
		v->votes[LEAK_COL_PERSON_ID]++;
	else if (id == LEAK_ID_DOCUMENT)
		v->votes[LEAK_COL_DOCUMENT]++;
	else if (luhn_card(value, len))
		v->votes[LEAK_COL_CARD]++;
	else if (leak_day_parse(value, len) != 0)
		v->votes[LEAK_COL_BIRTH_DATE]++;
	else if (looks_email(value, len))
		v->votes[LEAK_COL_EMAIL]++;
	else if (looks_phone(value, len))
		v->votes[LEAK_COL_PHONE]++;
	else if (looks_hash(value, len))
		v->votes[LEAK_COL_PASSWORD]++;
}

enum leak_column leak_column_decide(const struct leak_column_votes *v)
{
	enum leak_column best = LEAK_COL_UNKNOWN;

	for (int k = 1; k < LEAK_COL_KIND_COUNT; k++)
		if (v->votes[k] > v->votes[best])
			best = (enum leak_column)k;
	if (best == LEAK_COL_UNKNOWN || v->values == 0 || v->votes[best] * 10 < v->values * 6)
		return LEAK_COL_UNKNOWN;
	return best;
}

const char *leak_column_name(enum leak_column kind)
{
	static const char *const names[LEAK_COL_KIND_COUNT] = {
	    "unknown",   "person_id",  "document_number", "family_name", "given_name", "patronymic",
	    "full_name", "birth_date", "address",         "held",        "password",   "card",
	    "cvv",       "phone",      "email",           "login",       "ip",
	};

	return kind >= 0 && kind < LEAK_COL_KIND_COUNT ? names[kind] : "unknown";
}

bool leak_column_is_foreign(enum leak_column kind)
{
	return kind >= LEAK_COL_PASSWORD && kind < LEAK_COL_KIND_COUNT;
}
