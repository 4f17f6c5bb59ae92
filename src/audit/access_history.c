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
	/* the reading's own entry, when the gateway gives it (the chain's anchor) */
	item = json_object_get(answer, "this_read");
	if (item != NULL && (rc = check_entry(item, json_array_size(entries), &head, err)) != HR_OK)
		return rc;
	return HR_OK;
}

/* An entry's seq (its fields were checked against its bytes), or -1. */
static json_int_t seq_of(const json_t *item)
{
	const json_t *seq = json_object_get(json_object_get(item, "fields"), "seq");

	return json_is_integer(seq) ? json_integer_value(seq) : -1;
}

static const char *field_of(const json_t *item, const char *name)
{
	return json_string_value(json_object_get(json_object_get(item, "fields"), name));
}

hr_status access_history_check_complete(const json_t *answer, const char *consent_jti,
					bool first_page, struct hr_error *err)
{
	const json_t *read = json_object_get(answer, "this_read");
	const json_t *entries = json_object_get(answer, "entries"), *item;
	const char *person = field_of(read, "person");
	json_int_t read_seq = seq_of(read), expect = -1, previous_leaf = -1;
	size_t i, count = json_array_size(entries);

	if (read == NULL || person == NULL || read_seq < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the answer does not carry the entry of this reading "
				    "(this_read, with person and seq): completeness cannot be "
				    "checked");
	if (consent_jti != NULL && (field_of(read, "consent") == NULL ||
				    strcmp(field_of(read, "consent"), consent_jti) != 0 ||
				    field_of(read, "service") == NULL ||
				    strcmp(field_of(read, "service"), "access-log") != 0))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "this_read is not the entry of this reading (not this "
				    "device's consent %s)",
				    consent_jti);
	json_array_foreach(entries, i, item)
	{
		json_int_t seq = seq_of(item),
			   leaf = json_integer_value(json_object_get(item, "leaf_index"));
		const char *who = field_of(item, "person");

		if (who == NULL || strcmp(who, person) != 0 || seq < 0)
			return hr_error_set(
			    err, HR_E_INVALID, STAGE,
			    "entry %zu (leaf %lld) is not numbered in this person's "
			    "chain (another person, or no seq)",
			    i, (long long)leaf);
		if (i == 0 && first_page && seq < read_seq)
			return hr_error_set(
			    err, HR_E_INVALID, STAGE,
			    "entries of this person were left out: the newest listed is "
			    "number %lld, but this reading (leaf %lld) is number %lld",
			    (long long)seq,
			    (long long)json_integer_value(json_object_get(read, "leaf_index")),
			    (long long)read_seq);
		if (i > 0 && (seq != expect || leaf >= previous_leaf))
			return hr_error_set(
			    err, HR_E_INVALID, STAGE,
			    "entries of this person were left out: after number %lld "
			    "comes number %lld (leaf %lld)",
			    (long long)(expect + 1), (long long)seq, (long long)leaf);
		expect = seq - 1;
		previous_leaf = leaf;
	}
	if (first_page && count == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "entries of this person were left out: not even this reading "
				    "(number %lld) is listed",
				    (long long)read_seq);
	if (json_is_false(json_object_get(answer, "more")) && count > 0 && expect != -1)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "entries of this person were left out: the history ends at number "
		    "%lld, not at 0, and says no page follows",
		    (long long)(expect + 1));
	return HR_OK;
}
