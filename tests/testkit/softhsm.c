/*
 * softhsm.c — see softhsm.h.
 */
#include "testkit/softhsm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testkit/testkit.h"

bool tk_softhsm_available(void)
{
	return access(TK_SOFTHSM_MODULE, R_OK) == 0 && access(TK_SOFTHSM_UTIL, X_OK) == 0;
}

void tk_softhsm_init(const char *dir, const char *label, const char *pin)
{
	char conf[512], text[1024], tokens[512], path[512], out[4096];
	char *argv[] = {TK_SOFTHSM_UTIL, "--init-token", "--free",   "--label", (char *)label,
			"--pin",         (char *)pin,    "--so-pin", "5678",    NULL};

	snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
	assert_int_equal(mkdir(tokens, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	snprintf(text, sizeof(text),
		 "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
		 tokens);
	assert_true(tk_write_file(conf, text));
	assert_int_equal(setenv("SOFTHSM2_CONF", conf, 1), 0);
	if (tk_run(argv, out, sizeof(out), 30000) != 0) {
		fprintf(stderr, "softhsm2-util: %s\n", out);
		fail();
	}
	snprintf(path, sizeof(path), "%s/pin", dir);
	assert_true(tk_write_file(path, pin));
	assert_int_equal(chmod(path, 0600), 0);
}

void tk_softhsm_uri(char *out, size_t size, const char *dir, const char *label, const char *object)
{
	snprintf(out, size, "pkcs11:token=%s;object=%s?module-path=%s&pin-source=file:%s/pin",
		 label, object, TK_SOFTHSM_MODULE, dir);
}
