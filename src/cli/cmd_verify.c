/*
 * cmd_verify.c — `hromada verify`: the contract of DESIGN.md §5, a thin CLI
 * over include/hromada/verify.h.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "cli/cli.h"
#include "core/base64.h"
#include "core/buf.h"
#include "core/error.h"
#include "credential/qr.h"

static void verify_help(void)
{
	printf(
	    "Usage: hromada verify [--trust-list FILE | --trust-url URL [--trust-cache DIR]]\n"
	    "                      [--trust-anchor FILE] [--trust-grace SECONDS] [--cert CERT]...\n"
	    "                      [--at TIME] [--status online|offline] [--value-sets FILE]...\n"
	    "                      [--image FILE.png] [PAYLOAD | -]\n"
	    "\n"
	    "Verifies a QR credential — HR1: (Hromada documents) or HC1: (EU Digital COVID\n"
	    "Certificates) — and prints one JSON object: valid, prefix, kid (base64),\n"
	    "issuer, each stage (picture, unprefix, base45, zlib, cose, signature, expiry,\n"
	    "key_usage, status, schema: true, false, or null when not reached or not\n"
	    "applicable), the first error {stage, message}, warnings [{check, message}]\n"
	    "and the decoded claims.\n"
	    "\n"
	    "Options:\n"
	    "  --trust-list FILE    trust signers from a signed trust list (docs/TRUST_LIST.md)\n"
	    "  --trust-url URL      fetch the trust list from the trust service, keep it in the\n"
	    "                       cache and work offline from it when the service is away\n"
	    "  --trust-cache DIR    where fetched lists and status lists are kept (default\n"
	    "                       $XDG_CACHE_HOME/hromada or ~/.cache/hromada); with\n"
	    "                       --trust-list, also refuse a list older than one seen\n"
	    "  --trust-anchor FILE  the pinned trust-list signer certificate (PEM or DER);\n"
	    "                       default: trust-anchor.pem next to the --trust-list file,\n"
	    "                       or in the cache directory for --trust-url\n"
	    "  --trust-grace SECS   accept a list up to SECS after its next_update (default\n"
	    "                       %d, one day); freshness uses the real clock, not --at\n"
	    "  --cert CERT          trust this signer certificate: a file (PEM, DER or base64\n"
	    "                       DER) or the base64 DER itself; may be repeated\n"
	    "  --at TIME            validation clock, ISO 8601: 2021-06-01T20:00:00.5+02:00,\n"
	    "                       ...Z, +0200, no offset (UTC) or a date (default: now)\n"
	    "  --status MODE        online: fetch and check the credential's status list\n"
	    "                       entry (draft-ietf-oauth-status-list); offline (default):\n"
	    "                       status is not checked (null)\n"
	    "  --value-sets FILE    EU DCC value sets (eHealth Network JSON: one set, an array\n"
	    "                       or an object of sets) replacing the compiled-in ones of\n"
	    "                       the same valueSetId; may be repeated\n"
	    "  --image FILE.png     read the payload from a picture of the QR code (at most\n"
	    "                       4096 pixels a side and 12.5 megapixels, checked before\n"
	    "                       decoding; larger pictures fail at stage picture)\n"
	    "  -                    batch: one payload per line on standard input, one JSON\n"
	    "                       object per line on standard output, in order; a line\n"
	    "                       over 8448 bytes is not kept in memory: its result fails\n"
	    "                       at stage unprefix and the batch goes on\n"
	    "\n"
	    "  --json               the JSON above even on a terminal; on a terminal the\n"
	    "                       result is otherwise told in words (the verdict, the\n"
	    "                       checks, the fields); piped, it is always the JSON\n"
	    "\n"
	    "Exit status: 0 valid (every payload, in batch mode), 1 invalid or a trust list\n"
	    "refused, 2 usage or I/O error or no trust list obtainable.\n",
	    HR_TRUST_LIST_GRACE_DEFAULT);
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "dl.png", "QR.PNG": a name a person meant for --image. */
static bool looks_like_png(const char *payload)
{
	size_t n = strlen(payload);

	return n > 4 && strcasecmp(payload + n - 4, ".png") == 0;
}

static hr_status add_cert(struct hr_trust_store *store, const char *arg, struct hr_error *err)
{
	char *data = NULL;
	size_t len;
	hr_status rc;

	if (!is_file(arg))
		return hr_trust_store_add_certificate(store, arg, strlen(arg), NULL, err);
	if ((rc = cli_read_file(arg, &data, &len, err)) != HR_OK)
		return rc;
	rc = hr_trust_store_add_certificate(store, data, len, NULL, err);
	if (rc != HR_OK)
		hr_error_prefix(err, "%s", arg);
	free(data);
	return rc;
}

