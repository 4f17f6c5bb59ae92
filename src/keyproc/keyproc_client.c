/*
 * keyproc_client.c — starting, using and restarting the key process (see
 * keyproc_client.h; the process itself is keyproc.c).
 *
 * State, all under one mutex:
 *  - the channels: N socketpair ends, each used by one request at a time;
 *  - the keys this process opened (path, handle, a hash of the public key), so
 *    a restarted key process gets the same keys loaded again — and a key file
 *    replaced meanwhile is refused rather than silently swapped;
 *  - live/dead: while dead no channel is handed out, callers get 503.
 * One watcher thread waits for the key process to exit and brings it back.
 *
 * The key process is started by fork + exec: after fork only dup2, close_range
 * and execv run, so a multi-threaded parent (a restart) cannot deadlock the
 * child, and the child starts with none of this process's memory.
 */
#include "keyproc/keyproc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/secret_key.h"
#include "credential/signer.h"
#include "keyproc/keyproc.h"
#include "keyproc/keyproc_msg.h"

#define STAGE             "keyproc"
#define CLIENT_KEYS_MAX   1024
#define RESTART_DELAY_MAX 30000u
#define YOUNG_DEATH_US    (60ull * 1000 * 1000)

enum client_state { STATE_OFF, STATE_LIVE, STATE_DEAD, STATE_REFUSED };

struct client_key {
	bool used;
	bool secret; /* an HMAC key (LOAD_SECRET), not a signing key */
	bool lost;   /* the restarted key process could not load it again */
	uint32_t handle;
	int64_t alg;
	uint8_t public_hash[32];
	char path[KEYPROC_PATH_MAX];
};

struct client {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	enum client_state state;
	bool stopping;
	pid_t pid;
	uint64_t started_us;
	unsigned epoch; /* one per key process: a channel of an old one is not released */
	int fds[KEYPROC_CHANNELS_MAX];
	bool busy[KEYPROC_CHANNELS_MAX];
	unsigned busy_count;
	struct keyproc_client_options options;
	char executable[PATH_MAX];
	char name[PATH_MAX]; /* argv[0] of the key process: what ps shows */
	struct client_key keys[CLIENT_KEYS_MAX];
	pthread_t watcher;
	bool watching;
};

static struct client kc = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
};

struct remote_key {
	unsigned index; /* into kc.keys */
};

void keyproc_client_options_default(struct keyproc_client_options *o)
{
	memset(o, 0, sizeof(*o));
	o->filter = true;
}

