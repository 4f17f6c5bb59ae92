/*
 * tree_head.c — signing, checking and keeping the audit log's signed tree heads
 * (tree_head.h; RFC 9162 §4.10).
 */
#include "audit/tree_head.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/file.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"

#define STAGE "tree_head"

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void tree_head_tbs(const struct tree_head *h, uint8_t out[TREE_HEAD_TBS_LEN])
{
	put_u64(out, h->timestamp_ms);
	put_u64(out + 8, h->tree_size);
	out[16] = MERKLE_HASH_LEN;
	memcpy(out + 17, h->root, MERKLE_HASH_LEN);
	out[17 + MERKLE_HASH_LEN] = 0; /* extensions: none */
	out[18 + MERKLE_HASH_LEN] = 0;
}

hr_status tree_head_sign(struct tree_head *h, struct signer *signer, struct hr_error *err)
{
	uint8_t tbs[TREE_HEAD_TBS_LEN];
	size_t len = sizeof(h->signature);
	const struct cose_alg *alg = signer_alg(signer);
	hr_status rc;

	if (alg == NULL || alg->id != -7) /* ES256 */
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				    "the tree-head key must be ECDSA P-256");
	tree_head_tbs(h, tbs);
	if ((rc = signer_sign(signer, tbs, sizeof(tbs), h->signature, &len, err)) != HR_OK)
		return rc;
	if (len != TREE_HEAD_SIGNATURE_LEN)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "unexpected signature length %zu",
				    len);
	return HR_OK;
}

hr_status tree_head_verify(const struct tree_head *h, EVP_PKEY *key, struct hr_error *err)
{
	uint8_t tbs[TREE_HEAD_TBS_LEN];
	enum key_kind kind = key_kind_of(key);

	if (kind != KEY_KIND_P256)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the tree-head key must be ECDSA P-256");
	tree_head_tbs(h, tbs);
	return cose_crypto_verify(cose_alg_find(-7), key, kind, tbs, sizeof(tbs), h->signature,
				  sizeof(h->signature), err);
}

static json_t *b64(const uint8_t *data, size_t len)
{
	struct buf text;
	json_t *out = NULL;

	buf_init(&text, 256);
	if (base64_encode(data, len, BASE64_STANDARD, &text) == HR_OK)
		out = json_stringn((const char *)text.data, text.len);
	buf_clear(&text);
	return out;
}

json_t *tree_head_to_json(const struct tree_head *h)
{
	if (h->tree_size > INT64_MAX || h->timestamp_ms > INT64_MAX)
		return NULL;
	return json_pack("{s:I,s:o,s:I,s:o}", "tree_size", (json_int_t)h->tree_size, "root_hash",
			 b64(h->root, sizeof(h->root)), "timestamp", (json_int_t)h->timestamp_ms,
			 "signature", b64(h->signature, sizeof(h->signature)));
}

json_t *tree_head_hash_to_json(const uint8_t hash[MERKLE_HASH_LEN])
{
	return b64(hash, MERKLE_HASH_LEN);
}

json_t *tree_head_proof_to_json(uint8_t proof[][MERKLE_HASH_LEN], size_t count)
{
	json_t *array = json_array();

	for (size_t i = 0; i < count && array != NULL; i++)
		if (json_array_append_new(array, b64(proof[i], MERKLE_HASH_LEN)) != 0) {
			json_decref(array);
			array = NULL;
		}
	return array;
}

static hr_status get_b64(const json_t *json, const char *key, uint8_t *out, size_t len,
			 struct hr_error *err);

hr_status tree_head_hash_from_json(const json_t *json, uint8_t hash[MERKLE_HASH_LEN],
				   struct hr_error *err)
{
	json_t *wrap = json_pack("{s:O}", "hash", json);
	hr_status rc;

	if (wrap == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "a hash must be base64 text");
	rc = get_b64(wrap, "hash", hash, MERKLE_HASH_LEN, err);
	json_decref(wrap);
	return rc;
}

hr_status tree_head_proof_from_json(const json_t *json, uint8_t proof[][MERKLE_HASH_LEN],
				    size_t *count, struct hr_error *err)
{
	const json_t *v;
	size_t i;
	hr_status rc;

	*count = 0;
	if (!json_is_array(json) || json_array_size(json) > MERKLE_PROOF_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a proof is an array of at most %d hashes", MERKLE_PROOF_MAX);
	json_array_foreach(json, i, v)
	{
		if ((rc = tree_head_hash_from_json(v, proof[i], err)) != HR_OK)
			return rc;
	}
	*count = json_array_size(json);
	return HR_OK;
}

static hr_status get_b64(const json_t *json, const char *key, uint8_t *out, size_t len,
			 struct hr_error *err)
{
	const json_t *v = json_object_get(json, key);
	struct buf bytes;
	hr_status rc = HR_OK;

	buf_init(&bytes, 128);
	if (!json_is_string(v) ||
	    base64_decode(json_string_value(v), json_string_length(v), BASE64_STANDARD, &bytes) !=
		HR_OK ||
	    bytes.len != len)
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "%s must be %zu bytes in base64", key,
				  len);
	else
		memcpy(out, bytes.data, len);
	buf_clear(&bytes);
	return rc;
}