static json_t *stage_value(int8_t outcome)
{
	if (outcome == HR_STAGE_NOT_RUN)
		return json_null();
	return json_boolean(outcome == HR_STAGE_PASSED);
}

/* The contract's JSON object for one result; its claims are null unless
 * with_claims. */
static json_t *result_json_claims(const struct hr_verify_result *r, bool with_claims)
{
	json_t *out = json_object(), *stages = json_object(), *claims = NULL, *warnings;
	struct buf kid;

	json_object_set_new(out, "valid", json_boolean(r->valid));
	json_object_set_new(out, "prefix", r->prefix[0] ? json_string(r->prefix) : json_null());
	buf_init(&kid, 128);
	if (r->kid_len > 0 && base64_encode(r->kid, r->kid_len, BASE64_STANDARD, &kid) == HR_OK)
		json_object_set_new(out, "kid", json_string(buf_str(&kid)));
	else
		json_object_set_new(out, "kid", json_null());
	buf_clear(&kid);
	json_object_set_new(out, "issuer", r->issuer[0] ? json_string(r->issuer) : json_null());
	for (int s = 0; s < HR_STAGE_COUNT; s++)
		json_object_set_new(stages, hr_verify_stage_name((enum hr_verify_stage)s),
				    stage_value(r->stages[s]));
	json_object_set_new(out, "stages", stages);
	if (r->valid)
		json_object_set_new(out, "error", json_null());
	else
		json_object_set_new(out, "error",
				    json_pack("{s:s,s:s}", "stage",
					      hr_verify_stage_name(r->error_stage), "message",
					      r->error));
	warnings = json_array();
	for (size_t i = 0; i < r->warning_count; i++)
		json_array_append_new(warnings,
				      json_pack("{s:s,s:s}", "check", r->warnings[i].check,
						"message", r->warnings[i].message));
	json_object_set_new(out, "warnings", warnings);
	if (with_claims && r->claims_json != NULL)
		claims = json_loads(r->claims_json, 0, NULL);
	json_object_set_new(out, "claims", claims ? claims : json_null());
	return out;
}

static json_t *result_json(const struct hr_verify_result *r)
{
	return result_json_claims(r, true);
}

/* Whether results are told in words (a terminal without --json). */
static bool human;

/* One result in words, for a person at a terminal: the verdict first, then
 * what was checked, then the claims. */
static void print_human(const struct hr_verify_result *r, const json_t *j)
{
	static const char *const skip[] = {"t", "v", NULL};
	const json_t *claims = json_object_get(j, "claims");
	const json_t *doc = json_object_get(claims, "document");
	const json_t *hcert = json_object_get(claims, "hcert");
	const json_t *w;
	char when[40];
	size_t i;

	if (r->valid)
		printf("VALID");
	else
		printf("NOT VALID: %s (stage %s)", r->error, hr_verify_stage_name(r->error_stage));
	if (doc != NULL)
		printf(" — %s", cli_document_title(json_string_value(json_object_get(doc, "t"))));
	else if (hcert != NULL)
		printf(" — an EU Digital COVID Certificate");
	if (r->issuer[0])
		printf(", issued by %s", r->issuer);
	printf("\n  checks:");
	for (int s = 0, shown = 0; s < HR_STAGE_COUNT; s++) {
		if (r->stages[s] == HR_STAGE_NOT_RUN)
			continue;
		printf("%s %s %s", shown++ ? "," : "",
		       hr_verify_stage_name((enum hr_verify_stage)s),
		       r->stages[s] == HR_STAGE_PASSED ? "ok" : "FAILED");
	}
	if (r->valid && r->stages[HR_STAGE_STATUS] == HR_STAGE_NOT_RUN)
		printf(" (revocation status not checked: --status online)");
	printf("\n");
	if (json_object_get(claims, "iat") != NULL) {
		cli_format_time((long long)json_integer_value(json_object_get(claims, "iat")), when,
				sizeof(when));
		printf("  issued   %s\n", when);
	}
	if (json_object_get(claims, "exp") != NULL) {
		cli_format_time((long long)json_integer_value(json_object_get(claims, "exp")), when,
				sizeof(when));
		printf("  expires  %s\n", when);
	}
	if (json_object_get(claims, "cnf") != NULL)
		printf(
		    "  bound to the holder's device (cnf): a copy shown from another phone\n"
		    "  cannot be told apart here; the verifier page asks the holder to confirm\n");
	json_array_foreach(json_object_get(j, "warnings"), i, w)
	    printf("  warning: %s\n", json_string_value(json_object_get(w, "message")));
	if (doc != NULL) {
		printf("\n");
		cli_print_fields(stdout, doc, skip, 2);
	} else if (hcert != NULL) {
		const char *key;
		json_t *value;
		printf("\n");
		json_object_foreach((json_t *)hcert, key, value)
		{
			if (json_is_object(value))
				cli_print_fields(stdout, value, NULL, 2);
		}
	}
}

