/*
 * indicator.h — one indicator value, checked and written one way (see
 * indicator.c). Every indicator that enters the hub — reported, imported from
 * MISP or STIX — passes indicator_normalise() before it is stored or indexed,
 * so "Example.COM." from one partner and "example.com" from another are the
 * same row key, and garbage never reaches the correlation index.
 */
#ifndef HROMADA_NCCC_INDICATOR_H
#define HROMADA_NCCC_INDICATOR_H

#include <stddef.h>

#include <hromada/status.h>

#include "nccc/nccc_model.h"

/* Room for a normalised value, NUL included (never longer than its input). */
#define INDICATOR_VALUE_SIZE (NCCC_VALUE_MAX + 1)

/*
 * Checks that value is valid for type and writes its canonical form to out
 * (size bytes, NUL-terminated):
 *	ipv4-addr ipv6-addr   inet_pton then inet_ntop (RFC 5952 text for IPv6);
 *	                      leading zeros, CIDR, ports refused
 *	domain-name           lower case, one trailing dot dropped, labels of
 *	                      1..63 letters, digits, '-' (not at either end) or
 *	                      '_', at most 253 bytes; IDNs only as punycode
 *	url                   a scheme and "://" and a host; scheme and host lower
 *	                      case, the rest as given; no spaces or controls
 *	email-addr            local@domain, the domain part as domain-name
 *	file:md5 file:sha1 file:sha256 file:sha512 x509-certificate:sha256
 *	hromada-leak-fingerprint   hex of the right length, lower case
 *	hromada-member        a member id (member_id_valid), as given
 *	stix-pattern          any text up to NCCC_VALUE_MAX, as given (not indexed)
 * MISP's type names are accepted as aliases with the same rules (ip-src and
 * ip-dst take either address family; domain and hostname as domain-name; md5,
 * sha256, ...; email-src, email-dst, email; uri; x509-fingerprint-sha256).
 *
 * HR_E_INVALID with a sentence (stage "indicator") for an unknown type
 * ("unknown indicator type '...'"), a value the type refuses or one longer
 * than NCCC_VALUE_MAX; HR_E_TOO_LARGE when out cannot hold the result.
 */
hr_status indicator_normalise(const char *type, const char *value, char *out, size_t size,
			      struct hr_error *err);

/*
 * The correlation class of a type: types that denote the same kind of value
 * share one, so a STIX ipv4-addr, a MISP ip-src and a MISP ip-dst holding the
 * same address correlate. "ip", "domain", "url", "email", "md5", "sha1",
 * "sha256" (file:sha256, sha256 and hromada-leak-fingerprint: a leak's
 * fingerprint is the SHA-256 of a file), "sha512", "x509-sha256", "member".
 * NULL for an unknown type and for stix-pattern (kept whole, never indexed).
 * The string is static.
 */
const char *indicator_type_class(const char *type);

#endif
