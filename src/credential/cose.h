/*
 * cose.h — COSE_Sign1 (RFC 9052 §4.2): decoding, the Sig_structure, signing.
 *
 *	COSE_Sign1 = [protected: bstr .cbor header_map, unprotected: header_map,
 *	              payload: bstr, signature: bstr]
 *
 * Decoding accepts the message untagged, tagged 18, or tagged 61 (CWT) then 18
 * (RFC 8392 §6), and nothing else around it. Headers follow HCERT's rule for
 * where alg and kid may be: the protected bucket wins; the unprotected bucket is
 * used only for a parameter the protected bucket does not have (so a wrong kid in
 * the protected header can never be "rescued" by the unprotected one). A critical
 * header (crit, label 2) naming a parameter we do not understand is refused.
 * A detached payload (nil) is refused: credentials carry their payload.
 *
 * Everything in struct cose_sign1 is a slice of the input: nothing is copied.
 */
#ifndef HROMADA_CREDENTIAL_COSE_H
#define HROMADA_CREDENTIAL_COSE_H

#include <stdbool.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "credential/cose_crypto.h"

#define COSE_TAG_SIGN1 18
#define COSE_TAG_CWT   61

#define COSE_HEADER_ALG  1
#define COSE_HEADER_CRIT 2
#define COSE_HEADER_KID  4

struct cose_sign1 {
	struct slice protected_header; /* the bstr's content: a serialised map, or empty */
	struct slice payload;
	struct slice signature;
	int64_t alg;
	bool has_alg;
	struct slice kid;
	bool has_kid;
	bool kid_in_protected;
};

/* Stage of errors: "cose". */
hr_status cose_sign1_decode(const uint8_t *data, size_t len, struct cose_sign1 *out,
			    struct hr_error *err);

/* Appends the Sig_structure ["Signature1", protected, h'', payload] to out. */
hr_status cose_sign1_to_be_signed(struct slice protected_header, struct slice payload,
				  struct buf *out);

/* Checks the signature with key (whose kind the caller knows). Stage "signature".
 * cache may be NULL; a verifier in a loop passes its own (cose_crypto.h). */
hr_status cose_sign1_verify(const struct cose_sign1 *msg, EVP_PKEY *key, enum key_kind kind,
			    struct buf *scratch, struct hr_error *err);
hr_status cose_sign1_verify_cached(const struct cose_sign1 *msg, EVP_PKEY *key, enum key_kind kind,
				   struct cose_key_context *cache, struct buf *scratch,
				   struct hr_error *err);

struct signer;

/*
 * Builds and signs a tagged COSE_Sign1 around payload, with the signer's alg and
 * kid in the protected header and an empty unprotected header, appending it to out.
 */
hr_status cose_sign1_sign(struct signer *signer, struct slice payload, struct buf *scratch,
			  struct buf *out, struct hr_error *err);

#endif
