/*
 * test_canary_index.c — the canary index (src/leak/canary_index.h): tags of
 * real identifiers under a canary key are found with the member the canary
 * was served to; a file that does not exist yet is watched for; appended
 * lines are found at the next look, not before a second has passed; a line
 * still being written is left for later; bad lines are skipped, duplicates
 * kept once; a replaced file is read again whole; lookups run beside a
 * refresh on other threads.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "leak/canary_index.h"
#include "leak/leak_tag.h"

#define BANK   "UA/COM/14360570/bank"
#define POLICE "UA/GOV/00032684/police"
#define T      INT64_C(1793577600000)

static const uint8_t key[SECRET_LEN] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
					12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
					23, 24, 25, 26, 27, 28, 29, 30, 31};

static void path_of(char *out, size_t size)
{
	tk_dir_path(out, size, "canaries.jsonl");
}

static void append(const char *text)
{
	char path[512];
	FILE *f;

	path_of(path, sizeof(path));
	f = fopen(path, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The line `hromada canary plant` appends for identifier. */
static void line_for(const char *identifier, const char *member, const char *canary, char *out,
		     size_t size)
{
	char hex[LEAK_TAG_HEX_LEN + 1];

	assert_int_equal(leak_tag_hex(key, identifier, hex), HR_OK);
	snprintf(out, size,
		 "{\"tag\": \"%s\", \"member\": \"%s\", \"canary\": \"%s\", "
		 "\"planted_at\": \"2026-12-07T10:00:00Z\"}\n",
		 hex, member, canary);
}

static bool known(struct canary_index *ix, const char *identifier, struct canary_hit *hit)
{
	uint8_t tag[LEAK_TAG_LEN];

	assert_int_equal(leak_tag(key, identifier, tag), HR_OK);
	return canary_index_find(ix, tag, hit);
}

