/*
 * config.h — configuration: an INI file plus command-line overrides.
 *
 *	[server]
 *	listen = 127.0.0.1:8080
 *	threads = 0            ; 0 = one per core
 *
 * Values are kept as text with their origin ("hromada.ini:12" or "--set") and
 * converted by typed getters that validate ranges and name the offending line in
 * their message. Each module reads the keys it owns; config_check_unused() then
 * rejects any key nobody read, so a typo ("thraeds") is an error at start-up
 * instead of a silently ignored setting.
 *
 * A struct config is built and read during start-up by one thread; it is not
 * meant to be shared across threads while being modified.
 */
#ifndef HROMADA_CORE_CONFIG_H
#define HROMADA_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <hromada/status.h>

#define CONFIG_NAME_MAX  64
#define CONFIG_VALUE_MAX 1024

struct config;

struct config *config_new(void);
void config_free(struct config *cfg);

/* Reads an INI file; later values override earlier ones. Stage: "config". */
hr_status config_load_file(struct config *cfg, const char *path, struct hr_error *err);
/* Applies "section.key=value" (a --set argument). */
hr_status config_set_assignment(struct config *cfg, const char *assignment, struct hr_error *err);
hr_status config_set(struct config *cfg, const char *section, const char *key, const char *value,
		     const char *origin, struct hr_error *err);

/*
 * Getters return HR_OK and the value, or the default when the key is absent.
 * A present value that does not parse or is out of range is HR_E_INVALID.
 */
hr_status config_get_str(struct config *cfg, const char *section, const char *key, const char *def,
			 const char **out, struct hr_error *err);
hr_status config_get_int(struct config *cfg, const char *section, const char *key, int64_t def,
			 int64_t min, int64_t max, int64_t *out, struct hr_error *err);
hr_status config_get_bool(struct config *cfg, const char *section, const char *key, bool def,
			  bool *out, struct hr_error *err);
/* The value must be one of the NULL-terminated choices; *index receives its position. */
hr_status config_get_choice(struct config *cfg, const char *section, const char *key,
			    const char *def, const char *const *choices, int *index,
			    struct hr_error *err);
bool config_has(struct config *cfg, const char *section, const char *key);

/* HR_E_INVALID naming the first key that no getter has read. */
hr_status config_check_unused(const struct config *cfg, struct hr_error *err);
/* The same within one section, once everything that reads it has: a typo there
 * is named before a later failure could hide it. */
hr_status config_check_unused_section(const struct config *cfg, const char *section,
				      struct hr_error *err);

/* Writes every key back as an INI file (used by `hromada up` to record each role's config). */
hr_status config_write_file(const struct config *cfg, const char *path, struct hr_error *err);

#endif
