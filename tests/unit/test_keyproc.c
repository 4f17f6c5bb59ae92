/*
 * test_keyproc.c — the key process (keyproc/keyproc.h) and its messages
 * (keyproc_msg.h), driven over a real socketpair with the process forked from
 * the test: what it signs verifies, what it must refuse it refuses, a
 * malformed message ends it with its own exit status (never a crash), and its
 * system-call filter kills a socket() or an exec.
 */
#include "testkit/testkit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "credential/cose_crypto.h"
#include "keyproc/keyproc.h"
#include "keyproc/keyproc_msg.h"

struct running {
	pid_t pid;
	int fd;
};

static char dir[256], key_path[300], not_a_key[300];

static int group_setup(void **unused)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	FILE *f;

	(void)unused;
	snprintf(dir, sizeof(dir), "/tmp/hromada-keyproc-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
	snprintf(not_a_key, sizeof(not_a_key), "%s/notes.txt", dir);
	f = fopen(key_path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	f = fopen(not_a_key, "w");
	assert_non_null(f);
	fputs("not a key\n", f);
	fclose(f);
	EVP_PKEY_free(key);
	return 0;
}

static int group_teardown(void **unused)
{
	(void)unused;
	unlink(key_path);
	unlink(not_a_key);
	rmdir(dir);
	return 0;
}

/* A key process on one channel, serving from a child of the test. */
static struct running start(unsigned rate)
{
	struct keyproc_limits limits = {1, rate, 1};
	struct running r;
	int pair[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
	r.pid = fork();
	assert_true(r.pid >= 0);
	if (r.pid == 0) {
		close(pair[0]);
		_exit(keyproc_serve(&pair[1], &limits));
	}
	close(pair[1]);
	r.fd = pair[0];
	return r;
}

/* Its exit status (or 128 + the signal that ended it). */
static int finish(struct running *r)
{
	int status = 0;

	close(r->fd);
	assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void ask(struct running *r, const struct keyproc_request *rq, struct keyproc_reply *rp)
{
	uint8_t wire[KEYPROC_WIRE_MAX];
	size_t size = keyproc_request_encode(rq, wire);
	ssize_t n;

	assert_true(size > 0);
	assert_int_equal(write(r->fd, wire, size), (ssize_t)size);
	n = read(r->fd, wire, sizeof(wire));
	assert_true(n > 0);
	assert_int_equal(keyproc_reply_decode(wire, (size_t)n, rq->type, rp), HR_OK);
}

static void load(struct running *r, const char *path, struct keyproc_reply *rp)
{
	struct keyproc_request rq = {.type = KEYPROC_LOAD};

	rq.length = (uint16_t)strlen(path);
	memcpy(rq.payload, path, rq.length);
	ask(r, &rq, rp);
}

static int sign(struct running *r, uint32_t handle, const uint8_t *digest, size_t len,
		struct keyproc_reply *rp)
{
	struct keyproc_request rq = {.type = KEYPROC_SIGN, .handle = handle};

	rq.length = (uint16_t)len;
	memcpy(rq.payload, digest, len);
	ask(r, &rq, rp);
	return rp->status;
}

static void test_signs_a_digest_that_verifies_with_the_public_key_it_returned(void **unused)
{
	struct running r = start(0);
	struct keyproc_reply loaded, signed_reply;
	const uint8_t message[] = "a credential's Sig_structure";
	uint8_t digest[EVP_MAX_MD_SIZE];
	const struct cose_alg *alg = cose_alg_find(-7);
	const unsigned char *p;
	EVP_PKEY *public_key;

	(void)unused;
	load(&r, key_path, &loaded);
	assert_int_equal(loaded.status, KEYPROC_OK);
	assert_int_equal(loaded.alg, -7);
	p = loaded.payload;
	public_key = d2i_PUBKEY(NULL, &p, loaded.length);
	assert_non_null(public_key);
	assert_int_equal(cose_crypto_digest(alg, message, sizeof(message), digest), 32);
	assert_int_equal(sign(&r, loaded.handle, digest, 32, &signed_reply), KEYPROC_OK);
	assert_int_equal(signed_reply.length, 64);
	assert_int_equal(cose_crypto_verify(alg, public_key, key_kind_of(public_key), message,
					    sizeof(message), signed_reply.payload,
					    signed_reply.length, NULL),
			 HR_OK);
	/* the same file again: the same key, one more reference */
	load(&r, key_path, &signed_reply);
	assert_int_equal(signed_reply.handle, loaded.handle);
	EVP_PKEY_free(public_key);
	assert_int_equal(finish(&r), KEYPROC_EXIT_CLOSED);
}

static void test_refuses_what_it_must_not_sign_or_load(void **unused)
{
	struct running r = start(0);
	struct keyproc_reply rp;
	uint8_t digest[64] = {1, 2, 3};

	(void)unused;
	load(&r, "/nonexistent/key.pem", &rp);
	assert_int_equal(rp.status, KEYPROC_NOT_FOUND);
	load(&r, not_a_key, &rp);
	assert_int_equal(rp.status, KEYPROC_BAD_KEY);
	load(&r, key_path, &rp);
	assert_int_equal(rp.status, KEYPROC_OK);
	/* a P-256 key signs SHA-256 digests only: nothing else is a digest for it */
	assert_int_equal(sign(&r, rp.handle, digest, 48, &rp), KEYPROC_WRONG_DIGEST);
	assert_int_equal(rp.length, 0);
	assert_int_equal(sign(&r, 0x7777, digest, 32, &rp), KEYPROC_NOT_FOUND);
	assert_int_equal(finish(&r), KEYPROC_EXIT_CLOSED);
}

static void test_rate_limit_refuses_beyond_the_allowance(void **unused)
{
	struct running r = start(5);
	struct keyproc_reply loaded, rp;
	uint8_t digest[32] = {9};
	int refused = 0;

	(void)unused;
	load(&r, key_path, &loaded);
	for (int i = 0; i < 20; i++)
		refused += sign(&r, loaded.handle, digest, 32, &rp) == KEYPROC_RATE_LIMITED;
	assert_true(refused >= 14 && refused <= 15);
	assert_int_equal(finish(&r), KEYPROC_EXIT_CLOSED);
}

static void expect_malformed_ends_it(const uint8_t *wire, size_t size)
{
	struct running r = start(0);
	uint8_t reply[KEYPROC_WIRE_MAX];

	assert_int_equal(write(r.fd, wire, size), (ssize_t)size);
	/* no answer: the conversation is over */
	assert_int_equal(read(r.fd, reply, sizeof(reply)), 0);
	assert_int_equal(finish(&r), KEYPROC_EXIT_MALFORMED);
}

static void test_malformed_message_ends_the_key_process_cleanly(void **unused)
{
	struct keyproc_request rq = {.type = KEYPROC_SIGN, .length = 32, .handle = 1};
	uint8_t wire[KEYPROC_WIRE_MAX + 8];
	size_t size = keyproc_request_encode(&rq, wire);

	(void)unused;
	expect_malformed_ends_it((const uint8_t *)"garbage", 7);
	expect_malformed_ends_it(wire, size - 1); /* short */
	memset(wire + size, 0, 8);
	expect_malformed_ends_it(wire, size + 8); /* long */
	wire[6] = 65;                             /* length beyond the payload */
	expect_malformed_ends_it(wire, size);
	wire[6] = 32;
	wire[KEYPROC_HEADER_LEN + 40] = 1; /* bytes after the digest */
	expect_malformed_ends_it(wire, size);
}

static void test_messages_round_trip_and_reject_bad_fields(void **unused)
{
	struct keyproc_request rq = {.type = KEYPROC_LOAD}, back;
	uint8_t wire[KEYPROC_WIRE_MAX];
	size_t size;

	(void)unused;
	rq.length = 5;
	memcpy(rq.payload, "/a/b\0", 5);
	assert_int_equal(keyproc_request_encode(&rq, wire), 0); /* NUL inside: not encoded */
	rq.length = 4;
	size = keyproc_request_encode(&rq, wire);
	assert_int_equal(size, KEYPROC_HEADER_LEN + KEYPROC_PATH_MAX);
	assert_int_equal(keyproc_request_decode(wire, size, &back), HR_OK);
	assert_string_equal((const char *)back.payload, "/a/b");
	wire[KEYPROC_HEADER_LEN] = 'a'; /* relative path */
	assert_int_equal(keyproc_request_decode(wire, size, &back), HR_E_INVALID);
	wire[KEYPROC_HEADER_LEN] = '/';
	wire[12] = 1; /* reserved bits */
	assert_int_equal(keyproc_request_decode(wire, size, &back), HR_E_INVALID);
	wire[12] = 0;
	wire[4] = 9; /* unknown type */
	assert_int_equal(keyproc_request_decode(wire, size, &back), HR_E_INVALID);
}

/* The filter, installed in a child of its own: a socket() kills the process. */
static void test_filter_kills_a_socket_and_an_exec_and_refuses_writes(void **unused)
{
	int status;
	pid_t pid;

	(void)unused;
	for (int what = 0; what < 3; what++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (keyproc_filter_install() != 0)
				_exit(90);
			if (what == 0)
				(void)socket(AF_INET, SOCK_STREAM, 0);
			else if (what == 1)
				execl("/bin/true", "true", (char *)NULL);
			else
				_exit(open(not_a_key, O_WRONLY) < 0 && errno == EPERM ? 0 : 91);
			_exit(92);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (what < 2) {
			assert_true(WIFSIGNALED(status));
			assert_int_equal(WTERMSIG(status), SIGSYS);
		} else {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signs_a_digest_that_verifies_with_the_public_key_it_returned),
	    cmocka_unit_test(test_refuses_what_it_must_not_sign_or_load),
	    cmocka_unit_test(test_rate_limit_refuses_beyond_the_allowance),
	    cmocka_unit_test(test_malformed_message_ends_the_key_process_cleanly),
	    cmocka_unit_test(test_messages_round_trip_and_reject_bad_fields),
	    cmocka_unit_test(test_filter_kills_a_socket_and_an_exec_and_refuses_writes),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
