/*
 * testkit.h — small helpers shared by the test programs: temporary directories,
 * raw loopback sockets (for requests no well-behaved client would send), reading
 * files, and running the hromada binary. Tests include <cmocka.h> through here.
 */
#ifndef HROMADA_TESTKIT_H
#define HROMADA_TESTKIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); path must hold 256 bytes. */
void tk_tmpdir(char *path);
/* Removes a directory tree (best effort). */
void tk_rmrf(const char *path);

/* A fresh temporary directory per test: tk_dir_setup / tk_dir_teardown as a
 * cmocka setup and teardown make tk_dir (and remove it after); tk_dir_path
 * names a file in it. */
extern char tk_dir[256];
int tk_dir_setup(void **state);
int tk_dir_teardown(void **state);
void tk_dir_path(char *out, size_t size, const char *name);

/* Reads a whole file into a NUL-terminated malloc'ed buffer; NULL on failure. */
char *tk_read_file(const char *path, size_t *len);
bool tk_write_file(const char *path, const char *text);
/* Does any file under path (a file or a directory, recursively) contain needle?
 * where receives the first file that does. */
bool tk_tree_contains(const char *path, const char *needle, char *where, size_t size);

/* Connects to 127.0.0.1:port; -1 on failure. */
int tk_connect(uint16_t port);
/* Sends all of data; false on failure. */
bool tk_send_all(int fd, const void *data, size_t len);
/*
 * Reads until the peer closes, cap-1 bytes arrived, a complete response (headers
 * + Content-Length body) arrived, or timeout_ms passed. Returns bytes read (NUL
 * terminated) or -1 on error.
 */
long tk_recv_response(int fd, char *out, size_t cap, int timeout_ms);
/* True when the peer has closed the connection within timeout_ms. */
bool tk_wait_closed(int fd, int timeout_ms);
/* One raw exchange on a new connection: send request, return the status code
 * (0 when none), the response copied into out when out is not NULL. */
int tk_raw_exchange(uint16_t port, const char *request, char *out, size_t cap);

/* Status code of an HTTP response text ("HTTP/1.1 404 ..."), 0 if none. */
int tk_status_of(const char *response);

/* The PostgreSQL URL of the server the test harness started ($HROMADA_TEST_PG_URL,
 * else the file named by $HROMADA_TEST_PG_URL_FILE), or NULL when there is none. */
const char *tk_pg_url(void);

/* Path of build/hromada (from $HROMADA_BINARY). */
const char *tk_hromada_binary(void);

#include <sys/types.h>

/* Starts argv[0] (a path) with stdout and stderr appended to log_path
 * (or /dev/null when NULL). Returns the pid, or -1. */
pid_t tk_spawn(char *const argv[], const char *log_path);
/* Waits up to timeout_ms for pid to exit; true with its exit code (128+signal
 * when killed), false on timeout (the process is left running). */
bool tk_wait_exit(pid_t pid, int timeout_ms, int *exit_code);
/* Runs argv to completion (up to timeout_ms, then SIGKILL) capturing stdout and
 * stderr together into out (NUL-terminated, truncated to cap). Returns the exit code,
 * or -1 on failure to run or timeout. */
int tk_run(char *const argv[], char *out, size_t cap, int timeout_ms);
/* Port of a URL like "http://127.0.0.1:8411"; 0 if none. */
uint16_t tk_url_port(const char *url);

#endif
