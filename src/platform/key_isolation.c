/*
 * key_isolation.c — the [keys] settings and the start of the key process for a
 * network-facing process (see key_isolation.h and keyproc/keyproc.h).
 */
#include "platform/key_isolation.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "keyproc/keyproc_client.h"

#define STAGE "keys"

hr_status key_isolation_start(struct config *cfg, struct hr_error *err)
{
	struct keyproc_client_options o;
	bool process;
	int64_t rate, delay;
	hr_status rc;

	keyproc_client_options_default(&o);
	if ((rc = config_get_bool(cfg, "keys", "process", true, &process, err)) != HR_OK ||
	    (rc = config_get_int(cfg, "keys", "sign_rate_per_s", 5000, 0, 1000000, &rate, err)) !=
		HR_OK ||
	    (rc = config_get_int(cfg, "keys", "restart_delay_ms", 1000, 1, 600000, &delay, err)) !=
		HR_OK ||
	    (rc = config_check_unused_section(cfg, "keys", err)) != HR_OK)
		return rc;
	if (!process)
		return HR_OK;
	o.sign_rate_per_s = (unsigned)rate;
	o.restart_delay_ms = (unsigned)delay;
	return keyproc_client_start(&o, err);
}

void key_isolation_stop(void)
{
	keyproc_client_stop();
}

hr_status key_isolation_run_apart(hr_status (*fn)(void *arg, struct hr_error *err), void *arg,
				  struct hr_error *err)
{
	struct hr_error child_err = {0};
	int pipe_fds[2], status = 0;
	ssize_t n = 0;
	pid_t pid;

	if (pipe(pipe_fds) != 0)
		return hr_error_set(err, HR_E_IO, STAGE, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return hr_error_set(err, HR_E_IO, STAGE, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		hr_status rc;
		close(pipe_fds[0]);
		rc = fn(arg, &child_err);
		if (rc != HR_OK && write(pipe_fds[1], &child_err, sizeof(child_err)) < 0)
			_exit(2);
		_exit(rc == HR_OK ? 0 : 1);
	}
	close(pipe_fds[1]);
	do
		n = read(pipe_fds[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(pipe_fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return HR_OK;
	if (n == (ssize_t)sizeof(child_err) && child_err.status != HR_OK) {
		child_err.stage[sizeof(child_err.stage) - 1] = 0;
		child_err.message[sizeof(child_err.message) - 1] = 0;
		*err = child_err;
		return child_err.status;
	}
	return hr_error_set(err, HR_E_IO, STAGE, "the child that made the keys failed (status %d)",
			    status);
}
