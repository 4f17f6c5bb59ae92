/*
 * test_indicator.c — indicator values checked and written one way
 * (src/nccc/indicator.c): each type's canonical form, then the values each
 * type refuses, then the limits and the type classes.
 */
#include "testkit/testkit.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "nccc/indicator.h"

static void expect(const char *type, const char *value, const char *want)
{
	char out[INDICATOR_VALUE_SIZE];
	struct hr_error err = {0};
	hr_status rc = indicator_normalise(type, value, out, sizeof(out), &err);

	if (rc != HR_OK)
		fail_msg("%s '%s': %s", type, value, err.message);
	assert_string_equal(out, want);
}

static void refused(const char *type, const char *value)
{
	char out[INDICATOR_VALUE_SIZE];
	struct hr_error err = {0};

	if (indicator_normalise(type, value, out, sizeof(out), &err) != HR_E_INVALID)
		fail_msg("%s '%s' was accepted", type, value);
	assert_true(err.message[0] != '\0');
}

static void test_canonical_forms(void **state)
{
	(void)state;
	expect("ipv4-addr", "203.0.113.7", "203.0.113.7");
	expect("ipv6-addr", "2001:DB8:0:0:0:0:0:1", "2001:db8::1");
	expect("ip-dst", "2001:db8::1", "2001:db8::1");
	expect("ip-src", "192.0.2.1", "192.0.2.1");
	expect("domain-name", "WWW.Example.COM.", "www.example.com");
	expect("domain-name", "xn--80ak6aa92e.com", "xn--80ak6aa92e.com");
	expect("domain-name", "_dmarc.example.org", "_dmarc.example.org");
	expect("hostname", "Mail.example.org", "mail.example.org");
	expect("email-addr", "Alice.Smith@Example.ORG", "Alice.Smith@example.org");
	expect("url", "HTTPS://Evil.Example:8443/Path?Q=A#F",
	       "https://evil.example:8443/Path?Q=A#F");
	expect("url", "http://user@[2001:db8::1]/x", "http://user@[2001:db8::1]/x");
	expect("file:md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e");
	expect("file:sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	       "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	expect("hromada-member", "UA/GOV/00015622/driver_licence",
	       "UA/GOV/00015622/driver_licence");
	expect("stix-pattern", "[ipv4-addr:value = '1.2.3.4']", "[ipv4-addr:value = '1.2.3.4']");
}

static void test_refuses_values_not_of_their_type(void **state)
{
	(void)state;
	refused("ipv4-addr", "203.0.113.300");
	refused("ipv4-addr", "203.0.113.7/24");
	refused("ipv4-addr", "203.0.113.07");
	refused("ipv4-addr", "2001:db8::1");
	refused("ipv6-addr", "203.0.113.7");
	refused("ip-dst", "evil.example");
	refused("domain-name", "");
	refused("domain-name", "a..b");
	refused("domain-name", "-a.example");
	refused("domain-name", "a-.example");
	refused("domain-name", "пример.укр");
	refused("domain-name", "a b.example");
	refused("domain-name",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example");
	refused("email-addr", "no-at.example");
	refused("email-addr", "@example.org");
	refused("email-addr", "a b@example.org");
	refused("url", "evil.example/path");
	refused("url", "http:///path");
	refused("url", "http://evil.example/a b");
	refused("file:sha256", "abcd");
	refused("file:md5", "g41d8cd98f00b204e9800998ecf8427e");
	refused("hromada-leak-fingerprint", "d41d8cd98f00b204e9800998ecf8427e");
	refused("hromada-member", "not a member");
}

static void test_unknown_type_and_limits(void **state)
{
	char out[INDICATOR_VALUE_SIZE], small[8], *big;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(indicator_normalise("mutex", "x", out, sizeof(out), &err), HR_E_INVALID);
	assert_string_equal(err.message, "unknown indicator type 'mutex'");
	assert_int_equal(indicator_normalise(NULL, "x", out, sizeof(out), &err), HR_E_INVALID);
	assert_int_equal(indicator_normalise("url", NULL, out, sizeof(out), &err), HR_E_INVALID);
	big = malloc(NCCC_VALUE_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', NCCC_VALUE_MAX + 1);
	big[NCCC_VALUE_MAX + 1] = '\0';
	assert_int_equal(indicator_normalise("stix-pattern", big, out, sizeof(out), &err),
			 HR_E_INVALID);
	big[NCCC_VALUE_MAX] = '\0';
	assert_int_equal(indicator_normalise("stix-pattern", big, out, sizeof(out), &err), HR_OK);
	free(big);
	assert_int_equal(
	    indicator_normalise("domain-name", "long.example", small, sizeof(small), &err),
	    HR_E_TOO_LARGE);
	assert_int_equal(
	    indicator_normalise("ipv6-addr", "2001:db8::1234:5678", small, sizeof(small), &err),
	    HR_E_TOO_LARGE);
}

static void test_type_classes(void **state)
{
	(void)state;
	assert_string_equal(indicator_type_class("ipv4-addr"), "ip");
	assert_string_equal(indicator_type_class("ipv6-addr"), "ip");
	assert_string_equal(indicator_type_class("ip-src"), "ip");
	assert_string_equal(indicator_type_class("ip-dst"), "ip");
	assert_string_equal(indicator_type_class("domain"), "domain");
	assert_string_equal(indicator_type_class("domain-name"), "domain");
	assert_string_equal(indicator_type_class("email-dst"), "email");
	assert_string_equal(indicator_type_class("x509-fingerprint-sha256"), "x509-sha256");
	assert_string_equal(indicator_type_class("x509-certificate:sha256"), "x509-sha256");
	assert_string_equal(indicator_type_class("hromada-leak-fingerprint"), "sha256");
	assert_null(indicator_type_class("stix-pattern"));
	assert_null(indicator_type_class("mutex"));
	assert_null(indicator_type_class(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canonical_forms),
	    cmocka_unit_test(test_refuses_values_not_of_their_type),
	    cmocka_unit_test(test_unknown_type_and_limits),
	    cmocka_unit_test(test_type_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
