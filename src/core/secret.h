/*
 * secret.h — a role's own 32-byte secret kept in a file of its state directory
 * (HMAC keys: the wallet's tokens and person hashes, the gateway's person hash).
 * Created with mode 0600 from the OS random generator the first time; read back
 * on every later start, so hashes and tokens survive restarts.
 */
#ifndef HROMADA_CORE_SECRET_H
#define HROMADA_CORE_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define SECRET_LEN 32

hr_status secret_load_or_create(const char *path, uint8_t out[SECRET_LEN], struct hr_error *err);

/* HMAC-SHA-256 of data under key; out receives 32 bytes. HR_E_CRYPTO if the
 * provider fails (out is then unusable and zeroed). */
hr_status secret_hmac(const uint8_t key[SECRET_LEN], const void *data, size_t len, uint8_t out[32]);

#endif
