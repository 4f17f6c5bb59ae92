/*
 * test_http_router.c — (method, path) to route: literal and {param} segments,
 * exact matching, the specificity rule independent of registration order, 405
 * with its Allow list, HEAD on GET routes, and every malformed pattern refused.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_router.h"

static int tags[32]; /* route_data: &tags[i] */

static struct http_router *router_with(const char *const (*routes)[2], size_t count)
{
	struct http_router *r = http_router_new();
	struct hr_error err = {0};

	assert_non_null(r);
	for (size_t i = 0; i < count; i++) {
		if (http_router_add(r, routes[i][0], routes[i][1], &tags[i], &err) != HR_OK) {
			print_error("add %s %s: %s\n", routes[i][0], routes[i][1], err.message);
			fail();
		}
	}
	return r;
}

/* Expects path to be FOUND on the route added as index; returns the match. */
static struct http_match expect_found(const struct http_router *r, const char *method,
				      const char *path, size_t index)
{
	struct http_match m;

	http_router_match(r, method, path, &m);
	if (m.result != HTTP_MATCH_FOUND || m.route_index != index) {
		print_error("%s %s: result %d, route %zu, expected route %zu\n", method, path,
			    (int)m.result, m.route_index, index);
		fail();
	}
	assert_ptr_equal(m.route_data, &tags[index]);
	return m;
}

static void expect_result(const struct http_router *r, const char *method, const char *path,
			  enum http_match_result result)
{
	struct http_match m;

	http_router_match(r, method, path, &m);
	if (m.result != result) {
		print_error("%s '%.80s': result %d, expected %d\n", method, path, (int)m.result,
			    (int)result);
		fail();
	}
	if (result == HTTP_MATCH_NO_PATH)
		assert_string_equal(m.allow, "");
}

static void assert_param(const struct http_match *m, const char *name, const char *value)
{
	struct slice s = http_match_param(m, name);

	if (!slice_equal_str(s, value)) {
		print_error("param %s = '%.*s', expected '%s'\n", name, (int)s.len,
			    s.ptr ? (const char *)s.ptr : "", value);
		fail();
	}
}

/* ---- matching ---- */

static void test_matches_literal_routes(void **state)
{
	static const char *const routes[][2] = {
	    {"GET", "/v1/health"},
	    {"GET", "/v1/trust-list"},
	    {"POST", "/v1/documents"},
	};
	struct http_router *r = router_with(routes, 3);
	struct http_match m;

	(void)state;
	m = expect_found(r, "GET", "/v1/health", 0);
	assert_int_equal(m.param_count, 0);
	expect_found(r, "GET", "/v1/trust-list", 1);
	expect_found(r, "POST", "/v1/documents", 2);
	expect_result(r, "GET", "/v1/unknown", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "/v1", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "/", HTTP_MATCH_NO_PATH);
	/* case matters */
	expect_result(r, "GET", "/V1/health", HTTP_MATCH_NO_PATH);
	http_router_free(r);
}

static void test_parameters_are_slices_of_the_path(void **state)
{
	static const char *const routes[][2] = {
	    {"GET", "/v1/documents/{type}/{id}"},
	    {"GET", "/v1/people/{person}"},
	};
	struct http_router *r = router_with(routes, 2);
	const char *path = "/v1/documents/id_card/UA:1234567899";
	struct http_match m;
	struct slice s;

	(void)state;
	m = expect_found(r, "GET", path, 0);
	assert_int_equal(m.param_count, 2);
	assert_string_equal(m.params[0].name, "type");
	assert_string_equal(m.params[1].name, "id");
	assert_param(&m, "type", "id_card");
	assert_param(&m, "id", "UA:1234567899");
	/* slices point into the path itself: nothing was copied */
	s = http_match_param(&m, "type");
	assert_ptr_equal(s.ptr, (const uint8_t *)path + strlen("/v1/documents/"));
	/* an unknown name is an empty slice */
	s = http_match_param(&m, "nope");
	assert_null(s.ptr);
	assert_int_equal(s.len, 0);

	/* any bytes but '/' make up a parameter, percent escapes are not decoded */
	m = expect_found(r, "GET", "/v1/people/a%2Fb c", 1);
	assert_param(&m, "person", "a%2Fb c");
	http_router_free(r);
}

