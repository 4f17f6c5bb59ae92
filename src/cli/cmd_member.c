/*
 * cmd_member.c — `hromada member`: act as any member of a running `hromada up`
 * (DESIGN.md §5), so a person or a test can be the Polish police, a bank or a
 * CERT exactly as that member's own software would be.
 *
 *	hromada member --state DIR list
 *	hromada member --state DIR --as MEMBER request METHOD URL [--json BODY]
 *	                                        [--header 'Name: value']...
 *
 * `list` prints the members of every country's gateway directory with the
 * rights their own gateway grants them. `request` signs the call (RFC 9421,
 * docs/EXCHANGE.md "Signed messages") with MEMBER's key from DIR/keys, adds
 * Hromada-Client (MEMBER), Hromada-User and, for a gateway exchange whose
 * purpose the member's rights leave no doubt about, Hromada-Purpose, then checks
 * that the answer is signed by a member of DIR and bound to the request.
 * Exit: 0 on a 2xx answer, 1 on a refusal (its error JSON on stdout), 2 on
 * usage or I/O errors (and on an answer that is not signed).
 */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "cli/cli_member.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/file.h"
#include "core/http_client.h"
#include "core/json.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/member.h"
#include "platform/country.h"

#define STAGE       "member"
#define MAX_HEADERS 16
#define MAX_KEYS    256

static void member_help(void)
{
	printf("Usage: hromada member [--state DIR] list\n"
	       "       hromada member [--state DIR] --as MEMBER request METHOD URL [--json BODY]\n"
	       "                                    [--header 'Name: value']...\n"
	       "\n"
	       "Acts as a member of a running 'hromada up' (DIR, default ./hromada-state):\n"
	       "  list     the members of every country's gateway directory, as a JSON array\n"
	       "           of {id, country, role, rights: [{provider, services, purposes,\n"
	       "           legal_basis}]}, rights as the member's own gateway grants them\n"
	       "  request  a call signed with MEMBER's key (RFC 9421), as its own software\n"
	       "           would make it; the answer's signature is checked and its JSON\n"
	       "           printed. Hromada-Client is MEMBER; Hromada-User defaults to\n"
	       "           'cli:$USER'; for a gateway exchange (URL .../x/PROVIDER/SERVICE)\n"
	       "           Hromada-Purpose defaults to the one purpose the member's rights\n"
	       "           allow there. --json BODY (or @FILE) is the request body.\n"
	       "Exit status: 0 the answer is 2xx, 1 a refusal (its error JSON printed), 2 usage\n"
	       "or I/O error, or an answer that is not signed by a member of DIR.\n"
	       "Example: hromada member --as PL/GOV/00000003/police request POST \\\n"
	       "           http://127.0.0.1:8421/x/UA/GOV/00015622/driver_licence/status \\\n"
	       "           --json '{\"document_number\": \"...\"}'\n");
}

/* Every gateway directory under DIR: DIR/<C>/gateway/directory.json. */
static json_t *load_directories(const char *state, struct hr_error *err)
{
	json_t *all = json_object();

	for (int i = 0; country_members_at(i) != NULL; i++) {
		const char *code = country_members_at(i)->code;
		char path[PATH_MAX];
		json_t *d;
		snprintf(path, sizeof(path), "%s/%s/gateway/directory.json", state, code);
		if ((d = json_load_file(path, 0, NULL)) != NULL)
			json_object_set_new(all, code, d);
	}
	if (json_object_size(all) == 0) {
		json_decref(all);
		hr_error_set(err, HR_E_NOT_FOUND, STAGE,
			     "%s holds no gateway directory: is it the state of 'hromada up'?",
			     state);
		return NULL;
	}
	return all;
}

static const char *role_of(const char *id, const json_t *entry)
{
	const char *last = strrchr(id, '/');

	if (json_object_get(entry, "document_type") != NULL)
		return "registry";
	return last ? last + 1 : id;
}

