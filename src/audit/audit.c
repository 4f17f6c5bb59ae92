/*
 * audit.c — the gateway's audit log behind the seam of audit.h: entries made
 * from exchanges, appended durably to the Merkle log, tree heads signed by a
 * thread of their own, proofs and a person's history served from stored
 * hashes.
 *
 * Why a thread signs the heads: one ECDSA signature per exchange would cost as
 * much as the exchange's own signatures; a head every interval_ms covers every
 * entry appended meanwhile (DESIGN.md §9: batching audit signatures into signed
 * tree heads is the intended saving). An exchange is answered once its entry is
 * durable; its proof is available from the next head on.
 */
#include "audit/audit.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "audit/audit_log.h"
#include "core/base64.h"
#include "core/file.h"
#include "core/error.h"
#include "core/log.h"
#include "core/secret_key.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"

#define AUDIT_PERSONS_REMEMBERED 8192
#define STAGE                    "audit"
/* locks numbering the entries of one person (by the person hash's first byte) */
#define PERSON_STRIPES 64

struct audit {
	struct secret_key *person_key;  /* pseudonyms of people in entries */
	struct secret_key *content_key; /* hashes of bodies */
	struct audit_log *log;
	struct signer *signer;
	struct tree_head_file *heads;
	int64_t interval_ms;
	uint64_t entries;

