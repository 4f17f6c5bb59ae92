/*
 * json.c — strict parsing and typed access on top of jansson.
 */
#include "core/json.h"

#include <string.h>

#include "core/error.h"

#define JSON_STAGE "json"

hr_status hr_json_parse(const void *data, size_t len, json_t **out, struct hr_error *err)
{
	json_error_t jerr;
	json_t *value;

	*out = NULL;
	if (len == 0)
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE, "empty body, expected JSON");
	value =
	    json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (value == NULL)
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE,
				    "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
				    jerr.text);
	*out = value;
	return HR_OK;
}

hr_status hr_json_parse_object(const void *data, size_t len, json_t **out, struct hr_error *err)
{
	hr_status rc = hr_json_parse(data, len, out, err);

	if (rc != HR_OK)
		return rc;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE, "expected a JSON object");
	}
	return HR_OK;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

/* Looks up key; on absence reports according to required. */
static hr_status lookup(const json_t *obj, const char *key, bool required, json_t **value,
			struct hr_error *err)
{
	if (!json_is_object(obj))
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE, "expected a JSON object");
	*value = json_object_get(obj, key);
	if (*value != NULL)
		return HR_OK;
	if (required)
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE, "missing required field '%s'",
				    key);
	return HR_E_NOT_FOUND;
}

static hr_status wrong_type(const char *key, const char *want, const json_t *got,
			    struct hr_error *err)
{
	return hr_error_set(err, HR_E_INVALID, JSON_STAGE, "field '%s' must be %s, not %s", key,
			    want, type_name(got));
}

hr_status hr_json_get_string(const json_t *obj, const char *key, bool required, size_t max_len,
			     const char **out, struct hr_error *err)
{
	json_t *v = NULL;
	hr_status rc = lookup(obj, key, required, &v, err);

	if (rc != HR_OK)
		return rc;
	if (!json_is_string(v))
		return wrong_type(key, "a string", v, err);
	if (json_string_length(v) > max_len)
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE,
				    "field '%s' is longer than %zu bytes", key, max_len);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE,
				    "field '%s' contains a NUL character", key);
	*out = json_string_value(v);
	return HR_OK;
}

hr_status hr_json_get_int(const json_t *obj, const char *key, bool required, int64_t min,
			  int64_t max, int64_t *out, struct hr_error *err)
{
	json_t *v = NULL;
	json_int_t n;
	hr_status rc = lookup(obj, key, required, &v, err);

	if (rc != HR_OK)
		return rc;
	if (!json_is_integer(v))
		return wrong_type(key, "an integer", v, err);
	n = json_integer_value(v);
	if (n < min || n > max)
		return hr_error_set(err, HR_E_INVALID, JSON_STAGE,
				    "field '%s' must be between %lld and %lld", key, (long long)min,
				    (long long)max);
	*out = n;
	return HR_OK;
}

hr_status hr_json_get_bool(const json_t *obj, const char *key, bool required, bool *out,
			   struct hr_error *err)
{
	json_t *v = NULL;
	hr_status rc = lookup(obj, key, required, &v, err);

	if (rc != HR_OK)
		return rc;
	if (!json_is_boolean(v))
		return wrong_type(key, "a boolean", v, err);
	*out = json_is_true(v);
	return HR_OK;
}

hr_status hr_json_get_object(const json_t *obj, const char *key, bool required, json_t **out,
			     struct hr_error *err)
{
	json_t *v = NULL;
	hr_status rc = lookup(obj, key, required, &v, err);

	if (rc != HR_OK)
		return rc;
	if (!json_is_object(v))
		return wrong_type(key, "an object", v, err);
	*out = v;
	return HR_OK;
}

hr_status hr_json_get_array(const json_t *obj, const char *key, bool required, json_t **out,
			    struct hr_error *err)
{
	json_t *v = NULL;
	hr_status rc = lookup(obj, key, required, &v, err);

	if (rc != HR_OK)
		return rc;
	if (!json_is_array(v))
		return wrong_type(key, "an array", v, err);
	*out = v;
	return HR_OK;
}

hr_status hr_json_only_keys(const json_t *obj, const char *const *allowed, struct hr_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)obj, key, value)
	{
		bool known = false;
		(void)value;
		for (const char *const *a = allowed; *a != NULL; a++) {
			if (strcmp(*a, key) == 0) {
				known = true;
				break;
			}
		}
		if (!known)
			return hr_error_set(err, HR_E_INVALID, JSON_STAGE, "unknown field '%.64s'",
					    key);
	}
	return HR_OK;
}

struct dump_ctx {
	struct buf *out;
	hr_status rc;
};

static int dump_cb(const char *data, size_t size, void *opaque)
{
	struct dump_ctx *ctx = opaque;

	ctx->rc = buf_append(ctx->out, data, size);
	return ctx->rc == HR_OK ? 0 : -1;
}

static hr_status dump(const json_t *value, struct buf *out, size_t flags)
{
	struct dump_ctx ctx = {out, HR_OK};

	if (json_dump_callback(value, dump_cb, &ctx, flags | JSON_ENCODE_ANY) != 0)
		return ctx.rc != HR_OK ? ctx.rc : HR_E_INVALID;
	return HR_OK;
}

hr_status hr_json_dump(const json_t *value, struct buf *out)
{
	return dump(value, out, JSON_COMPACT);
}

hr_status hr_json_dump_pretty(const json_t *value, struct buf *out)
{
	return dump(value, out, JSON_INDENT(2) | JSON_SORT_KEYS);
}

hr_status hr_json_append_string(struct buf *out, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t from = 0;

	buf_append_byte(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		/* the common case stays a compare: a long SVG has nothing to escape */
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(out, text + from, i - from);
		if (c == '"' || c == '\\') {
			char escaped[2] = {'\\', (char)c};
			buf_append(out, escaped, 2);
		} else {
			char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			buf_append(out, escaped, 6);
		}
		from = i + 1;
	}
	buf_append(out, text + from, len - from);
	buf_append_byte(out, '"');
	return out->error;
}
