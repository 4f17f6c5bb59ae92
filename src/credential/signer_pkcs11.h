/*
 * signer_pkcs11.h — a signer whose key lives in a PKCS#11 token (an HSM, a
 * smart card, SoftHSM2 in tests), named by a PKCS#11 URI (RFC 7512):
 *
 *	pkcs11:token=hromada;object=ua-driver-licence
 *	       ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/hromada/pin
 *
 * Path attributes: token, manufacturer, model, serial (which token), object,
 * id (which key; at least one of the two), type (private, or absent). Query
 * attributes: module-path (else $HROMADA_PKCS11_MODULE), pin-source
 * (file:PATH, a file readable by its owner only, or env:NAME, a Hromada
 * extension). pin-value is refused: a PIN never sits in a configuration.
 *
 * The key never leaves the token: it signs digests we compute (CKM_ECDSA), a
 * key the token would let out (CKA_EXTRACTABLE true, CKA_SENSITIVE false) is
 * refused, and keys are made inside the token (signer_pkcs11_generate). The
 * PIN is wiped once the token has accepted it.
 */
#ifndef HROMADA_CREDENTIAL_SIGNER_PKCS11_H
#define HROMADA_CREDENTIAL_SIGNER_PKCS11_H

#include <stdbool.h>

#include <hromada/status.h>

#include "credential/cose_crypto.h"

struct signer;
struct signer_cert;

/* Does text begin a PKCS#11 URI ("pkcs11:", any case)? */
bool signer_pkcs11_is_uri(const char *text);

/* A signer over the token key uri names; cert (may be NULL) must be for the
 * token's public key (CKA_EC_POINT). Errors name what is missing: the module,
 * the token, the object, the PIN (HR_E_DENIED when the token refuses it). */
hr_status signer_pkcs11_open(const char *uri, const struct signer_cert *cert, struct signer **out,
			     struct hr_error *err);

/* Generates a key pair inside the token uri names, labelled with its object
 * (and id, when given): kind KEY_KIND_P256 or KEY_KIND_P384, private half
 * sensitive and never extractable. Refuses (HR_E_CONFLICT) when a key of that
 * label or id is already there. Open it afterwards with signer_pkcs11_open. */
hr_status signer_pkcs11_generate(const char *uri, enum key_kind kind, struct hr_error *err);

#endif