/* Starts a key process on fresh socketpairs; fills kc.fds and kc.pid. */
static hr_status spawn(struct hr_error *err)
{
	int parent_end[KEYPROC_CHANNELS_MAX], child_end[KEYPROC_CHANNELS_MAX];
	char channels[16], rate[16], filter[4], level[4];
	/* the key process logs at this process's level (quiet under `up`'s default) */
	char *argv[] = {kc.executable, "keyproc", "--channels", channels, "--rate", rate,
			"--filter",    filter,    "--log",      level,    NULL};
	unsigned n = kc.options.channels, made = 0;
	pid_t pid;

	snprintf(channels, sizeof(channels), "%u", n);
	snprintf(rate, sizeof(rate), "%u", kc.options.sign_rate_per_s);
	snprintf(filter, sizeof(filter), "%d", kc.options.filter ? 1 : 0);
	snprintf(level, sizeof(level), "%d", (int)log_get_level());
	for (; made < n; made++) {
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
			break;
		parent_end[made] = pair[0];
		child_end[made] = pair[1];
	}
	if (made < n) {
		for (unsigned i = 0; i < made; i++) {
			close(parent_end[i]);
			close(child_end[i]);
		}
		return hr_error_set(err, HR_E_IO, STAGE, "socketpair: %s", strerror(errno));
	}
	pid = fork();
	if (pid == 0) {
		/* async-signal-safe calls only from here to execv */
		int moved[KEYPROC_CHANNELS_MAX];
		for (unsigned i = 0; i < n; i++)
			moved[i] = fcntl(child_end[i], F_DUPFD_CLOEXEC, 64);
		for (unsigned i = 0; i < n; i++)
			if (moved[i] < 0 || dup2(moved[i], KEYPROC_FIRST_FD + (int)i) < 0)
				_exit(KEYPROC_EXIT_SETUP);
		syscall(SYS_close_range, KEYPROC_FIRST_FD + n, ~0u, 0);
		execv(kc.executable, argv);
		_exit(KEYPROC_EXIT_SETUP);
	}
	for (unsigned i = 0; i < n; i++)
		close(child_end[i]);
	if (pid < 0) {
		for (unsigned i = 0; i < n; i++)
			close(parent_end[i]);
		return hr_error_set(err, HR_E_IO, STAGE, "fork: %s", strerror(errno));
	}
	for (unsigned i = 0; i < n; i++) {
		struct timeval timeout = {(time_t)(kc.options.timeout_ms / 1000),
					  (suseconds_t)(kc.options.timeout_ms % 1000) * 1000};
		(void)setsockopt(parent_end[i], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
		kc.fds[i] = parent_end[i];
		kc.busy[i] = false;
	}
	kc.pid = pid;
	kc.started_us = clock_monotonic_us();
	return HR_OK;
}

/* One request and its reply over fd; HR_E_UNAVAILABLE if the key process does
 * not answer properly within the timeout (it is then killed, to be restarted). */
static hr_status exchange_on(int fd, const struct keyproc_request *rq, struct keyproc_reply *rp,
			     struct hr_error *err)
{
	uint8_t wire[KEYPROC_WIRE_MAX + 1];
	size_t size = keyproc_request_encode(rq, wire);
	ssize_t n;

	if (size == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "request does not fit its message");
	do
		n = send(fd, wire, size, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)size)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE, "the key process is not running");
	/* one blocking read, bounded by the socket's SO_RCVTIMEO (spawn). Not a
	 * spin: polling for the reply halved one thread's round trip but cost the
	 * fetch path a third more CPU under load (docs/KEYS.md) */
	do
		n = read(fd, wire, sizeof(wire));
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "the key process did not answer within %u ms",
				    kc.options.timeout_ms);
	if (n <= 0 || keyproc_reply_decode(wire, (size_t)n, rq->type, rp) != HR_OK)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "the key process is not running (no proper reply)");
	return HR_OK;
}

/* Waits for a free channel of a live key process; -1 when there is none. */
static int channel_acquire(unsigned *epoch)
{
	int channel = -1;

	while (kc.state == STATE_LIVE && kc.busy_count == kc.options.channels)
		pthread_cond_wait(&kc.changed, &kc.lock);
	if (kc.state != STATE_LIVE)
		return -1;
	for (unsigned i = 0; i < kc.options.channels; i++) {
		if (!kc.busy[i]) {
			channel = (int)i;
			break;
		}
	}
	kc.busy[channel] = true;
	kc.busy_count++;
	*epoch = kc.epoch;
	return channel;
}

static void channel_release(int channel, hr_status outcome)
{
	kc.busy[channel] = false;
	kc.busy_count--;
	/* no answer in time: a hung key process is as good as a dead one */
	if (outcome == HR_E_UNAVAILABLE && kc.state == STATE_LIVE && kc.pid > 0)
		kill(kc.pid, SIGKILL);
	pthread_cond_broadcast(&kc.changed);
}

/* A request for key index (its current handle filled in here), under the lock
 * only to pick a channel. */
static hr_status exchange(int key, struct keyproc_request *rq, struct keyproc_reply *rp,
			  struct hr_error *err)
{
	unsigned epoch;
	int channel, fd;
	hr_status rc;

