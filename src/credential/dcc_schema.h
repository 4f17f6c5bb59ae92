/*
 * dcc_schema.h — does an EU Digital COVID Certificate payload (the JSON form of
 * CWT claim -260 → 1) follow the EU DCC JSON schema and its value sets?
 *
 * This is the "schema" stage of `hromada verify` for HC1: credentials. The rules
 * are those of the published schema versions 1.0.0 to 1.3.2
 * (ehn-dcc-development/eu-dcc-schema), chosen by the payload's own "ver"; the
 * header comment of dcc_schema.c lists them and why each version differs.
 *
 * The checker only reads the JSON: it allocates nothing and keeps no state, so it
 * may run on untrusted input from any thread.
 */
#ifndef HROMADA_CREDENTIAL_DCC_SCHEMA_H
#define HROMADA_CREDENTIAL_DCC_SCHEMA_H

#include <stdbool.h>

#include <jansson.h>

#include <hromada/status.h>

/*
 * HR_OK when payload is a valid DCC payload. Otherwise HR_E_INVALID, and err (may
 * be NULL) gets stage "schema" and a sentence naming the JSON path and the rule
 * broken first, e.g.
 *   v[0].dt: "2021-13-01" is not a date YYYY-MM-DD
 * Value-set membership is not part of it (dcc_schema_check_value_sets).
 */
hr_status dcc_schema_check(const json_t *payload, struct hr_error *err);

/* The rules a payload without "ver" is checked against. */
#define DCC_SCHEMA_NEWEST "1.3.2"

/*
 * True when payload is an object without "ver": dcc_schema_check judged it by the
 * DCC_SCHEMA_NEWEST rules (every schema version requires "ver", but national test
 * data expects such a payload valid), and the verifier warns about it.
 */
bool dcc_schema_lacks_version(const json_t *payload);

struct hr_value_sets;

/*
 * Checks the coded fields of the payload's group against the value sets (NULL:
 * the compiled-in ones): each code missing from its set is one problem, passed
 * to warn (may be NULL) as a sentence such as
 *   t[0].ma: "9999" is not a known RAT device (value set
 *   covid-19-lab-test-manufacturer-and-name, 2021-07-15)
 * Returns the number of problems. A payload without one group says nothing.
 */
unsigned dcc_schema_check_value_sets(const json_t *payload, const struct hr_value_sets *sets,
				     void (*warn)(void *ctx, const char *message), void *ctx);

/*
 * Which kind of certificate the payload is: "v" (vaccination), "t" (test) or "r"
 * (recovery), from the one group that holds entries (null and [] do not count);
 * NULL when payload is not an object or holds none or several of them. Says
 * nothing about validity.
 */
const char *dcc_certificate_type(const json_t *payload);

#endif
