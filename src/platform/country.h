/*
 * country.h — what `hromada up` sets up for one country: the member ids of its
 * wallet, gateway, registries and the consumers (police, a bank, the national
 * CERT), their keys, and the gateway's directory of members and access rights.
 *
 * Member ids follow DESIGN.md §3 (COUNTRY/CLASS/CODE/SUBSYSTEM); registries are
 * REGISTRY_PREFIX/<document type>. Access rights of a country's gateway:
 *   wallet → every registry: lookup and report-lost for "citizen-wallet", with the
 *            citizen's consent; status-changes for "revocation-status" under a
 *            legal basis (the wallet keeps its status lists current);
 *   wallet → the gateway's own access-log service for "citizen-wallet", with
 *            the citizen's consent (their access history, DESIGN.md §6);
 *   police → driver_licence and vehicle_registration: lookup and status for
 *            "police-document-check", under a legal basis (no consent); suspend
 *            and reinstate a driver's licence for "licence-suspension";
 *   bank   → id_card and foreign_passport: lookup for "kyc", with the citizen's
 *            consent only (a bank never has a legal basis here);
 *   cert   → the gateway's own sentinel service for "incident-response" under a
 *            legal basis (its alerts and throttles, docs/LEAKS.md); it reports
 *            to and reads from the nccc;
 *   nccc   → nothing at the gateway: the hub members report to (Ukraine's);
 * and across the border, for every other country F `up` knows (the foreign
 * members' keys come from the trust service, docs/EXCHANGE.md "Federation"):
 *   F's police → this country's driver_licence and vehicle_registration: status
 *            for "police-document-check" under the cross-border agreement;
 *   F's wallet → this country's residence_permit: lookup for "citizen-wallet",
 *            with the citizen's consent (a resident abroad sees their permit);
 *   and the same calls outgoing: this country's police and wallet to F's
 *            registries (a gateway checks its own members' calls abroad too).
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
	const char *cert;
	const char *nccc; /* the national cyber coordination centre hub, or NULL */
	const char *police_basis;
	const char *suspension_basis;   /* police suspending a driver's licence */
	const char *status_basis;       /* the wallet reading registries' status changes */
	const char *cross_border_basis; /* the other country's police checking ours */
	const char *cert_basis;         /* the CERT at the gateway's sentinel */
	/* in words, for the citizen's access history */
	const char *wallet_name;
	const char *police_name;
	const char *bank_name;
	const char *cert_name;
	const char *nccc_name;
	const char *gateway_name;
	const char *registry_name; /* followed by the document type */
};

#define COUNTRY_PURPOSE_WALLET     "citizen-wallet"
#define COUNTRY_PURPOSE_POLICE     "police-document-check"
#define COUNTRY_PURPOSE_SUSPENSION "licence-suspension"
#define COUNTRY_PURPOSE_STATUS     "revocation-status"
#define COUNTRY_PURPOSE_KYC        "kyc"
#define COUNTRY_PURPOSE_INCIDENT   "incident-response"

/* Every country `up` knows, for walking them: NULL past the last. */
const struct country_members *country_members_at(int index);

/* Every member id of the country, in a fixed order; returns the count. */
size_t country_member_ids(const struct country_members *c, char ids[][96], size_t max);
/* The member's name in words ("" when it has none). */
const char *country_member_name(const struct country_members *c, const char *id, char *out,
				size_t size);

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

/* The gateway directory (exchange/directory.h) given each registry's URL, in
 * document_types order: the country's own members and every access right of
 * its gateway, foreign clients and providers included. Caller decrefs. */
json_t *country_directory(const struct country_members *c, const char *keys_dir,
			  const char *const *registry_urls);

#endif
