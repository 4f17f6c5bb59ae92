/*
 * fuzz_audit_segment.c — the segment record parser (src/audit/audit_segment.h)
 * reads bytes an attacker with access to the disk controls: `hromada audit
 * verify` checks copies of unknown origin, the gateway recovers whatever it
 * finds at start. Input: any bytes, taken as the last segment of a log.
 *
 * Invariants:
 *  - no crash, no read outside the input;
 *  - a valid record lies inside the input, its parts where the layout puts
 *    them, and encoding its entry and person again gives exactly its bytes
 *    (one encoding per record);
 *  - the memory reader (verify) and a file reader with the smallest window
 *    (the gateway, refilling by pread) agree on every record's state and size
 *    and on the torn-tail verdict;
 *  - a segment that is not the last never has a torn tail;
 *  - with one more valid record appended, a bad record that began in the
 *    input is never a torn tail (a chain now reaches the end);
 *  - a segment name parses back to the number it was made from, and a name
 *    that parses is exactly the name of its number.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit/audit_segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t window[AUDIT_RECORD_MAX];

/* The first bad record's offset (size when all are valid), checking each valid one. */
static size_t walk(const uint8_t *data, size_t size, struct audit_segment_reader *file,
		   enum audit_record_state *bad_state)
{
	struct audit_segment_reader memory;
	size_t at = 0;

	audit_segment_reader_memory(&memory, data, size);
	*bad_state = AUDIT_RECORD_OK;
	while (at < size) {
		struct audit_record record, in_memory, in_file;
		enum audit_record_state state = audit_record_check(data + at, size - at, &record);
		enum audit_record_state state_memory, state_file;
		uint8_t again[AUDIT_RECORD_MAX];

		assert(audit_segment_record_at(&memory, at, &state_memory, &in_memory) == HR_OK);
		assert(state_memory == state);
		if (file != NULL) {
			assert(audit_segment_record_at(file, at, &state_file, &in_file) == HR_OK);
			assert(state_file == state);
		}
		if (state != AUDIT_RECORD_OK) {
			assert(strcmp(audit_record_state_text(state), "it is valid") != 0);
			*bad_state = state;
			return at;
		}
		assert(record.entry_len >= 1 && record.entry_len <= AUDIT_ENTRY_MAX);
		assert(record.size == AUDIT_RECORD_OVERHEAD + record.entry_len);
		assert(record.size <= size - at);
		assert(record.person == data + at + 4);
		assert(record.entry == data + at + AUDIT_RECORD_HEAD);
		assert(in_memory.size == record.size && in_memory.entry == record.entry);
		if (file != NULL)
			assert(in_file.size == record.size &&
			       memcmp(in_file.entry, record.entry, record.entry_len) == 0);
		assert(audit_record_encode(again, record.entry, record.entry_len, record.person) ==
		       record.size);
		assert(memcmp(again, data + at, record.size) == 0);
		at += record.size;
	}
	return at;
}

static bool torn(const uint8_t *data, size_t size, size_t bad, bool last)
{
	struct audit_segment_reader memory;
	bool verdict = false;

	audit_segment_reader_memory(&memory, data, size);
	assert(audit_segment_is_torn_tail(&memory, bad, last, &verdict) == HR_OK);
	return verdict;
}

static void check_names(const uint8_t *data, size_t size)
{
	char name[AUDIT_SEGMENT_NAME_SIZE + 8], made[AUDIT_SEGMENT_NAME_SIZE];
	uint64_t first = 0, back = 0;
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	memcpy(name, data, n);
	name[n] = 0;
	if (audit_segment_name_parse(name, &first)) {
		audit_segment_name(made, first);
		assert(strcmp(made, name) == 0);
	}
	if (size >= 8)
		memcpy(&first, data, 8);
	audit_segment_name(made, first);
	assert(audit_segment_name_parse(made, &back) && back == first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t entry[] = "one more";
	struct audit_segment_reader file;
	enum audit_record_state state;
	uint8_t *extended;
	size_t bad, extended_size;
	bool verdict = false;
	int fd;

	check_names(data, size);

	/* the same bytes as a file, read through the smallest window */
	fd = memfd_create("segment", 0);
	assert(fd >= 0);
	assert(size == 0 || write(fd, data, size) == (ssize_t)size);
	audit_segment_reader_file(&file, fd, size, window, sizeof(window));
	bad = walk(data, size, &file, &state);
	if (bad < size) {
		assert(audit_segment_is_torn_tail(&file, bad, true, &verdict) == HR_OK);
		assert(verdict == torn(data, size, bad, true));
		assert(!torn(data, size, bad, false));
	}
	close(fd);

	/* one more valid record after the input */
	extended = malloc(size + AUDIT_RECORD_MAX);
	assert(extended != NULL);
	if (size > 0)
		memcpy(extended, data, size);
	extended_size = size + audit_record_encode(extended + size, entry, sizeof(entry), NULL);
	bad = walk(extended, extended_size, NULL, &state);
	if (bad < size)
		assert(!torn(extended, extended_size, bad, true));
	free(extended);
	return 0;
}
