/*
 * issue.h — producing QR credentials: PREFIX + Base45(zlib(COSE_Sign1(CWT))).
 *
 * An issuer pairs a signer (shared, thread-safe) with the scratch state one
 * thread needs (zlib stream, buffers), so issuing in a loop allocates nothing
 * per credential beyond the output. The content is checked before it is signed:
 * a Hromada document must match its schema (document_schema.h) and be a type
 * the signer's certificate may sign; an EU DCC payload must match the DCC
 * schema. Nothing invalid is ever signed.
 */
#ifndef HROMADA_CREDENTIAL_ISSUE_H
#define HROMADA_CREDENTIAL_ISSUE_H

#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

struct signer;
struct issuer;

/* Presentation QR codes live 180 s (DESIGN.md §4); offline copies up to 30 days. */
#define ISSUE_PRESENTATION_SECONDS 180
#define ISSUE_MAX_VALIDITY_SECONDS (30 * 86400)

struct issue_request {
	const char *type;         /* a document type, or "hcert" for an EU DCC */
	const json_t *content;    /* the document's fields, or the DCC payload */
	const char *issuer;       /* CWT iss; NULL: the signer certificate's country */
	int64_t issued_at;        /* seconds; 0: now */
	int64_t validity_seconds; /* exp = iat + this; 0: ISSUE_PRESENTATION_SECONDS */
	const json_t *holder_jwk; /* optional P-256 JWK bound as cnf (RFC 8747) */
	/* Revocation (draft-ietf-oauth-status-list): when status_uri is not NULL the
	 * CWT claim 65535 status {"status_list": {"idx": status_idx, "uri":
	 * status_uri}} is written. Credentials that outlive a presentation carry it
	 * (DESIGN.md §4); `hromada issue` insists on it above 180 s. */
	const char *status_uri;
	uint64_t status_idx;
};

struct issuer *issuer_new(struct signer *signer);
void issuer_free(struct issuer *issuer);

/* Appends the credential text ("HR1:..." or "HC1:...") to out. Stage "issue". */
hr_status issuer_issue(struct issuer *issuer, const struct issue_request *request, struct buf *out,
		       struct hr_error *err);

#endif
