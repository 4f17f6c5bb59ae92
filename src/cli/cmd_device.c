/*
 * cmd_device.c — `hromada device`: a citizen's phone, for trying the wallet
 * from a terminal. It does what a real device app does, with the same
 * standards: a P-256 device key, enrolment with the code from the out-of-band
 * channel, a DPoP proof (RFC 9449) on every call, and a consent token signed by
 * the device for the exchanges the wallet makes on the citizen's behalf.
 *
 * The device's key and token live in STATE/devices/<person>/ (mode 0600).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "cli/cli.h"
#include "core/base64.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/file.h"
#include "core/http_client.h"
#include "core/json.h"
#include "audit/access_history.h"
#include "audit/merkle.h"
#include "audit/tree_head.h"
#include "credential/qr.h"
#include "credential/signer_cert.h"
#include "credential/signer.h"
#include "exchange/dpop.h"
#include "exchange/jose.h"
#include "exchange/consent.h"

static void device_help(void)
{
	printf(
	    "Usage: hromada device [--state DIR] [--wallet URL] [--json] enrol PERSON\n"
	    "       hromada device [--state DIR] [--wallet URL] documents PERSON [--abroad]\n"
	    "       hromada device [--state DIR] [--wallet URL] show PERSON TYPE [--fields a,b]\n"
	    "                                  [--number N] [--country CC] [--offline] [--png "
	    "FILE]\n"
	    "       hromada device [--state DIR] [--wallet URL] report-lost PERSON TYPE\n"
	    "                                                       [--number N]\n"
	    "       hromada device [--state DIR] [--wallet URL] headers PERSON METHOD PATH\n"
	    "                                                       [--count N]\n"
	    "       hromada device [--state DIR] [--wallet URL] access-log PERSON\n"
	    "                                  [--tree-head-certificate PEM] [--before N]\n"
	    "\n"
	    "Plays a citizen's phone against the wallet of a running 'hromada up' (DIR,\n"
	    "default ./hromada-state, gives the wallet's URL in endpoints.json):\n"
	    "  enrol        make a device key, ask for a code, read it from DIR/outbox (the\n"
	    "               out-of-band channel of 'up'), finish enrolment, keep the token\n"
	    "  documents    list the documents the registries hold for PERSON; --abroad also\n"
	    "               asks the other country's registries (a resident there)\n"
	    "  show         fetch one document as a device-bound QR credential (JSON; with\n"
	    "               --png also the QR picture); --fields discloses only those fields,\n"
	    "               --number picks one of several, --country reads the registry of\n"
	    "               the country PERSON lives in (e.g. a residence permit abroad),\n"
	    "               --offline makes a 30-day offline copy that can be revoked\n"
	    "  report-lost  suspend a document in its registry\n"
	    "  headers      print what the device would send for METHOD PATH, for curl or\n"
	    "               a load generator: one line per call (--count, default 1) of\n"
	    "               Authorization, DPoP and Hromada-Consent values, tab-separated;\n"
	    "               every line has its own proof (a proof is good for one call\n"
	    "               within 60 s), all share one consent (valid 300 s)\n"
	    "  access-log   every access to PERSON's data from the gateway's audit log, each\n"
	    "               entry's inclusion proof and the tree head's signature checked on\n"
	    "               the device (the certificate: --tree-head-certificate, default the\n"
	    "               audit_dir's tree-head.pem named in DIR/endpoints.json); the head\n"
	    "               kept from the last time (DIR/devices/PERSON/tree-head.json) must\n"
	    "               be a prefix of the new one (a consistency proof from the gateway's\n"
	    "               /audit/consistency): otherwise a split view; and the person's\n"
	    "               entries must be numbered without a gap up to this reading (none\n"
	    "               left out). --before N pages to entries older than leaf N.\n"
	    "               Exit 1 if a check fails.\n"
	    "--wallet URL talks to that wallet instead of the one in DIR/endpoints.json.\n"
	    "On a terminal the answers are shown in words (documents as a table, a\n"
	    "document's fields, the access history as who, when, why and whether its\n"
	    "proof checked); piped, or with --json, the wallet's JSON as it came (show\n"
	    "--png leaves the SVG out: the picture is in the file). Errors go to stderr.\n"
	    "Every call carries a DPoP proof and a consent token signed by the device key,\n"
	    "given to the wallet only, for the document types that call needs (all eight\n"
	    "for 'documents', one for 'show' and 'report-lost'), valid 60 s.\n"
	    "PERSON is UA:<RNOKPP> or PL:<PESEL>; DIR/demo.json lists some.\n");
}

struct device {
	char dir[PATH_MAX];
	char person[16];
	char wallet[512];
	struct signer *key;
	json_t *jwk;
	char token[2048];
	char attestation[ATTESTATION_MAX_LEN + 1];
	char consent_jti[80]; /* of the consent the last call carried */
	struct http_client *http;
	bool human;        /* words on a terminal, not JSON (cli_human_output) */
	const char *state; /* --state */
};