	pthread_mutex_lock(&kc.lock);
	channel = channel_acquire(&epoch);
	if (channel >= 0 && key >= 0 && kc.keys[key].lost) {
		channel_release(channel, HR_OK);
		pthread_mutex_unlock(&kc.lock);
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "the key process could not load %s again after a restart",
				    kc.keys[key].path);
	}
	if (channel >= 0 && key >= 0)
		rq->handle = kc.keys[key].handle;
	fd = channel >= 0 ? kc.fds[channel] : -1;
	pthread_mutex_unlock(&kc.lock);
	if (channel < 0)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "the key process is not running (restarting)");
	rc = exchange_on(fd, rq, rp, err);
	pthread_mutex_lock(&kc.lock);
	if (epoch == kc.epoch)
		channel_release(channel, rc);
	pthread_mutex_unlock(&kc.lock);
	return rc;
}

static hr_status status_error(const struct keyproc_reply *rp, const char *path,
			      struct hr_error *err)
{
	switch (rp->status) {
	case KEYPROC_OK:
		return HR_OK;
	case KEYPROC_NOT_FOUND:
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE, "the key process cannot read %s",
				    path);
	case KEYPROC_BAD_KEY:
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s holds no PEM private key the key process can use (P-256/"
				    "384/521 or RSA >= 2048)",
				    path);
	case KEYPROC_FULL:
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "the key process holds %d keys already", KEYPROC_KEYS_MAX);
	case KEYPROC_RATE_LIMITED:
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "%s signed its allowance for this second", path);
	default:
		return hr_error_set(err, HR_E_CRYPTO, STAGE,
				    "the key process could not sign with %s", path);
	}
}

static void public_hash(const uint8_t *der, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	EVP_Digest(der, len, out, &n, EVP_sha256(), NULL);
}

/* Takes a free entry of the key table for path; -1 when it is full. */
static int entry_take(const char *path, bool secret)
{
	int index = -1;

	pthread_mutex_lock(&kc.lock);
	for (int i = 0; i < CLIENT_KEYS_MAX && index < 0; i++)
		if (!kc.keys[i].used)
			index = i;
	if (index >= 0) {
		memset(&kc.keys[index], 0, sizeof(kc.keys[index]));
		kc.keys[index].used = true;
		kc.keys[index].secret = secret;
		snprintf(kc.keys[index].path, sizeof(kc.keys[index].path), "%s", path);
	}
	pthread_mutex_unlock(&kc.lock);
	return index;
}

static void entry_release(int index)
{
	pthread_mutex_lock(&kc.lock);
	kc.keys[index].used = false;
	pthread_mutex_unlock(&kc.lock);
}

/* Closes the entry's key in the key process (a dead one forgot it anyway) and
 * frees the entry. */
static void entry_close(int index)
{
	struct keyproc_request rq = {.type = KEYPROC_CLOSE};
	struct keyproc_reply rp;
	struct hr_error err = {0};

	(void)exchange(index, &rq, &rp, &err);
	entry_release(index);
}

/* The absolute path the key process is given; HR_OK and path filled. */
static hr_status absolute_path(const char *key_path, char path[PATH_MAX], struct hr_error *err)
{
	if (realpath(key_path, path) == NULL)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "cannot find %s: %s", key_path, strerror(errno));
	if (strlen(path) >= KEYPROC_PATH_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the path of %s is too long",
				    key_path);
	return HR_OK;
}

static hr_status remote_sign(void *impl, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
			     size_t *sig_len, struct hr_error *err)
{
	const struct remote_key *k = impl;
	const struct cose_alg *alg = cose_alg_find(kc.keys[k->index].alg);
	struct keyproc_request rq = {.type = KEYPROC_SIGN};
	struct keyproc_reply rp;
	size_t n;
	hr_status rc;

	if (alg == NULL || (n = cose_crypto_digest(alg, tbs, tbs_len, rq.payload)) == 0)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the data to sign");
	rq.length = (uint16_t)n;
	if ((rc = exchange((int)k->index, &rq, &rp, err)) != HR_OK)
		return rc;
	if ((rc = status_error(&rp, kc.keys[k->index].path, err)) != HR_OK)
		return rc;
	if (rp.length > *sig_len)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the signature does not fit");
	memcpy(sig, rp.payload, rp.length);
	*sig_len = rp.length;
	return HR_OK;
}

