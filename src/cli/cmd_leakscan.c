/*
 * cmd_leakscan.c — `hromada leakscan`: a leaked dump against the registries
 * (DESIGN.md §5, docs/LEAKS.md). The work is src/leak/'s; this file reads the
 * arguments, draws the progress bar and sends the people found to the "was my
 * data leaked" range service (POST /v1/leaks at the nccc, as each country's
 * CERT member).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_member.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/signals.h"
#include "leak/leak_overlap.h"
#include "leak/leak_range.h"
#include "leak/leak_scan.h"
#include "leak/leak_state.h"
#include "platform/country.h"

#define PUBLISH_BATCH 10000 /* tags per POST /v1/leaks */

struct leakscan_args {
	const char *state, *json_out, *name;
	struct dump_options dump;
	bool publish, no_publish, rebuild, quiet;
};

struct progress {
	bool tty;
	struct timespec start;
	uint64_t total_bytes, done_bytes; /* of the dumps before this one */
	double last;
};

struct tags {
	char (*hex)[LEAK_TAG_HEX_LEN + 1];
	size_t count, cap;
	const struct leak_state *state;
};

/* what the scan's callbacks share */
struct run {
	struct progress progress;
	struct tags tags; /* range tags to publish, when publishing */
	bool publishing;
	/* per country of the state: its people in the dump, for the overlap
	 * with its gateway's access histories (NULL: no gateway log) */
	struct leak_overlap *overlap[LEAK_STATE_COUNTRIES];
	const struct leak_state *state;
};

static void leakscan_help(void)
{
	printf("usage: hromada leakscan --state DIR [--format auto|csv|jsonl|sql]\n"
	       "                        [--encoding auto|utf-8|cp1251] [--json REPORT.json]\n"
	       "                        [--name NAME] [--no-publish] [--rebuild-index] DUMP...\n"
	       "\n"
	       "Reads leaked dumps (CSV with any common delimiter, JSON lines, SQL INSERT or\n"
	       "COPY dumps; UTF-8 or CP1251) against the registries of DIR through keyed\n"
	       "hashes, and reports which rows are real, outdated, altered or fabricated,\n"
	       "how far each field agrees, the time window the data is from, columns the\n"
	       "platform never held, canaries and the member they were served to, and a\n"
	       "verdict (docs/LEAKS.md). DUMP may be - for standard input.\n"
	       "\n"
	       "When DIR/endpoints.json names an nccc, the people found are published to\n"
	       "its \"was my data leaked\" range service, so each can see it in the wallet\n"
	       "(--no-publish: don't).\n"
	       "Exit: 0 done, 1 a dump could not be read whole, 2 usage or I/O.\n");
}

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void on_progress(void *context, uint64_t rows, uint64_t bytes)
{
	struct progress *p = &((struct run *)context)->progress;
	double t = elapsed(&p->start), rate, share;
	uint64_t done = p->done_bytes + bytes;
	int width = 30, filled;

	if (!p->tty || t - p->last < 0.2)
		return;
	p->last = t;
	rate = t > 0 ? (double)rows / t : 0;
	share = p->total_bytes > 0 ? (double)done / (double)p->total_bytes : 0;
	if (share > 1)
		share = 1;
	filled = (int)(share * width);
	fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %llu rows  %.0f rows/s  ETA %.0f s ", filled,
		"##############################", width - filled, "", 100 * share,
		(unsigned long long)rows, rate, share > 0.001 ? t / share - t : 0.0);
	fflush(stderr);
}

static void on_index_progress(void *context, uint64_t rows)
{
	struct progress *p = context;
	double t = elapsed(&p->start);

	if (!p->tty || t - p->last < 0.2)
		return;
	p->last = t;
	fprintf(stderr, "\rindexing the registries: %llu rows  %.0f rows/s ",
		(unsigned long long)rows, t > 0 ? (double)rows / t : 0.0);
	fflush(stderr);
}

static void on_person(void *context, const char *person)
{
	struct run *run = context;
	struct tags *t = &run->tags;

	for (size_t c = 0; c < LEAK_STATE_COUNTRIES; c++) {
		uint8_t hash[LEAK_OVERLAP_HASH_LEN];

		if (run->overlap[c] != NULL &&
		    leak_state_audit_hash(run->state, c, person, hash) == HR_OK)
			(void)leak_overlap_add(run->overlap[c], hash, NULL);
	}
	if (!run->publishing)
		return;

	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		void *grown = realloc(t->hex, cap * sizeof(*t->hex));

		if (grown == NULL)
			return; /* publishing is best effort; the report is not */
		t->hex = grown;
		t->cap = cap;
	}
	if (leak_state_range_tag(t->state, person, t->hex[t->count]) == HR_OK)
		t->count++;
}

