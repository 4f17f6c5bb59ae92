/*
 * fuzz_cbor.c — the CBOR decoder on arbitrary bytes (what a QR code holds once
 * inflated). Invariants: no crash, no allocation from a declared length (ASan
 * would report a huge malloc); every slice and offset the decoder returns lies
 * inside the input; a pull walk and cbor_skip agree on well-formedness; what
 * converts to JSON is well-formed, and JSON -> CBOR -> JSON is the identity.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "credential/cbor.h"
#include "credential/cbor_json.h"

static const uint8_t *input;
static size_t input_size;

static void assert_item_inside(const struct cbor_item *item)
{
	assert(item->offset < input_size);
	if (item->type == CBOR_BYTES || item->type == CBOR_TEXT) {
		assert(item->bytes.ptr >= input && item->bytes.ptr <= input + input_size);
		assert(item->bytes.len <= (size_t)(input + input_size - item->bytes.ptr));
		assert(!item->indefinite || item->bytes.len == 0);
	}
}

/* Reads an item's children with the pull API, the way a caller would. */
static hr_status walk(struct cbor_decoder *d, const struct cbor_item *item, unsigned depth)
{
	struct cbor_item child;
	uint64_t i, count;

	assert_item_inside(item);
	switch (item->type) {
	case CBOR_BYTES:
	case CBOR_TEXT:
		if (item->indefinite)
			while (!cbor_at_break(d)) {
				if (cbor_next(d, &child) != HR_OK)
					return d->error;
				assert_item_inside(&child);
				assert(child.type == item->type && !child.indefinite);
			}
		return d->error;
	case CBOR_ARRAY:
	case CBOR_MAP:
	case CBOR_TAG:
		break;
	default:
		return HR_OK;
	}
	if (depth >= d->limits.max_depth)
		return cbor_decoder_fail(d, HR_E_TOO_LARGE, item->offset, "walk too deep");
	count = item->type == CBOR_TAG ? 1 : item->type == CBOR_MAP ? item->value * 2 : item->value;
	for (i = 0; item->indefinite ? !cbor_at_break(d) : i < count; i++)
		if (cbor_next(d, &child) != HR_OK || walk(d, &child, depth + 1) != HR_OK)
			return d->error;
	if (item->type == CBOR_MAP && i % 2 != 0)
		return cbor_decoder_fail(d, HR_E_INVALID, item->offset, "odd map");
	return HR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbor_limits limits = {.max_items = 4096, .max_string = 4096};
	struct cbor_decoder skipper, walker, converter;
	struct cbor_item item;
	hr_status skipped, walked, converted;
	json_t *json = NULL, *back = NULL;
	struct buf encoded;

	input = data;
	input_size = size;

	cbor_decoder_init(&skipper, data, size, &limits);
	while (cbor_decoder_remaining(&skipper) > 0 && cbor_skip_next(&skipper) == HR_OK)
		;
	skipped = cbor_decoder_finish(&skipper);
	assert(skipper.error_offset <= size);
	assert(skipped == HR_OK || skipper.error_reason != NULL);

	cbor_decoder_init(&walker, data, size, &limits);
	while (cbor_decoder_remaining(&walker) > 0 && cbor_next(&walker, &item) == HR_OK &&
	       walk(&walker, &item, 0) == HR_OK)
		;
	walked = cbor_decoder_finish(&walker);
	/* same verdict, except where the walk's odd-map check found what skip does */
	assert((skipped == HR_OK) == (walked == HR_OK));

	cbor_decoder_init(&converter, data, size, &limits);
	converted = cbor_to_json(&converter, &json, NULL);
	if (converted != HR_OK) {
		assert(json == NULL);
		return 0;
	}
	/* the first item converted, so it is well-formed */
	cbor_decoder_init(&skipper, data, size, &limits);
	assert(cbor_skip_next(&skipper) == HR_OK);
	assert(cbor_decoder_remaining(&skipper) == cbor_decoder_remaining(&converter));

	buf_init(&encoded, 1 << 22);
	if (cbor_from_json(json, &encoded, NULL) == HR_OK) {
		cbor_decoder_init(&converter, encoded.data, encoded.len, NULL);
		assert(cbor_to_json(&converter, &back, NULL) == HR_OK);
		assert(cbor_decoder_finish(&converter) == HR_OK);
		assert(json_equal(json, back));
		json_decref(back);
	}
	buf_clear(&encoded);
	json_decref(json);
	return 0;
}