hr_status tree_head_from_json(const json_t *json, struct tree_head *h, struct hr_error *err)
{
	const json_t *size = json_object_get(json, "tree_size");
	const json_t *time = json_object_get(json, "timestamp");
	hr_status rc;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(json) || json_object_size(json) != 4 || !json_is_integer(size) ||
	    !json_is_integer(time) || json_integer_value(size) < 0 || json_integer_value(time) < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a tree head is {tree_size, root_hash, timestamp, signature}");
	h->tree_size = (uint64_t)json_integer_value(size);
	h->timestamp_ms = (uint64_t)json_integer_value(time);
	if ((rc = get_b64(json, "root_hash", h->root, sizeof(h->root), err)) != HR_OK)
		return rc;
	return get_b64(json, "signature", h->signature, sizeof(h->signature), err);
}

void tree_head_encode(const struct tree_head *h, uint8_t out[TREE_HEAD_RECORD_LEN])
{
	put_u64(out, h->timestamp_ms);
	put_u64(out + 8, h->tree_size);
	memcpy(out + 16, h->root, MERKLE_HASH_LEN);
	memcpy(out + 16 + MERKLE_HASH_LEN, h->signature, TREE_HEAD_SIGNATURE_LEN);
}

void tree_head_decode(const uint8_t in[TREE_HEAD_RECORD_LEN], struct tree_head *h)
{
	h->timestamp_ms = get_u64(in);
	h->tree_size = get_u64(in + 8);
	memcpy(h->root, in + 16, MERKLE_HASH_LEN);
	memcpy(h->signature, in + 16 + MERKLE_HASH_LEN, TREE_HEAD_SIGNATURE_LEN);
}

struct tree_head_file {
	int fd;
	struct tree_head last;
	off_t length;
};

hr_status tree_head_file_open(const char *dir, struct tree_head_file **out,
			      struct tree_head *latest, struct hr_error *err)
{
	char path[PATH_MAX];
	uint8_t record[TREE_HEAD_RECORD_LEN];
	struct tree_head_file *f;
	struct stat st;
	off_t whole;

	*out = NULL;
	memset(latest, 0, sizeof(*latest));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	snprintf(path, sizeof(path), "%s/%s", dir, TREE_HEAD_FILE);
	f->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f->fd < 0 || fstat(f->fd, &st) != 0)
		goto io_fail;
	/* a record cut short by a crash was never published: drop it */
	whole = st.st_size - st.st_size % TREE_HEAD_RECORD_LEN;
	if (whole != st.st_size &&
	    (file_truncate(f->fd, (uint64_t)whole) != HR_OK || file_sync(f->fd) != HR_OK))
		goto io_fail;
	f->length = whole;
	if (whole > 0) {
		size_t got = 0;

		if (file_pread_full(f->fd, record, sizeof(record),
				    (uint64_t)(whole - TREE_HEAD_RECORD_LEN), &got) != HR_OK ||
		    got != sizeof(record))
			goto io_fail;
		tree_head_decode(record, &f->last);
		*latest = f->last;
	}
	*out = f;
	return HR_OK;
io_fail:
	hr_error_set(err, HR_E_IO, STAGE, "%s: %s", path, strerror(errno));
	tree_head_file_close(f);
	return HR_E_IO;
}

void tree_head_file_close(struct tree_head_file *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

hr_status tree_head_file_append(struct tree_head_file *f, const struct tree_head *h,
				struct hr_error *err)
{
	uint8_t record[TREE_HEAD_RECORD_LEN];

	if (f->length > 0 &&
	    (h->tree_size < f->last.tree_size || h->timestamp_ms < f->last.timestamp_ms))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a tree head may not go back in size or time");
	tree_head_encode(h, record);
	if (file_pwrite_all(f->fd, record, sizeof(record), (uint64_t)f->length) != HR_OK ||
	    file_datasync(f->fd) != HR_OK) {
		/* leave no half record behind for the next append to follow */
		(void)file_truncate(f->fd, (uint64_t)f->length);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot keep the tree head: %s",
				    strerror(errno));
	}
	f->length += TREE_HEAD_RECORD_LEN;
	f->last = *h;
	return HR_OK;
}
