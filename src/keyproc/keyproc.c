/*
 * keyproc.c — the key process itself (see keyproc.h for what it is and why).
 *
 * Invariants:
 *  - a private key exists only in a key slot of this process, loaded from its
 *    PEM file by LOAD; the file's text is wiped before the buffer is freed;
 *  - a reply carries a public key, a signature or a MAC, never a key;
 *  - SIGN takes a digest of exactly the key's hash length, so nothing but a
 *    hash of something is ever signed, and it counts against the key's rate;
 *  - every message is checked by keyproc_request_decode before it is used; a
 *    malformed one ends the process (KEYPROC_EXIT_MALFORMED), never a crash.
 */
#include "keyproc/keyproc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "credential/cose_crypto.h"
#include "keyproc/keyproc_msg.h"

#define KEY_FILE_LIMIT   (64 * 1024)
#define SUMMARY_EVERY_US (10ull * 1000 * 1000)

struct key_slot {
	EVP_PKEY *key;   /* a signing key, or NULL */
	uint8_t *secret; /* an HMAC key (SECRET_LEN bytes, locked in memory), or NULL */
	const struct cose_alg *alg;
	size_t digest_len;
	uint32_t generation;
	unsigned refs;
	char path[KEYPROC_PATH_MAX];
	double tokens;
	uint64_t refilled_us;
	uint64_t signed_total, signed_logged, refused_total;
};

struct keyproc {
	pthread_mutex_t lock;
	struct key_slot slots[KEYPROC_KEYS_MAX];
	unsigned rate;
	uint64_t summary_us;
	const int *fds;
	unsigned channels;
	int malformed; /* set once: every thread stops */
};

struct channel {
	struct keyproc *kp;
	int fd;
	struct cose_key_context cache[KEYPROC_KEYS_MAX];
};

static uint32_t handle_of(const struct keyproc *kp, const struct key_slot *s)
{
	return (s->generation << 8) | (uint32_t)(s - kp->slots);
}

static int slot_used(const struct key_slot *s)
{
	return s->key != NULL || s->secret != NULL;
}

/* The live slot a handle names, or NULL. Called with the lock held. */
static struct key_slot *slot_of(struct keyproc *kp, uint32_t handle)
{
	struct key_slot *s;

	if ((handle & 0xff) >= KEYPROC_KEYS_MAX)
		return NULL;
	s = &kp->slots[handle & 0xff];
	return slot_used(s) && s->generation == handle >> 8 ? s : NULL;
}

/*
 * Reads at most cap bytes of path into a new buffer of cap + 1 bytes (so a
 * longer file shows as cap + 1); *len gets what was read. NULL, with *status
 * set, when the file cannot be opened or memory is short. The caller wipes
 * the whole buffer before freeing it.
 */
