/*
 * document_schema.h — the schema of Hromada documents (the -65537 claim of an
 * HR1 credential): {"t": type, "v": 1, ...fields}, holding only the fields the
 * holder chose to disclose, so every field but t and v is optional.
 *
 * The fields of each type are in docs/DOCUMENTS.md. A field the schema does not
 * know, a value of the wrong type or shape (dates as YYYY-MM-DD, person ids with
 * a valid RNOKPP/PESEL check digit, VINs, category codes), or a text longer than
 * its limit fails the schema stage.
 */
#ifndef HROMADA_CREDENTIAL_DOCUMENT_SCHEMA_H
#define HROMADA_CREDENTIAL_DOCUMENT_SCHEMA_H

#include <stdbool.h>

#include <jansson.h>

#include <hromada/status.h>

#define DOCUMENT_SCHEMA_VERSION 1

/* Index of the document's type in document_types, or -1 when "t" is missing or
 * not a known type. */
int document_schema_type(const json_t *document);

/* HR_OK when document matches its type's schema; HR_E_INVALID with stage
 * "schema" and the offending field otherwise. */
hr_status document_schema_check(const json_t *document, struct hr_error *err);

/* True when name is a field of the given type (for ?fields= selection). */
bool document_schema_has_field(int type_index, const char *name);

#endif