static void test_root_matches_only_root(void **state)
{
	static const char *const routes[][2] = {{"GET", "/"}, {"GET", "/{x}"}};
	struct http_router *r = router_with(routes, 2);
	struct http_match m;

	(void)state;
	expect_found(r, "GET", "/", 0);
	m = expect_found(r, "GET", "/abc", 1);
	assert_param(&m, "x", "abc");
	expect_result(r, "GET", "", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "//", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "abc", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "/abc/", HTTP_MATCH_NO_PATH);
	http_router_free(r);
}

static void test_matching_is_exact(void **state)
{
	static const char *const routes[][2] = {{"GET", "/a"}, {"GET", "/a/{x}/c"}};
	static const char *const misses[] = {
	    "/a/",      "/a//", "//a", "/ab",    "/a/b", "/a/b/c/", "/a//c",   "/a/b//c",
	    "/a/b/c/d", "a",    "/A",  "/a?x=1", " /a",  "/a ",     "/a/b/cc", "/a/%2F/c/",
	};
	struct http_router *r = router_with(routes, 2);
	struct http_match m;

	(void)state;
	expect_found(r, "GET", "/a", 0);
	m = expect_found(r, "GET", "/a/b/c", 1);
	assert_param(&m, "x", "b");
	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++)
		expect_result(r, "GET", misses[i], HTTP_MATCH_NO_PATH);
	http_router_free(r);
}

static void test_literal_beats_parameter_in_either_registration_order(void **state)
{
	static const char *const param_first[][2] = {
	    {"GET", "/v1/documents/{type}"},
	    {"GET", "/v1/documents/types"},
	};
	static const char *const literal_first[][2] = {
	    {"GET", "/v1/documents/types"},
	    {"GET", "/v1/documents/{type}"},
	};
	struct http_router *a = router_with(param_first, 2);
	struct http_router *b = router_with(literal_first, 2);
	struct http_match m;

	(void)state;
	expect_found(a, "GET", "/v1/documents/types", 1);
	m = expect_found(a, "GET", "/v1/documents/id_card", 0);
	assert_param(&m, "type", "id_card");
	expect_found(b, "GET", "/v1/documents/types", 0);
	expect_found(b, "GET", "/v1/documents/id_card", 1);
	http_router_free(a);
	http_router_free(b);
}

static void test_specificity_does_not_depend_on_order_with_many_candidates(void **state)
{
	/* all four match /x/y; each permutation must pick the same winner */
	static const char *const patterns[] = {"/{a}/{b}", "/x/{b}", "/{a}/y", "/x/y"};
	static const int perms[][4] = {
	    {0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}, {3, 0, 1, 2}, {0, 2, 3, 1},
	};
	(void)state;
	for (size_t p = 0; p < sizeof(perms) / sizeof(perms[0]); p++) {
		struct http_router *r = http_router_new();
		struct http_match m;

		for (int i = 0; i < 4; i++)
			assert_int_equal(http_router_add(r, "GET", patterns[perms[p][i]],
							 (void *)patterns[perms[p][i]], NULL),
					 HR_OK);
		http_router_match(r, "GET", "/x/y", &m);
		assert_int_equal(m.result, HTTP_MATCH_FOUND);
		assert_string_equal((const char *)m.route_data, "/x/y"); /* all literal */

		/* /x/z: "/x/{b}" and "/{a}/{b}" match; the literal one wins */
		http_router_match(r, "GET", "/x/z", &m);
		assert_string_equal((const char *)m.route_data, "/x/{b}");
		assert_param(&m, "b", "z");

		/* /z/y: "/{a}/y" and "/{a}/{b}" match */
		http_router_match(r, "GET", "/z/y", &m);
		assert_string_equal((const char *)m.route_data, "/{a}/y");

		/* /z/z: only the all-parameter route */
		http_router_match(r, "GET", "/z/z", &m);
		assert_string_equal((const char *)m.route_data, "/{a}/{b}");
		assert_param(&m, "a", "z");
		http_router_free(r);
	}
}

