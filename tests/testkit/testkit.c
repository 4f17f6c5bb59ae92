/*
 * testkit.c — helpers for tests; see testkit.h.
 */
#include "testkit/testkit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void tk_tmpdir(char *path)
{
	const char *base = getenv("TMPDIR");

	snprintf(path, 256, "%s/hromada-test-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(path) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", path, strerror(errno));
		abort();
	}
}

void tk_rmrf(const char *path)
{
	char cmd[512];

	if (path == NULL || strlen(path) < 8 || strstr(path, "hromada") == NULL)
		return; /* refuse to remove anything that is not ours */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", path);
}

char *tk_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t got;
		if (n + 4096 + 1 > cap) {
			char *grown;
			cap = cap ? cap * 2 : 8192;
			grown = realloc(data, cap);
			if (grown == NULL) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = grown;
		}
		got = fread(data + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	data[n] = 0;
	if (len)
		*len = n;
	return data;
}

bool tk_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (f == NULL)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

int tk_connect(uint16_t port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

bool tk_send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		len -= (size_t)w;
	}
	return true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when out holds a complete response: headers and Content-Length bytes. */
static bool response_complete(const char *out, size_t n)
{
	const char *end = strstr(out, "\r\n\r\n");
	const char *cl;
	size_t header_len;
	long body;

	if (end == NULL)
		return false;
	header_len = (size_t)(end - out) + 4;
	cl = strcasestr(out, "\r\ncontent-length:");
	if (cl == NULL || cl > end)
		return false;
	body = strtol(cl + 17, NULL, 10);
	return n >= header_len + (size_t)body;
}

long tk_recv_response(int fd, char *out, size_t cap, int timeout_ms)
{
	size_t n = 0;
	long long deadline = now_ms() + timeout_ms;

	out[0] = 0;
	while (n + 1 < cap) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			break;
		r = recv(fd, out + n, cap - n - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		out[n] = 0;
		if (response_complete(out, n))
			break;
	}
	return (long)n;
}

bool tk_wait_closed(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char scratch[4096];

	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int)left) <= 0)
			return false;
		r = recv(fd, scratch, sizeof(scratch), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
		if (r < 0 && errno != EINTR)
			return true;
	}
}

int tk_status_of(const char *response)
{
	int status = 0;

	if (sscanf(response, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	return status;
}

int tk_raw_exchange(uint16_t port, const char *request, char *out, size_t cap)
{
	char local[16384];
	int fd = tk_connect(port);
	int status;

	if (out == NULL) {
		out = local;
		cap = sizeof(local);
	}
	out[0] = 0;
	if (fd < 0)
		return 0;
	if (!tk_send_all(fd, request, strlen(request))) {
		close(fd);
		return 0;
	}
	tk_recv_response(fd, out, cap, 5000);
	close(fd);
	status = tk_status_of(out);
	return status;
}

const char *tk_pg_url(void)
{
	static char url[512];
	const char *env = getenv("HROMADA_TEST_PG_URL");
	const char *file = getenv("HROMADA_TEST_PG_URL_FILE");
	char *text;
	size_t n;

	if (env && *env)
		return env;
	if (file == NULL || (text = tk_read_file(file, &n)) == NULL)
		return NULL;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = 0;
	snprintf(url, sizeof(url), "%s", text);
	free(text);
	return url[0] ? url : NULL;
}

const char *tk_hromada_binary(void)
{
	const char *path = getenv("HROMADA_BINARY");

	return path && *path ? path : "build/hromada";
}

pid_t tk_spawn(char *const argv[], const char *log_path)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	{
		/* a test that dies (a failed assertion, a ctest timeout) takes its
		 * platform with it instead of leaving it serving */
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
}

bool tk_wait_exit(pid_t pid, int timeout_ms, int *exit_code)
{
	long long deadline = now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			if (WIFEXITED(status))
				*exit_code = WEXITSTATUS(status);
			else if (WIFSIGNALED(status))
				*exit_code = 128 + WTERMSIG(status);
			else
				*exit_code = -1;
			return true;
		}
		if (r < 0 || now_ms() > deadline)
			return false;
		usleep(10000);
	}
}

int tk_run(char *const argv[], char *out, size_t cap, int timeout_ms)
{
	char path[300];
	char dir[256];
	pid_t pid;
	int code;
	char *text;
	size_t n;

	tk_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/out", dir);
	pid = tk_spawn(argv, path);
	if (pid < 0) {
		tk_rmrf(dir);
		return -1;
	}
	if (!tk_wait_exit(pid, timeout_ms, &code)) {
		kill(pid, SIGKILL);
		tk_wait_exit(pid, 5000, &code);
		code = -1;
	}
	out[0] = 0;
	if ((text = tk_read_file(path, &n)) != NULL) {
		snprintf(out, cap, "%s", text);
		free(text);
	}
	tk_rmrf(dir);
	return code;
}

uint16_t tk_url_port(const char *url)
{
	const char *p = strstr(url, "://");
	const char *colon;

	if (p == NULL)
		return 0;
	colon = strchr(p + 3, ':');
	if (colon == NULL)
		return 0;
	return (uint16_t)strtoul(colon + 1, NULL, 10);
}

bool tk_tree_contains(const char *path, const char *needle, char *where, size_t size)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	bool found = false;

	if (stat(path, &st) != 0)
		return false;
	if (S_ISREG(st.st_mode)) {
		size_t len;
		char *data = tk_read_file(path, &len);
		found = data != NULL && memmem(data, len, needle, strlen(needle)) != NULL;
		if (found)
			snprintf(where, size, "%s", path);
		free(data);
		return found;
	}
	if (!S_ISDIR(st.st_mode) || (d = opendir(path)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		char child[1024];
		if (e->d_name[0] == '.' && (e->d_name[1] == 0 || e->d_name[1] == '.'))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		found = tk_tree_contains(child, needle, where, size);
	}
	closedir(d);
	return found;
}

char tk_dir[256];

int tk_dir_setup(void **state)
{
	(void)state;
	tk_tmpdir(tk_dir);
	return 0;
}

int tk_dir_teardown(void **state)
{
	(void)state;
	tk_rmrf(tk_dir);
	return 0;
}

void tk_dir_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tk_dir, name);
}