static int dump_to_buf(const char *data, size_t size, void *out)
{
	return buf_append(out, data, size) == HR_OK ? 0 : -1;
}

/* Appends "text" as jansson writes it, when text is printable ASCII (only
 * '"' and '\' escaped); false for anything else (control characters, UTF-8,
 * bytes jansson would refuse), which the caller leaves to jansson. */
static bool put_plain_string(struct buf *out, const char *text)
{
	buf_append_byte(out, '"');
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c > 0x7e)
			return false;
		if (c == '"' || c == '\\')
			buf_append_byte(out, '\\');
		buf_append_byte(out, c);
	}
	buf_append_byte(out, '"');
	return true;
}

static bool put_key_string(struct buf *out, const char *key, const char *text)
{
	buf_append_str(out, key);
	return put_plain_string(out, text);
}

/*
 * The object result_json_claims(r, false) dumps with JSON_COMPACT, written
 * directly: same keys, same order, same bytes. False (out unusable) when a
 * string is not plain ASCII: jansson then writes the line.
 */
static bool put_envelope(const struct hr_verify_result *r, struct buf *out)
{
	struct buf kid;
	bool ok = true;

	buf_append_str(out, r->valid ? "{\"valid\":true" : "{\"valid\":false");
	if (r->prefix[0])
		ok = put_key_string(out, ",\"prefix\":", r->prefix);
	else
		buf_append_str(out, ",\"prefix\":null");
	buf_init(&kid, 128);
	if (r->kid_len > 0 && base64_encode(r->kid, r->kid_len, BASE64_STANDARD, &kid) == HR_OK)
		ok = ok && put_key_string(out, ",\"kid\":", buf_str(&kid));
	else
		buf_append_str(out, ",\"kid\":null");
	buf_clear(&kid);
	if (r->issuer[0])
		ok = ok && put_key_string(out, ",\"issuer\":", r->issuer);
	else
		buf_append_str(out, ",\"issuer\":null");
	for (int s = 0; s < HR_STAGE_COUNT; s++) {
		buf_append_str(out, s == 0 ? ",\"stages\":{\"" : ",\"");
		buf_append_str(out, hr_verify_stage_name((enum hr_verify_stage)s));
		buf_append_str(out, r->stages[s] == HR_STAGE_NOT_RUN  ? "\":null"
				    : r->stages[s] == HR_STAGE_PASSED ? "\":true"
								      : "\":false");
	}
	if (r->valid)
		buf_append_str(out, "},\"error\":null");
	else
		ok = ok &&
		     put_key_string(
			 out, "},\"error\":{\"stage\":", hr_verify_stage_name(r->error_stage)) &&
		     put_key_string(out, ",\"message\":", r->error) &&
		     buf_append_byte(out, '}') == HR_OK;
	buf_append_str(out, ",\"warnings\":[");
	for (size_t i = 0; ok && i < r->warning_count; i++)
		ok =
		    put_key_string(out, i ? ",{\"check\":" : "{\"check\":", r->warnings[i].check) &&
		    put_key_string(out, ",\"message\":", r->warnings[i].message) &&
		    buf_append_byte(out, '}') == HR_OK;
	buf_append_str(out, "],\"claims\":null}");
	return ok && out->error == HR_OK;
}

/*
 * One batch line, the bytes print_result writes for it, without parsing the
 * claims text back into jansson values only to dump them again, nor building
 * the rest of the object in jansson (together a sixth of a verify). hr_verify
 * dumped the claims with JSON_COMPACT, and jansson reads its own compact
 * output back to the same values, which it dumps to the same bytes (key order
 * kept, reals printed with 17 digits, strings valid UTF-8), with one
 * exception: json_loads refuses an escaped U+0000, and the line then shows
 * "claims": null. Such claims, or an object that does not end as expected,
 * take the slow path.
 */
