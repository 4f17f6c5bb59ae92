/*
 * secret_key.h — an HMAC key that callers use but never hold: the person
 * pseudonym keys (the audit log's person.key and content.key, the wallet's
 * wallet.key). Like struct signer (credential/signer.h), it is a seam: in a
 * network-facing process the key process installs its loader, the key bytes
 * stay in the key process and only MACs come back; elsewhere (offline tools,
 * unit tests) the key is read into this process.
 *
 * The files stay where secret.h puts them: 32 random bytes, mode 0600, made
 * on first use. They live in a role's keys/ directory, never beside the data
 * that is copied for others (the audit log, the wallet's database).
 */
#ifndef HROMADA_CORE_SECRET_KEY_H
#define HROMADA_CORE_SECRET_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

/* The most one MAC covers: pseudonyms and tokens, not bodies (hash those). */
#define SECRET_KEY_DATA_MAX 4096

struct secret_key;

struct secret_key_ops {
	hr_status (*hmac)(void *impl, const void *data, size_t len, uint8_t out[32],
			  struct hr_error *err);
	void (*free)(void *impl);
};

/* Opens the key in path, creating it if it is missing (secret.h). */
hr_status secret_key_open(const char *path, struct secret_key **out, struct hr_error *err);
/* HMAC-SHA-256 of data (at most SECRET_KEY_DATA_MAX bytes) under the key. */
hr_status secret_key_hmac(struct secret_key *key, const void *data, size_t len, uint8_t out[32],
			  struct hr_error *err);
/* Remembers up to about entries MACs (by the data's SHA-256; never the data),
 * for data that comes back often: a person's pseudonym, a token checked on
 * every call. Not for data seen once (bodies). Call before any thread uses it. */
hr_status secret_key_remember(struct secret_key *key, size_t entries);
void secret_key_free(struct secret_key *key);

/* For implementations (the key process's client): a key over impl, which the
 * key owns from now on. NULL when out of memory (impl is then freed). */
struct secret_key *secret_key_new(const struct secret_key_ops *ops, void *impl);

/* Where secret_key_open takes keys from when they must not be read into this
 * process (see signer_set_key_loader). The file exists when it is called. */
typedef hr_status (*secret_key_loader)(const char *path, struct secret_key **out,
				       struct hr_error *err);
void secret_key_set_loader(secret_key_loader loader);

/* Moves old_path to path if only the old one exists (keys that moved out of
 * a directory others copy); HR_OK when there was nothing to move. */
hr_status secret_key_move(const char *old_path, const char *path, struct hr_error *err);

#endif
