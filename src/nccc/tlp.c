/*
 * tlp.c — the Traffic Light Protocol 2.0 (FIRST, 2022) and the hub's sharing
 * rules (DESIGN.md §5). Every answer that leaves the hub — an incident read, a
 * MISP feed event, a TAXII object — passes tlp_visible() for the reader first,
 * so the rule lives here and nowhere else.
 */
#include "nccc/nccc_model.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/documents.h"
#include "core/error.h"

static const char *const names[] = {
    [TLP_CLEAR] = "TLP:CLEAR", [TLP_GREEN] = "TLP:GREEN",
    [TLP_AMBER] = "TLP:AMBER", [TLP_AMBER_STRICT] = "TLP:AMBER+STRICT",
    [TLP_RED] = "TLP:RED",
};

hr_status tlp_parse(const char *text, enum tlp *out, struct hr_error *err)
{
	const char *label;

	if (text == NULL)
		return hr_error_set(err, HR_E_INVALID, "nccc", "a TLP marking is required");
	label = strncasecmp(text, "TLP:", 4) == 0 ? text + 4 : text;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(label, names[i] + 4) == 0) {
			*out = (enum tlp)i;
			return HR_OK;
		}
	/* TLP 1.0's WHITE is 2.0's CLEAR (FIRST's TLP 2.0 FAQ); partners still send it */
	if (strcasecmp(label, "WHITE") == 0) {
		*out = TLP_CLEAR;
		return HR_OK;
	}
	return hr_error_set(err, HR_E_INVALID, "nccc",
			    "'%.40s' is not a TLP 2.0 marking (TLP:CLEAR, TLP:GREEN, TLP:AMBER, "
			    "TLP:AMBER+STRICT, TLP:RED)",
			    text);
}

const char *tlp_name(enum tlp tlp)
{
	return (unsigned)tlp < sizeof(names) / sizeof(names[0]) ? names[tlp] : "TLP:RED";
}

bool member_organisation(const char *member, char *out, size_t size)
{
	const char *last;
	size_t len;

	if (member == NULL || !member_id_valid(member) || (last = strrchr(member, '/')) == NULL)
		return false;
	len = (size_t)(last - member);
	if (len + 1 > size)
		return false;
	memcpy(out, member, len);
	out[len] = '\0';
	return true;
}

static bool same_organisation(const char *a, const char *b)
{
	char oa[MEMBER_ID_MAX], ob[MEMBER_ID_MAX];

	return member_organisation(a, oa, sizeof(oa)) && member_organisation(b, ob, sizeof(ob)) &&
	       strcmp(oa, ob) == 0;
}

static bool same_country(const char *a, const char *b)
{
	return strlen(a) > 2 && strlen(b) > 2 && a[2] == '/' && b[2] == '/' && a[0] == b[0] &&
	       a[1] == b[1];
}

static bool shared_with(const struct tlp_subject *subject, const char *member)
{
	for (size_t i = 0; i < subject->share_with_count; i++)
		if (subject->share_with[i] != NULL && strcmp(subject->share_with[i], member) == 0)
			return true;
	return false;
}

bool tlp_visible(enum tlp tlp, const struct tlp_subject *subject, const struct tlp_reader *reader)
{
	const char *who = reader->member;

	if (tlp == TLP_CLEAR)
		return true;
	if (who == NULL)
		return false;
	if (subject->reporter != NULL && strcmp(who, subject->reporter) == 0)
		return true; /* its own report, whatever the marking */
	switch (tlp) {
	case TLP_GREEN:
		return true;
	case TLP_AMBER:
		return (subject->reporter != NULL && same_organisation(who, subject->reporter)) ||
		       (reader->country_cert && subject->reporter != NULL &&
			same_country(who, subject->reporter)) ||
		       shared_with(subject, who);
	case TLP_AMBER_STRICT:
		return subject->reporter != NULL && same_organisation(who, subject->reporter);
	case TLP_CLEAR:
	case TLP_RED:
	default:
		return false;
	}
}
