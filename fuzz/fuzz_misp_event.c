/*
 * fuzz_misp_event.c — misp_event_parse (src/nccc/misp.h) reads MISP events
 * that partners' MISP instances send or serve. Input: any bytes, taken as one
 * MISP event document (wrapped, bare or a REST response).
 *
 * Invariants:
 *  - no crash, no leak; a refusal leaves *incidents NULL and fills the error;
 *  - an accepted document gives an array of at most MISP_EVENTS_MAX incidents,
 *    each with origin "misp", the partner as reporter, a TLP tlp_parse
 *    accepts, at most NCCC_INDICATORS_MAX indicators, each of a type and a
 *    value indicator_normalise gives back unchanged (already canonical) and
 *    at most NCCC_VALUE_MAX bytes long;
 *  - exporting an accepted incident (with an id set) and reading it again
 *    gives the same number of indicators.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "nccc/indicator.h"
#include "nccc/misp.h"
#include "nccc/nccc_model.h"

#define PARTNER "PL/GOV/00000006/cert"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_incident(json_t *inc)
{
	const json_t *ind;
	json_t *event, *again = NULL;
	struct buf text;
	enum tlp tlp;
	size_t i;

	assert(strcmp(json_string_value(json_object_get(inc, "origin")), "misp") == 0);
	assert(strcmp(json_string_value(json_object_get(inc, "reporter")), PARTNER) == 0);
	assert(tlp_parse(json_string_value(json_object_get(inc, "tlp")), &tlp, NULL) == HR_OK);
	assert(json_array_size(json_object_get(inc, "indicators")) <= NCCC_INDICATORS_MAX);
	json_array_foreach(json_object_get(inc, "indicators"), i, ind)
	{
		const char *type = json_string_value(json_object_get(ind, "type"));
		const char *value = json_string_value(json_object_get(ind, "value"));
		char out[INDICATOR_VALUE_SIZE];

		assert(type != NULL && value != NULL && strlen(value) <= NCCC_VALUE_MAX);
		assert(indicator_normalise(type, value, out, sizeof(out), NULL) == HR_OK);
		assert(strcmp(out, value) == 0);
		assert(tlp_parse(json_string_value(json_object_get(ind, "tlp")), &tlp, NULL) ==
		       HR_OK);
	}
	/* the hub's own export of it reads back with the same indicators */
	json_object_set_new(inc, "id", json_string("00000000-0000-4000-8000-000000000000"));
	event = misp_event_from_incident(inc, NULL, "hub", "00000000-0000-4000-8000-000000000001");
	assert(event != NULL);
	buf_init(&text, 256u << 20);
	assert(hr_json_dump(event, &text) == HR_OK);
	assert(misp_event_parse(text.data, text.len, PARTNER, &again, NULL) == HR_OK);
	assert(json_array_size(json_object_get(json_array_get(again, 0), "indicators")) ==
	       json_array_size(json_object_get(inc, "indicators")));
	json_decref(again);
	buf_clear(&text);
	json_decref(event);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *incidents = NULL, *inc;
	struct hr_error err = {0};
	size_t i;

	if (misp_event_parse(data, size, PARTNER, &incidents, &err) != HR_OK) {
		assert(incidents == NULL);
		assert(err.message[0] != '\0' || err.status == HR_E_NOMEM);
		return 0;
	}
	assert(json_is_array(incidents) && json_array_size(incidents) <= MISP_EVENTS_MAX);
	json_array_foreach(incidents, i, inc)
	{
		check_incident(inc);
	}
	json_decref(incidents);
	return 0;
}
