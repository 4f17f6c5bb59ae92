/*
 * access_history.c — a device's check of its access history (access_history.h).
 */
#include "audit/access_history.h"

#include <string.h>

#include "audit/audit_entry.h"
#include "audit/merkle.h"
#include "audit/tree_head.h"
#include "core/base64.h"
#include "core/error.h"

#define STAGE "access history"

static hr_status check_entry(const json_t *item, size_t i, const struct tree_head *head,
			     struct hr_error *err)
{
	const json_t *entry = json_object_get(item, "entry");
	const json_t *index = json_object_get(item, "leaf_index");
	uint8_t leaf[MERKLE_HASH_LEN], proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	struct buf bytes;
	json_t *fields = NULL;
	size_t count = 0;
	hr_status rc = HR_E_INVALID;

	buf_init(&bytes, 16u * 1024u);
	if (!json_is_string(entry) || !json_is_integer(index) || json_integer_value(index) < 0 ||
	    base64_decode(json_string_value(entry), json_string_length(entry), BASE64_STANDARD,
			  &bytes) != HR_OK) {
		hr_error_set(err, rc, STAGE, "entry %zu: needs leaf_index and entry (base64)", i);
		goto done;
	}
	if (audit_entry_decode(bytes.data, bytes.len, &fields, NULL) != HR_OK ||
	    !json_equal(fields, json_object_get(item, "fields"))) {
		hr_error_set(err, rc, STAGE,
			     "entry %zu (leaf %lld): its fields are not what its bytes say", i,
			     (long long)json_integer_value(index));
		goto done;
	}
	if (tree_head_proof_from_json(json_object_get(item, "inclusion"), proof, &count, err) !=
	    HR_OK)
		goto done;
	merkle_leaf_hash(bytes.data, bytes.len, leaf);
	if ((rc = merkle_inclusion_verify(leaf, (uint64_t)json_integer_value(index),
					  head->tree_size, MERKLE_CONST_PROOF(proof), count,
					  head->root, NULL)) != HR_OK) {
		hr_error_set(err, rc, STAGE,
			     "entry %zu (leaf %lld): its inclusion proof does not lead to the "
			     "signed root",
			     i, (long long)json_integer_value(index));
		goto done;
	}
	rc = HR_OK;
done:
	json_decref(fields);
	buf_clear(&bytes);
	return rc;
}

hr_status access_history_check(const json_t *answer, EVP_PKEY *key, size_t *checked,
			       struct hr_error *err)
{
	struct tree_head head;
	const json_t *entries = json_object_get(answer, "entries"), *item;
	size_t i;
	hr_status rc;

	*checked = 0;
	if ((rc = tree_head_from_json(json_object_get(answer, "tree_head"), &head, err)) != HR_OK)
		return rc;
	if (tree_head_verify(&head, key, NULL) != HR_OK)
		return hr_error_set(err, HR_E_SIGNATURE, STAGE,
				    "the tree head's signature does not verify");
	if (!json_is_array(entries))
		return hr_error_set(err, HR_E_INVALID, STAGE, "entries must be an array");
	json_array_foreach(entries, i, item)
	{
		if ((rc = check_entry(item, i, &head, err)) != HR_OK)
			return rc;
		(*checked)++;
	}
	return HR_OK;
}