static int compare_hex(const void *a, const void *b)
{
	return memcmp(a, b, LEAK_TAG_HEX_LEN);
}

/* One call of POST /v1/leaks with tags [from, to). */
static hr_status publish_batch(const struct leakscan_args *a, const char *url, const char *as,
			       const json_t *dump, char (*hex)[LEAK_TAG_HEX_LEN + 1], size_t n,
			       struct hr_error *err)
{
	struct http_client_response response;
	struct member_call call;
	json_t *body = json_pack("{s:O, s:[]}", "dump", dump, "tags");
	char keyid[128], *text;
	hr_status rc;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(json_object_get(body, "tags"), json_string(hex[i]));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return hr_error_set(err, HR_E_NOMEM, "leakscan", "out of memory");
	call = (struct member_call){.url = url,
				    .method = "POST",
				    .body = text,
				    .body_len = strlen(text),
				    .timeout_ms = 60000};
	http_client_response_init(&response);
	rc = cli_member_call(a->state, as, &call, &response, keyid, sizeof(keyid), err);
	if (rc == HR_OK && (response.status < 200 || response.status > 299))
		rc = hr_error_set(err, HR_E_DENIED, "leakscan", "the nccc refused (%ld): %.*s",
				  response.status,
				  (int)(response.body.len > 300 ? 300 : response.body.len),
				  response.body.data ? (const char *)response.body.data : "");
	http_client_response_clear(&response);
	free(text);
	return rc;
}

/* The people found, per country, to the range service as that country's CERT. */
static int publish(const struct leakscan_args *a, const struct leak_state *state, struct tags *tags,
		   const json_t *fields, const char *dump_id, const char *dump_name)
{
	const char *countries[LEAK_STATE_COUNTRIES];
	size_t n = leak_state_countries(state, countries);
	char path[PATH_MAX], url[1024], first_seen[32];
	json_t *endpoints, *dump;
	const char *nccc;
	struct hr_error err = {0};
	time_t now = time(NULL);
	struct tm tm;

	snprintf(path, sizeof(path), "%s/endpoints.json", a->state);
	endpoints = json_load_file(path, 0, NULL);
	nccc = json_string_value(json_object_get(endpoints, "nccc"));
	if (nccc == NULL) {
		if (a->publish)
			fprintf(stderr, "hromada leakscan: no nccc in %s: nothing published\n",
				path);
		json_decref(endpoints);
		return a->publish ? CLI_EXIT_FAILED : CLI_EXIT_OK;
	}
	snprintf(url, sizeof(url), "%s/v1/leaks", nccc);
	json_decref(endpoints);
	gmtime_r(&now, &tm);
	strftime(first_seen, sizeof(first_seen), "%Y-%m-%dT%H:%M:%SZ", &tm);
	dump = json_pack("{s:s, s:s, s:s, s:O}", "id", dump_id, "name", dump_name, "first_seen",
			 first_seen, "fields", fields);
	/* the same person in many rows is published once */
	qsort(tags->hex, tags->count, sizeof(*tags->hex), compare_hex);
	for (size_t c = 0; c < n; c++) {
		const struct country_members *members = country_members(countries[c]);
		char(*batch)[LEAK_TAG_HEX_LEN + 1] = malloc(PUBLISH_BATCH * sizeof(*batch));
		size_t k = 0, sent = 0;

		if (members == NULL || members->cert == NULL || batch == NULL) {
			free(batch);
			continue;
		}
		for (size_t i = 0; i <= tags->count; i++) {
			bool last = i == tags->count;

			if (!last && (i > 0 && compare_hex(tags->hex[i], tags->hex[i - 1]) == 0))
				continue;
			if (!last)
				memcpy(batch[k++], tags->hex[i], sizeof(*batch));
			if (k == PUBLISH_BATCH || (last && k > 0)) {
				if (publish_batch(a, url, members->cert, dump, batch, k, &err) !=
				    HR_OK) {
					cli_print_error(&err);
					free(batch);
					json_decref(dump);
					return CLI_EXIT_FAILED;
				}
				sent += k;
				k = 0;
			}
		}
		free(batch);
		if (!a->quiet)
			fprintf(stderr, "published %zu people to the range service as %s\n", sent,
				members->cert);
		/* one CERT publishes: a tag already carries its country's key, and
		 * the hub learns nothing more from who sends it */
		break;
	}
	json_decref(dump);
	return CLI_EXIT_OK;
}

/* "overlap": the consumers who received the dump's people, per gateway, and
 * a reason when one received (nearly) all of them. */
