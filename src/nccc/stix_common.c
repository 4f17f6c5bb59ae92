/*
 * stix_common.c — STIX 2.1 identifiers, timestamps and the fixed TLP marking
 * definitions, shared by export and import (see stix.h).
 *
 * Ids we derive are RFC 9562 §5.5 UUIDv5s (SHA-1 over namespace and name),
 * so the same incident always yields the same objects and a partner that
 * pulls twice sees new versions of the same objects, not new objects.
 * Never: read past a NUL, or accept a timestamp the OASIS schema would refuse.
 */
#include "nccc/stix_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/uuid.h"
#include "core/hex.h"

/* The TLP 2.0 marking definitions OASIS fixed (cti-stix-common-objects,
 * extension-definition-specifications/tlp-2.0), in enum tlp order. */
static const char *const tlp2_ids[] = {
    [TLP_CLEAR] = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    [TLP_GREEN] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    [TLP_AMBER] = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    [TLP_AMBER_STRICT] = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    [TLP_RED] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};
static const char *const tlp2_values[] = {
    [TLP_CLEAR] = "clear", [TLP_GREEN] = "green",
    [TLP_AMBER] = "amber", [TLP_AMBER_STRICT] = "amber+strict",
    [TLP_RED] = "red",
};
#define TLP2_CREATED "2022-10-01T00:00:00.000Z"

/* TLP 1.0, fixed by STIX 2.1 §7.2.1.4 itself; WHITE is 2.0's CLEAR. */
static const struct {
	const char *id;
	enum tlp tlp;
} tlp1_ids[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED},
};

const char *stix_tlp_marking_id(enum tlp tlp)
{
	return (unsigned)tlp <= TLP_RED ? tlp2_ids[tlp] : tlp2_ids[TLP_RED];
}

json_t *stix_tlp_marking_new(enum tlp tlp)
{
	if ((unsigned)tlp > TLP_RED)
		tlp = TLP_RED;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
			 "marking-definition", "spec_version", "2.1", "id", tlp2_ids[tlp],
			 "created", TLP2_CREATED, "name", tlp_name(tlp), "extensions",
			 STIX_TLP2_EXTENSION, "extension_type", "property-extension", "tlp_2_0",
			 tlp2_values[tlp]);
}

bool stix_tlp_of_marking_id(const char *id, enum tlp *out)
{
	if (id == NULL)
		return false;
	for (size_t i = 0; i <= TLP_RED; i++)
		if (strcasecmp(id, tlp2_ids[i]) == 0) {
			*out = (enum tlp)i;
			return true;
		}
	for (size_t i = 0; i < sizeof(tlp1_ids) / sizeof(tlp1_ids[0]); i++)
		if (strcasecmp(id, tlp1_ids[i].id) == 0) {
			*out = tlp1_ids[i].tlp;
			return true;
		}
	return false;
}

enum tlp stix_tlp_max(enum tlp a, enum tlp b)
{
	return a > b ? a : b;
}

bool stix_type_valid(const char *type, size_t len)
{
	if (len < 3 || len > STIX_TYPE_MAX || !islower((unsigned char)type[0]) ||
	    type[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)type[i];
		if (!(islower(c) || isdigit(c) || c == '-') || (c == '-' && type[i + 1] == '-'))
			return false;
	}
	return true;
}

bool stix_id_valid(const char *id, const char *type)
{
	const char *sep;

	if (id == NULL || (sep = strstr(id, "--")) == NULL)
		return false;
	if (!stix_type_valid(id, (size_t)(sep - id)) || !uuid_valid(sep + 2))
		return false;
	return type == NULL ||
	       (strlen(type) == (size_t)(sep - id) && memcmp(id, type, (size_t)(sep - id)) == 0);
}

hr_status stix_id_derive(const char *type, const char *name, char *out, size_t size)
{
	char uuid[STIX_UUID_LEN + 1];
	hr_status rc = uuid_v5(STIX_NAMESPACE, name, strlen(name), uuid);
	int n;

	if (rc != HR_OK)
		return rc;
	n = snprintf(out, size, "%s--%s", type, uuid);
	return n > 0 && (size_t)n < size ? HR_OK : HR_E_TOO_LARGE;
}

static bool digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

static int number(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/*
 * The OASIS timestamp.json: YYYY-MM-DDTHH:MM:SS[.fraction]Z, month 01-12,
 * day 01-31, hour 00-23, minute 00-59, second 00-60. *fraction points at the
 * digits after '.', *fraction_len counts them (at most 9).
 */
static bool timestamp_parse(const char *t, const char **fraction, size_t *fraction_len)
{
	size_t n = 0;

	if (t == NULL || strnlen(t, STIX_TIMESTAMP_MAX) >= STIX_TIMESTAMP_MAX)
		return false;
	if (!digits(t, 4) || t[4] != '-' || !digits(t + 5, 2) || t[7] != '-' || !digits(t + 8, 2) ||
	    t[10] != 'T' || !digits(t + 11, 2) || t[13] != ':' || !digits(t + 14, 2) ||
	    t[16] != ':' || !digits(t + 17, 2))
		return false;
	if (number(t + 5, 2) < 1 || number(t + 5, 2) > 12 || number(t + 8, 2) < 1 ||
	    number(t + 8, 2) > 31 || number(t + 11, 2) > 23 || number(t + 14, 2) > 59 ||
	    number(t + 17, 2) > 60)
		return false;
	*fraction = t + 20;
	if (t[19] == '.') {
		while (isdigit((unsigned char)t[20 + n]))
			n++;
		if (n == 0 || n > 9)
			return false;
	}
	*fraction_len = n;
	return strcmp(t + 19 + (n > 0 ? n + 1 : 0), "Z") == 0;
}

bool stix_timestamp_read(const char *text, char out[STIX_TIMESTAMP_MAX])
{
	const char *fraction;
	size_t fraction_len;

	if (!timestamp_parse(text, &fraction, &fraction_len))
		return false;
	/* a leap second reads as the second before it: the model has none */
	snprintf(out, STIX_TIMESTAMP_MAX, "%.17s%.2sZ", text, text[17] == '6' ? "59" : text + 17);
	return true;
}

bool stix_timestamp_write(const char *text, char out[STIX_TIMESTAMP_MAX])
{
	const char *fraction;
	size_t fraction_len;
	char millis[4] = "000";

	if (!timestamp_parse(text, &fraction, &fraction_len))
		return false;
	memcpy(millis, fraction, fraction_len < 3 ? fraction_len : 3);
	snprintf(out, STIX_TIMESTAMP_MAX, "%.19s.%sZ", text, millis);
	return true;
}
