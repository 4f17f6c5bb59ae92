/*
 * fuzz_dump_sql.c — the dump reader (src/leak/dump_reader.h) with the format
 * fixed to SQL: leaked dumps are hostile input by definition. Invariants in
 * dump_fuzz.h.
 */
#include "dump_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_dump(data, size, DUMP_FORMAT_SQL);
	return 0;
}
