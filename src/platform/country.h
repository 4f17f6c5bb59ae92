/*
 * country.h — what `hromada up` sets up for one country: the member ids of its
 * wallet, gateway, registries and the demo consumers (police, a bank), their
 * keys, and the gateway's directory of members and access rights.
 *
 * Member ids follow DESIGN.md §3 (COUNTRY/CLASS/CODE/SUBSYSTEM); registries are
 * REGISTRY_PREFIX/<document type>. Access rights:
 *   wallet → every registry: lookup and report-lost for "citizen-wallet", with the
 *            citizen's consent;
 *   police → driver_licence and vehicle_registration: lookup for
 *            "police-document-check", under a legal basis (no consent);
 *   bank   → nothing (it exists to be refused);
 *   wallet → the gateway's own access-log service for "citizen-wallet", with
 *            the citizen's consent (their access history, DESIGN.md §6).
 */
#ifndef HROMADA_PLATFORM_COUNTRY_H
#define HROMADA_PLATFORM_COUNTRY_H

#include <stddef.h>

#include <jansson.h>

#include <hromada/status.h>

struct country_members {
	const char *code;
	const char *gateway;
	const char *wallet;
	const char *registry_prefix;
	const char *police;
	const char *bank;
	const char *police_basis;
	/* in words, for the citizen's access history */
	const char *wallet_name;
	const char *police_name;
	const char *bank_name;
	const char *registry_name; /* followed by the document type */
};

/* NULL for a country `up` does not know. */
const struct country_members *country_members(const char *code);

/* "UA/GOV/00015622/driver_licence" */
void country_registry_member(const struct country_members *c, const char *type, char *out,
			     size_t size);
/* KEYS_DIR/members/<id with '/' as '_'>, where `hromada keys` put a member's key. */
void country_member_dir(const char *keys_dir, const char *member, char *out, size_t size);

/* Creates (or keeps) the country's keys under keys_dir: root, signers, members. */
hr_status country_create_keys(const struct country_members *c, const char *keys_dir,
			      struct hr_error *err);

/* The gateway directory (gateway/directory.h) given each registry's URL, in
 * document_types order. Caller decrefs. */
json_t *country_directory(const struct country_members *c, const char *keys_dir,
			  const char *const *registry_urls);

#endif