	pthread_mutex_t person_lock[PERSON_STRIPES]; /* count, encode and write: one seq each */

	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t wake;
	pthread_cond_t published; /* latest grew */
	struct tree_head latest;
	uint64_t appended; /* entries appended since start, for the `entries` trigger */
	bool soon, stopping, thread_started;
	pthread_t thread;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Signs and keeps a head over the log as it is now, if it grew (or none exists yet). */
static hr_status publish(struct audit *a, bool always, struct hr_error *err)
{
	struct tree_head head, last;
	hr_status rc;

	pthread_mutex_lock(&a->lock);
	last = a->latest;
	pthread_mutex_unlock(&a->lock);
	memset(&head, 0, sizeof(head));
	if ((rc = audit_log_head(a->log, &head.tree_size, head.root, err)) != HR_OK)
		return rc;
	if (!always && head.tree_size == last.tree_size)
		return HR_OK;
	head.timestamp_ms = now_ms();
	if (head.timestamp_ms < last.timestamp_ms) /* the clock stepped back */
		head.timestamp_ms = last.timestamp_ms;
	/* the tree behind a head is durable before the head is published */
	if ((rc = audit_log_checkpoint(a->log, err)) != HR_OK ||
	    (rc = tree_head_sign(&head, a->signer, err)) != HR_OK ||
	    (rc = tree_head_file_append(a->heads, &head, err)) != HR_OK)
		return rc;
	pthread_mutex_lock(&a->lock);
	a->latest = head;
	pthread_cond_broadcast(&a->published);
	pthread_mutex_unlock(&a->lock);
	return HR_OK;
}

static void *publisher(void *arg)
{
	struct audit *a = arg;
	struct timespec deadline;

	log_scope_set_role("gateway");
	pthread_mutex_lock(&a->lock);
	while (!a->stopping) {
		struct hr_error err = {0};

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += a->interval_ms / 1000;
		deadline.tv_nsec += (a->interval_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		while (!a->stopping && !a->soon && a->appended < a->entries &&
		       pthread_cond_timedwait(&a->wake, &a->lock, &deadline) != ETIMEDOUT)
			;
		a->soon = false;
		a->appended = 0;
		pthread_mutex_unlock(&a->lock);
		if (publish(a, false, &err) != HR_OK)
			log_error("audit.tree_head", "no tree head signed: %s", err.message);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* DIR/tree-head.pem: the certificate of the key that signs this log's heads. */
static hr_status keep_certificate(const char *dir, const char *cert_path, struct hr_error *err)
{
	char path[PATH_MAX];
	struct buf given, kept;
	hr_status rc;

	snprintf(path, sizeof(path), "%s/tree-head.pem", dir);
	buf_init(&given, 64 * 1024);
	buf_init(&kept, 64 * 1024);
	if ((rc = file_read(cert_path, &given, err)) != HR_OK)
		goto done;
	rc = file_read(path, &kept, NULL);
	if (rc == HR_E_NOT_FOUND)
		rc = file_write_atomic(path, given.data, given.len, 0644, err);
	else if (rc != HR_OK)
		rc = hr_error_set(err, rc, STAGE, "cannot read %s", path);
	else if (kept.len != given.len || memcmp(kept.data, given.data, given.len) != 0)
		rc = hr_error_set(err, HR_E_CONFLICT, STAGE,
				  "%s is not the tree-head certificate configured (%s): a log "
				  "keeps the key that signed its heads",
				  path, cert_path);
done:
	buf_clear(&given);
	buf_clear(&kept);
	return rc;
}

/* The newest kept head must describe the log as it is: no entry lost or changed. */
static hr_status check_latest(struct audit *a, struct hr_error *err)
{
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	struct merkle_source src = audit_log_source(a->log);
	hr_status rc;

	if ((rc = audit_log_head(a->log, &size, root, err)) != HR_OK)
		return rc;
	/* the first open signs the empty log before any entry: entries without any
	 * head mean the heads were removed, and signing them now would launder it */
	if (a->latest.timestamp_ms == 0 && size > 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the log holds %llu entries but no signed tree head: %s is "
				    "missing or emptied (run hromada audit verify)",
				    (unsigned long long)size, TREE_HEAD_FILE);
	if (a->latest.timestamp_ms == 0)
		return HR_OK;
	if (size < a->latest.tree_size)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the log holds %llu entries but a signed tree head covers "
				    "%llu: entries are missing (run hromada audit verify)",
				    (unsigned long long)size,
				    (unsigned long long)a->latest.tree_size);
	if ((rc = merkle_root(&src, a->latest.tree_size, root, err)) != HR_OK)
		return rc;
	if (memcmp(root, a->latest.root, MERKLE_HASH_LEN) != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the log's first %llu entries do not match the newest signed "
				    "tree head (run hromada audit verify)",
				    (unsigned long long)a->latest.tree_size);
	return HR_OK;
}

/* The HMAC keys, in keys_dir; keys an older layout kept in the log's own
 * directory are moved out of it first, so an auditor's copy of the log never
 * carries the means to reverse its pseudonyms. */
static hr_status open_keys(struct audit *a, const struct audit_options *o, struct hr_error *err)
{
	const char *names[2] = {"person.key", "content.key"};
	struct secret_key **keys[2] = {&a->person_key, &a->content_key};
	const char *dir = o->keys_dir != NULL ? o->keys_dir : o->dir;
	char old_path[PATH_MAX], path[PATH_MAX];
	hr_status rc;

	if (o->keys_dir != NULL && mkdir(o->keys_dir, 0700) != 0 && errno != EEXIST)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", o->keys_dir,
				    strerror(errno));
	for (int i = 0; i < 2; i++) {
		snprintf(old_path, sizeof(old_path), "%s/%s", o->dir, names[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((o->keys_dir != NULL && (rc = secret_key_move(old_path, path, err)) != HR_OK) ||
		    (rc = secret_key_open(path, keys[i], err)) != HR_OK)
			return rc;
	}
	/* a person's pseudonym comes back with every exchange about them; bodies
	 * (content.key) are seen once */
	if (secret_key_remember(a->person_key, AUDIT_PERSONS_REMEMBERED) != HR_OK)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

hr_status audit_open(const struct audit_options *o, struct audit **out, struct hr_error *err)
{
	struct audit *a = calloc(1, sizeof(*a));
	hr_status rc;

	*out = NULL;
	if (a == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	pthread_cond_init(&a->published, NULL);
	for (int i = 0; i < PERSON_STRIPES; i++)
		pthread_mutex_init(&a->person_lock[i], NULL);
	a->interval_ms = o->interval_ms > 0 ? o->interval_ms : 1000;
	a->entries = o->entries > 0 ? (uint64_t)o->entries : 1000;
	if (o->tree_head_key == NULL || o->tree_head_certificate == NULL) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the audit log needs a tree-head key and certificate");
		goto fail;
	}
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", o->dir,
				  strerror(errno));
		goto fail;
	}
	if ((rc = open_keys(a, o, err)) != HR_OK ||
	    (rc = keep_certificate(o->dir, o->tree_head_certificate, err)) != HR_OK ||
	    (rc = signer_open_files(o->tree_head_key, o->tree_head_certificate, &a->signer, err)) !=
		HR_OK ||
	    (rc = audit_log_open(o->dir, &a->log, err)) != HR_OK ||
	    (rc = tree_head_file_open(o->dir, &a->heads, &a->latest, err)) != HR_OK ||
	    (rc = check_latest(a, err)) != HR_OK ||
	    (rc = publish(a, a->latest.timestamp_ms == 0, err)) != HR_OK)
		goto fail;
	if (pthread_create(&a->thread, NULL, publisher, a) != 0) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "cannot start the tree-head thread");
		goto fail;
	}
	a->thread_started = true;
	*out = a;
	return HR_OK;
fail:
	audit_close(a);
	return rc;
}

void audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->thread_started) {
		struct hr_error err = {0};

		pthread_mutex_lock(&a->lock);
		a->stopping = true;
		pthread_cond_signal(&a->wake);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
		/* a last head, so a clean stop leaves every entry under a signature */
		if (publish(a, false, &err) != HR_OK)
			log_error("audit.tree_head", "no final tree head: %s", err.message);
	}
	tree_head_file_close(a->heads);
	audit_log_close(a->log);
	signer_free(a->signer);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->published);
	for (int i = 0; i < PERSON_STRIPES; i++)
		pthread_mutex_destroy(&a->person_lock[i]);
	pthread_mutex_destroy(&a->lock);
	secret_key_free(a->person_key);
	secret_key_free(a->content_key);
	free(a);
}

