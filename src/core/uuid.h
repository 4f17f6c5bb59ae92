/*
 * uuid.h — RFC 9562 UUIDs as the feeds need them: random ones (version 4) for
 * what the hub creates, name-based ones (version 5) where a standard asks for
 * the same id from the same content (STIX 2.1 cyber observables), and a check
 * for the ones input brings.
 */
#ifndef HROMADA_CORE_UUID_H
#define HROMADA_CORE_UUID_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

#define UUID_TEXT_LEN 36 /* 8-4-4-4-12 hex digits with their dashes */

/* A random version-4 UUID, lower case, into out[UUID_TEXT_LEN + 1]. HR_E_CRYPTO
 * when the system's random source fails. */
hr_status uuid_v4(char out[UUID_TEXT_LEN + 1]);
/* The version-5 UUID of name in namespace (a UUID's text), lower case.
 * HR_E_INVALID when namespace is not a UUID. */
hr_status uuid_v5(const char *namespace_id, const void *name, size_t len,
		  char out[UUID_TEXT_LEN + 1]);
/* Exactly 36 characters, hex digits (either case) with dashes at 8, 13, 18, 23. */
bool uuid_valid(const char *text);

#endif