static void test_ambiguous_patterns_resolve_the_same_in_any_order(void **state)
{
	/* "/x/{b}" and "/{a}/y" both match /x/y with one literal each */
	static const char *const one[][2] = {{"GET", "/x/{b}"}, {"GET", "/{a}/y"}};
	static const char *const two[][2] = {{"GET", "/{a}/y"}, {"GET", "/x/{b}"}};
	struct http_router *a = router_with(one, 2);
	struct http_router *b = router_with(two, 2);
	struct http_match ma, mb;

	(void)state;
	http_router_match(a, "GET", "/x/y", &ma);
	http_router_match(b, "GET", "/x/y", &mb);
	assert_int_equal(ma.result, HTTP_MATCH_FOUND);
	assert_int_equal(mb.result, HTTP_MATCH_FOUND);
	assert_string_equal(http_router_pattern(a, ma.route_index),
			    http_router_pattern(b, mb.route_index));
	http_router_free(a);
	http_router_free(b);
}

/* ---- methods ---- */

/* The Allow list as a set: each of want exactly once, nothing else. */
static void assert_allow(const struct http_match *m, const char *const *want, size_t count)
{
	char copy[sizeof(m->allow)];
	size_t seen = 0;
	char *save = NULL;

	assert_int_equal(m->result, HTTP_MATCH_WRONG_METHOD);
	strcpy(copy, m->allow);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool known = false;
		while (*tok == ' ')
			tok++;
		for (size_t i = 0; i < count; i++)
			known |= strcmp(tok, want[i]) == 0;
		if (!known) {
			print_error("Allow '%s' has unexpected '%s'\n", m->allow, tok);
			fail();
		}
		seen++;
	}
	if (seen != count) {
		print_error("Allow '%s': %zu methods, expected %zu\n", m->allow, seen, count);
		fail();
	}
}

static void test_wrong_method_lists_every_allowed_method(void **state)
{
	static const char *const routes[][2] = {
	    {"GET", "/items"},      {"POST", "/items"},     {"DELETE", "/items/{id}"},
	    {"PUT", "/items/{id}"}, {"GET", "/items/{id}"}, {"PATCH", "/other"},
	};
	static const char *const items[] = {"GET", "HEAD", "POST"};
	static const char *const item[] = {"DELETE", "PUT", "GET", "HEAD"};
	struct http_router *r = router_with(routes, 6);
	struct http_match m;

	(void)state;
	http_router_match(r, "PUT", "/items", &m);
	assert_allow(&m, items, 3);
	assert_string_equal(m.allow, "GET, HEAD, POST");
	http_router_match(r, "POST", "/items/7", &m);
	assert_allow(&m, item, 4);
	/* methods are case-sensitive (RFC 9110 §9.1) */
	http_router_match(r, "get", "/items", &m);
	assert_allow(&m, items, 3);
	/* an unknown path is a 404 whatever the method */
	expect_result(r, "PUT", "/nothing", HTTP_MATCH_NO_PATH);
	http_router_free(r);
}

static void test_allow_has_no_duplicates(void **state)
{
	static const char *const routes[][2] = {
	    {"GET", "/a/{x}"},  {"HEAD", "/a/{y}"}, {"GET", "/a/b"},
	    {"POST", "/a/{z}"}, {"POST", "/a/b"},
	};
	static const char *const want[] = {"GET", "HEAD", "POST"};
	struct http_router *r = router_with(routes, 5);
	struct http_match m;

	(void)state;
	http_router_match(r, "DELETE", "/a/b", &m);
	assert_allow(&m, want, 3);
	http_router_free(r);
}

static void test_head_matches_get_routes(void **state)
{
	static const char *const routes[][2] = {
	    {"GET", "/doc"},
	    {"POST", "/form"},
	    {"HEAD", "/probe"},
	};
	static const char *const post_only[] = {"POST"};
	static const char *const head_only[] = {"HEAD"};
	struct http_router *r = router_with(routes, 3);
	struct http_match m;

	(void)state;
	expect_found(r, "HEAD", "/doc", 0);
	/* but only GET routes: HEAD on a POST-only path is a 405 */
	http_router_match(r, "HEAD", "/form", &m);
	assert_allow(&m, post_only, 1);
	/* and GET does not match a HEAD-only route */
	expect_found(r, "HEAD", "/probe", 2);
	http_router_match(r, "GET", "/probe", &m);
	assert_allow(&m, head_only, 1);
	http_router_free(r);
}

