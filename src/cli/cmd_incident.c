/*
 * cmd_incident.c — `hromada incident`: the duty officer's tool for the nccc
 * hub (docs/NCCC.md). Every call is signed as a member of `hromada up`'s state
 * directory, as that member's own software would sign it.
 *
 *	hromada incident --state DIR [--as MEMBER] [--url NCCC] [--json] COMMAND
 *	  report --json BODY|@FILE             the initial report (POST /v1/incidents)
 *	  stage ID --stage interim|final --summary TEXT [--level N]
 *	  list [--overdue] [--at TIME]         incidents the member may read
 *	  show ID [--at TIME]                  one, with its deadlines
 *	  export --format misp|stix --out DIR  the feed as a partner pulls it
 *
 * Output: a readable view on a terminal, the hub's JSON with --json or when
 * stdout is not a terminal. Exit 0 on success, 1 when the hub refused (its
 * error on stdout), 2 on usage or I/O errors.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_member.h"
#include "core/buf.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "core/uuid.h"
#include "platform/country.h"

#define BODY_MAX (16u * 1024 * 1024)

struct incident_args {
	const char *state, *as, *url, *body, *stage, *summary, *at, *format, *out;
	long level;
	bool json, overdue;
	char base[512];
	char default_as[MEMBER_ID_MAX];
};

static void incident_help(void)
{
	printf("usage: hromada incident --state DIR [--as MEMBER] [--url NCCC] [--json] COMMAND\n"
	       "\n"
	       "The duty officer's tool for the nccc hub; calls are signed as MEMBER (default:\n"
	       "the CERT of the hub's country) with its key from DIR (docs/NCCC.md).\n"
	       "\n"
	       "  report --json BODY|@FILE     report an incident (its initial report)\n"
	       "  stage ID --stage interim|final --summary TEXT [--level N]\n"
	       "                               add a later report to an incident\n"
	       "  list [--overdue] [--at TIME] incidents you may read; --overdue: those\n"
	       "                               with a deadline missed, as of TIME (RFC 3339)\n"
	       "  show ID [--at TIME]          one incident with its deadlines\n"
	       "  export --format misp|stix --out DIR\n"
	       "                               the MISP feed (manifest.json, {uuid}.json,\n"
	       "                               hashes.csv) or a STIX 2.1 bundle from TAXII\n"
	       "\n"
	       "  --url URL   the hub (default: \"nccc\" in DIR/endpoints.json)\n"
	       "  --json      print the hub's JSON (default when stdout is not a terminal)\n"
	       "Exit: 0 done, 1 refused by the hub (its error on stdout), 2 usage or I/O.\n");
}

/* One signed call; *answer is the parsed JSON body (or NULL), *raw the bytes. */
static int call(const struct incident_args *a, const char *method, const char *path,
		const struct buf *body, json_t **answer, struct buf *raw)
{
	struct http_client_response response;
	struct hr_error err = {0};
	struct member_call c;
	char url[2048], keyid[128];
	int rc = CLI_EXIT_OK;

	*answer = NULL;
	snprintf(url, sizeof(url), "%s%s", a->base, path);
	c = (struct member_call){.url = url,
				 .method = method,
				 .body = body ? body->data : NULL,
				 .body_len = body ? body->len : 0,
				 .timeout_ms = 30000};
	http_client_response_init(&response);
	if (cli_member_call(a->state, a->as, &c, &response, keyid, sizeof(keyid), &err) != HR_OK) {
		cli_print_error(&err);
		http_client_response_clear(&response);
		return CLI_EXIT_USAGE;
	}
	(void)hr_json_parse(response.body.data, response.body.len, answer, NULL);
	if (raw != NULL && response.body.len > 0)
		buf_append(raw, response.body.data, response.body.len);
	if (response.status < 200 || response.status > 299) {
		if (*answer != NULL) {
			json_dumpf(*answer, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			fflush(stdout);
		}
		fprintf(stderr, "hromada incident: the hub answered %ld\n", response.status);
		rc = CLI_EXIT_FAILED;
	}
	http_client_response_clear(&response);
	return rc;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "-";
}

static void print_deadlines(const json_t *incident)
{
	const json_t *d;
	size_t i;

	json_array_foreach(json_object_get(incident, "deadlines"), i, d)
	{
		bool met = json_is_true(json_object_get(d, "met"));
		bool overdue = json_is_true(json_object_get(d, "overdue"));

		printf("    %-20s due %s  %s%s%s\n", str(d, "stage"), str(d, "due"),
		       met ? "made " : (overdue ? "MISSING" : "open"), met ? str(d, "met_at") : "",
		       overdue ? (met ? "  LATE" : "  OVERDUE") : "");
	}
}

static void print_incident(const json_t *incident, bool full)
{
	const json_t *item;
	size_t i, overdue = json_array_size(json_object_get(incident, "overdue"));

	printf("%s  level %lld  %-24s %s\n", str(incident, "id"),
	       (long long)json_integer_value(json_object_get(incident, "level")),
	       str(incident, "class"), str(incident, "tlp"));
	printf("  %s — %s\n  reported by %s, detected %s%s%s\n", str(incident, "service"),
	       str(incident, "summary"), str(incident, "reporter"), str(incident, "detected_at"),
	       json_is_true(json_object_get(incident, "closed")) ? ", closed" : "",
	       overdue > 0 ? ", OVERDUE" : "");
	if (!full)
		return;
	printf("  deadlines:\n");
	print_deadlines(incident);
	printf("  reports:\n");
	json_array_foreach(json_object_get(incident, "reports"), i, item)
	    printf("    %lld %-8s %s  %s\n",
		   (long long)json_integer_value(json_object_get(item, "number")),
		   str(item, "stage"), str(item, "reported_at"), str(item, "summary"));
	printf("  indicators:\n");
	json_array_foreach(json_object_get(incident, "indicators"), i, item)
	    printf("    %-16s %-40s %s\n", str(item, "type"), str(item, "value"), str(item, "tlp"));
}

static int show(const struct incident_args *a, const json_t *answer, bool full)
{
	if (a->json) {
		json_dumpf(answer, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else if (json_is_array(json_object_get(answer, "incidents"))) {
		const json_t *item;
		size_t i;

		json_array_foreach(json_object_get(answer, "incidents"), i, item)
		    print_incident(item, full);
		if (json_array_size(json_object_get(answer, "incidents")) == 0)
			printf("no incidents\n");
	} else {
		print_incident(answer, full);
	}
	return CLI_EXIT_OK;
}

static int run_report(const struct incident_args *a)
{
	struct hr_error err = {0};
	struct buf body;
	json_t *answer = NULL;
	int rc;

	if (a->body == NULL) {
		fprintf(stderr, "hromada incident report: --json BODY or @FILE is required\n");
		return CLI_EXIT_USAGE;
	}
	buf_init(&body, BODY_MAX);
	if (a->body[0] == '@' ? file_read(a->body + 1, &body, &err) != HR_OK
			      : buf_append_str(&body, a->body) != HR_OK) {
		cli_print_error(&err);
		buf_clear(&body);
		return CLI_EXIT_USAGE;
	}
	if ((rc = call(a, "POST", "/v1/incidents", &body, &answer, NULL)) == CLI_EXIT_OK)
		rc = show(a, answer, true);
	json_decref(answer);
	buf_clear(&body);
	return rc;
}

static int run_stage(const struct incident_args *a, const char *id)
{
	json_t *request, *answer = NULL;
	struct buf body;
	char path[128];
	int rc;

	if (a->stage == NULL || a->summary == NULL || !uuid_valid(id)) {
		fprintf(stderr, "hromada incident stage: ID (a uuid), --stage and --summary are "
				"required\n");
		return CLI_EXIT_USAGE;
	}
	request = json_pack("{s:s,s:s}", "stage", a->stage, "summary", a->summary);
	if (a->level >= 0)
		json_object_set_new(request, "level", json_integer(a->level));
	buf_init(&body, BODY_MAX);
	hr_json_dump(request, &body);
	json_decref(request);
	snprintf(path, sizeof(path), "/v1/incidents/%s/reports", id);
	if ((rc = call(a, "POST", path, &body, &answer, NULL)) == CLI_EXIT_OK)
		rc = show(a, answer, true);
	json_decref(answer);
	buf_clear(&body);
	return rc;
}

/* "?overdue=1&at=..." as the hub reads it (an RFC 3339 time needs no escaping
 * but its '+'). */
static void query(const struct incident_args *a, bool overdue, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	if (overdue)
		n += (size_t)snprintf(out + n, size - n, "%soverdue=1", n ? "&" : "?");
	if (a->at != NULL && n < size) {
		n += (size_t)snprintf(out + n, size - n, "%sat=", n ? "&" : "?");
		for (const char *p = a->at; *p != '\0' && n + 4 < size; p++)
			n += (size_t)(*p == '+' ? snprintf(out + n, size - n, "%%2B")
						: snprintf(out + n, size - n, "%c", *p));
	}
}

static int run_list(const struct incident_args *a)
{
	json_t *answer = NULL, *all = json_array();
	char path[256], q[160];
	long long after = 0;
	int rc = CLI_EXIT_OK;

	query(a, a->overdue, q, sizeof(q));
	for (;;) { /* every page */
		json_t *next;

		snprintf(path, sizeof(path), "/v1/incidents%s%safter=%lld", q, q[0] ? "&" : "?",
			 after);
		if ((rc = call(a, "GET", path, NULL, &answer, NULL)) != CLI_EXIT_OK)
			break;
		json_array_extend(all, json_object_get(answer, "incidents"));
		next = json_object_get(answer, "next");
		if (!json_is_integer(next)) {
			json_decref(answer);
			break;
		}
		after = (long long)json_integer_value(next);
		json_decref(answer);
	}
	if (rc == CLI_EXIT_OK) {
		json_t *wrapped = json_pack("{s:O}", "incidents", all);
		rc = show(a, wrapped, false);
		json_decref(wrapped);
	}
	json_decref(all);
	return rc;
}

static int run_show(const struct incident_args *a, const char *id)
{
	json_t *answer = NULL;
	char path[256], q[160];
	int rc;

	if (!uuid_valid(id)) {
		fprintf(stderr, "hromada incident show: ID is an incident's uuid\n");
		return CLI_EXIT_USAGE;
	}
	query(a, false, q, sizeof(q));
	snprintf(path, sizeof(path), "/v1/incidents/%s%s", id, q);
	if ((rc = call(a, "GET", path, NULL, &answer, NULL)) == CLI_EXIT_OK)
		rc = show(a, answer, true);
	json_decref(answer);
	return rc;
}

static int save(const char *dir, const char *name, const struct buf *data)
{
	char path[PATH_MAX];
	struct hr_error err = {0};

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (file_write_atomic(path, data->len > 0 ? (const void *)data->data : "", data->len, 0644,
			      &err) != HR_OK) {
		cli_print_error(&err);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static int export_misp(const struct incident_args *a)
{
	json_t *manifest = NULL, *ignored = NULL;
	struct buf raw;
	const char *uuid;
	json_t *entry;
	char path[128], name[64];
	int rc;

	buf_init(&raw, 256u * 1024 * 1024);
	if ((rc = call(a, "GET", "/feeds/misp/manifest.json", NULL, &manifest, &raw)) !=
		CLI_EXIT_OK ||
	    (rc = save(a->out, "manifest.json", &raw)) != CLI_EXIT_OK)
		goto done;
	json_object_foreach(manifest, uuid, entry)
	{
		if (!uuid_valid(uuid))
			continue; /* never a file name the hub chose */
		buf_reset(&raw);
		snprintf(path, sizeof(path), "/feeds/misp/%s.json", uuid);
		snprintf(name, sizeof(name), "%s.json", uuid);
		if ((rc = call(a, "GET", path, NULL, &ignored, &raw)) != CLI_EXIT_OK ||
		    (rc = save(a->out, name, &raw)) != CLI_EXIT_OK)
			goto done;
		json_decref(ignored);
		ignored = NULL;
	}
	buf_reset(&raw);
	if ((rc = call(a, "GET", "/feeds/misp/hashes.csv", NULL, &ignored, &raw)) == CLI_EXIT_OK &&
	    (rc = save(a->out, "hashes.csv", &raw)) == CLI_EXIT_OK)
		fprintf(stderr, "hromada incident: %zu events written to %s\n",
			json_object_size(manifest), a->out);
done:
	json_decref(manifest);
	json_decref(ignored);
	buf_clear(&raw);
	return rc;
}

static int export_stix(const struct incident_args *a)
{
	json_t *collections = NULL, *page = NULL, *objects = json_array(), *bundle;
	char path[512], more[256] = "", id[UUID_TEXT_LEN + 1];
	const char *collection;
	struct buf text;
	int rc;

	if ((rc = call(a, "GET", "/taxii2/api/collections/", NULL, &collections, NULL)) !=
	    CLI_EXIT_OK)
		goto done;
	collection = str(json_array_get(json_object_get(collections, "collections"), 0), "id");
	if (!uuid_valid(collection)) {
		fprintf(stderr, "hromada incident: the hub lists no TAXII collection\n");
		rc = CLI_EXIT_FAILED;
		goto done;
	}
	for (;;) {
		const char *next;

		snprintf(path, sizeof(path), "/taxii2/api/collections/%s/objects/%s", collection,
			 more);
		if ((rc = call(a, "GET", path, NULL, &page, NULL)) != CLI_EXIT_OK)
			goto done;
		json_array_extend(objects, json_object_get(page, "objects"));
		next = json_string_value(json_object_get(page, "next"));
		if (!json_is_true(json_object_get(page, "more")) || next == NULL ||
		    strlen(next) > 200 ||
		    strspn(next, "0123456789abcdefABCDEF-_.:") != strlen(next))
			break;
		snprintf(more, sizeof(more), "?next=%s", next);
		json_decref(page);
		page = NULL;
	}
	uuid_v4(id);
	bundle = json_pack("{s:s,s:s%,s:O}", "type", "bundle", "id", "bundle--", (size_t)8,
			   "objects", objects);
	json_object_set_new(bundle, "id", json_sprintf("bundle--%s", id));
	buf_init(&text, 256u * 1024 * 1024);
	hr_json_dump_pretty(bundle, &text);
	rc = save(a->out, "bundle.json", &text);
	if (rc == CLI_EXIT_OK)
		fprintf(stderr, "hromada incident: %zu STIX objects written to %s/bundle.json\n",
			json_array_size(objects), a->out);
	buf_clear(&text);
	json_decref(bundle);
done:
	json_decref(collections);
	json_decref(page);
	json_decref(objects);
	return rc;
}

static int run_export(const struct incident_args *a)
{
	if (a->format == NULL || a->out == NULL) {
		fprintf(stderr, "hromada incident export: --format misp|stix and --out DIR\n");
		return CLI_EXIT_USAGE;
	}
	if (mkdir(a->out, 0755) != 0 && access(a->out, W_OK) != 0) {
		fprintf(stderr, "hromada incident: cannot write to %s\n", a->out);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(a->format, "misp") == 0)
		return export_misp(a);
	if (strcmp(a->format, "stix") == 0)
		return export_stix(a);
	fprintf(stderr, "hromada incident export: --format is misp or stix\n");
	return CLI_EXIT_USAGE;
}

/* The hub's URL from DIR/endpoints.json, and the default member. */
static bool resolve(struct incident_args *a)
{
	char path[PATH_MAX];
	json_t *endpoints;
	const char *url = a->url;

	snprintf(path, sizeof(path), "%s/endpoints.json", a->state);
	endpoints = json_load_file(path, 0, NULL);
	if (url == NULL)
		url = json_string_value(json_object_get(endpoints, "nccc"));
	if (url == NULL || strlen(url) >= sizeof(a->base)) {
		fprintf(stderr, "hromada incident: no nccc URL (--url, or %s)\n", path);
		json_decref(endpoints);
		return false;
	}
	snprintf(a->base, sizeof(a->base), "%s", url);
	json_decref(endpoints);
	if (a->as == NULL) {
		for (int i = 0; country_members_at(i) != NULL; i++)
			if (country_members_at(i)->nccc != NULL) {
				snprintf(a->default_as, sizeof(a->default_as), "%s",
					 country_members_at(i)->cert);
				a->as = a->default_as;
				break;
			}
	}
	if (a->as == NULL || !member_id_valid(a->as)) {
		fprintf(stderr, "hromada incident: --as needs a member id\n");
		return false;
	}
	return true;
}

static int incident_run(int argc, char **argv)
{
	static const struct option options[] = {{"state", required_argument, NULL, 's'},
						{"as", required_argument, NULL, 'a'},
						{"url", required_argument, NULL, 'u'},
						{"json", optional_argument, NULL, 'j'},
						{"stage", required_argument, NULL, 'g'},
						{"summary", required_argument, NULL, 'm'},
						{"level", required_argument, NULL, 'l'},
						{"overdue", no_argument, NULL, 'o'},
						{"at", required_argument, NULL, 't'},
						{"format", required_argument, NULL, 'f'},
						{"out", required_argument, NULL, 'O'},
						{"help", no_argument, NULL, 'h'},
						{NULL, 0, NULL, 0}};
	struct incident_args a = {.state = "hromada-state", .level = -1};
	const char *command, *id;
	int c;

	a.json = !isatty(STDOUT_FILENO);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		char *end;

		switch (c) {
		case 's':
			a.state = optarg;
			break;
		case 'a':
			a.as = optarg;
			break;
		case 'u':
			a.url = optarg;
			break;
		case 'j':
			/* --json alone asks for JSON output; --json BODY gives a report's body */
			if (optarg != NULL)
				a.body = optarg;
			else if (optind < argc && argv[optind][0] != '-' &&
				 (argv[optind][0] == '{' || argv[optind][0] == '@'))
				a.body = argv[optind++];
			else
				a.json = true;
			break;
		case 'g':
			a.stage = optarg;
			break;
		case 'm':
			a.summary = optarg;
			break;
		case 'l':
			a.level = strtol(optarg, &end, 10);
			if (*end != '\0' || a.level < 0 || a.level > 5) {
				fprintf(stderr, "hromada incident: --level is 0..5\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'o':
			a.overdue = true;
			break;
		case 't':
			a.at = optarg;
			break;
		case 'f':
			a.format = optarg;
			break;
		case 'O':
			a.out = optarg;
			break;
		case 'h':
			incident_help();
			return CLI_EXIT_OK;
		default:
			incident_help();
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		incident_help();
		return CLI_EXIT_USAGE;
	}
	command = argv[optind];
	id = optind + 1 < argc ? argv[optind + 1] : "";
	if (!resolve(&a))
		return CLI_EXIT_USAGE;
	if (strcmp(command, "report") == 0)
		return run_report(&a);
	if (strcmp(command, "stage") == 0)
		return run_stage(&a, id);
	if (strcmp(command, "list") == 0)
		return run_list(&a);
	if (strcmp(command, "show") == 0)
		return run_show(&a, id);
	if (strcmp(command, "export") == 0)
		return run_export(&a);
	fprintf(stderr,
		"hromada incident: unknown command '%s' (report, stage, list, show, "
		"export)\n",
		command);
	return CLI_EXIT_USAGE;
}

const struct cli_command cli_incident = {
    .name = "incident",
    .summary = "The duty officer's tool for the nccc hub: report, stages, overdue, export",
    .run = incident_run,
    .help = incident_help,
};