static void remote_free(void *impl)
{
	struct remote_key *k = impl;

	if (k == NULL)
		return;
	entry_close((int)k->index);
	free(k);
}

static const struct signer_ops remote_ops = {remote_sign, remote_free};

/*
 * Takes an entry for key_path and has the key process load it (type: LOAD or
 * LOAD_SECRET); *index is the entry, its handle set, and rp the reply. On
 * failure the entry is free again.
 */
static hr_status entry_load(uint16_t type, const char *key_path, int *index,
			    struct keyproc_reply *rp, struct hr_error *err)
{
	struct keyproc_request rq = {.type = type};
	char path[PATH_MAX];
	hr_status rc;

	if ((rc = absolute_path(key_path, path, err)) != HR_OK)
		return rc;
	if ((*index = entry_take(path, type == KEYPROC_LOAD_SECRET)) < 0)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "too many keys open");
	rq.length = (uint16_t)strlen(path);
	memcpy(rq.payload, path, rq.length);
	if ((rc = exchange(-1, &rq, rp, err)) != HR_OK ||
	    (rc = status_error(rp, path, err)) != HR_OK) {
		entry_release(*index);
		return rc;
	}
	pthread_mutex_lock(&kc.lock);
	kc.keys[*index].handle = rp->handle;
	kc.keys[*index].alg = rp->alg;
	public_hash(rp->payload, rp->length, kc.keys[*index].public_hash);
	pthread_mutex_unlock(&kc.lock);
	return HR_OK;
}

static hr_status remote_open(const char *key_path, const struct signer_cert *cert,
			     struct signer **out, struct hr_error *err)
{
	struct keyproc_reply rp;
	struct remote_key *k;
	const unsigned char *p;
	const struct cose_alg *alg;
	EVP_PKEY *public_key;
	int index;
	hr_status rc;

	*out = NULL;
	if ((rc = entry_load(KEYPROC_LOAD, key_path, &index, &rp, err)) != HR_OK)
		return rc;
	p = rp.payload;
	public_key = d2i_PUBKEY(NULL, &p, rp.length);
	alg = public_key != NULL ? cose_alg_for_key(key_kind_of(public_key)) : NULL;
	if (alg == NULL || alg->id != rp.alg)
		rc = hr_error_set(err, HR_E_CRYPTO, STAGE, "the key process sent a bad public key");
	else if ((k = calloc(1, sizeof(*k))) == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (rc != HR_OK) {
		EVP_PKEY_free(public_key);
		entry_close(index);
		return rc;
	}
	k->index = (unsigned)index;
	/* from here the signer owns k, also on failure */
	rc = signer_from_ops(&remote_ops, k, public_key, cert, out, err);
	EVP_PKEY_free(public_key);
	return rc;
}

static hr_status remote_hmac(void *impl, const void *data, size_t len, uint8_t out[32],
			     struct hr_error *err)
{
	const struct remote_key *k = impl;
	struct keyproc_request rq = {.type = KEYPROC_HMAC};
	struct keyproc_reply rp;
	hr_status rc;

	if (len > KEYPROC_DATA_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "too much data for one MAC");
	rq.length = (uint16_t)len;
	memcpy(rq.payload, data, len);
	if ((rc = exchange((int)k->index, &rq, &rp, err)) != HR_OK ||
	    (rc = status_error(&rp, kc.keys[k->index].path, err)) != HR_OK)
		return rc;
	if (rp.length != KEYPROC_MAC_LEN)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "the key process sent a bad MAC");
	memcpy(out, rp.payload, KEYPROC_MAC_LEN);
	return HR_OK;
}

static const struct secret_key_ops remote_secret_ops = {remote_hmac, remote_free};