static void test_explicit_head_route_beats_get_in_either_order(void **state)
{
	static const char *const get_first[][2] = {{"GET", "/x"}, {"HEAD", "/x"}};
	static const char *const head_first[][2] = {{"HEAD", "/x"}, {"GET", "/x"}};
	struct http_router *a = router_with(get_first, 2);
	struct http_router *b = router_with(head_first, 2);

	(void)state;
	expect_found(a, "HEAD", "/x", 1);
	expect_found(a, "GET", "/x", 0);
	expect_found(b, "HEAD", "/x", 0);
	expect_found(b, "GET", "/x", 1);
	http_router_free(a);
	http_router_free(b);
}

static void test_allow_list_stays_bounded_with_many_methods(void **state)
{
	struct http_router *r = http_router_new();
	char methods[40][17];
	struct http_match m;
	char copy[sizeof(m.allow)];
	char *save = NULL;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(methods[i], sizeof(methods[i]), "METHOD%02uXXXXXXXX", (unsigned)i % 100u);
		assert_int_equal(http_router_add(r, methods[i], "/p", NULL, NULL), HR_OK);
	}
	http_router_match(r, "GET", "/p", &m);
	assert_int_equal(m.result, HTTP_MATCH_WRONG_METHOD);
	assert_true(strlen(m.allow) < sizeof(m.allow));
	assert_true(strlen(m.allow) > 0);
	/* truncated at a whole method, never in the middle of one */
	strcpy(copy, m.allow);
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		assert_int_equal(strlen(tok), 16);
	http_router_free(r);
}

/* ---- building ---- */

static void test_refuses_duplicate_routes(void **state)
{
	struct http_router *r = http_router_new();
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(http_router_add(r, "GET", "/a/{id}", NULL, &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/a/{id}", NULL, &err), HR_E_INVALID);
	assert_string_equal(err.stage, "router");
	assert_non_null(strstr(err.message, "/a/{id}"));
	/* the same shape under another parameter name is the same route */
	assert_int_equal(http_router_add(r, "GET", "/a/{other}", NULL, &err), HR_E_INVALID);
	/* another method, or another shape, is fine */
	assert_int_equal(http_router_add(r, "POST", "/a/{id}", NULL, &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/a/b", NULL, &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/a/{id}/b", NULL, &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/a", NULL, &err), HR_OK);
	assert_int_equal(http_router_count(r), 5);
	http_router_free(r);
}

static void test_refuses_malformed_patterns(void **state)
{
	static const char *const bad[] = {
	    "",      "a",   "a/b",      "//",    "/a//b", "/{}",   "/a{b}",
	    "/{a}b", "/a}", "/{a",      "/a/{b", "/{a}}", "/{{a}", "/{a{b}}",
	    "/x{",   "/}",  "/{a}/{a}", "///",   "/a//",
	};
	struct http_router *r = http_router_new();
	struct hr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (http_router_add(r, "GET", bad[i], NULL, &err) != HR_E_INVALID) {
			print_error("accepted pattern '%s'\n", bad[i]);
			fail();
		}
		assert_string_equal(err.stage, "router");
		assert_true(strlen(err.message) > 0);
	}
	assert_int_equal(http_router_count(r), 0);
	http_router_free(r);
}

static void test_refuses_bad_methods(void **state)
{
	struct http_router *r = http_router_new();

	(void)state;
	assert_int_equal(http_router_add(r, "", "/a", NULL, NULL), HR_E_INVALID);
	assert_int_equal(http_router_add(r, "AVERYLONGMETHODXX", "/a", NULL, NULL), HR_E_INVALID);
	assert_int_equal(http_router_add(r, "AVERYLONGMETHODX", "/a", NULL, NULL), HR_OK);
	assert_int_equal(http_router_count(r), 1);
	http_router_free(r);
}

static void test_segment_and_parameter_limits(void **state)
{
	struct http_router *r = http_router_new();
	char pattern[512], path[512];
	struct http_match m;
	size_t n = 0, p = 0;

	(void)state;
	/* exactly the maximum of segments, parameters among them */
	for (int i = 0; i < HTTP_ROUTER_MAX_SEGMENTS; i++) {
		if (i < HTTP_ROUTER_MAX_PARAMS)
			n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "/{p%d}", i);
		else
			n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "/s%d", i);
		if (i < HTTP_ROUTER_MAX_PARAMS)
			p += (size_t)snprintf(path + p, sizeof(path) - p, "/v%d", i);
		else
			p += (size_t)snprintf(path + p, sizeof(path) - p, "/s%d", i);
	}
	assert_int_equal(http_router_add(r, "GET", pattern, NULL, NULL), HR_OK);
	http_router_match(r, "GET", path, &m);
	assert_int_equal(m.result, HTTP_MATCH_FOUND);
	assert_int_equal(m.param_count, HTTP_ROUTER_MAX_PARAMS);
	assert_param(&m, "p0", "v0");
	assert_param(&m, "p7", "v7");
	/* one more segment is too many, for patterns and for paths */
	snprintf(pattern + n, sizeof(pattern) - n, "/extra");
	assert_int_equal(http_router_add(r, "GET", pattern, NULL, NULL), HR_E_INVALID);
	snprintf(path + p, sizeof(path) - p, "/extra");
	expect_result(r, "GET", path, HTTP_MATCH_NO_PATH);

	/* one parameter more than the maximum */
	n = 0;
	for (int i = 0; i <= HTTP_ROUTER_MAX_PARAMS; i++)
		n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "/{q%d}", i);
	assert_int_equal(http_router_add(r, "POST", pattern, NULL, NULL), HR_E_INVALID);
	assert_int_equal(http_router_count(r), 1);
	http_router_free(r);
}

