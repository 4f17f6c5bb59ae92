/*
 * leak_keys.h — a country's leak-defence state under `hromada up`
 * (DESIGN.md §7, src/leak/leak_tag.h): STATE/<COUNTRY>/leak/ and its three
 * keys, canary.key, range.key and index.key, made once and kept.
 *
 * Whoever needs a key of a running platform — `up` wiring a role, `hromada
 * canary plant`, `hromada leakscan` — calls platform_leak_prepare (it never
 * replaces a key that exists) and names files with platform_leak_path.
 */
#ifndef HROMADA_PLATFORM_LEAK_KEYS_H
#define HROMADA_PLATFORM_LEAK_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

/* STATE/<COUNTRY>/leak/<file> into out (size bytes); false when it does not fit. */
bool platform_leak_path(const char *state_dir, const char *country, const char *file, char *out,
			size_t size);

/* Creates STATE/<COUNTRY>/leak/ (0750) and, where missing, its three 32-byte
 * keys (0600, core/secret.h). Stage "state" or "secret". */
hr_status platform_leak_prepare(const char *state_dir, const char *country, struct hr_error *err);

#endif