static hr_status remote_secret_open(const char *key_path, struct secret_key **out,
				    struct hr_error *err)
{
	struct keyproc_reply rp;
	struct remote_key *k;
	int index;
	hr_status rc;

	*out = NULL;
	if ((rc = entry_load(KEYPROC_LOAD_SECRET, key_path, &index, &rp, err)) != HR_OK)
		return rc;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		entry_close(index);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	k->index = (unsigned)index;
	if ((*out = secret_key_new(&remote_secret_ops, k)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

/* Loads every open key into a new key process, over channel 0, before it goes
 * live. A key whose file now holds another key, or that cannot be read, is
 * marked lost; false (the new process killed) when it stops answering. */
static bool reload_keys(void)
{
	for (int i = 0; i < CLIENT_KEYS_MAX; i++) {
		struct keyproc_request rq = {.type = KEYPROC_LOAD};
		struct keyproc_reply rp;
		struct hr_error err = {0};
		struct client_key *key = &kc.keys[i];
		uint8_t hash[32];

		if (!key->used || key->handle == 0)
			continue;
		rq.type = key->secret ? KEYPROC_LOAD_SECRET : KEYPROC_LOAD;
		rq.length = (uint16_t)strlen(key->path);
		memcpy(rq.payload, key->path, rq.length);
		if (exchange_on(kc.fds[0], &rq, &rp, &err) != HR_OK) {
			/* the new key process does not answer: not one more key waits
			 * on it (the lock is held); it dies and the watcher tries again */
			log_msg(LOG_LEVEL_ERROR, "keyproc.reload_failed", "%s", err.message);
			kill(kc.pid, SIGKILL);
			return false;
		}
		if (rp.status != KEYPROC_OK) {
			key->lost = true;
			log_msg(LOG_LEVEL_ERROR, "keyproc.reload_failed", "%s: %s", key->path,
				err.message[0] ? err.message : "not loaded");
			continue;
		}
		public_hash(rp.payload, rp.length, hash);
		key->lost =
		    !key->secret && (rp.alg != key->alg || memcmp(hash, key->public_hash, 32) != 0);
		if (key->lost)
			log_msg(LOG_LEVEL_ERROR, "keyproc.key_changed",
				"%s holds another key than at start: not used", key->path);
		key->handle = rp.handle;
	}
	return true;
}

/* Waits up to ms, or until stop; true when stopping. Lock held. */
static bool wait_or_stop(unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!kc.stopping && pthread_cond_timedwait(&kc.changed, &kc.lock, &until) == 0)
		;
	return kc.stopping;
}

static void *watch(void *unused)
{
	unsigned delay = kc.options.restart_delay_ms;
	int status;

	(void)unused;
	for (;;) {
		pid_t pid = kc.pid;
		struct hr_error err = {0};

		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&kc.lock);
		kc.state = STATE_DEAD;
		kc.epoch++;
		kc.pid = 0;
		pthread_cond_broadcast(&kc.changed);
		while (kc.busy_count > 0) /* their I/O fails at once: the peer is gone */
			pthread_cond_wait(&kc.changed, &kc.lock);
		for (unsigned i = 0; i < kc.options.channels; i++)
			close(kc.fds[i]);
		if (kc.stopping) {
			kc.state = STATE_OFF;
			pthread_mutex_unlock(&kc.lock);
			return NULL;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == KEYPROC_EXIT_MALFORMED) {
			kc.state = STATE_REFUSED;
			pthread_mutex_unlock(&kc.lock);
			log_msg(
			    LOG_LEVEL_ERROR, "keyproc.refused",
			    "the key process received a malformed message from this process and "
			    "ended; it is not restarted: every signature fails from now on");
			return NULL;
		}
		log_msg(LOG_LEVEL_ERROR, "keyproc.died", "pid %d %s %d; restarting in %u ms",
			(int)pid, WIFSIGNALED(status) ? "killed by signal" : "exited with",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), delay);
		if (clock_monotonic_us() - kc.started_us > YOUNG_DEATH_US)
			delay = kc.options.restart_delay_ms;
		for (;;) {
			if (wait_or_stop(delay)) {
				kc.state = STATE_OFF;
				pthread_mutex_unlock(&kc.lock);
				return NULL;
			}
			delay = delay * 2 > RESTART_DELAY_MAX ? RESTART_DELAY_MAX : delay * 2;
			if (spawn(&err) == HR_OK)
				break;
			log_msg(LOG_LEVEL_ERROR, "keyproc.restart_failed", "%s", err.message);
		}
		if (!reload_keys()) {
			pthread_mutex_unlock(&kc.lock);
			continue;
		}
		kc.state = STATE_LIVE;
		pthread_cond_broadcast(&kc.changed);
		pthread_mutex_unlock(&kc.lock);
		log_msg(LOG_LEVEL_WARN, "keyproc.restarted", "pid %d serves the keys again",
			(int)kc.pid);
	}
}