static void add_overlap(struct run *run, json_t *report)
{
	const char *countries[LEAK_STATE_COUNTRIES];
	size_t n = leak_state_countries(run->state, countries);
	json_t *all = json_array(), *reasons = json_object_get(report, "reasons");
	struct hr_error err = {0};

	for (size_t c = 0; c < n; c++) {
		json_t *list, *item;
		size_t i;

		if (run->overlap[c] == NULL || leak_overlap_people(run->overlap[c]) == 0)
			continue;
		if (leak_overlap_read_log(run->overlap[c], leak_state_audit_dir(run->state, c),
					  &err) != HR_OK) {
			cli_print_error(&err);
			continue;
		}
		list = leak_overlap_report(run->overlap[c]);
		json_array_foreach(list, i, item)
		{
			json_object_set_new(item, "gateway", json_string(countries[c]));
			json_array_append(all, item);
			if (json_real_value(json_object_get(item, "share")) >= 0.95 &&
			    json_integer_value(json_object_get(item, "people")) >= 10)
				json_array_append_new(
				    reasons,
				    json_sprintf(
					"%s received %.0f%% of the dump's people through the "
					"%s gateway: it could have held exactly them",
					json_string_value(json_object_get(item, "member")),
					100 * json_real_value(json_object_get(item, "share")),
					countries[c]));
		}
		json_decref(list);
	}
	json_object_set_new(report, "overlap", all);
}

/* A dump id that is the same for the same files: SHA-256 of names and sizes. */
static void dump_identity(int count, char **paths, char id[33], char *name, size_t size)
{
	struct buf text;
	uint8_t digest[DIGEST_SHA256_LEN];

	buf_init(&text, 256);
	name[0] = '\0';
	for (int i = 0; i < count; i++) {
		struct stat st;
		const char *base = strrchr(paths[i], '/');
		char line[PATH_MAX + 32];

		base = base != NULL ? base + 1 : paths[i];
		snprintf(line, sizeof(line), "%s:%lld;", base,
			 stat(paths[i], &st) == 0 ? (long long)st.st_size : -1LL);
		buf_append(&text, line, strlen(line));
		if (strlen(name) + strlen(base) + 2 < size)
			snprintf(name + strlen(name), size - strlen(name), "%s%s", i ? ", " : "",
				 base);
	}
	digest_sha256_of(text.data, text.len, digest);
	hex_encode(digest, 16, id);
	id[32] = '\0';
	buf_clear(&text);
}

static bool parse_args(int argc, char **argv, struct leakscan_args *a)
{
	static const struct option options[] = {{"state", required_argument, NULL, 's'},
						{"format", required_argument, NULL, 'f'},
						{"encoding", required_argument, NULL, 'e'},
						{"json", required_argument, NULL, 'j'},
						{"name", required_argument, NULL, 'n'},
						{"no-publish", no_argument, NULL, 'N'},
						{"publish", no_argument, NULL, 'P'},
						{"rebuild-index", no_argument, NULL, 'R'},
						{"quiet", no_argument, NULL, 'q'},
						{"help", no_argument, NULL, 'h'},
						{NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			a->state = optarg;
			break;
		case 'j':
			a->json_out = optarg;
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'N':
			a->no_publish = true;
			break;
		case 'P':
			a->publish = true;
			break;
		case 'R':
			a->rebuild = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				a->dump.format = DUMP_FORMAT_CSV;
			else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
				a->dump.format = DUMP_FORMAT_JSONL;
			else if (strcmp(optarg, "sql") == 0)
				a->dump.format = DUMP_FORMAT_SQL;
			else if (strcmp(optarg, "auto") != 0) {
				fprintf(stderr,
					"hromada leakscan: --format is auto, csv, jsonl or sql\n");
				return false;
			}
			break;
		case 'e':
			if (strcmp(optarg, "utf-8") == 0 || strcmp(optarg, "utf8") == 0)
				a->dump.encoding = DUMP_ENCODING_UTF8;
			else if (strcmp(optarg, "cp1251") == 0 ||
				 strcmp(optarg, "windows-1251") == 0)
				a->dump.encoding = DUMP_ENCODING_CP1251;
			else if (strcmp(optarg, "auto") != 0) {
				fprintf(stderr,
					"hromada leakscan: --encoding is auto, utf-8 or cp1251\n");
				return false;
			}
			break;
		case 'h':
			leakscan_help();
			exit(CLI_EXIT_OK);
		default:
			return false;
		}
	}
	if (a->name != NULL && (strlen(a->name) == 0 || strlen(a->name) > LEAK_RANGE_NAME_MAX)) {
		fprintf(stderr, "hromada leakscan: --name takes 1 to %d bytes\n",
			LEAK_RANGE_NAME_MAX);
		return false;
	}
	if (a->state == NULL || optind >= argc) {
		fprintf(stderr, "hromada leakscan: --state DIR and at least one DUMP are needed "
				"(--help)\n");
		return false;
	}
	return true;
}

