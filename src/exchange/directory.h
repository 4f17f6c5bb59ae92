/*
 * directory.h — the gateway's member directory and access rights, read from one
 * JSON file (`[gateway] directory`, written by `hromada up`; docs/EXCHANGE.md):
 *
 *	{"gateway": "UA/GOV/00000000/gateway", "gateway_certificate": "PATH.pem",
 *	 "members": [{"id": "UA/GOV/43395033/wallet", "certificate": "PATH.pem",
 *	              "name": "Hromada citizen wallet", "attests_devices": true},
 *	             {"id": "UA/GOV/00015622/driver_licence", "certificate": "PATH.pem",
 *	              "url": "http://127.0.0.1:8414", "document_type": "driver_licence"}],
 *	 "rights": [{"client": "UA/GOV/43395033/wallet", "provider": "UA/GOV/00015622/ *",
 *	             "services": ["lookup", "report-lost"], "purposes": ["citizen-wallet"]},
 *	            {"client": "UA/GOV/00032684/police", "provider":
 *"UA/GOV/00015622/driver_licence", "services": ["lookup"], "purposes": ["police-document-check"],
 *	             "legal_basis": "Law of Ukraine On the National Police, Art. 32"}]}
 *
 * A member is known by its X-Road-style id COUNTRY/CLASS/CODE/SUBSYSTEM (DESIGN.md
 * §3) and its certificate, whose key checks the member's signatures. A member
 * with a url provides services (a registry). A right lets a client call a
 * provider's services for given purposes; without legal_basis the citizen's
 * consent is required for every call, with it the basis is recorded instead.
 * A provider "X/Y/Z/" followed by "*" matches every subsystem of X/Y/Z. Nothing else is
 * allowed: no right, no exchange.
 *
 * Built once at start-up, then read-only: any thread may look things up.
 */
#ifndef HROMADA_EXCHANGE_DIRECTORY_H
#define HROMADA_EXCHANGE_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#include "core/documents.h"

struct directory;

struct member {
	char id[MEMBER_ID_MAX];
	EVP_PKEY *key;          /* from its certificate */
	char *url;              /* providers: where the gateway forwards; NULL otherwise */
	char document_type[32]; /* registries: what they hold; "" otherwise */
	char name[128];         /* in words, for a citizen's access history; "" = none */
	bool attests_devices;   /* enrols citizens' devices: its attestations bind
				   a device key to a person (exchange/consent.h) */
};

struct access_decision {
	bool allowed;
	const char *legal_basis; /* NULL: the citizen's consent is required */
};

/* Stage "directory"; the message names the file and the entry. */
hr_status directory_load(const char *path, struct directory **out, struct hr_error *err);
void directory_free(struct directory *directory);

const char *directory_gateway_id(const struct directory *directory);
/* The gateway itself as a member, when the file names its certificate
 * ("gateway_certificate"): for those who check the gateway's own signed
 * calls (the nccc, for its reports); NULL otherwise. */
const struct member *directory_gateway(const struct directory *directory);
const struct member *directory_member(const struct directory *directory, const char *id);

/* May client call provider's service for purpose? */
struct access_decision directory_check(const struct directory *directory, const char *client,
				       const char *provider, const char *service,
				       const char *purpose);

#endif
