/*
 * test_log.c — structured log lines: the fixed prefix (ts, level, event), level
 * filtering, the per-thread scope (role, rid), quoting and escaping so that data
 * from outside can never split a line or forge a key, truncation of over-long
 * lines, whole lines under concurrent writers, and log_level_parse.
 *
 * Output is captured with log_set_fd() into an unlinked temporary file (or a pipe
 * for the concurrency test) and read back with a strict parser of the format.
 */
#include "testkit/testkit.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

/* ---- capturing output ---- */

static int capture_fd = -1;

static int setup(void **state)
{
	char path[] = "/tmp/hromada-test-log-XXXXXX";

	(void)state;
	capture_fd = mkstemp(path);
	if (capture_fd < 0)
		return -1;
	unlink(path);
	fcntl(capture_fd, F_SETFL, O_APPEND);
	log_set_fd(capture_fd);
	log_set_level(LOG_LEVEL_INFO);
	log_scope_set_role(NULL);
	log_scope_set_request_id(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_fd(2);
	log_set_level(LOG_LEVEL_INFO);
	log_scope_set_role(NULL);
	log_scope_set_request_id(NULL);
	close(capture_fd);
	capture_fd = -1;
	return 0;
}

/* Everything written since the last call (NUL-terminated, caller frees). */
static char *take_output(size_t *len_out)
{
	off_t end = lseek(capture_fd, 0, SEEK_END);
	char *text;
	ssize_t got;

	assert_true(end >= 0);
	text = malloc((size_t)end + 1);
	assert_non_null(text);
	got = pread(capture_fd, text, (size_t)end, 0);
	assert_int_equal(got, end);
	text[end] = 0;
	assert_int_equal(ftruncate(capture_fd, 0), 0);
	lseek(capture_fd, 0, SEEK_SET);
	if (len_out)
		*len_out = (size_t)end;
	return text;
}

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/* ---- a strict parser of the line format ---- */

#define MAX_FIELDS 400

struct parsed {
	size_t count;
	const char *key[MAX_FIELDS];
	const char *value[MAX_FIELDS]; /* unescaped, NUL-terminated */
	size_t value_len[MAX_FIELDS];
	char arena[2 * LOG_LINE_MAX + 2 * MAX_FIELDS];
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parses one line (without its '\n'): space-separated key=value pairs, values
 * either bare (no space, quote, '=', backslash or control byte) or quoted with
 * \" \\ and \xHH escapes. Returns false on anything else.
 */
static bool parse_line(const char *s, size_t n, struct parsed *p)
{
	size_t i = 0, a = 0;

	p->count = 0;
	if (n == 0)
		return false;
	for (;;) {
		size_t k0 = i;

		if (p->count == MAX_FIELDS)
			return false;
		while (i < n && s[i] != '=') {
			char c = s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			      c == '.'))
				return false;
			i++;
		}
		if (i == n || i == k0)
			return false;
		p->key[p->count] = &p->arena[a];
		memcpy(&p->arena[a], s + k0, i - k0);
		a += i - k0;
		p->arena[a++] = 0;
		i++; /* '=' */
		p->value[p->count] = &p->arena[a];
		if (i < n && s[i] == '"') {
			size_t v0 = a;
			i++;
			for (;;) {
				unsigned char c;
				if (i == n)
					return false; /* unterminated */
				c = (unsigned char)s[i];
				if (c < 0x20 || c == 0x7f)
					return false;
				if (c == '"') {
					i++;
					break;
				}
				if (c == '\\') {
					if (i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\')) {
						p->arena[a++] = s[i + 1];
						i += 2;
					} else if (i + 3 < n && s[i + 1] == 'x' &&
						   hex_digit(s[i + 2]) >= 0 &&
						   hex_digit(s[i + 3]) >= 0) {
						p->arena[a++] = (char)(hex_digit(s[i + 2]) * 16 +
								       hex_digit(s[i + 3]));
						i += 4;
					} else {
						return false;
					}
					continue;
				}
				p->arena[a++] = (char)c;
				i++;
			}
			p->value_len[p->count] = a - v0;
		} else {
			size_t v0 = i;
			while (i < n && s[i] != ' ') {
				unsigned char c = (unsigned char)s[i];
				if (c < 0x20 || c == 0x7f || c == '"' || c == '=' || c == '\\')
					return false;
				i++;
			}
			if (i == v0)
				return false;
			memcpy(&p->arena[a], s + v0, i - v0);
			a += i - v0;
			p->value_len[p->count] = i - v0;
		}
		p->arena[a++] = 0;
		p->count++;
		if (i == n)
			return true;
		if (s[i] != ' ')
			return false;
		i++;
	}
}