static void test_very_long_paths_are_not_found_and_do_not_crash(void **state)
{
	static const char *const routes[][2] = {{"GET", "/{x}"}, {"GET", "/a/{y}"}};
	struct http_router *r = router_with(routes, 2);
	size_t big = 1 << 20;
	char *path = malloc(big + 1);
	struct http_match m;

	(void)state;
	assert_non_null(path);
	/* exactly HTTP_ROUTER_MAX_PATH is still matched */
	path[0] = '/';
	memset(path + 1, 'x', HTTP_ROUTER_MAX_PATH - 1);
	path[HTTP_ROUTER_MAX_PATH] = 0;
	m = expect_found(r, "GET", path, 0);
	assert_int_equal(http_match_param(&m, "x").len, HTTP_ROUTER_MAX_PATH - 1);
	/* one byte more is not */
	path[HTTP_ROUTER_MAX_PATH] = 'x';
	path[HTTP_ROUTER_MAX_PATH + 1] = 0;
	expect_result(r, "GET", path, HTTP_MATCH_NO_PATH);
	/* nor a megabyte, nor a megabyte of slashes or of segments */
	memset(path + 1, 'x', big - 1);
	path[big] = 0;
	expect_result(r, "GET", path, HTTP_MATCH_NO_PATH);
	memset(path, '/', big);
	expect_result(r, "GET", path, HTTP_MATCH_NO_PATH);
	for (size_t i = 0; i < big; i += 2)
		memcpy(path + i, "/a", 2);
	expect_result(r, "GET", path, HTTP_MATCH_NO_PATH);
	/* many segments within the limit */
	path[1000] = 0;
	expect_result(r, "GET", path, HTTP_MATCH_NO_PATH);
	free(path);
	http_router_free(r);
}

/* TAXII 2.1's URLs end in '/': such a pattern matches with the slash only,
 * and the same pattern without it is another route. */