hr_status keyproc_client_start(const struct keyproc_client_options *o, struct hr_error *err)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	hr_status rc;

	if (kc.state != STATE_OFF)
		return hr_error_set(err, HR_E_STATE, STAGE, "the key process runs already");
	kc.options = *o;
	if (kc.options.channels == 0)
		kc.options.channels = cores < 1                          ? 4
				      : 4 * cores > KEYPROC_CHANNELS_MAX ? KEYPROC_CHANNELS_MAX
									 : 4 * (unsigned)cores;
	if (kc.options.channels > KEYPROC_CHANNELS_MAX)
		kc.options.channels = KEYPROC_CHANNELS_MAX;
	if (kc.options.restart_delay_ms == 0)
		kc.options.restart_delay_ms = 1000;
	if (kc.options.timeout_ms == 0)
		kc.options.timeout_ms = 5000;
	/* /proc/self/exe still runs this binary if an upgrade replaced the file */
	snprintf(kc.executable, sizeof(kc.executable), "%s",
		 o->executable ? o->executable : "/proc/self/exe");
	if (realpath(kc.executable, kc.name) == NULL)
		snprintf(kc.name, sizeof(kc.name), "%s", kc.executable);
	kc.stopping = false;
	if ((rc = spawn(err)) != HR_OK)
		return rc;
	kc.state = STATE_LIVE;
	if (pthread_create(&kc.watcher, NULL, watch, NULL) != 0) {
		for (unsigned i = 0; i < kc.options.channels; i++)
			close(kc.fds[i]);
		kill(kc.pid, SIGKILL);
		waitpid(kc.pid, NULL, 0);
		kc.state = STATE_OFF;
		return hr_error_set(err, HR_E_NOMEM, STAGE, "cannot start the watcher thread");
	}
	kc.watching = true;
	signer_set_key_loader(remote_open);
	secret_key_set_loader(remote_secret_open);
	log_msg(LOG_LEVEL_INFO, "keyproc.started", "pid %d holds the private keys (%u channels)",
		(int)kc.pid, kc.options.channels);
	return HR_OK;
}

void keyproc_client_stop(void)
{
	pthread_mutex_lock(&kc.lock);
	if (!kc.watching) {
		pthread_mutex_unlock(&kc.lock);
		return;
	}
	kc.stopping = true;
	if (kc.state == STATE_LIVE)
		for (unsigned i = 0; i < kc.options.channels; i++)
			shutdown(kc.fds[i], SHUT_RDWR); /* it reads EOF and exits */
	pthread_cond_broadcast(&kc.changed);
	pthread_mutex_unlock(&kc.lock);
	pthread_join(kc.watcher, NULL);
	kc.watching = false;
	signer_set_key_loader(NULL);
	secret_key_set_loader(NULL);
	kc.state = STATE_OFF;
}

int keyproc_client_pid(void)
{
	int pid;

	pthread_mutex_lock(&kc.lock);
	pid = kc.state == STATE_LIVE ? (int)kc.pid : 0;
	pthread_mutex_unlock(&kc.lock);
	return pid;
}