/* Parses the only line of text (which must end in '\n') or fails the test. */
static struct parsed *parse_single(const char *text, size_t len)
{
	struct parsed *p = malloc(sizeof(*p));

	assert_non_null(p);
	assert_int_equal(count_lines(text, len), 1);
	assert_int_equal(text[len - 1], '\n');
	if (!parse_line(text, len - 1, p)) {
		print_error("unparseable line: %s", text);
		fail();
	}
	return p;
}

static const char *field(const struct parsed *p, const char *key)
{
	for (size_t i = 0; i < p->count; i++) {
		if (strcmp(p->key[i], key) == 0)
			return p->value[i];
	}
	return NULL;
}

static void assert_prefix(const struct parsed *p, const char *level, const char *event)
{
	assert_true(p->count >= 3);
	assert_string_equal(p->key[0], "ts");
	assert_string_equal(p->key[1], "level");
	assert_string_equal(p->value[1], level);
	assert_string_equal(p->key[2], "event");
	assert_string_equal(p->value[2], event);
}

/* Logs one event with a single string field k=value and returns the parsed line. */
static struct parsed *log_one_value(const char *value, size_t len)
{
	struct log_line line;
	size_t out_len;
	char *out;
	struct parsed *p;

	log_begin(&line, LOG_LEVEL_INFO, "unit.value");
	log_add_strn(&line, "k", value, len);
	log_end(&line);
	out = take_output(&out_len);
	/* nothing below the space but the final newline may appear in the raw line */
	for (size_t i = 0; i + 1 < out_len; i++)
		assert_true((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	p = parse_single(out, out_len);
	free(out);
	return p;
}

/* ---- the line format ---- */

static void test_line_starts_with_utc_time_level_and_event(void **state)
{
	char saved_tz[64] = "";
	const char *tz = getenv("TZ");
	struct parsed *p;
	struct tm tm;
	size_t len;
	char *out;
	const char *ts;
	int ms;
	time_t logged, now;

	(void)state;
	if (tz)
		snprintf(saved_tz, sizeof(saved_tz), "%s", tz);
	/* a zone far from UTC: a timestamp in local time would be off by hours */
	setenv("TZ", "NPT-5:45", 1);
	tzset();
	log_info("unit.hello", "hello %d", 42);
	now = time(NULL);
	if (tz)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();

	out = take_output(&len);
	assert_true(strncmp(out, "ts=", 3) == 0);
	p = parse_single(out, len);
	assert_prefix(p, "info", "unit.hello");
	assert_string_equal(field(p, "msg"), "hello 42");
	assert_string_equal(p->key[3], "msg");

	ts = p->value[0];
	assert_int_equal(strlen(ts), 24); /* 2026-11-25T14:30:37.123Z */
	for (size_t i = 0; i < 24; i++) {
		const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";
		if (shape[i] == 'd')
			assert_true(ts[i] >= '0' && ts[i] <= '9');
		else
			assert_int_equal(ts[i], shape[i]);
	}
	memset(&tm, 0, sizeof(tm));
	assert_int_equal(sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms),
			 7);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	logged = timegm(&tm);
	/* generous: only a wrong zone (hours) may fail this, never a slow machine */
	assert_true(logged <= now + 1 && logged >= now - 600);
	free(p);
	free(out);
}

static void test_typed_fields(void **state)
{
	struct log_line line;
	struct parsed *p;
	size_t len;
	char *out;

	(void)state;
	log_begin(&line, LOG_LEVEL_WARN, "unit.typed");
	log_add_str(&line, "word", "plain");
	log_add_str(&line, "absent", NULL);
	log_add_int(&line, "neg", -9223372036854775807LL - 1);
	log_add_uint(&line, "big", 18446744073709551615ULL);
	log_add_bool(&line, "yes", true);
	log_add_bool(&line, "no", false);
	log_add_fmt(&line, "fmt", "%d-%s", 7, "x y");
	log_add_strn(&line, "part", "abcdef", 3);
	log_end(&line);
	out = take_output(&len);
	p = parse_single(out, len);
	assert_prefix(p, "warn", "unit.typed");
	assert_int_equal(p->count, 11);
	assert_string_equal(field(p, "word"), "plain");
	assert_string_equal(field(p, "absent"), "-");
	assert_string_equal(field(p, "neg"), "-9223372036854775808");
	assert_string_equal(field(p, "big"), "18446744073709551615");
	assert_string_equal(field(p, "yes"), "true");
	assert_string_equal(field(p, "no"), "false");
	assert_string_equal(field(p, "fmt"), "7-x y");
	assert_string_equal(field(p, "part"), "abc");
	/* fields keep the order they were added in */
	assert_string_equal(p->key[3], "word");
	assert_string_equal(p->key[10], "part");
	free(p);
	free(out);
}

static void test_one_line_per_event(void **state)
{
	size_t len;
	char *out;

	(void)state;
	for (int i = 0; i < 5; i++)
		log_info("unit.many", "n=%d", i);
	out = take_output(&len);
	assert_int_equal(count_lines(out, len), 5);
	free(out);
}

/* ---- levels ---- */

static void test_level_filtering(void **state)
{
	struct parsed *p = malloc(sizeof(*p));
	const char *line;
	size_t len;
	char *out;

	(void)state;
	assert_non_null(p);
	log_set_level(LOG_LEVEL_WARN);
	assert_int_equal(log_get_level(), LOG_LEVEL_WARN);
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	assert_false(log_enabled(LOG_LEVEL_INFO));
	assert_true(log_enabled(LOG_LEVEL_WARN));
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	log_debug("unit.debug", "d");
	log_info("unit.info", "i");
	log_warn("unit.warn", "w");
	log_error("unit.error", "e");
	out = take_output(&len);
	assert_int_equal(count_lines(out, len), 2);
	line = out;
	assert_true(parse_line(line, (size_t)(strchr(line, '\n') - line), p));
	assert_prefix(p, "warn", "unit.warn");
	line = strchr(line, '\n') + 1;
	assert_true(parse_line(line, (size_t)(strchr(line, '\n') - line), p));
	assert_prefix(p, "error", "unit.error");
	free(out);

	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("unit.debug", "d");
	out = take_output(&len);
	assert_int_equal(count_lines(out, len), 1);
	assert_non_null(strstr(out, " level=debug "));
	free(out);
	free(p);
}

static void test_level_off_silences_everything(void **state)
{
	struct log_line line;
	size_t len;
	char *out;

	(void)state;
	log_set_level(LOG_LEVEL_OFF);
	log_error("unit.error", "e");
	log_begin(&line, LOG_LEVEL_ERROR, "unit.manual");
	log_add_str(&line, "k", "v");
	log_end(&line);
	out = take_output(&len);
	assert_int_equal(len, 0);
	free(out);

	/* OFF is a threshold, never a level a line can be written at */
	log_set_level(LOG_LEVEL_DEBUG);
	assert_false(log_enabled(LOG_LEVEL_OFF));
	log_msg(LOG_LEVEL_OFF, "unit.off", "x");
	out = take_output(&len);
	assert_int_equal(len, 0);
	free(out);
}

static void test_level_outside_the_enum_is_never_written(void **state)
{
	size_t len;
	char *out;

	(void)state;
	log_set_level(LOG_LEVEL_DEBUG);
	assert_false(log_enabled((enum log_level)7));
	log_msg((enum log_level)7, "unit.bad_level", "x"); /* must not read past the names */
	out = take_output(&len);
	assert_int_equal(len, 0);
	free(out);
}

static void test_level_parse_accepts_exactly_the_five_names(void **state)
{
	static const char *const good[] = {"debug", "info", "warn", "error", "off"};
	static const char *const bad[] = {"",      "INFO",  "Info",   "warning", "err",
					  "info ", " info", "debugx", "of",      "none",
					  "trace", "0",     "fatal",  "Off"};
	enum log_level level;

	(void)state;
	for (int i = 0; i < 5; i++) {
		level = (enum log_level)99;
		assert_int_equal(log_level_parse(good[i], &level), HR_OK);
		assert_int_equal(level, i);
		assert_string_equal(log_level_name(level), good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		level = LOG_LEVEL_ERROR;
		assert_int_equal(log_level_parse(bad[i], &level), HR_E_INVALID);
		assert_int_equal(level, LOG_LEVEL_ERROR); /* untouched */
	}
	assert_string_equal(log_level_name((enum log_level)5), "?");
}

/* ---- scope ---- */

static void test_scope_adds_role_and_request_id(void **state)
{
	struct parsed *p;
	size_t len;
	char *out;

	(void)state;
	log_scope_set_role("UA/wallet");
	log_scope_set_request_id("9f3c0a");
	assert_string_equal(log_scope_request_id(), "9f3c0a");
	log_info("unit.scoped", "x");
	out = take_output(&len);
	p = parse_single(out, len);
	assert_prefix(p, "info", "unit.scoped");
	assert_string_equal(p->key[3], "role");
	assert_string_equal(p->value[3], "UA/wallet");
	assert_string_equal(p->key[4], "rid");
	assert_string_equal(p->value[4], "9f3c0a");
	free(p);
	free(out);

	log_scope_set_role(NULL);
	log_scope_set_request_id(NULL);
	assert_null(log_scope_request_id());
	log_info("unit.unscoped", "x");
	out = take_output(&len);
	p = parse_single(out, len);
	assert_null(field(p, "role"));
	assert_null(field(p, "rid"));
	free(p);
	free(out);
}

static void test_scope_values_are_escaped_and_bounded(void **state)
{
	char long_id[200];
	struct parsed *p;
	size_t len;
	char *out;

	(void)state;
	log_scope_set_role("role with \"quotes\"\n");
	memset(long_id, 'r', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = 0;
	log_scope_set_request_id(long_id);
	/* a long id is kept as a prefix, never overflowing the thread's storage */
	assert_non_null(log_scope_request_id());
	assert_true(strlen(log_scope_request_id()) > 0);
	assert_true(strncmp(log_scope_request_id(), long_id, strlen(log_scope_request_id())) == 0);
	log_info("unit.scoped", "x");
	out = take_output(&len);
	p = parse_single(out, len);
	assert_string_equal(field(p, "role"), "role with \"quotes\"\n");
	assert_string_equal(field(p, "rid"), log_scope_request_id());
	free(p);
	free(out);
}

struct scope_probe {
	const char *seen_request_id;
	bool set_own;
};

static void *scope_thread(void *arg)
{
	struct scope_probe *probe = arg;

	probe->seen_request_id = log_scope_request_id();
	log_info("unit.other_thread", "x");
	if (probe->set_own) {
		log_scope_set_role("thread-role");
		log_scope_set_request_id("thread-rid");
	}
	return NULL;
}

static void test_scope_is_per_thread(void **state)
{
	struct scope_probe probe = {"not called", true};
	struct parsed *p;
	pthread_t t;
	size_t len;
	char *out;

	(void)state;
	log_scope_set_role("main-role");
	log_scope_set_request_id("main-rid");
	assert_int_equal(pthread_create(&t, NULL, scope_thread, &probe), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_null(probe.seen_request_id);
	out = take_output(&len);
	p = parse_single(out, len);
	assert_prefix(p, "info", "unit.other_thread");
	assert_null(field(p, "role"));
	assert_null(field(p, "rid"));
	free(p);
	free(out);

	/* and what the other thread set did not leak back into this one */
	assert_string_equal(log_scope_request_id(), "main-rid");
	log_info("unit.main_thread", "x");
	out = take_output(&len);
	p = parse_single(out, len);
	assert_string_equal(field(p, "role"), "main-role");
	assert_string_equal(field(p, "rid"), "main-rid");
	free(p);
	free(out);
}

/* ---- quoting and escaping ---- */

static void test_values_needing_quotes_are_quoted_and_round_trip(void **state)
{
	static const char *const values[] = {
	    "two words", "say \"hi\"", "k=v",       "line1\nline2", "tab\there",
	    "\r\n",      "\x01\x1f",   "del\x7f",   "back\\slash",  "",
	    "\"",        "\\",         "trailing ", " leading",     "caf\xc3\xa9 \xff",
	};
	struct parsed *p;

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		p = log_one_value(values[i], strlen(values[i]));
		assert_prefix(p, "info", "unit.value");
		assert_int_equal(p->count, 4);
		assert_string_equal(p->key[3], "k");
		assert_int_equal(p->value_len[3], strlen(values[i]));
		assert_memory_equal(p->value[3], values[i], strlen(values[i]));
		free(p);
	}
}

static void test_plain_values_stay_bare(void **state)
{
	struct log_line line;
	size_t len;
	char *out;

	(void)state;
	log_begin(&line, LOG_LEVEL_INFO, "unit.bare");
	log_add_str(&line, "path", "/v1/documents/id_card");
	log_add_str(&line, "ip", "127.0.0.1:8080");
	log_end(&line);
	out = take_output(&len);
	assert_non_null(strstr(out, " path=/v1/documents/id_card ip=127.0.0.1:8080\n"));
	free(out);
}

static void test_value_cannot_start_a_new_line_or_forge_a_key(void **state)
{
	static const char *const attacks[] = {
	    "x\nlevel=error event=forged",
	    "x\rlevel=error event=forged",
	    "x level=error event=forged",
	    "x\" level=error event=\"forged",
	    "x\\\" level=error event=forged",
	    "\nts=2020-01-01T00:00:00.000Z level=error event=forged",
	};
	struct parsed *p;
	size_t len;
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		p = log_one_value(attacks[i], strlen(attacks[i]));
		assert_int_equal(p->count, 4); /* ts level event k — and nothing forged */
		assert_string_equal(p->value[1], "info");
		assert_string_equal(p->value[2], "unit.value");
		assert_string_equal(p->value[3], attacks[i]);
		free(p);
	}

	/* the same through the free-text message */
	log_warn("unit.msg", "user said: %s", attacks[0]);
	out = take_output(&len);
	p = parse_single(out, len);
	assert_int_equal(p->count, 4);
	assert_string_equal(p->value[1], "warn");
	assert_string_equal(field(p, "msg"), "user said: x\nlevel=error event=forged");
	free(p);
	free(out);
}

static void test_every_byte_value_round_trips(void **state)
{
	char all[255];
	struct parsed *p;

	(void)state;
	for (int i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	p = log_one_value(all, sizeof(all));
	assert_int_equal(p->value_len[3], sizeof(all));
	assert_memory_equal(p->value[3], all, sizeof(all));
	free(p);
}

/* ---- truncation ---- */

static void assert_truncated_line(const char *out, size_t len, const char *event)
{
	char prefix[64];

	assert_int_equal(count_lines(out, len), 1);
	assert_true(len <= LOG_LINE_MAX + 1);
	assert_true(len >= 4);
	assert_memory_equal(out + len - 4, "...\n", 4);
	assert_true(strncmp(out, "ts=", 3) == 0);
	snprintf(prefix, sizeof(prefix), "Z level=info event=%s ", event);
	assert_non_null(strstr(out, prefix));
	for (size_t i = 0; i + 1 < len; i++)
		assert_true((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
}

static void test_long_value_is_truncated_to_one_bounded_line(void **state)
{
	size_t big = 4 * LOG_LINE_MAX;
	char *value = malloc(big + 1);
	struct log_line line;
	size_t len;
	char *out;

	(void)state;
	assert_non_null(value);
	memset(value, 'a', big);
	value[big] = 0;
	log_begin(&line, LOG_LEVEL_INFO, "unit.long");
	log_add_str(&line, "k", value);
	log_add_str(&line, "after", "x");
	log_end(&line);
	out = take_output(&len);
	assert_truncated_line(out, len, "unit.long");
	assert_null(strstr(out, "after="));
	free(out);

	/* escapes expand four-fold and are cut at the same limit */
	memset(value, '\n', big);
	log_begin(&line, LOG_LEVEL_INFO, "unit.long");
	log_add_str(&line, "k", value);
	log_end(&line);
	out = take_output(&len);
	assert_truncated_line(out, len, "unit.long");
	free(out);

	/* the free-text and formatted paths too */
	memset(value, 'b', big);
	log_info("unit.long", "%s", value);
	out = take_output(&len);
	assert_truncated_line(out, len, "unit.long");
	free(out);
	log_begin(&line, LOG_LEVEL_INFO, "unit.long");
	log_add_fmt(&line, "f", "%s%s", value, value);
	log_end(&line);
	out = take_output(&len);
	assert_truncated_line(out, len, "unit.long");
	free(out);
	free(value);
}

static void test_many_fields_are_truncated_to_one_bounded_line(void **state)
{
	struct log_line line;
	size_t len;
	char *out;

	(void)state;
	log_begin(&line, LOG_LEVEL_INFO, "unit.fields");
	for (int i = 0; i < 1000; i++)
		log_add_int(&line, "field_with_a_long_name", i);
	log_end(&line);
	out = take_output(&len);
	assert_truncated_line(out, len, "unit.fields");
	free(out);
}

static void test_short_line_is_not_marked_truncated(void **state)
{
	size_t len;
	char *out;

	(void)state;
	log_info("unit.short", "complete");
	out = take_output(&len);
	assert_true(len > 4);
	assert_memory_not_equal(out + len - 4, "...\n", 4);
	free(out);
}

/* ---- concurrency ---- */

#define WRITERS          8
#define LINES_PER_WRITER 300

/* Up to 450 bytes, each escaped to at most 4: long lines that still fit whole. */
static size_t pad_length(int thread, int seq)
{
	return (size_t)((thread * 131 + seq * 37) % 450);
}

static char pad_char(int thread, int seq, size_t i)
{
	/* a mix of bare characters, spaces and escaped bytes */
	switch ((size_t)(thread + seq) % 4 + i % 3) {
	case 0:
		return ' ';
	case 1:
		return '\n';
	case 2:
		return '"';
	default:
		return (char)('a' + thread);
	}
}

static void *writer_thread(void *arg)
{
	int thread = (int)(intptr_t)arg;
	char pad[450];
	char role[16];

	snprintf(role, sizeof(role), "writer%d", thread);
	log_scope_set_role(role);
	for (int seq = 0; seq < LINES_PER_WRITER; seq++) {
		struct log_line line;
		size_t n = pad_length(thread, seq);

		for (size_t i = 0; i < n; i++)
			pad[i] = pad_char(thread, seq, i);
		log_begin(&line, LOG_LEVEL_INFO, "unit.concurrent");
		log_add_int(&line, "thread", thread);
		log_add_int(&line, "seq", seq);
		log_add_strn(&line, "pad", pad, n);
		log_end(&line);
	}
	log_scope_set_role(NULL);
	return NULL;
}

struct drain {
	int fd;
	char *data;
	size_t len, cap;
};

static void *drain_thread(void *arg)
{
	struct drain *d = arg;

	for (;;) {
		ssize_t got;
		if (d->cap - d->len < 65536) {
			d->cap = d->cap ? 2 * d->cap : 1 << 20;
			d->data = realloc(d->data, d->cap);
			if (d->data == NULL)
				abort();
		}
		got = read(d->fd, d->data + d->len, d->cap - d->len - 1);
		if (got <= 0)
			break;
		d->len += (size_t)got;
	}
	d->data[d->len] = 0;
	return NULL;
}

static void test_concurrent_writers_never_interleave_lines(void **state)
{
	struct drain d = {-1, NULL, 0, 0};
	int next_seq[WRITERS] = {0};
	pthread_t writers[WRITERS], drainer;
	struct parsed *p = malloc(sizeof(*p));
	char expected[450];
	size_t lines = 0;
	int fds[2];
	char *line;

	(void)state;
	assert_non_null(p);
	/* a pipe: a line written in several pieces would interleave with others */
	assert_int_equal(pipe(fds), 0);
	d.fd = fds[0];
	assert_int_equal(pthread_create(&drainer, NULL, drain_thread, &d), 0);
	log_set_fd(fds[1]);
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(
		    pthread_create(&writers[i], NULL, writer_thread, (void *)(intptr_t)i), 0);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(writers[i], NULL);
	log_set_fd(capture_fd);
	close(fds[1]);
	pthread_join(drainer, NULL);
	close(fds[0]);

	line = d.data;
	while (line < d.data + d.len) {
		char *end = memchr(line, '\n', (size_t)(d.data + d.len - line));
		int thread, seq;
		size_t n;

		assert_non_null(end);
		if (!parse_line(line, (size_t)(end - line), p)) {
			print_error("line %zu does not parse: %.200s\n", lines, line);
			fail();
		}
		assert_prefix(p, "info", "unit.concurrent");
		assert_int_equal(p->count, 7);
		thread = atoi(field(p, "thread"));
		seq = atoi(field(p, "seq"));
		assert_true(thread >= 0 && thread < WRITERS);
		snprintf(expected, sizeof(expected), "writer%d", thread);
		assert_string_equal(field(p, "role"), expected);
		/* each writer's lines arrive whole and in its own order */
		assert_int_equal(seq, next_seq[thread]);
		next_seq[thread]++;
		n = pad_length(thread, seq);
		for (size_t i = 0; i < n; i++)
			expected[i] = pad_char(thread, seq, i);
		assert_int_equal(p->value_len[6], n);
		assert_memory_equal(p->value[6], expected, n);
		lines++;
		line = end + 1;
	}
	assert_int_equal(lines, WRITERS * LINES_PER_WRITER);
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(next_seq[i], LINES_PER_WRITER);
	free(d.data);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_line_starts_with_utc_time_level_and_event, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_typed_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_line_per_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_filtering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_off_silences_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_outside_the_enum_is_never_written, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_level_parse_accepts_exactly_the_five_names, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_scope_adds_role_and_request_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scope_values_are_escaped_and_bounded, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_scope_is_per_thread, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_values_needing_quotes_are_quoted_and_round_trip,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plain_values_stay_bare, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_value_cannot_start_a_new_line_or_forge_a_key,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_byte_value_round_trips, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_value_is_truncated_to_one_bounded_line, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_many_fields_are_truncated_to_one_bounded_line,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_short_line_is_not_marked_truncated, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_writers_never_interleave_lines, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