static json_t *rights_of(const json_t *directory, const char *id)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(json_object_get(directory, "rights"), i, r)
	{
		json_t *copy;
		if (strcmp(json_string_value(json_object_get(r, "client")), id) != 0)
			continue;
		copy = json_pack("{s:O,s:O,s:O}", "provider", json_object_get(r, "provider"),
				 "services", json_object_get(r, "services"), "purposes",
				 json_object_get(r, "purposes"));
		json_object_set(copy, "legal_basis",
				json_object_get(r, "legal_basis")
				    ? json_object_get(r, "legal_basis")
				    : json_null());
		json_array_append_new(out, copy);
	}
	return out;
}

static int run_list(const char *state)
{
	struct hr_error err = {0};
	json_t *dirs = load_directories(state, &err), *out, *directory, *m;
	const char *code;
	size_t i;

	if (dirs == NULL) {
		cli_print_error(&err);
		return CLI_EXIT_USAGE;
	}
	out = json_array();
	json_object_foreach(dirs, code, directory)
	{
		const char *gateway = json_string_value(json_object_get(directory, "gateway"));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:o}", "id", gateway, "country",
						     code, "role", "gateway", "rights",
						     rights_of(directory, gateway)));
		json_array_foreach(json_object_get(directory, "members"), i, m)
		{
			const char *id = json_string_value(json_object_get(m, "id"));
			json_array_append_new(
			    out, json_pack("{s:s,s:s,s:s,s:o}", "id", id, "country", code, "role",
					   role_of(id, m), "rights", rights_of(directory, id)));
		}
	}
	json_dumpf(out, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(out);
	json_decref(dirs);
	return CLI_EXIT_OK;
}

/* --- request ------------------------------------------------------------------ */

struct known_keys {
	char id[MAX_KEYS][MEMBER_ID_MAX];
	EVP_PKEY *key[MAX_KEYS];
	size_t count;
};

static EVP_PKEY *known_key(void *context, const char *keyid)
{
	struct known_keys *k = context;

	for (size_t i = 0; i < k->count; i++) {
		if (strcmp(k->id[i], keyid) == 0)
			return k->key[i];
	}
	return NULL;
}

/* Every member certificate under DIR/keys/<C>/members/: its subject CN is its id. */
static void load_known_keys(const char *state, struct known_keys *k)
{
	for (int c = 0; country_members_at(c) != NULL; c++) {
		char dir[PATH_MAX], path[PATH_MAX + 300];
		struct dirent *e;
		DIR *d;
		snprintf(dir, sizeof(dir), "%s/keys/%s/members", state,
			 country_members_at(c)->code);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL && k->count < MAX_KEYS) {
			FILE *f;
			X509 *x;
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/cert.pem", dir, e->d_name);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			x = PEM_read_X509(f, NULL, NULL, NULL);
			fclose(f);
			if (x == NULL)
				continue;
			if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
						      k->id[k->count], MEMBER_ID_MAX) > 0 &&
			    (k->key[k->count] = X509_get_pubkey(x)) != NULL)
				k->count++;
			X509_free(x);
		}
		closedir(d);
	}
}

static void free_known_keys(struct known_keys *k)
{
	for (size_t i = 0; i < k->count; i++)
		EVP_PKEY_free(k->key[i]);
}

