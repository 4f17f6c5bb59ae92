/*
 * hex.h — lower-case hexadecimal of bytes, for hashes and MACs written as text
 * (audit records, keys of stored rows).
 */
#ifndef HROMADA_CORE_HEX_H
#define HROMADA_CORE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2 * len hex digits and a NUL to out (2 * len + 1 bytes). */
void hex_encode(const uint8_t *in, size_t len, char *out);

#endif