static bool print_batch_line(const struct hr_verify_result *r, struct buf *line)
{
	static const char tail[] = ",\"claims\":null}";
	bool ok;

	if (r->claims_json != NULL && strstr(r->claims_json, "\\u0000") != NULL)
		return false;
	buf_reset(line);
	if (!put_envelope(r, line)) {
		json_t *j = result_json_claims(r, false);
		buf_reset(line);
		ok = json_dump_callback(j, dump_to_buf, line, JSON_COMPACT) == 0;
		json_decref(j);
		if (!ok)
			return false;
	}
	if (line->len < sizeof(tail) - 1 ||
	    memcmp(line->data + line->len - (sizeof(tail) - 1), tail, sizeof(tail) - 1) != 0)
		return false;
	/* ...,"claims": then the claims text, as the dump would have written it */
	if (r->claims_json == NULL) {
		fwrite(line->data, 1, line->len, stdout);
	} else {
		fwrite(line->data, 1, line->len - (sizeof("null}") - 1), stdout);
		fputs(r->claims_json, stdout);
		fputc('}', stdout);
	}
	fputc('\n', stdout);
	return true;
}

static void print_result(const struct hr_verify_result *r, bool one_line)
{
	json_t *j = result_json(r);

	if (human) {
		print_human(r, j);
		json_decref(j);
		return;
	}

	json_dumpf(j, stdout, one_line ? JSON_COMPACT : JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(j);
}

/* A trust list that was refused or could not be had: the contract's one JSON
 * object, every stage null, the error at stage trust_list. */
static int trust_list_failed(const struct hr_error *err, bool unobtainable)
{
	json_t *out = json_object(), *stages = json_object();

	for (int s = 0; s < HR_STAGE_COUNT; s++)
		json_object_set_new(stages, hr_verify_stage_name((enum hr_verify_stage)s),
				    json_null());
	json_object_set_new(out, "valid", json_false());
	json_object_set_new(out, "prefix", json_null());
	json_object_set_new(out, "kid", json_null());
	json_object_set_new(out, "issuer", json_null());
	json_object_set_new(out, "stages", stages);
	json_object_set_new(out, "error",
			    json_pack("{s:s,s:s}", "stage", "trust_list", "message", err->message));
	json_object_set_new(out, "warnings", json_array());
	json_object_set_new(out, "claims", json_null());
	if (human)
		fprintf(stderr, "hromada verify: cannot verify: the trust list: %s\n",
			err->message);
	else
		json_dumpf(out, stdout, JSON_INDENT(2));
	if (!human)
		fputc('\n', stdout);
	json_decref(out);
	return unobtainable ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
}

static hr_status add_value_sets(struct hr_value_sets *sets, const char *path, struct hr_error *err)
{
	char *data = NULL;
	size_t len;
	hr_status rc;

	if ((rc = cli_read_file(path, &data, &len, err)) != HR_OK)
		return rc;
	if ((rc = hr_value_sets_load(sets, data, len, err)) != HR_OK)
		hr_error_prefix(err, "%s", path);
	free(data);
	return rc;
}

/* The longest line `verify -` keeps: a payload and room for the blanks around
 * it, which hr_verify trims. Longer lines get a result of their own (refused
 * at unprefix) and the batch goes on. */
#define VERIFY_LINE_MAX (HR_VERIFY_MAX_PAYLOAD + 256)

/* --image: decode the picture; a failure is a verification result, not an error. */
static int verify_image(struct hr_verifier *v, const struct hr_trust_store *store, const char *path,
			const struct hr_verify_options *opt)
{
	struct hr_verify_result r;
	struct hr_error err = {0};
	struct buf text;
	char *png = NULL;
	size_t len;
	hr_status rc;

	if (cli_read_file(path, &png, &len, &err) != HR_OK) {
		cli_print_error(&err);
		return CLI_EXIT_USAGE;
	}
	buf_init(&text, HR_VERIFY_MAX_PAYLOAD + 1);
	rc = qr_decode_png((const uint8_t *)png, len, &text, &err);
	free(png);
	hr_verify_result_init(&r);
	if (rc == HR_OK)
		hr_verify(v, store, buf_str(&text), text.len, opt, &r);
	r.stages[HR_STAGE_PICTURE] = rc == HR_OK ? HR_STAGE_PASSED : HR_STAGE_FAILED;
	if (rc != HR_OK) {
		r.valid = false;
		r.error_stage = HR_STAGE_PICTURE;
		snprintf(r.error, sizeof(r.error), "%s", err.message);
	}
	print_result(&r, false);
	buf_clear(&text);
	rc = r.valid ? HR_OK : HR_E_INVALID;
	hr_verify_result_clear(&r);
	return rc == HR_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/*
 * One line of f into line (at most cap - 1 bytes, NUL-terminated, without its
 * newline). A longer line is read to its end but not kept (*too_long): memory
 * stays cap whatever the input (issue 13: getline grew a 500 MB line whole).
 * False at the end of the input with nothing read.
 */
static bool read_bounded_line(FILE *f, char *line, size_t cap, size_t *len, bool *too_long)
{
	int c;
	bool any = false;

	*len = 0;
	*too_long = false;
	while ((c = getc_unlocked(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (*len + 1 < cap)
			line[(*len)++] = (char)c;
		else
			*too_long = true;
	}
	line[*len] = 0;
	return any;
}

/* A line too long to be a payload: refused at the unprefix stage, as hr_verify
 * refuses an argument over HR_VERIFY_MAX_PAYLOAD, without reading it whole. */
static void refuse_long_line(struct hr_verify_result *r)
{
	r->valid = false;
	r->stages[HR_STAGE_UNPREFIX] = HR_STAGE_FAILED;
	r->error_stage = HR_STAGE_UNPREFIX;
	snprintf(r->error, sizeof(r->error), "line longer than %d characters", VERIFY_LINE_MAX);
}

static int verify_batch(struct hr_verifier *v, const struct hr_trust_store *store,
			const struct hr_verify_options *opt)
{
	struct hr_verify_result r;
	static char line[VERIFY_LINE_MAX + 2];
	size_t n, line_no = 0;
	bool all_valid = true, too_long;
	struct buf out;

	/* piped: one write a few dozen lines, not one every four (a terminal
	 * keeps its line buffering: a person typing payloads sees each answer) */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	buf_init(&out, 1 << 20);
	hr_verify_result_init(&r);
	while (read_bounded_line(stdin, line, sizeof(line), &n, &too_long)) {
		if (too_long || n > VERIFY_LINE_MAX) {
			hr_verify_result_clear(&r);
			hr_verify_result_init(&r);
			refuse_long_line(&r);
		} else if (hr_verify(v, store, line, n, opt, &r) != HR_OK) {
			hr_verify_result_clear(&r);
			buf_clear(&out);
			fprintf(stderr, "hromada verify: out of memory\n");
			return CLI_EXIT_USAGE;
		}
		all_valid = all_valid && r.valid;
		if (human) {
			line_no++;
			if (r.valid)
				printf("%zu: VALID, issued by %s\n", line_no, r.issuer);
			else
				printf("%zu: NOT VALID: %s (stage %s)\n", line_no, r.error,
				       hr_verify_stage_name(r.error_stage));
		} else if (!print_batch_line(&r, &out)) {
			print_result(&r, true);
		}
	}
	hr_verify_result_clear(&r);
	buf_clear(&out);
	if (ferror(stdin)) {
		fprintf(stderr, "hromada verify: cannot read standard input\n");
		return CLI_EXIT_USAGE;
	}
	return all_valid ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

static int verify_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"trust-list", required_argument, NULL, 'l'},
	    {"trust-url", required_argument, NULL, 'u'},
	    {"trust-cache", required_argument, NULL, 'C'},
	    {"trust-anchor", required_argument, NULL, 'a'},
	    {"trust-grace", required_argument, NULL, 'g'},
	    {"cert", required_argument, NULL, 'c'},
	    {"at", required_argument, NULL, 't'},
	    {"status", required_argument, NULL, 's'},
	    {"value-sets", required_argument, NULL, 'v'},
	    {"image", required_argument, NULL, 'i'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct hr_trust_store *store = hr_trust_store_new();
	struct hr_verifier *v = hr_verifier_new();
	struct hr_value_sets *value_sets = NULL;
	struct hr_verify_options opt;
	struct verify_trust_options trust = {NULL, NULL, NULL, NULL, HR_TRUST_LIST_GRACE_DEFAULT};
	struct hr_status_source status_source = {verify_status_fetch, NULL};
	struct hr_verify_result r;
	struct hr_error err = {0};
	char status_cache[PATH_MAX];
	const char *image = NULL, *payload;
	bool status_online = false, unobtainable, json = false;
	uint64_t grace;
	int opt_char, status = CLI_EXIT_USAGE;

	memset(&opt, 0, sizeof(opt));
	if (store == NULL || v == NULL)
		goto done;
	optind = 1;
	while ((opt_char = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt_char) {
		case 'l':
			trust.list_file = optarg;
			break;
		case 'u':
			trust.url = optarg;
			break;
		case 'C':
			trust.cache_dir = optarg;
			break;
		case 'a':
			trust.anchor_file = optarg;
			break;
		case 'g':
			if (cli_parse_u64(optarg, 0, 10ull * 365 * 86400, &grace) != HR_OK) {
				fprintf(stderr, "hromada verify: --trust-grace takes seconds (0 to "
						"ten years)\n");
				goto done;
			}
			trust.grace = (int64_t)grace;
			break;
		case 'i':
			image = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'c':
			if (add_cert(store, optarg, &err) != HR_OK)
				goto failed;
			break;
		case 't':
			if (hr_time_parse(optarg, &opt.at, &err) != HR_OK)
				goto failed;
			opt.at_set = true;
			break;
		case 's':
			if (strcmp(optarg, "online") != 0 && strcmp(optarg, "offline") != 0) {
				fprintf(stderr, "hromada verify: --status is online or offline\n");
				goto done;
			}
			status_online = strcmp(optarg, "online") == 0;
			break;
		case 'v':
			if (value_sets == NULL && (value_sets = hr_value_sets_new()) == NULL) {
				hr_error_set(&err, HR_E_NOMEM, "value_sets", "out of memory");
				goto failed;
			}
			if (add_value_sets(value_sets, optarg, &err) != HR_OK)
				goto failed;
			break;
		default:
			fprintf(stderr, "Run 'hromada verify --help' for usage.\n");
			goto done;
		}
	}
	if (trust.list_file != NULL && trust.url != NULL) {
		fprintf(stderr, "hromada verify: give --trust-list or --trust-url, not both\n");
		goto done;
	}
	if (trust.anchor_file != NULL && trust.list_file == NULL && trust.url == NULL) {
		fprintf(stderr,
			"hromada verify: --trust-anchor needs --trust-list or --trust-url\n");
		goto done;
	}
	if (image != NULL && optind != argc) {
		fprintf(stderr, "hromada verify: give either --image or a PAYLOAD, not both\n");
		goto done;
	}
	if (image == NULL && optind != argc - 1) {
		fprintf(stderr, "hromada verify: expected one PAYLOAD (or - for standard input)\n");
		goto done;
	}
	human = cli_human_output(json);
	/* a picture given as the payload: say how to read it (a pipe still gets
	 * the contract's result, invalid at unprefix) */
	if (image == NULL && looks_like_png(argv[optind])) {
		fprintf(stderr,
			"hromada verify: '%s' is a picture's name, not a payload: to read the QR "
			"in it, use --image %s\n",
			argv[optind], argv[optind]);
		if (human)
			goto done;
	}
	if (trust.list_file != NULL || trust.url != NULL) {
		if (verify_trust_load(store, &trust, &unobtainable, &err) != HR_OK) {
			status = trust_list_failed(&err, unobtainable);
			goto done;
		}
	}
	if (status_online) {
		if (verify_cache_dir(trust.cache_dir, status_cache, sizeof(status_cache), &err) !=
		    HR_OK)
			goto failed;
		status_source.context = status_cache;
		opt.status = &status_source;
	}
	opt.value_sets = value_sets;
	if (image != NULL) {
		status = verify_image(v, store, image, &opt);
		goto done;
	}
	payload = argv[optind];
	if (strcmp(payload, "-") == 0) {
		status = verify_batch(v, store, &opt);
		goto done;
	}
	hr_verify_result_init(&r);
	if (hr_verify(v, store, payload, strlen(payload), &opt, &r) != HR_OK) {
		fprintf(stderr, "hromada verify: out of memory\n");
		goto done;
	}
	print_result(&r, false);
	status = r.valid ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	hr_verify_result_clear(&r);
	goto done;
failed:
	cli_print_error(&err);
	status = CLI_EXIT_USAGE;
done:
	hr_verifier_free(v);
	hr_trust_store_free(store);
	hr_value_sets_free(value_sets);
	return status;
}

const struct cli_command cli_verify = {
    .name = "verify",
    .summary = "Verify a QR credential (HR1: or HC1:) offline",
    .run = verify_run,
    .help = verify_help,
};