/* A string of the person's country in STATE/endpoints.json ("wallet", "audit_dir"). */
static hr_status endpoint_of(const char *state, const char *person, const char *key, char *out,
			     size_t size, struct hr_error *err)
{
	char path[PATH_MAX + 32], country[3] = {person[0], person[1], 0};
	json_t *endpoints;
	const char *value;

	snprintf(path, sizeof(path), "%s/endpoints.json", state);
	if ((endpoints = json_load_file(path, 0, NULL)) == NULL)
		return hr_error_set(err, HR_E_NOT_FOUND, "device",
				    "%s is missing: is 'hromada up --state %s' running?", path,
				    state);
	value = json_string_value(json_object_get(json_object_get(endpoints, country), key));
	if (value == NULL || strlen(value) >= size) {
		json_decref(endpoints);
		return hr_error_set(err, HR_E_NOT_FOUND, "device", "no %s for %s in %s", key,
				    country, path);
	}
	snprintf(out, size, "%s", value);
	json_decref(endpoints);
	return HR_OK;
}

/* The first line of a small file the device keeps, or "" when there is none. */
static void read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (f == NULL)
		return;
	if (fgets(out, (int)size, f) != NULL)
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* Loads the device key of PERSON, making it when create is set. */
static hr_status device_open(struct device *d, const char *state, const char *wallet,
			     const char *person, bool create, struct hr_error *err)
{
	char path[PATH_MAX + 64];
	struct http_client_options o;
	EVP_PKEY *key = NULL;
	FILE *f;
	hr_status rc;

	memset(d, 0, sizeof(*d));
	if (!person_id_valid(person))
		return hr_error_set(err, HR_E_INVALID, "device",
				    "%s is not UA:<RNOKPP> or PL:<PESEL> with a valid check digit",
				    person);
	snprintf(d->person, sizeof(d->person), "%s", person);
	snprintf(d->dir, sizeof(d->dir), "%s/devices/%s", state, person);
	d->state = state;
	if (wallet != NULL)
		snprintf(d->wallet, sizeof(d->wallet), "%s", wallet);
	else if ((rc = endpoint_of(state, person, "wallet", d->wallet, sizeof(d->wallet), err)) !=
		 HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/key.pem", d->dir);
	if ((f = fopen(path, "r")) != NULL) {
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	} else if (create) {
		int fd;
		mkdir(state, 0700);
		snprintf(path, sizeof(path), "%s/devices", state);
		mkdir(path, 0700);
		mkdir(d->dir, 0700);
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		snprintf(path, sizeof(path), "%s/key.pem", d->dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (key == NULL || fd < 0 || (f = fdopen(fd, "w")) == NULL ||
		    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 ||
		    fclose(f) != 0) {
			EVP_PKEY_free(key);
			return hr_error_set(err, HR_E_IO, "device", "cannot create %s", path);
		}
	}
	if (key == NULL)
		return hr_error_set(err, HR_E_NOT_FOUND, "device",
				    "no device for %s yet: run 'hromada device enrol %s' first",
				    person, person);
	rc = signer_from_key(key, NULL, &d->key, err);
	if (rc == HR_OK)
		rc = jose_key_to_jwk(key, &d->jwk, err);
	EVP_PKEY_free(key);
	if (rc != HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/token", d->dir);
	read_line(path, d->token, sizeof(d->token));
	snprintf(path, sizeof(path), "%s/attestation", d->dir);
	read_line(path, d->attestation, sizeof(d->attestation));
	http_client_options_default(&o);
	if ((d->http = http_client_new(&o)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "device", "out of memory");
	return HR_OK;
}

static void device_close(struct device *d)
{
	signer_free(d->key);
	json_decref(d->jwk);
	http_client_free(d->http);
}

/* The jti of a consent token (a JWS the device just made): its payload's. */
static void consent_jti_of(const struct buf *consent, char *out, size_t size)
{
	const char *text = (const char *)consent->data, *dot, *end;
	struct buf payload;
	json_t *claims;

	out[0] = 0;
	if ((dot = memchr(text, '.', consent->len)) == NULL ||
	    (end = memchr(dot + 1, '.', consent->len - (size_t)(dot + 1 - text))) == NULL)
		return;
	buf_init(&payload, 8192);
	if (base64_decode(dot + 1, (size_t)(end - dot - 1), BASE64_URL, &payload) == HR_OK &&
	    (claims = json_loadb((const char *)payload.data, payload.len, 0, NULL)) != NULL) {
		const char *jti = json_string_value(json_object_get(claims, "jti"));
		if (jti != NULL && strlen(jti) < size)
			snprintf(out, size, "%s", jti);
		json_decref(claims);
	}
	buf_clear(&payload);
}

/*
 * The device's consent for a call to path: given to the wallet that enrolled
 * it (its attestation's iss), for the document types the call needs and no
 * other (exchange/consent.h). Nothing is appended for a path that needs none.
 */
static hr_status device_consent(struct device *d, const char *path, int64_t lifetime_s,
				struct buf *out, struct hr_error *err)
{
	char wallet_id[128], bare[512];
	struct consent_scope scope;
	size_t len = strcspn(path, "?");

	if (len >= sizeof(bare))
		return hr_error_set(err, HR_E_INVALID, "device", "the path is too long");
	memcpy(bare, path, len);
	bare[len] = 0;
	if (consent_scope_for_wallet_path(bare, "", &scope, NULL) != HR_OK)
		return HR_OK;
	if (consent_attestation_issuer(d->attestation, wallet_id, sizeof(wallet_id), err) != HR_OK)
		return err != NULL ? err->status : HR_E_INVALID;
	scope.audience = wallet_id;
	return consent_make(d->key, d->jwk, d->attestation, d->person, "citizen-wallet", &scope,
			    (int64_t)time(NULL), lifetime_s, out, err);
}

/* One call to the wallet with DPoP (and the token and a consent once enrolled). */
static hr_status call(struct device *d, const char *method, const char *path, const char *query,
		      const json_t *body, struct http_client_response *response,
		      struct hr_error *err)
{
	char url[1024], auth[2200];
	struct buf proof, consent, text;
	struct http_header headers[5];
	struct http_client_request r = {0};
	size_t h = 0;
	hr_status rc;

	buf_init(&proof, 4096);
	buf_init(&consent, 4096);
	buf_init(&text, 64 * 1024);
	snprintf(url, sizeof(url), "%s%s", d->wallet, path);
	rc = dpop_proof_make(d->key, method, url, d->token[0] ? d->token : NULL,
			     (int64_t)time(NULL), &proof, err);
	if (rc == HR_OK && d->token[0])
		rc = device_consent(d, path, CONSENT_CALL_LIFETIME_S, &consent, err);
	if (rc == HR_OK && consent.len > 0)
		consent_jti_of(&consent, d->consent_jti, sizeof(d->consent_jti));
	if (rc == HR_OK && body != NULL)
		rc = hr_json_dump(body, &text);
	if (rc != HR_OK)
		goto done;
	headers[h++] = (struct http_header){"DPoP", buf_str(&proof)};
	if (d->token[0]) {
		snprintf(auth, sizeof(auth), "DPoP %s", d->token);
		headers[h++] = (struct http_header){"Authorization", auth};
		if (consent.len > 0)
			headers[h++] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	}
	if (body != NULL)
		headers[h++] = (struct http_header){"Content-Type", "application/json"};
	if (query != NULL)
		snprintf(url + strlen(url), sizeof(url) - strlen(url), "?%s", query);
	r.method = method;
	r.url = url;
	r.headers = headers;
	r.header_count = h;
	r.body = body ? text.data : NULL;
	r.body_len = body ? text.len : 0;
	rc = http_client_send(d->http, &r, response, err);
done:
	buf_clear(&proof);
	buf_clear(&consent);
	buf_clear(&text);
	return rc;
}

static bool answer_ok(const struct http_client_response *response)
{
	return response->status >= 200 && response->status < 300;
}

/* A refusal in words on stderr: "the wallet answered 401 (unauthorized): ...". */
static void say_refusal(const struct http_client_response *response)
{
	json_t *answer = json_loadb((const char *)response->body.data, response->body.len, 0, NULL);
	json_t *e = json_object_get(answer, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *message = json_string_value(json_object_get(e, "message"));

	fprintf(stderr, "hromada device: the wallet answered %ld%s%s%s: %s\n", response->status,
		code ? " (" : "", code ? code : "", code ? ")" : "",
		message ? message : "no explanation");
	json_decref(answer);
}

/* The wallet's answer as it came (JSON mode); a refusal is also told on
 * stderr. In words, only the refusal (the caller prints a success). */
static int print_answer(const struct device *d, const struct http_client_response *response)
{
	if (!answer_ok(response))
		say_refusal(response);
	if (d->human)
		return answer_ok(response) ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	printf("%s", buf_str(&response->body));
	if (response->body.len == 0 || response->body.data[response->body.len - 1] != '\n')
		printf("\n");
	return answer_ok(response) ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/* `documents` in words: one line per document, then how to show one. */
static void print_documents(const struct device *d, const json_t *answer, const char *state)
{
	const json_t *docs = json_object_get(answer, "documents"), *doc;
	const char *example = NULL;
	size_t i;

	printf("Documents of %s, read now from the registries:\n\n", d->person);
	if (json_array_size(docs) == 0)
		printf("  none: the registries hold no document for %s\n", d->person);
	json_array_foreach(docs, i, doc)
	{
		const char *type = json_string_value(json_object_get(doc, "type"));
		const char *number = json_string_value(json_object_get(doc, "document_number"));
		const char *status = json_string_value(json_object_get(doc, "status"));
		const char *expiry = json_string_value(json_object_get(doc, "expiry_date"));
		const json_t *error = json_object_get(doc, "error");

		printf("  ");
		cli_print_padded(stdout, cli_document_title(type), 21);
		const char *country = json_string_value(json_object_get(doc, "country"));
		printf(" %-3s ", country ? country : "");
		if (error != NULL) {
			const char *message = json_string_value(json_object_get(error, "message"));
			printf("not available now: %s\n",
			       message ? message : "the registry failed");
			continue;
		}
		if (example == NULL || (type && strcmp(type, "driver_licence") == 0))
			example = type;
		cli_print_padded(stdout, number ? number : "-", 33);
		printf(" %s", status ? status : "?");
		if (expiry != NULL)
			printf(", until %s", expiry);
		printf("\n");
	}
	if (example != NULL)
		printf("\nShow one as a QR credential, e.g.:\n"
		       "  hromada device --state %s show %s %s\n"
		       "(types: ",
		       state, d->person, example);
	else
		printf("\n(document types: ");
	cli_print_document_types(stdout);
	printf(")\n");
}

static int enrol(struct device *d, const char *state, struct hr_error *err)
{
	struct http_client_response response;
	char path[PATH_MAX + 64], code[16] = "";
	json_t *body;
	int status = CLI_EXIT_FAILED;

	http_client_response_init(&response);
	body = json_pack("{s:s}", "person", d->person);
	if (call(d, "POST", "/v1/enrol/start", NULL, body, &response, err) != HR_OK)
		goto done;
	if (response.status != 202) {
		status = print_answer(d, &response);
		goto done;
	}
	/* the out-of-band channel of `up`: the registry of record "sends" the code here */
	snprintf(path, sizeof(path), "%s/outbox/%s.txt", state, d->person);
	read_line(path, code, sizeof(code));
	if (code[0] == 0) {
		hr_error_set(err, HR_E_NOT_FOUND, "device", "no code arrived in %s", path);
		goto done;
	}
	json_decref(body);
	body = json_pack("{s:s,s:s,s:O}", "person", d->person, "code", code, "device_key", d->jwk);
	if (call(d, "POST", "/v1/enrol/finish", NULL, body, &response, err) != HR_OK)
		goto done;
	if (response.status == 200) {
		json_t *answer =
		    json_loadb((const char *)response.body.data, response.body.len, 0, NULL);
		const char *token = json_string_value(json_object_get(answer, "access_token"));
		const char *attestation =
		    json_string_value(json_object_get(answer, "device_attestation"));
		char attestation_path[PATH_MAX + 64];

		/* the token for the wallet, the attestation for every consent */
		snprintf(path, sizeof(path), "%s/token", d->dir);
		snprintf(attestation_path, sizeof(attestation_path), "%s/attestation", d->dir);
		if (token == NULL || attestation == NULL ||
		    file_write_atomic(path, token, strlen(token), 0600, err) != HR_OK ||
		    file_write_atomic(attestation_path, attestation, strlen(attestation), 0600,
				      err) != HR_OK) {
			hr_error_set(err, HR_E_IO, "device", "cannot keep the token in %s", d->dir);
			json_decref(answer);
			goto done;
		}
		json_decref(answer);
		if (d->human)
			printf("Enrolled %s: this device's key is in %s\n"
			       "Next: hromada device --state %s documents %s\n",
			       d->person, d->dir, state, d->person);
		else
			printf("{\"enrolled\": \"%s\", \"device\": \"%s\"}\n", d->person, d->dir);
		status = CLI_EXIT_OK;
	} else {
		status = print_answer(d, &response);
	}
done:
	json_decref(body);
	http_client_response_clear(&response);
	return status;
}

/* What `show` asks for besides the type: ?fields=, &number=, &country=, &offline=1. */
struct show_options {
	const char *fields;
	const char *number;
	const char *country;
	bool offline;
	bool abroad; /* `documents`: the registries abroad too */
	const char *png;
};

/* `show` in words: the document's fields, the QR's text and lifetime. */
static void print_shown(const struct device *d, const char *type, const json_t *answer,
			const char *png)
{
	static const char *const skip[] = {"t", "v", "status", NULL};
	const json_t *doc = json_object_get(answer, "document");
	const json_t *entry = json_object_get(json_object_get(answer, "status"), "status_list");
	const char *status = json_string_value(json_object_get(doc, "status"));
	const char *qr = json_string_value(json_object_get(answer, "qr"));
	json_int_t expires_in = json_integer_value(json_object_get(answer, "expires_in"));
	char until[40];

	printf("%s of %s: %s\n\n", cli_document_title(type), d->person,
	       status ? status : "status unknown");
	cli_print_fields(stdout, doc, skip, 2);
	cli_format_time((long long)time(NULL) + expires_in, until, sizeof(until));
	if (entry != NULL)
		printf("\nAn offline copy: valid until %s, revocable (status list entry %lld).\n",
		       until, (long long)json_integer_value(json_object_get(entry, "idx")));
	else
		printf("\nA QR credential bound to this device, valid %lld s (until %s).\n",
		       (long long)expires_in, until);
	if (png != NULL)
		printf("The QR picture is in %s; check it with\n"
		       "  hromada verify --trust-list %s/trust-list.json --image %s\n",
		       png, d->state, png);
	else if (qr != NULL)
		printf("Its text (a verifier reads it; --png FILE makes the picture):\n%s\n", qr);
}

static int show(struct device *d, const char *type, const struct show_options *o,
		struct hr_error *err)
{
	struct http_client_response response;
	char path[128], query[640];
	size_t n = 0;
	int status = CLI_EXIT_FAILED;
	const char *png = o->png;
	json_t *answer = NULL;

	http_client_response_init(&response);
	snprintf(path, sizeof(path), "/v1/documents/%s", type);
	query[0] = 0;
	if (o->fields != NULL)
		n += (size_t)snprintf(query + n, sizeof(query) - n, "&fields=%s", o->fields);
	if (o->number != NULL && n < sizeof(query))
		n += (size_t)snprintf(query + n, sizeof(query) - n, "&number=%s", o->number);
	if (o->country != NULL && n < sizeof(query))
		n += (size_t)snprintf(query + n, sizeof(query) - n, "&country=%s", o->country);
	if (o->offline && n < sizeof(query))
		n += (size_t)snprintf(query + n, sizeof(query) - n, "&offline=1");
	if (n >= sizeof(query)) {
		hr_error_set(err, HR_E_INVALID, "device", "the options are too long");
		goto done;
	}
	if (call(d, "GET", path, n ? query + 1 : NULL, NULL, &response, err) != HR_OK)
		goto done;
	if (!answer_ok(&response)) {
		status = print_answer(d, &response);
		goto done;
	}
	answer = json_loadb((const char *)response.body.data, response.body.len, 0, NULL);
	if (answer == NULL) {
		hr_error_set(err, HR_E_INVALID, "device", "the wallet's answer is not JSON");
		goto done;
	}
	if (png != NULL) {
		const char *qr = json_string_value(json_object_get(answer, "qr"));
		struct buf image;
		FILE *f;
		buf_init(&image, QR_MAX_IMAGE_BYTES);
		if (qr == NULL || qr_render_png(qr, 6, &image, err) != HR_OK ||
		    (f = fopen(png, "wb")) == NULL ||
		    fwrite(image.data, 1, image.len, f) != image.len || fclose(f) != 0) {
			if (err->message[0] == 0)
				hr_error_set(err, HR_E_IO, "device", "cannot write %s", png);
			buf_clear(&image);
			status = CLI_EXIT_USAGE;
			goto done;
		}
		buf_clear(&image);
	}
	if (d->human) {
		print_shown(d, type, answer, png);
	} else if (png != NULL) {
		/* the picture is in the file: the SVG is not dumped on stdout */
		json_object_del(answer, "qr_svg");
		json_dumpf(answer, stdout, JSON_COMPACT);
		printf("\n");
	} else {
		print_answer(d, &response);
	}
	status = CLI_EXIT_OK;
done:
	json_decref(answer);
	http_client_response_clear(&response);
	return status;
}

/* `headers`: count lines of "authorization\tdpop\tconsent" for METHOD PATH. */
static int headers(struct device *d, const char *method, const char *path, uint64_t count,
		   struct hr_error *err)
{
	char url[1024];
	struct buf proof, consent;
	int64_t now = (int64_t)time(NULL);
	int status = CLI_EXIT_FAILED;

	if (d->token[0] == 0) {
		hr_error_set(err, HR_E_NOT_FOUND, "device",
			     "%s is not enrolled: run 'hromada device enrol %s' first", d->person,
			     d->person);
		return CLI_EXIT_USAGE;
	}
	buf_init(&proof, 4096);
	buf_init(&consent, 4096);
	snprintf(url, sizeof(url), "%s%s", d->wallet, path);
	if (device_consent(d, path, CONSENT_MAX_LIFETIME_S, &consent, err) != HR_OK)
		goto done;
	for (uint64_t i = 0; i < count; i++) {
		buf_reset(&proof);
		if (dpop_proof_make(d->key, method, url, d->token, now, &proof, err) != HR_OK)
			goto done;
		printf("DPoP %s\t%s\t%s\n", d->token, buf_str(&proof), buf_str(&consent));
	}
	status = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
done:
	buf_clear(&proof);
	buf_clear(&consent);
	return status;
}

/*
 * The tree head the device saw last (DIR/devices/PERSON/tree-head.json) against
 * the one it sees now: the same log, only grown (RFC 9162 §2.1.4: a
 * consistency proof from the gateway's public GET /audit/consistency). Two
 * heads of one size with different roots, or a proof that fails, is a split
 * view — the gateway shows this citizen another log than it showed before
 * (and than others see). HR_E_SIGNATURE then; the kept head is not replaced.
 */
static hr_status tree_head_follow(struct device *d, const char *state, const char *kept_path,
				  const struct tree_head *now, EVP_PKEY *key, struct hr_error *err)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	struct http_client_response response;
	struct http_client_request r = {0};
	struct tree_head kept;
	char gateway[512], url[1024];
	json_t *stored = json_load_file(kept_path, 0, NULL), *answer = NULL;
	size_t count = 0;
	hr_status rc;

	if (stored == NULL)
		return access(kept_path, F_OK) == 0
			   ? hr_error_set(err, HR_E_INVALID, "device", "%s is unreadable",
					  kept_path)
			   : HR_OK; /* the first look: nothing to compare with */
	rc = tree_head_from_json(stored, &kept, err);
	json_decref(stored);
	if (rc != HR_OK || tree_head_verify(&kept, key, NULL) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, "device",
				    "%s is not a tree head signed by the tree-head certificate",
				    kept_path);
	if (now->tree_size < kept.tree_size)
		return hr_error_set(err, HR_E_SIGNATURE, "device",
				    "split view: the gateway's tree head covers %llu entries, but "
				    "this device saw one covering %llu before (a log rolled back "
				    "or forked)",
				    (unsigned long long)now->tree_size,
				    (unsigned long long)kept.tree_size);
	if (now->tree_size == kept.tree_size) {
		if (memcmp(now->root, kept.root, MERKLE_HASH_LEN) != 0)
			return hr_error_set(
			    err, HR_E_SIGNATURE, "device",
			    "split view: two signed tree heads of %llu entries with "
			    "different roots (the one kept in %s, and the one shown "
			    "now): the gateway shows different logs",
			    (unsigned long long)now->tree_size, kept_path);
		return HR_OK;
	}
	if (kept.tree_size == 0)
		return HR_OK; /* the empty log is a prefix of every log */
	if ((rc = endpoint_of(state, d->person, "gateway", gateway, sizeof(gateway), err)) != HR_OK)
		return rc;
	snprintf(url, sizeof(url), "%s/audit/consistency?first=%llu&second=%llu", gateway,
		 (unsigned long long)kept.tree_size, (unsigned long long)now->tree_size);
	r.method = "GET";
	r.url = url;
	http_client_response_init(&response);
	if ((rc = http_client_send(d->http, &r, &response, err)) != HR_OK)
		goto done;
	if (response.status != 200 ||
	    hr_json_parse(response.body.data, response.body.len, &answer, err) != HR_OK ||
	    tree_head_proof_from_json(json_object_get(answer, "consistency"), proof, &count, err) !=
		HR_OK) {
		rc = hr_error_set(err, HR_E_INVALID, "device",
				  "no consistency proof from %s (HTTP %ld)", url, response.status);
		goto done;
	}
	if (merkle_consistency_verify(kept.tree_size, now->tree_size, kept.root, now->root,
				      MERKLE_CONST_PROOF(proof), count, NULL) != HR_OK)
		rc = hr_error_set(err, HR_E_SIGNATURE, "device",
				  "split view: the tree head of %llu entries is not an extension "
				  "of the one of %llu entries this device saw before (the "
				  "consistency proof fails)",
				  (unsigned long long)now->tree_size,
				  (unsigned long long)kept.tree_size);
done:
	json_decref(answer);
	http_client_response_clear(&response);
	return rc;
}

/* What a service did, in words: "looked up", "read the access history". */
static const char *service_words(const char *service)
{
	static const struct {
		const char *service, *words;
	} known[] = {
	    {"lookup", "looked up"},
	    {"access-log", "read your access history"},
	    {"status", "checked the status of"},
	    {"report-lost", "suspended, reported lost:"},
	    {"by-number", "looked up by its number"},
	};

	for (size_t i = 0; service != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].service, service) == 0)
			return known[i].words;
	return service ? service : "asked";
}

/* `access-log` in words: who, when, what, on what grounds, proof checked. */
static void print_access_log(const struct device *d, const json_t *answer,
			     const struct tree_head *head)
{
	const json_t *entries = json_object_get(answer, "entries"), *e;
	char when[40];
	size_t i;

	cli_format_time((long long)(head->timestamp_ms / 1000), when, sizeof(when));
	printf("Who accessed the data of %s (newest first); every entry's proof was\n"
	       "checked against the gateway's signed tree head of %llu entries (%s):\n\n",
	       d->person, (unsigned long long)head->tree_size, when);
	if (json_array_size(entries) == 0)
		printf("  nobody yet\n");
	json_array_foreach(entries, i, e)
	{
		const json_t *f = json_object_get(e, "fields");
		const char *who = json_string_value(json_object_get(e, "client_name"));
		const char *who_country = json_string_value(json_object_get(e, "client_country"));
		const char *type = json_string_value(json_object_get(e, "document_type"));
		const char *basis = json_string_value(json_object_get(f, "legal_basis"));
		const char *purpose = json_string_value(json_object_get(f, "purpose"));
		const char *refused = json_string_value(json_object_get(f, "refused"));
		const char *client = json_string_value(json_object_get(f, "client"));
		json_int_t status = json_integer_value(json_object_get(f, "status"));

		cli_format_time((long long)json_integer_value(json_object_get(f, "time")), when,
				sizeof(when));
		printf("  %s  %s", when, who ? who : client ? client : "?");
		if (who_country != NULL)
			printf(" (%s)", who_country);
		printf("\n      %s",
		       service_words(json_string_value(json_object_get(f, "service"))));
		if (type != NULL)
			printf(" your %s", cli_document_title(type));
		if (basis != NULL)
			printf(" — legal basis: %s", basis);
		else if (json_object_get(f, "consent") != NULL)
			printf(" — with your consent");
		if (purpose != NULL)
			printf(" (purpose: %s)", purpose);
		if (refused != NULL)
			printf(" — refused (%s, %lld)", refused, (long long)status);
		else if (status >= 400)
			printf(" — answered %lld", (long long)status);
		printf(" — proof checked\n");
	}
	if (json_is_true(json_object_get(answer, "more")) && json_array_size(entries) > 0)
		printf("\nOlder entries: access-log %s --before %lld\n", d->person,
		       (long long)json_integer_value(json_object_get(
			   json_array_get(entries, json_array_size(entries) - 1), "leaf_index")));
}

/* `access-log`: fetch the history, check it as a device must, print it. */
static int access_log(struct device *d, const char *state, const char *certificate,
		      const char *before, struct hr_error *err)
{
	struct http_client_response response;
	char cert_path[PATH_MAX + 32], kept_path[PATH_MAX + 32], query[64];
	struct tree_head now, kept;
	EVP_PKEY *key = NULL;
	json_t *answer = NULL, *kept_json = NULL;
	size_t checked = 0;
	int status = CLI_EXIT_FAILED;

	http_client_response_init(&response);
	if (certificate == NULL) {
		char dir[PATH_MAX];
		if (endpoint_of(state, d->person, "audit_dir", dir, sizeof(dir), err) != HR_OK)
			return CLI_EXIT_USAGE;
		snprintf(cert_path, sizeof(cert_path), "%s/tree-head.pem", dir);
		certificate = cert_path;
	}
	if (signer_cert_public_key_file(certificate, &key, err) != HR_OK)
		return CLI_EXIT_USAGE;
	snprintf(kept_path, sizeof(kept_path), "%s/tree-head.json", d->dir);
	snprintf(query, sizeof(query), "before=%s", before ? before : "");
	if (call(d, "GET", "/v1/access-log", before ? query : NULL, NULL, &response, err) != HR_OK)
		goto done;
	if (response.status != 200) {
		status = print_answer(d, &response);
		goto done;
	}
	/* the head's signature and every proof; the same log as before, only grown;
	 * every entry of this person up to this reading, none left out */
	if (hr_json_parse(response.body.data, response.body.len, &answer, err) != HR_OK ||
	    access_history_check(answer, key, &checked, err) != HR_OK ||
	    tree_head_from_json(json_object_get(answer, "tree_head"), &now, err) != HR_OK ||
	    tree_head_follow(d, state, kept_path, &now, key, err) != HR_OK ||
	    access_history_check_complete(answer, d->consent_jti[0] ? d->consent_jti : NULL,
					  before == NULL, err) != HR_OK)
		goto done;
	/* the newest head seen is kept for the next time */
	kept_json = json_load_file(kept_path, 0, NULL);
	if (kept_json == NULL || tree_head_from_json(kept_json, &kept, NULL) != HR_OK ||
	    kept.tree_size < now.tree_size) {
		json_t *head = json_object_get(answer, "tree_head");
		char *text = json_dumps(head, JSON_COMPACT);
		if (text == NULL ||
		    file_write_atomic(kept_path, text, strlen(text), 0600, err) != HR_OK) {
			free(text);
			goto done;
		}
		free(text);
	}
	json_object_set_new(answer, "checked", json_integer((json_int_t)checked));
	json_object_set_new(answer, "complete", json_true());
	if (d->human) {
		print_access_log(d, answer, &now);
	} else {
		json_dumpf(answer, stdout, JSON_INDENT(2));
		printf("\n");
	}
	status = CLI_EXIT_OK;
done:
	json_decref(kept_json);
	json_decref(answer);
	EVP_PKEY_free(key);
	http_client_response_clear(&response);
	return status;
}

static int device_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"fields", required_argument, NULL, 'f'},
	    {"png", required_argument, NULL, 'p'},
	    {"number", required_argument, NULL, 'n'},
	    {"wallet", required_argument, NULL, 'w'},
	    {"count", required_argument, NULL, 'c'},
	    {"tree-head-certificate", required_argument, NULL, 't'},
	    {"before", required_argument, NULL, 'b'},
	    {"country", required_argument, NULL, 'C'},
	    {"offline", no_argument, NULL, 'o'},
	    {"abroad", no_argument, NULL, 'A'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct show_options shown = {0};
	const char *state = "./hromada-state", *fields = NULL, *png = NULL, *number = NULL;
	const char *wallet = NULL, *certificate = NULL, *before = NULL;
	uint64_t count = 1;
	bool json = false;
	struct hr_error err = {0};
	struct http_client_response response;
	struct device d;
	const char *action, *person, *type = NULL;
	int opt, status = CLI_EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			state = optarg;
			break;
		case 'f':
			fields = optarg;
			break;
		case 'p':
			png = optarg;
			break;
		case 'n':
			number = optarg;
			break;
		case 'w':
			wallet = optarg;
			break;
		case 't':
			certificate = optarg;
			break;
		case 'b':
			before = optarg;
			break;
		case 'C':
			shown.country = optarg;
			break;
		case 'o':
			shown.offline = true;
			break;
		case 'A':
			shown.abroad = true;
			break;
		case 'j':
			json = true;
			break;
		case 'c':
			if (cli_parse_u64(optarg, 1, 10000000, &count) != HR_OK) {
				fprintf(stderr, "hromada device: --count takes 1 to 10000000\n");
				return CLI_EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "Run 'hromada device --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "hromada device: expected an action and a PERSON\n");
		return CLI_EXIT_USAGE;
	}
	action = argv[optind];
	person = argv[optind + 1];
	if ((strcmp(action, "show") == 0 || strcmp(action, "report-lost") == 0) &&
	    argc - optind != 3) {
		fprintf(stderr, "hromada device %s: give PERSON and a document TYPE (", action);
		cli_print_document_types(stderr);
		fprintf(stderr, ")\n");
		return CLI_EXIT_USAGE;
	}
	if ((strcmp(action, "show") == 0 || strcmp(action, "report-lost") == 0) &&
	    document_type_index(type = argv[optind + 2]) < 0) {
		fprintf(stderr,
			"hromada device %s: unknown document type '%s'; the types are: ", action,
			type);
		cli_print_document_types(stderr);
		fprintf(stderr, "\n");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(action, "headers") == 0 && (argc - optind != 4 || argv[optind + 3][0] != '/')) {
		fprintf(stderr,
			"hromada device headers: give PERSON, a METHOD and a PATH (/...)\n");
		return CLI_EXIT_USAGE;
	}
	if (device_open(&d, state, wallet, person, strcmp(action, "enrol") == 0, &err) != HR_OK) {
		cli_print_error(&err);
		device_close(&d);
		return CLI_EXIT_USAGE;
	}
	d.human = cli_human_output(json);
	http_client_response_init(&response);
	if (strcmp(action, "enrol") == 0) {
		status = enrol(&d, state, &err);
	} else if (strcmp(action, "documents") == 0) {
		if (call(&d, "GET", "/v1/documents", shown.abroad ? "abroad=1" : NULL, NULL,
			 &response, &err) == HR_OK) {
			json_t *answer = NULL;
			status = print_answer(&d, &response);
			if (status == CLI_EXIT_OK && d.human &&
			    (answer = json_loadb((const char *)response.body.data,
						 response.body.len, 0, NULL)) != NULL)
				print_documents(&d, answer, state);
			json_decref(answer);
		} else {
			status = CLI_EXIT_FAILED;
		}
	} else if (strcmp(action, "access-log") == 0) {
		status = access_log(&d, state, certificate, before, &err);
	} else if (strcmp(action, "headers") == 0) {
		status = headers(&d, argv[optind + 2], argv[optind + 3], count, &err);
	} else if (strcmp(action, "show") == 0) {
		shown.fields = fields;
		shown.number = number;
		shown.png = png;
		status = show(&d, type, &shown, &err);
	} else if (strcmp(action, "report-lost") == 0) {
		char path[128];
		json_t *body = number ? json_pack("{s:s}", "document_number", number) : NULL;
		snprintf(path, sizeof(path), "/v1/documents/%s/report-lost", type);
		if (call(&d, "POST", path, NULL, body, &response, &err) == HR_OK) {
			status = print_answer(&d, &response);
			if (status == CLI_EXIT_OK && d.human)
				printf("%s of %s reported lost: suspended in its registry\n",
				       cli_document_title(type), d.person);
		} else {
			status = CLI_EXIT_FAILED;
		}
		json_decref(body);
	} else {
		fprintf(stderr, "hromada device: unknown action '%s'\n", action);
	}
	if (err.message[0])
		cli_print_error(&err);
	http_client_response_clear(&response);
	device_close(&d);
	return status;
}

const struct cli_command cli_device = {
    .name = "device",
    .summary = "Play a citizen's phone against a running wallet (enrol, documents, QR)",
    .run = device_run,
    .help = device_help,
};