static int leakscan_run(int argc, char **argv)
{
	struct leakscan_args a = {0};
	struct run run = {0};
	struct progress *pp = &run.progress;
	struct tags *tp = &run.tags;
	struct leak_state *state = NULL;
	struct leak_scan *scan = NULL;
	struct hr_error err = {0};
	struct leak_state_options so = {0};
	struct leak_scan_options o = {0};
	json_t *report = NULL, *fields = NULL;
	char dump_id[33], dump_name[512];
	int rc = CLI_EXIT_OK;

	if (!parse_args(argc, argv, &a))
		return CLI_EXIT_USAGE;
	/* nothing to shut down: the index is written aside and renamed */
	signals_unblock_stop();
	pp->tty = !a.quiet && isatty(fileno(stderr));
	clock_gettime(CLOCK_MONOTONIC, &pp->start);
	so = (struct leak_state_options){
	    .dir = a.state, .rebuild = a.rebuild, .progress = on_index_progress, .context = pp};
	if (leak_state_open(&so, &state, &err) != HR_OK) {
		cli_print_error(&err);
		return CLI_EXIT_USAGE;
	}
	if (pp->tty)
		fputc('\n', stderr);
	if (!a.quiet && leak_state_built(state))
		fprintf(stderr, "indexed %zu people and %zu documents in %.1f s\n",
			leak_index_people(leak_state_index(state)),
			leak_index_documents(leak_state_index(state)), elapsed(&pp->start));
	tp->state = state;
	run.state = state;
	run.publishing = !a.no_publish;
	for (size_t c = 0; c < LEAK_STATE_COUNTRIES; c++)
		if (leak_state_audit_dir(state, c) != NULL &&
		    leak_overlap_new(&run.overlap[c], &err) != HR_OK) {
			cli_print_error(&err);
			leak_state_free(state);
			return CLI_EXIT_USAGE;
		}
	o.index = leak_state_index(state);
	o.canary_members = leak_state_canary_members(state, &o.canary_member_count);
	o.on_person = on_person;
	o.progress = on_progress;
	o.context = &run;
	if (leak_scan_new(&o, &scan, &err) != HR_OK) {
		cli_print_error(&err);
		leak_state_free(state);
		return CLI_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0)
			pp->total_bytes += (uint64_t)st.st_size;
	}
	clock_gettime(CLOCK_MONOTONIC, &pp->start);
	pp->last = 0;
	for (int i = optind; i < argc; i++) {
		FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "rb");
		struct stat st;

		if (in == NULL) {
			fprintf(stderr, "hromada leakscan: cannot open %s\n", argv[i]);
			rc = CLI_EXIT_USAGE;
			break;
		}
		if (leak_scan_dump(scan, in, argv[i], &a.dump, &err) != HR_OK) {
			if (pp->tty)
				fputc('\n', stderr);
			cli_print_error(&err);
			rc = CLI_EXIT_FAILED;
		}
		if (in != stdin) {
			if (fstat(fileno(in), &st) == 0)
				pp->done_bytes += (uint64_t)st.st_size;
			fclose(in);
		}
	}
	if (pp->tty)
		fputc('\n', stderr);
	report = leak_scan_report(scan);
	fields = leak_scan_fields(scan);
	if (report == NULL || fields == NULL) {
		fprintf(stderr, "hromada leakscan: out of memory\n");
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	json_object_set_new(report, "seconds", json_real(elapsed(&pp->start)));
	add_overlap(&run, report);
	if (a.json_out != NULL && json_dump_file(report, a.json_out, JSON_INDENT(2)) != 0) {
		fprintf(stderr, "hromada leakscan: cannot write %s\n", a.json_out);
		rc = CLI_EXIT_USAGE;
	}
	if (!a.quiet)
		leak_scan_print(report, stdout);
	fflush(stdout);
	/* the range service keeps a name of at most LEAK_RANGE_NAME_MAX bytes */
	dump_identity(argc - optind, argv + optind, dump_id, dump_name, LEAK_RANGE_NAME_MAX + 1);
	if (dump_name[0] == '\0')
		snprintf(dump_name, sizeof(dump_name), "dump %.16s", dump_id);
	if (!a.no_publish && tp->count > 0 && rc == CLI_EXIT_OK)
		rc = publish(&a, state, tp, fields, dump_id, a.name ? a.name : dump_name);
done:
	json_decref(report);
	json_decref(fields);
	free(tp->hex);
	for (size_t c = 0; c < LEAK_STATE_COUNTRIES; c++)
		leak_overlap_free(run.overlap[c]);
	leak_scan_free(scan);
	leak_state_free(state);
	return rc;
}

const struct cli_command cli_leakscan = {
    .name = "leakscan",
    .summary = "Read leaked dumps against the registries: real, fabricated, vintage, canaries",
    .run = leakscan_run,
    .help = leakscan_help,
};
