/*
 * services.c — loading hromada-services.so, the module that holds the HTTP,
 * storage, role and platform code (see src/CMakeLists.txt for why it is a
 * separate link unit: a verifier must not pay for loading a web server and two
 * database clients).
 *
 * The module is looked for, in order: $HROMADA_SERVICES_MODULE; next to the
 * executable (the build directory); ../lib/hromada/ relative to it (an install).
 * Besides the serving commands it lends the executable one HTTP GET
 * (cli_http_get, services_http.c), loaded only when a command must fetch.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"

#define MODULE_NAME "hromada-services.so"

static void *open_module(struct hr_error *err)
{
	const char *env = getenv("HROMADA_SERVICES_MODULE");
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n;
	char *slash;
	void *h;

	if (env != NULL && *env)
		return dlopen(env, RTLD_NOW | RTLD_LOCAL);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		hr_error_set(err, HR_E_IO, "services", "cannot find the hromada executable");
		return NULL;
	}
	exe[n] = 0;
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = 0;
	snprintf(path, sizeof(path), "%s/" MODULE_NAME, exe);
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) != NULL)
		return h;
	snprintf(path, sizeof(path), "%s/../lib/hromada/" MODULE_NAME, exe);
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) != NULL)
		return h;
	hr_error_set(err, HR_E_UNAVAILABLE, "services",
		     "cannot load %s next to the executable (%s); set HROMADA_SERVICES_MODULE",
		     MODULE_NAME, dlerror());
	return NULL;
}

static void *module;

const struct cli_command *cli_service_command(const char *name, struct hr_error *err)
{
	const struct cli_command *const *commands;

	if (module == NULL && (module = open_module(err)) == NULL)
		return NULL;
	commands = dlsym(module, "hromada_services_commands");
	for (int i = 0; commands != NULL && commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	hr_error_set(err, HR_E_NOT_FOUND, "services", "%s does not provide '%s'", MODULE_NAME,
		     name);
	return NULL;
}

hr_status cli_http_get(const struct cli_http_request *request, struct cli_http_response *response,
		       struct hr_error *err)
{
	static cli_http_get_fn get;

	memset(response, 0, sizeof(*response));
	if (get == NULL) {
		if (module == NULL && (module = open_module(err)) == NULL) {
			if (err == NULL || err->message[0] == 0)
				hr_error_set(err, HR_E_UNAVAILABLE, "services",
					     "cannot load %s: %s", MODULE_NAME, dlerror());
			return HR_E_UNAVAILABLE;
		}
		/* POSIX: a data pointer converts to a function pointer for dlsym */
		*(void **)&get = dlsym(module, "hromada_services_http_get");
		if (get == NULL)
			return hr_error_set(err, HR_E_UNAVAILABLE, "services",
					    "%s has no HTTP client (hromada_services_http_get)",
					    MODULE_NAME);
	}
	return get(request, response, err);
}