static uint8_t *file_read_wiped(const char *path, size_t cap, size_t *len, int *status)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *data;
	ssize_t n;

	*len = 0;
	if (fd < 0) {
		*status = KEYPROC_NOT_FOUND;
		return NULL;
	}
	if ((data = malloc(cap + 1)) == NULL) {
		close(fd);
		*status = KEYPROC_FAILED;
		return NULL;
	}
	while (*len <= cap && (n = read(fd, data + *len, cap + 1 - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return data;
}

/* Reads and parses a PEM private key; the text is wiped before it is freed. */
static EVP_PKEY *key_read(const char *path, int *status)
{
	size_t len;
	uint8_t *text = file_read_wiped(path, KEY_FILE_LIMIT, &len, status);
	EVP_PKEY *key = NULL;
	BIO *bio;

	if (text == NULL)
		return NULL;
	*status = KEYPROC_BAD_KEY;
	if (len <= KEY_FILE_LIMIT && (bio = BIO_new_mem_buf(text, (int)len)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	OPENSSL_cleanse(text, KEY_FILE_LIMIT + 1);
	free(text);
	return key;
}

static void log_key(const char *event, const struct key_slot *s, const char *detail)
{
	struct log_line line;

	log_begin(&line, LOG_LEVEL_INFO, event);
	log_add_str(&line, "key", s->path);
	if (s->alg != NULL)
		log_add_str(&line, "alg", s->alg->name);
	if (detail != NULL)
		log_add_str(&line, "detail", detail);
	log_end(&line);
}

/* Reads an HMAC key file: exactly SECRET_LEN bytes. */
static uint8_t *secret_read(const char *path, int *status)
{
	size_t len;
	uint8_t *secret = file_read_wiped(path, SECRET_LEN, &len, status);

	if (secret == NULL || len == SECRET_LEN)
		return secret;
	*status = KEYPROC_BAD_KEY;
	OPENSSL_cleanse(secret, SECRET_LEN + 1);
	free(secret);
	return NULL;
}

/* Fills a free slot from path: a signing key (LOAD) or an HMAC key. */
static int slot_fill(struct keyproc *kp, struct key_slot *s, const struct keyproc_request *rq)
{
	const char *path = (const char *)rq->payload;
	int status = KEYPROC_OK;

	if (rq->type == KEYPROC_LOAD_SECRET) {
		if ((s->secret = secret_read(path, &status)) == NULL)
			return status;
	} else {
		EVP_PKEY *key = key_read(path, &status);
		const struct cose_alg *alg;

		if (key == NULL)
			return status;
		alg = cose_alg_for_key(key_kind_of(key));
		/* EdDSA signs the message, not a digest: such keys stay out */
		if (alg == NULL || alg->digest == NULL) {
			EVP_PKEY_free(key);
			return KEYPROC_BAD_KEY;
		}
		s->key = key;
		s->alg = alg;
		s->digest_len = (size_t)EVP_MD_get_size(EVP_get_digestbyname(alg->digest));
	}
	s->generation = (s->generation & 0xffffff) == 0xffffff ? 1 : s->generation + 1;
	s->refs = 0;
	s->tokens = kp->rate;
	s->refilled_us = clock_monotonic_us();
	memcpy(s->path, path, rq->length); /* < KEYPROC_PATH_MAX, checked in decode */
	s->path[rq->length] = 0;
	log_key("keyproc.loaded", s, s->secret != NULL ? "HMAC" : NULL);
	return KEYPROC_OK;
}

static void handle_load(struct keyproc *kp, const struct keyproc_request *rq,
			struct keyproc_reply *rp)
{
	const char *path = (const char *)rq->payload;
	int secret = rq->type == KEYPROC_LOAD_SECRET;
	struct key_slot *s = NULL, *free_slot = NULL;
	unsigned char *der = NULL;
	int der_len;

	pthread_mutex_lock(&kp->lock);
	for (int i = 0; i < KEYPROC_KEYS_MAX && s == NULL; i++) {
		struct key_slot *at = &kp->slots[i];
		if (!slot_used(at)) {
			if (free_slot == NULL)
				free_slot = at;
		} else if ((at->secret != NULL) == secret && strcmp(at->path, path) == 0) {
			s = at; /* loaded already: one more reference */
		}
	}
	if (s == NULL && free_slot == NULL) {
		rp->status = KEYPROC_FULL;
		goto done;
	}
	if (s == NULL) {
		if ((rp->status = slot_fill(kp, free_slot, rq)) != KEYPROC_OK)
			goto done;
		s = free_slot;
	}
	if (!secret) {
		der_len = i2d_PUBKEY(s->key, &der);
		if (der_len <= 0 || der_len > KEYPROC_PUBLIC_MAX) {
			OPENSSL_free(der);
			rp->status = KEYPROC_BAD_KEY;
			goto done;
		}
		rp->alg = s->alg->id;
		rp->length = (uint16_t)der_len;
		memcpy(rp->payload, der, (size_t)der_len);
		OPENSSL_free(der);
	}
	s->refs++;
	rp->handle = handle_of(kp, s);
done:
	pthread_mutex_unlock(&kp->lock);
}

static void log_signed(struct key_slot *s);

static void handle_close(struct keyproc *kp, const struct keyproc_request *rq,
			 struct keyproc_reply *rp)
{
	struct key_slot *s;

	pthread_mutex_lock(&kp->lock);
	if ((s = slot_of(kp, rq->handle)) == NULL) {
		rp->status = KEYPROC_NOT_FOUND;
	} else if (--s->refs == 0) {
		log_signed(s); /* the last count, which no summary will carry */
		log_key("keyproc.closed", s, NULL);
		EVP_PKEY_free(s->key); /* a thread's cached context keeps its own reference */
		if (s->secret != NULL)
			OPENSSL_cleanse(s->secret, SECRET_LEN);
		free(s->secret);
		s->key = NULL;
		s->secret = NULL;
		s->alg = NULL;
	}
	pthread_mutex_unlock(&kp->lock);
}

/* Takes one token from the key's bucket; false when it is empty. Lock held. */
static int rate_take(struct keyproc *kp, struct key_slot *s)
{
	uint64_t now = clock_monotonic_us();

	if (kp->rate == 0)
		return 1;
	s->tokens += (double)(now - s->refilled_us) * kp->rate / 1e6;
	if (s->tokens > kp->rate)
		s->tokens = kp->rate; /* a burst of at most one second's allowance */
	s->refilled_us = now;
	if (s->tokens < 1.0)
		return 0;
	s->tokens -= 1.0;
	return 1;
}

/* Every 10 s at most: how many digests each key signed since the last line. */
/* What the key signed (or MACed) since its last line, if anything. */
static void log_signed(struct key_slot *s)
{
	struct log_line line;

	if (s->signed_total == s->signed_logged)
		return;
	log_begin(&line, LOG_LEVEL_INFO, "keyproc.signed");
	log_add_str(&line, "key", s->path);
	log_add_uint(&line, "count", s->signed_total - s->signed_logged);
	log_add_uint(&line, "total", s->signed_total);
	log_add_uint(&line, "rate_limited", s->refused_total);
	log_end(&line);
	s->signed_logged = s->signed_total;
}

static void log_summary(struct keyproc *kp, int force)
{
	uint64_t now = clock_monotonic_us();

	if (!force && now - kp->summary_us < SUMMARY_EVERY_US)
		return;
	kp->summary_us = now;
	for (int i = 0; i < KEYPROC_KEYS_MAX; i++)
		if (slot_used(&kp->slots[i]))
			log_signed(&kp->slots[i]);
}

static void handle_sign(struct channel *c, const struct keyproc_request *rq,
			struct keyproc_reply *rp)
{
	struct keyproc *kp = c->kp;
	struct hr_error err = {0};
	const struct cose_alg *alg = NULL;
	struct key_slot *s;
	EVP_PKEY *key = NULL;
	size_t sig_len = KEYPROC_SIG_MAX;
	size_t index = 0;

	pthread_mutex_lock(&kp->lock);
	if ((s = slot_of(kp, rq->handle)) == NULL || s->key == NULL) {
		rp->status = KEYPROC_NOT_FOUND;
	} else if (rq->length != s->digest_len) {
		rp->status = KEYPROC_WRONG_DIGEST;
	} else if (!rate_take(kp, s)) {
		s->refused_total++;
		rp->status = KEYPROC_RATE_LIMITED;
	} else {
		s->signed_total++;
		key = s->key;
		EVP_PKEY_up_ref(key);
		alg = s->alg;
		index = (size_t)(s - kp->slots);
	}
	log_summary(kp, 0);
	pthread_mutex_unlock(&kp->lock);
	if (key == NULL)
		return;
	if (cose_crypto_sign_digest(&c->cache[index], alg, key, rq->payload, rq->length,
				    rp->payload, &sig_len, &err) != HR_OK ||
	    sig_len > KEYPROC_SIG_MAX)
		rp->status = KEYPROC_FAILED;
	else
		rp->length = (uint16_t)sig_len;
	EVP_PKEY_free(key);
}

/* HMAC keys are not rate-limited: a pseudonym or a token check per request is
 * the normal load, and a MAC does not let anyone act in the role's name. */
static void handle_hmac(struct keyproc *kp, const struct keyproc_request *rq,
			struct keyproc_reply *rp)
{
	uint8_t secret[SECRET_LEN];
	struct key_slot *s;
	int found;

	pthread_mutex_lock(&kp->lock);
	s = slot_of(kp, rq->handle);
	if ((found = s != NULL && s->secret != NULL)) {
		memcpy(secret, s->secret, SECRET_LEN);
		s->signed_total++;
	}
	pthread_mutex_unlock(&kp->lock);
	if (!found) {
		rp->status = KEYPROC_NOT_FOUND;
		return;
	}
	if (secret_hmac(secret, rq->payload, rq->length, rp->payload) != HR_OK)
		rp->status = KEYPROC_FAILED;
	else
		rp->length = KEYPROC_MAC_LEN;
	OPENSSL_cleanse(secret, sizeof(secret));
}

/* Stops every channel: their reads return 0 at once. */
static void stop_all(struct keyproc *kp)
{
	for (unsigned i = 0; i < kp->channels; i++)
		shutdown(kp->fds[i], SHUT_RDWR);
}

static void *channel_run(void *arg)
{
	struct channel *c = arg;
	uint8_t in[KEYPROC_WIRE_MAX + 1], out[KEYPROC_WIRE_MAX];
	struct keyproc_request rq;
	struct keyproc_reply rp;
	size_t size;
	ssize_t n;

	for (;;) {
		n = read(c->fd, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keyproc_request_decode(in, (size_t)n, &rq) != HR_OK) {
			pthread_mutex_lock(&c->kp->lock);
			c->kp->malformed = 1;
			pthread_mutex_unlock(&c->kp->lock);
			log_msg(LOG_LEVEL_ERROR, "keyproc.malformed",
				"a peer sent a malformed %zd-byte message: no more answers", n);
			stop_all(c->kp);
			break;
		}
		memset(&rp, 0, sizeof(rp));
		rp.type = rq.type;
		rp.handle = rq.handle;
		if (rq.type == KEYPROC_LOAD || rq.type == KEYPROC_LOAD_SECRET)
			handle_load(c->kp, &rq, &rp);
		else if (rq.type == KEYPROC_SIGN)
			handle_sign(c, &rq, &rp);
		else if (rq.type == KEYPROC_HMAC)
			handle_hmac(c->kp, &rq, &rp);
		else
			handle_close(c->kp, &rq, &rp);
		size = keyproc_reply_encode(&rp, out);
		OPENSSL_cleanse(&rp, sizeof(rp));
		if (size == 0 || write(c->fd, out, size) != (ssize_t)size)
			break;
	}
	for (int i = 0; i < KEYPROC_KEYS_MAX; i++)
		cose_key_context_clear(&c->cache[i]);
	return NULL;
}

/* Everything that must hold before the first message is read. */
static int drop_privileges(const struct keyproc_limits *limits)
{
	struct rlimit none = {0, 0};

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &none) != 0)
		return -1;
	/* keys must not reach swap; best effort, as an unprivileged user's
	 * RLIMIT_MEMLOCK may be too small for the whole process */
	(void)mlockall(MCL_CURRENT | MCL_FUTURE);
	if (limits->filter && keyproc_filter_install() != 0)
		return -1;
	return 0;
}

int keyproc_serve(const int *fds, const struct keyproc_limits *limits)
{
	static struct keyproc kp; /* one per process; large, so not on a stack */
	struct channel *channels;
	pthread_t threads[KEYPROC_CHANNELS_MAX];
	unsigned started = 0;
	int status;

	if (limits->channels == 0 || limits->channels > KEYPROC_CHANNELS_MAX)
		return KEYPROC_EXIT_SETUP;
	if (drop_privileges(limits) != 0) {
		log_msg(LOG_LEVEL_ERROR, "keyproc.setup", "cannot drop privileges: %s",
			strerror(errno));
		return KEYPROC_EXIT_SETUP;
	}
	memset(&kp, 0, sizeof(kp));
	pthread_mutex_init(&kp.lock, NULL);
	kp.rate = limits->sign_rate_per_s;
	kp.fds = fds;
	kp.channels = limits->channels;
	kp.summary_us = clock_monotonic_us();
	if ((channels = calloc(limits->channels, sizeof(*channels))) == NULL)
		return KEYPROC_EXIT_SETUP;
	for (unsigned i = 0; i < limits->channels; i++) {
		channels[i].kp = &kp;
		channels[i].fd = fds[i];
		if (pthread_create(&threads[i], NULL, channel_run, &channels[i]) != 0)
			break;
		started++;
	}
	if (started < limits->channels)
		stop_all(&kp);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	log_summary(&kp, 1);
	for (int i = 0; i < KEYPROC_KEYS_MAX; i++) {
		EVP_PKEY_free(kp.slots[i].key);
		if (kp.slots[i].secret != NULL)
			OPENSSL_cleanse(kp.slots[i].secret, SECRET_LEN);
		free(kp.slots[i].secret);
	}
	free(channels);
	status = kp.malformed                 ? KEYPROC_EXIT_MALFORMED
		 : started < limits->channels ? KEYPROC_EXIT_SETUP
					      : KEYPROC_EXIT_CLOSED;
	pthread_mutex_destroy(&kp.lock);
	return status;
}

int keyproc_main(int argc, char **argv)
{
	struct keyproc_limits limits = {0, 0, 1};
	int fds[KEYPROC_CHANNELS_MAX];
	struct stat st;

	for (int i = 1; i + 1 < argc; i += 2) {
		char *end;
		unsigned long v = strtoul(argv[i + 1], &end, 10);
		if (*end != 0 || v > 1000000)
			return KEYPROC_EXIT_SETUP;
		if (strcmp(argv[i], "--channels") == 0)
			limits.channels = (unsigned)v;
		else if (strcmp(argv[i], "--rate") == 0)
			limits.sign_rate_per_s = (unsigned)v;
		else if (strcmp(argv[i], "--filter") == 0)
			limits.filter = v != 0;
		else if (strcmp(argv[i], "--log") == 0 && v <= LOG_LEVEL_OFF)
			log_set_level((enum log_level)v);
		else
			return KEYPROC_EXIT_SETUP;
	}
	if (argc % 2 != 1 || limits.channels == 0 || limits.channels > KEYPROC_CHANNELS_MAX) {
		fprintf(stderr, "hromada keyproc: started by `hromada serve` and `hromada up` "
				"only\n");
		return KEYPROC_EXIT_SETUP;
	}
	/* die with the process it serves, even if that one is killed outright */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		return KEYPROC_EXIT_SETUP;
	log_scope_set_role("keyproc");
	for (unsigned i = 0; i < limits.channels; i++) {
		fds[i] = KEYPROC_FIRST_FD + (int)i;
		if (fstat(fds[i], &st) != 0 || !S_ISSOCK(st.st_mode))
			return KEYPROC_EXIT_SETUP;
	}
	return keyproc_serve(fds, &limits);
}