/* The one purpose MEMBER's rights allow for PROVIDER/SERVICE in the URL, or NULL. */
static const char *implied_purpose(const json_t *dirs, const char *member, const char *url,
				   char *out, size_t size)
{
	const char *x = strstr(url, "/x/");
	char provider[MEMBER_ID_MAX], service[64];
	const char *slash;
	const json_t *directory = json_object_get(dirs, (char[3]){member[0], member[1], 0});
	json_t *r, *p;
	size_t i, j, found = 0;

	if (x == NULL || (slash = strrchr(x + 3, '/')) == NULL ||
	    (size_t)(slash - x - 3) >= sizeof(provider) || strlen(slash + 1) >= sizeof(service))
		return NULL;
	snprintf(provider, sizeof(provider), "%.*s", (int)(slash - x - 3), x + 3);
	snprintf(service, sizeof(service), "%s", slash + 1);
	json_array_foreach(json_object_get(directory, "rights"), i, r)
	{
		const char *pattern = json_string_value(json_object_get(r, "provider"));
		size_t n = pattern ? strlen(pattern) : 0;
		bool matches = pattern && (strcmp(pattern, provider) == 0 ||
					   (n > 2 && strcmp(pattern + n - 2, "/*") == 0 &&
					    strncmp(pattern, provider, n - 1) == 0));
		bool serves = false;
		json_t *s;
		size_t k;
		if (strcmp(json_string_value(json_object_get(r, "client")), member) != 0 ||
		    !matches)
			continue;
		json_array_foreach(json_object_get(r, "services"), k, s) serves |=
		    strcmp(json_string_value(s), service) == 0;
		if (!serves)
			continue;
		json_array_foreach(json_object_get(r, "purposes"), j, p)
		{
			if (found == 0 || strcmp(out, json_string_value(p)) != 0)
				found++;
			snprintf(out, size, "%s", json_string_value(p));
		}
	}
	return found == 1 ? out : NULL;
}

struct request_args {
	const char *state, *as, *method, *url, *json;
	const char *headers[MAX_HEADERS];
	size_t header_count;
};

hr_status cli_member_call(const char *state, const char *as, const struct member_call *call,
			  struct http_client_response *response, char *keyid, size_t keyid_size,
			  struct hr_error *err)
{
	struct known_keys *keys = calloc(1, sizeof(*keys));
	struct http_client_options copt;
	struct http_client *http = NULL;
	struct replay_cache *nonces = NULL;
	struct member_identity self = {as, NULL, NULL};
	char dir[PATH_MAX], member_dir[PATH_MAX], key[PATH_MAX + 16], cert[PATH_MAX + 16];
	hr_status rc;