hr_status audit_record(struct audit *a, const struct audit_entry *e, uint64_t *index,
		       struct hr_error *err)
{
	uint8_t person_hash[32];
	const uint8_t *person = NULL;
	pthread_mutex_t *stripe = NULL;
	struct audit_entry_fields f;
	struct buf bytes;
	uint64_t at = 0;
	hr_status rc;

	if (e->person != NULL) {
		if ((rc = secret_key_hmac(a->person_key, e->person, strlen(e->person), person_hash,
					  err)) != HR_OK)
			return rc;
		person = person_hash;
		stripe = &a->person_lock[person_hash[0] % PERSON_STRIPES];
	}
	f = (struct audit_entry_fields){.client = e->client,
					.provider = e->provider,
					.service = e->service,
					.purpose = e->purpose,
					.legal_basis = e->legal_basis,
					.consent_id = e->consent_id,
					.user = e->user,
					.issue = e->issue,
					.person_hash = person,
					.request_hash = e->request_hash,
					.response_hash = e->response_hash,
					.time = e->time,
					.status = e->status,
					.seq = -1,
					.refused = e->refused,
					.suppressed = e->suppressed};
	buf_init(&bytes, AUDIT_ENTRY_MAX);
	/* the person's count and the entry's place in the log under one lock: no
	 * other entry of this person can come between them */
	if (stripe != NULL) {
		pthread_mutex_lock(stripe);
		f.seq = (int64_t)audit_log_person_count(a->log, person);
	}
	if ((rc = audit_entry_encode(&f, &bytes, err)) == HR_OK)
		rc = audit_log_write(a->log, bytes.data, bytes.len, person, &at, err);
	if (stripe != NULL)
		pthread_mutex_unlock(stripe);
	buf_clear(&bytes);
	/* durability outside the person's lock: appends still share one fdatasync */
	if (rc == HR_OK)
		rc = audit_log_wait(a->log, at, err);
	if (rc != HR_OK)
		return rc;
	if (index != NULL)
		*index = at;
	pthread_mutex_lock(&a->lock);
	if (++a->appended >= a->entries)
		pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	return HR_OK;
}

hr_status audit_content_hash(const struct audit *a, const void *data, size_t len, uint8_t out[32])
{
	uint8_t digest[32];
	unsigned int n = 0;
	hr_status rc;

	/* the MAC covers the body's SHA-256: bodies are too large to send to the
	 * key process, and a digest keyed this way is as unguessable as the body's
	 * own MAC */
	if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return HR_E_CRYPTO;
	rc = secret_key_hmac(a->content_key, digest, sizeof(digest), out, NULL);
	OPENSSL_cleanse(digest, sizeof(digest));
	return rc;
}

void audit_latest_head(struct audit *a, struct tree_head *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->latest;
	pthread_mutex_unlock(&a->lock);
}

void audit_publish_soon(struct audit *a)
{
	pthread_mutex_lock(&a->lock);
	a->soon = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

hr_status audit_wait_signed(struct audit *a, uint64_t index, int64_t timeout_ms,
			    struct hr_error *err)
{
	struct timespec deadline;
	bool covered;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&a->lock);
	a->soon = true;
	pthread_cond_signal(&a->wake);
	while (a->latest.tree_size <= index &&
	       pthread_cond_timedwait(&a->published, &a->lock, &deadline) != ETIMEDOUT)
		;
	covered = a->latest.tree_size > index;
	pthread_mutex_unlock(&a->lock);
	if (!covered)
		return hr_error_set(err, HR_E_BUSY, STAGE,
				    "no tree head covered entry %llu in time",
				    (unsigned long long)index);
	return HR_OK;
}

static uint64_t published_size(struct audit *a)
{
	struct tree_head head;

	audit_latest_head(a, &head);
	return head.tree_size;
}