static void test_tags_name_the_member_the_canary_went_to(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	struct canary_hit hit;
	char line[512], path[512], document[128], hex[LEAK_TAG_HEX_LEN + 1];

	(void)unused;
	path_of(path, sizeof(path));
	line_for("UA:3012345678", BANK, "canary-7", line, sizeof(line));
	append(line);
	assert_true(
	    leak_document_identifier("UA", "id_card", "123456789", document, sizeof(document)));
	line_for(document, BANK, "canary-7", line, sizeof(line));
	append(line);
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	assert_int_equal(canary_index_count(ix), 2);
	assert_true(known(ix, "UA:3012345678", &hit));
	assert_string_equal(hit.member, BANK);
	assert_string_equal(hit.canary, "canary-7");
	assert_string_equal(hit.planted_at, "2026-12-07T10:00:00Z");
	assert_true(known(ix, document, NULL));
	assert_false(known(ix, "UA:3012345679", &hit));
	/* as a CLI would: by hex, either case */
	assert_int_equal(leak_tag_hex(key, "UA:3012345678", hex), HR_OK);
	for (char *p = hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_true(canary_index_find_hex(ix, hex, &hit));
	assert_false(canary_index_find_hex(ix, "xyz", &hit));
	canary_index_free(ix);
}

static void test_a_file_yet_to_come_is_watched_for(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	char line[512], path[512];

	(void)unused;
	path_of(path, sizeof(path));
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	assert_int_equal(canary_index_count(ix), 0);
	line_for("UA:3012345678", POLICE, "c-1", line, sizeof(line));
	append(line);
	/* not looked at again within CANARY_INDEX_CHECK_MS of the last look */
	assert_int_equal(canary_index_refresh(ix, T, &err), HR_OK);
	assert_true(known(ix, "UA:3012345678", NULL));
	line_for("UA:3012345679", POLICE, "c-2", line, sizeof(line));
	append(line);
	assert_int_equal(canary_index_refresh(ix, T + CANARY_INDEX_CHECK_MS / 2, &err), HR_OK);
	assert_false(known(ix, "UA:3012345679", NULL));
	assert_int_equal(canary_index_refresh(ix, T + CANARY_INDEX_CHECK_MS, &err), HR_OK);
	assert_true(known(ix, "UA:3012345679", NULL));
	canary_index_free(ix);
}

static void test_a_line_being_written_waits_for_its_end(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	struct canary_index_stats st;
	char line[512], path[512], half[256];
	size_t n;

	(void)unused;
	path_of(path, sizeof(path));
	line_for("PL:44051401359", BANK, "c-9", line, sizeof(line));
	n = strlen(line) / 2;
	memcpy(half, line, n);
	half[n] = '\0';
	append(half);
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	assert_int_equal(canary_index_count(ix), 0);
	canary_index_stats(ix, &st);
	assert_int_equal(st.bad_lines, 0); /* not a bad line: an unfinished one */
	append(line + n);
	assert_int_equal(canary_index_refresh(ix, T, &err), HR_OK);
	assert_true(known(ix, "PL:44051401359", NULL));
	canary_index_stats(ix, &st);
	assert_int_equal(st.bad_lines, 0);
	canary_index_free(ix);
}

static void test_bad_lines_are_skipped_and_counted(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	struct canary_index_stats st;
	char line[512], path[512];

	(void)unused;
	path_of(path, sizeof(path));
	append("not json\n\n");
	append("{\"tag\": \"00ff\", \"member\": \"" BANK "\", \"canary\": \"c\", "
	       "\"planted_at\": \"2026-12-07T10:00:00Z\"}\n");
	append("{\"tag\": \"000102030405060708090a0b0c0d0e0f\", \"member\": \"bank\", "
	       "\"canary\": \"c\", \"planted_at\": \"2026-12-07T10:00:00Z\"}\n");
	append("{\"tag\": \"000102030405060708090a0b0c0d0e0f\", \"member\": \"" BANK "\", "
	       "\"canary\": \"\", \"planted_at\": \"2026-12-07T10:00:00Z\"}\n");
	append("{\"tag\": \"000102030405060708090a0b0c0d0e0f\", \"member\": \"" BANK "\", "
	       "\"canary\": \"c\", \"planted_at\": \"yesterday\"}\n");
	append("[1, 2]\n");
	line_for("UA:3012345678", BANK, "c-1", line, sizeof(line));
	append(line);
	append(line); /* the same tag again */
	line_for("UA:3012345678", POLICE, "c-2", line, sizeof(line));
	append(line); /* and for another member: the first entry stands */
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	canary_index_stats(ix, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bad_lines, 6);
	assert_int_equal(st.duplicates, 2);
	{
		struct canary_hit hit;

		assert_true(known(ix, "UA:3012345678", &hit));
		assert_string_equal(hit.member, BANK);
	}
	canary_index_free(ix);
}

static void test_a_replaced_file_is_read_again_whole(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	char line[512], path[512], fresh[600];

	(void)unused;
	path_of(path, sizeof(path));
	line_for("UA:3012345678", BANK, "c-1", line, sizeof(line));
	append(line);
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	assert_true(known(ix, "UA:3012345678", NULL));
	/* a new file renamed over the old one, as a rewrite must be done */
	snprintf(fresh, sizeof(fresh), "%s.new", path);
	line_for("UA:3012345679", POLICE, "c-2", line, sizeof(line));
	assert_true(tk_write_file(fresh, line));
	assert_int_equal(rename(fresh, path), 0);
	assert_int_equal(canary_index_refresh(ix, T, &err), HR_OK);
	assert_false(known(ix, "UA:3012345678", NULL));
	assert_true(known(ix, "UA:3012345679", NULL));
	/* cut short in place: read again too */
	assert_true(tk_write_file(path, ""));
	assert_int_equal(canary_index_refresh(ix, T + CANARY_INDEX_CHECK_MS, &err), HR_OK);
	assert_int_equal(canary_index_count(ix), 0);
	canary_index_free(ix);
}

static void test_many_entries_grow_the_table(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	char path[512], id[32], line[512];
	FILE *f;

	(void)unused;
	path_of(path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "UA:30%08d", i);
		line_for(id, i % 2 ? BANK : POLICE, "c", line, sizeof(line));
		fputs(line, f);
	}
	fclose(f);
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	assert_int_equal(canary_index_count(ix), 5000);
	for (int i = 0; i < 5000; i += 97) {
		struct canary_hit hit;

		snprintf(id, sizeof(id), "UA:30%08d", i);
		assert_true(known(ix, id, &hit));
		assert_string_equal(hit.member, i % 2 ? BANK : POLICE);
	}
	canary_index_free(ix);
}

struct reader {
	struct canary_index *ix;
	int found;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;

	for (int i = 0; i < 20000; i++)
		r->found += known(r->ix, "UA:3012345678", NULL);
	return NULL;
}

static void test_lookups_run_beside_refreshes(void **unused)
{
	struct canary_index *ix = NULL;
	struct hr_error err = {0};
	struct reader readers[3];
	pthread_t threads[3];
	char line[512], path[512], id[32];

	(void)unused;
	path_of(path, sizeof(path));
	line_for("UA:3012345678", BANK, "c-1", line, sizeof(line));
	append(line);
	assert_int_equal(canary_index_open(path, &ix, &err), HR_OK);
	for (int t = 0; t < 3; t++) {
		readers[t] = (struct reader){ix, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, reader_run, &readers[t]), 0);
	}
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "UA:31%08d", i);
		line_for(id, POLICE, "c", line, sizeof(line));
		append(line);
		assert_int_equal(canary_index_refresh(ix, T + i * 1000, &err), HR_OK);
	}
	for (int t = 0; t < 3; t++) {
		assert_int_equal(pthread_join(threads[t], NULL), 0);
		assert_int_equal(readers[t].found, 20000);
	}
	assert_int_equal(canary_index_count(ix), 201);
	canary_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tags_name_the_member_the_canary_went_to,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_a_file_yet_to_come_is_watched_for, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_a_line_being_written_waits_for_its_end,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_lines_are_skipped_and_counted, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_a_replaced_file_is_read_again_whole, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_many_entries_grow_the_table, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_lookups_run_beside_refreshes, tk_dir_setup,
					    tk_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