	if (keys == NULL)
		return HR_E_NOMEM;
	snprintf(dir, sizeof(dir), "%s/keys/%.2s", state, as);
	country_member_dir(dir, as, member_dir, sizeof(member_dir));
	snprintf(key, sizeof(key), "%s/key.pem", member_dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", member_dir);
	if ((rc = signer_open_files(key, cert, &self.signer, err)) != HR_OK) {
		hr_error_prefix(err, "the key of %s", as);
		goto done;
	}
	load_known_keys(state, keys);
	http_client_options_default(&copt);
	copt.max_response_bytes = 64 * 1024 * 1024;
	if ((http = http_client_new(&copt)) == NULL || (nonces = replay_cache_new(64)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, "member", "out of memory");
		goto done;
	}
	rc = member_call(http, &self, call, known_key, keys, nonces, (int64_t)time(NULL), response,
			 keyid, keyid_size, err);
done:
	free_known_keys(keys);
	free(keys);
	signer_free(self.signer);
	http_client_free(http);
	replay_cache_free(nonces);
	return rc;
}

static int run_request(const struct request_args *a)
{
	struct http_header headers[MAX_HEADERS + 3];
	struct http_client_response response;
	struct member_call call = {0};
	struct hr_error err = {0};
	char user[96], purpose[128];
	char names[MAX_HEADERS][64], keyid[128];
	struct buf body;
	json_t *dirs = NULL, *answer = NULL;
	bool has_client = false, has_user = false, has_purpose = false;
	size_t h = 0;
	int status = CLI_EXIT_USAGE;

	http_client_response_init(&response);
	buf_init(&body, 16 * 1024 * 1024);
	if (!member_id_valid(a->as)) {
		fprintf(stderr,
			"hromada member: --as needs a member id (COUNTRY/CLASS/CODE/SUB)\n");
		goto done;
	}
	for (size_t i = 0; i < a->header_count; i++) {
		const char *colon = strchr(a->headers[i], ':');
		const char *value = colon ? colon + 1 : NULL;
		size_t n = colon ? (size_t)(colon - a->headers[i]) : 0;
		if (colon == NULL || n == 0 || n >= sizeof(names[i])) {
			fprintf(stderr, "hromada member: --header takes 'Name: value'\n");
			goto done;
		}
		while (*value == ' ')
			value++;
		snprintf(names[i], sizeof(names[i]), "%.*s", (int)n, a->headers[i]);
		has_client |= strcasecmp(names[i], "Hromada-Client") == 0;
		has_user |= strcasecmp(names[i], "Hromada-User") == 0;
		has_purpose |= strcasecmp(names[i], "Hromada-Purpose") == 0;
		headers[h++] = (struct http_header){names[i], value};
	}
	if ((dirs = load_directories(a->state, &err)) == NULL)
		goto failed;
	if (!has_client)
		headers[h++] = (struct http_header){"Hromada-Client", a->as};
	if (!has_user) {
		snprintf(user, sizeof(user), "cli:%s",
			 getenv("USER") ? getenv("USER") : "operator");
		headers[h++] = (struct http_header){"Hromada-User", user};
	}
	if (!has_purpose && implied_purpose(dirs, a->as, a->url, purpose, sizeof(purpose)))
		headers[h++] = (struct http_header){"Hromada-Purpose", purpose};
	if (a->json != NULL && a->json[0] == '@') {
		if (file_read(a->json + 1, &body, &err) != HR_OK)
			goto failed;
	} else if (a->json != NULL) {
		buf_append_str(&body, a->json);
	}
	call = (struct member_call){.url = a->url,
				    .method = a->method,
				    .headers = headers,
				    .header_count = h,
				    .body = body.data,
				    .body_len = body.len,
				    .timeout_ms = 15000};
	if (cli_member_call(a->state, a->as, &call, &response, keyid, sizeof(keyid), &err) != HR_OK)
		goto failed;
	if (hr_json_parse(response.body.data, response.body.len, &answer, NULL) == HR_OK)
		json_dumpf(answer, stdout, JSON_INDENT(2));
	else if (response.body.len > 0) /* an empty answer has no buffer at all */
		fwrite(response.body.data, 1, response.body.len, stdout);
	fputc('\n', stdout);
	fflush(stdout); /* the answer whole before the status line, on a shared pipe too */
	status = response.status >= 200 && response.status < 300 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	fprintf(stderr, "hromada member: %ld, signed by %s\n", response.status, keyid);
	goto done;
failed:
	cli_print_error(&err);
done:
	json_decref(answer);
	json_decref(dirs);
	http_client_response_clear(&response);
	buf_clear(&body);
	return status;
}

static int member_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"as", required_argument, NULL, 'a'},
	    {"json", required_argument, NULL, 'j'},
	    {"header", required_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0},
	};
	struct request_args a = {.state = "./hromada-state"};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			a.state = optarg;
			break;
		case 'a':
			a.as = optarg;
			break;
		case 'j':
			a.json = optarg;
			break;
		case 'H':
			if (a.header_count == MAX_HEADERS) {
				fprintf(stderr, "hromada member: at most %d --header\n",
					MAX_HEADERS);
				return CLI_EXIT_USAGE;
			}
			a.headers[a.header_count++] = optarg;
			break;
		default:
			fprintf(stderr, "Run 'hromada member --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc && strcmp(argv[optind], "list") == 0 && optind + 1 == argc)
		return run_list(a.state);
	if (optind + 3 == argc && strcmp(argv[optind], "request") == 0 && a.as != NULL) {
		a.method = argv[optind + 1];
		a.url = argv[optind + 2];
		return run_request(&a);
	}
	fprintf(stderr, "hromada member: expected 'list' or '--as MEMBER request METHOD URL'\n"
			"Run 'hromada member --help' for usage.\n");
	return CLI_EXIT_USAGE;
}

const struct cli_command cli_member = {
    .name = "member",
    .summary = "Act as a member of 'hromada up': list them, make signed calls",
    .run = member_run,
    .help = member_help,
};