hr_status audit_inclusion(struct audit *a, uint64_t index, uint64_t tree_size,
			  uint8_t leaf_hash[MERKLE_HASH_LEN], uint8_t proof[][MERKLE_HASH_LEN],
			  size_t *count, struct hr_error *err)
{
	struct merkle_source src = audit_log_source(a->log);
	uint64_t published = published_size(a);

	if (tree_size > published || index >= tree_size)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "index must be below tree_size, and tree_size at most %llu "
				    "(the newest signed tree head)",
				    (unsigned long long)published);
	if (src.node(src.ctx, 0, index, leaf_hash) != HR_OK)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot read leaf %llu",
				    (unsigned long long)index);
	return merkle_inclusion_proof(&src, index, tree_size, proof, count, err);
}

hr_status audit_consistency(struct audit *a, uint64_t first, uint64_t second,
			    uint8_t proof[][MERKLE_HASH_LEN], size_t *count, struct hr_error *err)
{
	struct merkle_source src = audit_log_source(a->log);
	uint64_t published = published_size(a);

	if (first == 0 || first > second || second > published)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "need 0 < first <= second <= %llu (the newest signed tree "
				    "head)",
				    (unsigned long long)published);
	return merkle_consistency_proof(&src, first, second, proof, count, err);
}

/* One entry of a history: its bytes, what they say, and its proof against head. */
static hr_status history_item(struct audit *a, uint64_t index, const struct tree_head *head,
			      json_t **out, struct hr_error *err)
{
	uint8_t leaf[MERKLE_HASH_LEN], proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	struct buf bytes, text;
	json_t *fields = NULL, *inclusion = NULL;
	size_t count = 0;
	hr_status rc;

	*out = NULL;
	buf_init(&bytes, AUDIT_ENTRY_MAX);
	buf_init(&text, AUDIT_ENTRY_MAX * 2);
	if ((rc = audit_log_entry(a->log, index, &bytes, err)) != HR_OK ||
	    (rc = audit_entry_decode(bytes.data, bytes.len, &fields, err)) != HR_OK ||
	    (rc = audit_inclusion(a, index, head->tree_size, leaf, proof, &count, err)) != HR_OK)
		goto done;
	if ((rc = base64_encode(bytes.data, bytes.len, BASE64_STANDARD, &text)) != HR_OK ||
	    (inclusion = tree_head_proof_to_json(proof, count)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	*out =
	    json_pack("{s:I,s:s%,s:O,s:O}", "leaf_index", (json_int_t)index, "entry",
		      (const char *)text.data, text.len, "fields", fields, "inclusion", inclusion);
	if (*out == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
done:
	json_decref(fields);
	json_decref(inclusion);
	buf_clear(&bytes);
	buf_clear(&text);
	return rc;
}

hr_status audit_history(struct audit *a, const char *person, uint64_t before, size_t max,
			uint64_t read_index, json_t **out, struct hr_error *err)
{
	json_t *this_read = NULL;
	uint8_t person_hash[32];
	uint64_t indices[AUDIT_HISTORY_MAX + 1];
	struct tree_head head;
	json_t *entries = json_array(), *item, *head_json;
	size_t count = 0, pending = 0, listed = 0;
	hr_status rc;

	*out = NULL;
	if (entries == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (max == 0 || max > AUDIT_HISTORY_MAX)
		max = AUDIT_HISTORY_MAX;
	audit_latest_head(a, &head);
	if (secret_key_hmac(a->person_key, person, strlen(person), person_hash, NULL) != HR_OK) {
		rc = hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the person");
		goto fail;
	}
	/* newer than the head: counted (up to a page of them), listed with the next head */
	if (before == UINT64_MAX) {
		if ((rc = audit_log_person(a->log, person_hash, UINT64_MAX, indices,
					   AUDIT_HISTORY_MAX, &count, err)) != HR_OK)
			goto fail;
		while (pending < count && indices[pending] >= head.tree_size)
			pending++;
	}
	if (before > head.tree_size)
		before = head.tree_size;
	if ((rc = audit_log_person(a->log, person_hash, before, indices, max + 1, &count, err)) !=
	    HR_OK)
		goto fail;
	for (size_t i = 0; i < count && listed < max; i++, listed++) {
		if ((rc = history_item(a, indices[i], &head, &item, err)) != HR_OK)
			goto fail;
		json_array_append_new(entries, item);
	}
	if (read_index != UINT64_MAX &&
	    (rc = history_item(a, read_index, &head, &this_read, err)) != HR_OK)
		goto fail;
	if ((head_json = tree_head_to_json(&head)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	*out = json_pack("{s:o,s:o,s:I,s:b}", "tree_head", head_json, "entries", entries, "pending",
			 (json_int_t)pending, "more", count > max);
	if (*out == NULL) {
		json_decref(this_read);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	if (this_read != NULL)
		json_object_set_new(*out, "this_read", this_read);
	return HR_OK;
fail:
	json_decref(this_read);
	json_decref(entries);
	return rc;
}