static void test_trailing_slash_is_part_of_the_pattern(void **state)
{
	struct http_router *r = http_router_new();
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(http_router_add(r, "GET", "/taxii2/", &tags[0], &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/c/{id}/objects/", &tags[1], &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/c/{id}/objects", &tags[2], &err), HR_OK);
	assert_int_equal(http_router_add(r, "GET", "/taxii2/", NULL, &err), HR_E_INVALID);
	expect_found(r, "GET", "/taxii2/", 0);
	expect_result(r, "GET", "/taxii2", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "/taxii2//", HTTP_MATCH_NO_PATH);
	expect_found(r, "GET", "/c/x/objects/", 1);
	expect_found(r, "GET", "/c/x/objects", 2);
	expect_result(r, "GET", "/c//objects/", HTTP_MATCH_NO_PATH);
	http_router_free(r);
}

static void test_empty_router_finds_nothing(void **state)
{
	struct http_router *r = http_router_new();

	(void)state;
	assert_int_equal(http_router_count(r), 0);
	expect_result(r, "GET", "/", HTTP_MATCH_NO_PATH);
	expect_result(r, "GET", "/a", HTTP_MATCH_NO_PATH);
	http_router_free(r);
	http_router_free(NULL);
}

static void test_route_data_index_and_strings_survive_growth(void **state)
{
	struct http_router *r = http_router_new();
	const char *first_pattern, *first_method;
	char pattern[32];
	struct http_match m;

	(void)state;
	assert_int_equal(http_router_add(r, "GET", "/first/{id}", &tags[0], NULL), HR_OK);
	first_pattern = http_router_pattern(r, 0);
	first_method = http_router_method(r, 0);
	for (int i = 1; i < 200; i++) {
		snprintf(pattern, sizeof(pattern), "/route%d", i);
		assert_int_equal(
		    http_router_add(r, i % 2 ? "GET" : "POST", pattern, &tags[i % 32], NULL),
		    HR_OK);
	}
	assert_int_equal(http_router_count(r), 200);
	/* metrics labels keep these pointers: they must not move when the table grows */
	assert_ptr_equal(http_router_pattern(r, 0), first_pattern);
	assert_ptr_equal(http_router_method(r, 0), first_method);
	assert_string_equal(first_pattern, "/first/{id}");
	assert_string_equal(first_method, "GET");
	assert_string_equal(http_router_pattern(r, 150), "/route150");
	assert_string_equal(http_router_method(r, 150), "POST");

	http_router_match(r, "POST", "/route150", &m);
	assert_int_equal(m.result, HTTP_MATCH_FOUND);
	assert_int_equal(m.route_index, 150);
	assert_ptr_equal(m.route_data, &tags[150 % 32]);
	http_router_match(r, "GET", "/first/42", &m);
	assert_int_equal(m.route_index, 0);
	assert_ptr_equal(m.route_data, &tags[0]);
	assert_param(&m, "id", "42");
	http_router_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matches_literal_routes),
	    cmocka_unit_test(test_parameters_are_slices_of_the_path),
	    cmocka_unit_test(test_root_matches_only_root),
	    cmocka_unit_test(test_matching_is_exact),
	    cmocka_unit_test(test_literal_beats_parameter_in_either_registration_order),
	    cmocka_unit_test(test_specificity_does_not_depend_on_order_with_many_candidates),
	    cmocka_unit_test(test_ambiguous_patterns_resolve_the_same_in_any_order),
	    cmocka_unit_test(test_wrong_method_lists_every_allowed_method),
	    cmocka_unit_test(test_allow_has_no_duplicates),
	    cmocka_unit_test(test_head_matches_get_routes),
	    cmocka_unit_test(test_explicit_head_route_beats_get_in_either_order),
	    cmocka_unit_test(test_allow_list_stays_bounded_with_many_methods),
	    cmocka_unit_test(test_refuses_duplicate_routes),
	    cmocka_unit_test(test_refuses_malformed_patterns),
	    cmocka_unit_test(test_trailing_slash_is_part_of_the_pattern),
	    cmocka_unit_test(test_refuses_bad_methods),
	    cmocka_unit_test(test_segment_and_parameter_limits),
	    cmocka_unit_test(test_very_long_paths_are_not_found_and_do_not_crash),
	    cmocka_unit_test(test_empty_router_finds_nothing),
	    cmocka_unit_test(test_route_data_index_and_strings_survive_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
