/*
 * softhsm.h — a SoftHSM2 token in a test's temporary directory, for the tests
 * of PKCS#11 signers (unit.signer_pkcs11, e2e.pkcs11): its own configuration
 * (SOFTHSM2_CONF), its own token store, nothing shared with the machine's.
 */
#ifndef HROMADA_TESTKIT_SOFTHSM_H
#define HROMADA_TESTKIT_SOFTHSM_H

#include <stdbool.h>
#include <stddef.h>

#define TK_SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define TK_SOFTHSM_UTIL   "/usr/bin/softhsm2-util"

/* Is SoftHSM2 installed (its module and softhsm2-util)? */
bool tk_softhsm_available(void);
/*
 * Writes DIR/softhsm2.conf (tokens in DIR/tokens), sets SOFTHSM2_CONF to it,
 * initialises a token labelled label with user PIN pin (SO PIN 5678) and
 * writes the PIN to DIR/pin (mode 0600). Fails the test when a step fails.
 */
void tk_softhsm_init(const char *dir, const char *label, const char *pin);
/* "pkcs11:token=LABEL;object=OBJECT?module-path=...&pin-source=file:DIR/pin" */
void tk_softhsm_uri(char *out, size_t size, const char *dir, const char *label, const char *object);

#endif
