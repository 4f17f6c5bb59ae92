/*
 * wallet_auth.c — enrolment and authentication of citizens' devices.
 *
 *	POST /v1/enrol/start  {person}                    -> 202; a one-time code goes
 *	                                                      out of band (the outbox)
 *	POST /v1/enrol/finish {person, code, device_key}  -> {access_token, token_type: "DPoP"}
 *
 * Codes: 8 digits, 10 minutes; only an HMAC of person and code under the
 * wallet's secret is stored (never the code: the outbox, the delivery channel,
 * is the one place it is written in clear, and no log line names it), compared
 * in constant time. The answer to start is the same whether or not the person
 * exists (no enumeration).
 *
 * Nobody can block a citizen's enrolment without knowing something (issue 13;
 * before, any stranger's start replaced the pending code and five starts locked
 * the person out for an hour):
 *   - a start adds a code beside the ones pending (at most WALLET_PENDING_CODES
 *     live at once): it never invalidates a code the citizen already holds.
 *     With the pending set full, a start is refused (429, Retry-After until the
 *     oldest expires) — the codes already delivered to the citizen still work;
 *   - starts are limited per client address (enrol_starts_per_client_hour),
 *     not per person;
 *   - only wrong codes count: a guess is compared with every pending code and
 *     a wrong one spends an attempt of each (WALLET_CODE_ATTEMPTS per code) and
 *     one of the person's WALLET_WRONG_CODES_PER_HOUR; past that, finish is
 *     refused for the hour. The chance of a guess stays bounded: at most
 *     WALLET_WRONG_CODES_PER_HOUR guesses an hour against at most
 *     WALLET_PENDING_CODES codes of 10^8.
 *
 * Access tokens are DPoP-bound (RFC 9449 §6): "v1." payload "." HMAC, where the
 * payload names the person and the device key's thumbprint (cnf.jkt). The wallet
 * alone can make or check them; a token without a matching proof is worthless,
 * and a device whose enrolment is revoked is refused even with a valid token.
 */
#include "wallet/wallet_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rate_limit.h"
#include "exchange/consent.h"
#include "exchange/dpop.h"
#include "exchange/replay_store.h"

#define STAGE "enrol"

static void busy(struct http_request *req, const char *message);

const struct store_migration wallet_migrations[] = {
    {1, "enrolment codes and enrolments, keyed by person HMAC",
     "CREATE TABLE enrolment_codes (person_hash TEXT PRIMARY KEY, code_hash TEXT NOT NULL, "
     "expires_at BIGINT NOT NULL, attempts_left INTEGER NOT NULL, window_start BIGINT NOT "
     "NULL, starts INTEGER NOT NULL);"
     "CREATE TABLE enrolments (person_hash TEXT NOT NULL, jkt TEXT NOT NULL, created_at "
     "BIGINT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (person_hash, jkt));",
     NULL},
    {2, "status-list entries of offline credentials, keyed by document HMAC; status cursors",
     "CREATE TABLE status_entries (list TEXT NOT NULL, idx BIGINT NOT NULL, "
     "document_hash TEXT NOT NULL, expires_at BIGINT NOT NULL, status INTEGER NOT NULL, "
     "PRIMARY KEY (list, idx));"
     "CREATE INDEX status_entries_by_document ON status_entries (document_hash);"
     "CREATE TABLE status_cursors (provider TEXT PRIMARY KEY, next BIGINT NOT NULL);",
     NULL},
    {3, "replay records (DPoP jti) shared by every copy of the wallet", REPLAY_STORE_SQL, NULL},
    /* issue 13: a start adds a code beside the pending ones instead of replacing
     * them, and only wrong codes count towards a lockout (codes pending at the
     * upgrade are dropped: they live ten minutes) */
    {4, "several pending enrolment codes per person; wrong codes counted per person",
     "DROP TABLE enrolment_codes;"
     "CREATE TABLE enrolment_codes (person_hash TEXT NOT NULL, code_hash TEXT NOT NULL, "
     "expires_at BIGINT NOT NULL, attempts_left INTEGER NOT NULL, "
     "PRIMARY KEY (person_hash, code_hash));"
     "CREATE TABLE enrolment_failures (person_hash TEXT PRIMARY KEY, window_start BIGINT NOT "
     "NULL, failures INTEGER NOT NULL);",
     NULL},
};
const size_t wallet_migration_count = sizeof(wallet_migrations) / sizeof(wallet_migrations[0]);

hr_status wallet_keyed_hash(const struct wallet *w, const char *label, const char *text,
			    char out[65])
{
	char input[256];
	uint8_t mac[32];
	int n = snprintf(input, sizeof(input), "%s:%s", label, text);

	hr_status rc;

	if (n < 0 || (size_t)n >= sizeof(input))
		return HR_E_TOO_LARGE;
	/* HR_E_UNAVAILABLE while the key process restarts: a 503, not a refusal */
	if ((rc = secret_key_hmac(w->secret, input, (size_t)n, mac, NULL)) != HR_OK)
		return rc;
	hex_encode(mac, sizeof(mac), out);
	return HR_OK;
}

hr_status wallet_person_hash(const struct wallet *w, const char *person, char out[65])
{
	return wallet_keyed_hash(w, "person", person, out);
}

static void reply_problem(struct http_request *req, unsigned status, const char *code,
			  const char *message)
{
	http_reply_error(req, status, code, "%s", message);
}

/* --- enrolment: start --------------------------------------------------------- */

/* Six uniformly random digits (rejection sampling avoids modulo bias). */
static hr_status new_code(char out[WALLET_CODE_DIGITS + 1])
{
	uint32_t v;

	do {
		if (RAND_priv_bytes((unsigned char *)&v, sizeof(v)) != 1)
			return HR_E_CRYPTO;
	} while (v >= 4200000000u); /* a multiple of 10^8: no digit more likely */
	snprintf(out, WALLET_CODE_DIGITS + 1, "%08u", v % 100000000u);
	return HR_OK;
}

/* The out-of-band channel of `hromada up`: OUTBOX/<person>.txt, written atomically. */
static hr_status deliver(const struct wallet *w, const char *person, const char *code,
			 struct hr_error *err)
{
	char path[PATH_MAX + 64], text[64];
	int n = snprintf(text, sizeof(text), "%s\n", code);

	snprintf(path, sizeof(path), "%s/%s.txt", w->outbox, person);
	if (file_write_atomic(path, text, (size_t)n, 0600, err) != HR_OK)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write to the outbox");
	return HR_OK;
}

/* Runs one statement, text parameters first; *changed (may be NULL) gets the
 * number of rows it changed. */
static hr_status run_counted(struct store *s, const char *sql, const char *const *text, int ntext,
			     const int64_t *ints, int nints, int64_t *changed, struct hr_error *err)
{
	struct store_stmt *st;
	bool row;
	hr_status rc = store_prepare(s, sql, &st, err);
	int i = 1;

	if (rc != HR_OK)
		return rc;
	for (int k = 0; k < ntext && rc == HR_OK; k++, i++)
		rc = store_bind_text(st, i, text[k], strlen(text[k]));
	for (int k = 0; k < nints && rc == HR_OK; k++, i++)
		rc = store_bind_int64(st, i, ints[k]);
	if (rc == HR_OK)
		rc = store_step(st, &row, err);
	if (rc == HR_OK && changed != NULL)
		*changed = store_changes(st);
	store_stmt_free(st);
	return rc;
}

static hr_status run(struct store *s, const char *sql, const char *const *text, int ntext,
		     const int64_t *ints, int nints, struct hr_error *err)
{
	return run_counted(s, sql, text, ntext, ints, nints, NULL, err);
}

/* One int64 from a query (COUNT, MIN) of text parameters and int parameters. */
static hr_status query_int(struct store *s, const char *sql, const char *const *text, int ntext,
			   const int64_t *ints, int nints, int64_t *out, struct hr_error *err)
{
	struct store_stmt *st;
	bool row = false;
	hr_status rc = store_prepare(s, sql, &st, err);
	int i = 1;

	*out = 0;
	if (rc != HR_OK)
		return rc;
	for (int k = 0; k < ntext && rc == HR_OK; k++, i++)
		rc = store_bind_text(st, i, text[k], strlen(text[k]));
	for (int k = 0; k < nints && rc == HR_OK; k++, i++)
		rc = store_bind_int64(st, i, ints[k]);
	if (rc == HR_OK)
		rc = store_step(st, &row, err);
	if (rc == HR_OK && row && !store_column_is_null(st, 0))
		*out = store_column_int64(st, 0);
	store_stmt_free(st);
	return rc;
}

/* HMAC(person:code): a code is bound to its person (see finish). */
static hr_status code_hash_of(const struct wallet *w, const char *person, const char *code,
			      char out[65])
{
	char input[64];
	hr_status rc;

	snprintf(input, sizeof(input), "%s:%s", person, code);
	rc = wallet_keyed_hash(w, "code", input, out);
	OPENSSL_cleanse(input, sizeof(input));
	return rc;
}

/*
 * Adds a fresh code beside the person's pending ones, unless WALLET_PENDING_CODES
 * are live (*retry_after > 0: when the oldest expires). Never replaces or
 * spends a pending code: a stranger's start must not undo the citizen's.
 */
static hr_status start_enrolment(struct wallet *w, struct store *s, const char *person,
				 const char *person_hash, int64_t now, int64_t *retry_after,
				 struct hr_error *err)
{
	char code[WALLET_CODE_DIGITS + 1], code_hash[65];
	const char *who[] = {person_hash};
	int64_t live = 0, oldest = 0;
	hr_status rc;

	*retry_after = 0;
	if ((rc = store_begin(s, err)) != HR_OK)
		return rc;
	/* codes and failure counts that can no longer matter are forgotten
	 * (security review L3) */
	{
		const int64_t at[] = {now};
		const int64_t hour[] = {now - 3600};
		if ((rc = run(s, "DELETE FROM enrolment_codes WHERE expires_at <= ?", NULL, 0, at,
			      1, err)) != HR_OK ||
		    (rc = run(s, "DELETE FROM enrolment_failures WHERE window_start <= ?", NULL, 0,
			      hour, 1, err)) != HR_OK)
			goto fail;
	}
	if ((rc = query_int(s,
			    "SELECT COUNT(*) FROM enrolment_codes WHERE person_hash = ? AND "
			    "attempts_left > 0",
			    who, 1, NULL, 0, &live, err)) != HR_OK)
		goto fail;
	if (live >= WALLET_PENDING_CODES) {
		if ((rc = query_int(s,
				    "SELECT MIN(expires_at) FROM enrolment_codes WHERE "
				    "person_hash = ? AND attempts_left > 0",
				    who, 1, NULL, 0, &oldest, err)) != HR_OK)
			goto fail;
		*retry_after = oldest > now ? oldest - now : 1;
		return store_commit(s, err);
	}
	if ((rc = new_code(code)) != HR_OK)
		goto fail;
	if ((rc = code_hash_of(w, person, code, code_hash)) != HR_OK)
		goto fail;
	{
		const char *ins[] = {person_hash, code_hash};
		const int64_t values[] = {now + WALLET_CODE_TTL_S, WALLET_CODE_ATTEMPTS};
		/* a code drawn twice (10^-8) is the same pending code, not an error */
		if ((rc = run(s,
			      "DELETE FROM enrolment_codes WHERE person_hash = ? AND code_hash = ?",
			      ins, 2, NULL, 0, err)) != HR_OK ||
		    (rc = run(s,
			      "INSERT INTO enrolment_codes (person_hash, code_hash, expires_at, "
			      "attempts_left) VALUES (?, ?, ?, ?)",
			      ins, 2, values, 2, err)) != HR_OK)
			goto fail;
	}
	/* the one place the code is written in clear: the delivery channel */
	if ((rc = deliver(w, person, code, err)) != HR_OK)
		goto fail;
	OPENSSL_cleanse(code, sizeof(code));
	return store_commit(s, err);
fail:
	OPENSSL_cleanse(code, sizeof(code));
	store_rollback(s, NULL);
	return rc;
}

/*
 * Takes one of the client address's enrolment starts; replies 429 itself when
 * none is left. The address as bytes (4 or 16), so every IPv6 address is a
 * client of its own; behind a reverse proxy, the proxy is the one client.
 */
static bool client_may_start(struct wallet *w, struct http_request *req)
{
	const char *peer = http_request_peer(req);
	unsigned char address[16];
	size_t len = 0;
	unsigned retry_after = 0;
	char seconds[16];

	if (w->enrol_limiter == NULL)
		return true;
	if (inet_pton(AF_INET, peer, address) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, peer, address) == 1)
		len = 16;
	if (len == 0) { /* not an IP address (a Unix socket): one client for all such */
		memset(address, 0, sizeof(address));
		len = 1;
	}
	if (rate_limiter_take(w->enrol_limiter, address, len, clock_monotonic_us(), &retry_after))
		return true;
	snprintf(seconds, sizeof(seconds), "%u", retry_after);
	http_reply_header(req, "Retry-After", seconds);
	reply_problem(req, 429, "rate_limited", "too many enrolments started from this address");
	return false;
}

void wallet_handle_enrol_start(struct http_request *req, void *context)
{
	static const char *const keys[] = {"person", NULL};
	struct wallet *w = context;
	struct hr_error err = {0};
	struct store *s = NULL;
	json_t *body = NULL;
	const char *person = NULL;
	char person_hash[65];
	int64_t retry_after = 0;

	if (http_request_json(req, &body, &err) != HR_OK ||
	    hr_json_only_keys(body, keys, &err) != HR_OK ||
	    hr_json_get_string(body, "person", true, 32, &person, &err) != HR_OK) {
		http_reply_from_error(req, &err);
		goto done;
	}
	if (!person_id_valid(person)) {
		reply_problem(req, 400, "invalid",
			      "person must be UA: and an RNOKPP, or PL: and a PESEL, with a valid "
			      "check digit");
		goto done;
	}
	if (!client_may_start(w, req))
		goto done;
	if (wallet_person_hash(w, person, person_hash) != HR_OK ||
	    store_pool_acquire(w->pool, 2000, &s, &err) != HR_OK ||
	    start_enrolment(w, s, person, person_hash, (int64_t)time(NULL), &retry_after, &err) !=
		HR_OK) {
		log_error("wallet.enrol", "%s: %s", err.stage, err.message);
		reply_problem(req, 503, "unavailable", "the enrolment could not be started");
		goto done;
	}
	if (retry_after > 0) {
		char seconds[24];
		snprintf(seconds, sizeof(seconds), "%lld", (long long)retry_after);
		http_reply_header(req, "Retry-After", seconds);
		reply_problem(req, 429, "rate_limited",
			      "codes sent to this person are still pending: use the newest");
		goto done;
	}
	http_reply_json(req, 202,
			json_pack("{s:s,s:i,s:s}", "status", "sent", "expires_in",
				  WALLET_CODE_TTL_S, "delivery",
				  "out of band, through the registry of record"));
done:
	if (s != NULL)
		store_pool_release(w->pool, s);
	json_decref(body);
}

/* --- enrolment: finish, tokens ------------------------------------------------ */

static hr_status make_token(const struct wallet *w, const char *person, const char *jkt,
			    int64_t now, struct buf *out)
{
	json_t *payload = json_pack("{s:s,s:s,s:I,s:I}", "sub", person, "jkt", jkt, "iat",
				    (json_int_t)now, "exp", (json_int_t)(now + WALLET_TOKEN_TTL_S));
	struct buf text;
	uint8_t mac[32];
	hr_status rc;

	if (payload == NULL)
		return HR_E_NOMEM;
	buf_init(&text, 4096);
	buf_append_str(out, "v1.");
	rc = hr_json_dump(payload, &text);
	json_decref(payload);
	if (rc == HR_OK)
		rc = base64_encode(text.data, text.len, BASE64_URL, out);
	if (rc == HR_OK)
		rc = secret_key_hmac(w->secret, out->data, out->len, mac, NULL);
	if (rc == HR_OK) {
		buf_append_byte(out, '.');
		rc = base64_encode(mac, sizeof(mac), BASE64_URL, out);
	}
	buf_clear(&text);
	return rc;
}

/* Checks a token's MAC and lifetime; fills person and jkt. HR_E_SIGNATURE for
 * a token that is not valid, another status when it cannot be checked now. */
static hr_status read_token(const struct wallet *w, const char *token, int64_t now, char *person,
			    size_t person_size, char *jkt, size_t jkt_size)
{
	const char *dot = strrchr(token, '.');
	uint8_t mac[32];
	struct buf given, text;
	json_t *payload = NULL;
	const char *sub, *key;
	hr_status rc = HR_E_SIGNATURE;

	if (strncmp(token, "v1.", 3) != 0 || dot == NULL || dot <= token + 3 ||
	    strlen(token) > 2048)
		return HR_E_SIGNATURE;
	buf_init(&given, 64);
	buf_init(&text, 2048);
	if (base64_decode(dot + 1, strlen(dot + 1), BASE64_URL, &given) != HR_OK ||
	    given.len != sizeof(mac))
		goto done;
	if ((rc = secret_key_hmac(w->secret, token, (size_t)(dot - token), mac, NULL)) != HR_OK)
		goto done;
	rc = HR_E_SIGNATURE;
	if (CRYPTO_memcmp(mac, given.data, sizeof(mac)) != 0)
		goto done;
	if (base64_decode(token + 3, (size_t)(dot - token - 3), BASE64_URL, &text) != HR_OK ||
	    hr_json_parse_object(text.data, text.len, &payload, NULL) != HR_OK)
		goto done;
	sub = json_string_value(json_object_get(payload, "sub"));
	key = json_string_value(json_object_get(payload, "jkt"));
	if (sub == NULL || key == NULL || strlen(sub) >= person_size || strlen(key) >= jkt_size ||
	    json_integer_value(json_object_get(payload, "exp")) <= now)
		goto done;
	snprintf(person, person_size, "%s", sub);
	snprintf(jkt, jkt_size, "%s", key);
	rc = HR_OK;
done:
	json_decref(payload);
	buf_clear(&given);
	buf_clear(&text);
	return rc;
}

/*
 * The URI this request was meant for, as DPoP's htu must name it (RFC 9449
 * §4.3 item 9): our own URL — never the client's Host header, which would let
 * a proof made for another server pass here.
 */
static void request_uri(struct http_request *req, char *out, size_t size)
{
	snprintf(out, size, "%s%s", http_request_own_url(req), http_request_path(req));
}

/*
 * Checks a code against the person's pending codes. The right one enrols the
 * device and is spent with every other pending code; a wrong one spends an
 * attempt of each pending code and one of the person's wrong codes this hour.
 * Past WALLET_WRONG_CODES_PER_HOUR wrong codes nothing is compared until the
 * hour is over (*locked).
 */
static hr_status redeem_code(struct wallet *w, struct store *s, const char *person,
			     const char *person_hash, const char *code, const char *jkt,
			     int64_t now, bool *accepted, bool *locked, struct hr_error *err)
{
	char code_hash[65];
	const char *who[] = {person_hash};
	const char *pair[] = {person_hash, NULL};
	const int64_t at[] = {now};
	int64_t failures = 0, matched = 0;
	hr_status rc;

	*accepted = false;
	*locked = false;
	if ((rc = code_hash_of(w, person, code, code_hash)) != HR_OK)
		return rc;
	pair[1] = code_hash;
	if ((rc = store_begin(s, err)) != HR_OK)
		return rc;
	{
		const int64_t window[] = {now - 3600};
		if ((rc = query_int(s,
				    "SELECT failures FROM enrolment_failures WHERE person_hash = ? "
				    "AND window_start > ?",
				    who, 1, window, 1, &failures, err)) != HR_OK)
			goto fail;
	}
	if (failures >= WALLET_WRONG_CODES_PER_HOUR) {
		*locked = true;
		store_rollback(s, NULL);
		return HR_OK;
	}
	/* The comparison is the database's lookup of an HMAC nobody can compute
	 * without the wallet's secret: timing tells nothing about the code. One
	 * conditional update takes the attempt, so concurrent guesses queue on the
	 * row (PostgreSQL re-checks the condition after the first commits). */
	if ((rc = run_counted(s,
			      "UPDATE enrolment_codes SET attempts_left = 0 WHERE person_hash = ? "
			      "AND code_hash = ? AND attempts_left > 0 AND expires_at > ?",
			      pair, 2, at, 1, &matched, err)) != HR_OK)
		goto fail;
	if (matched == 1) {
		const char *enrol[] = {person_hash, jkt};
		if ((rc = run(s, "DELETE FROM enrolment_codes WHERE person_hash = ?", who, 1, NULL,
			      0, err)) != HR_OK ||
		    (rc = run(s, "DELETE FROM enrolments WHERE person_hash = ? AND jkt = ?", enrol,
			      2, NULL, 0, err)) != HR_OK ||
		    (rc = run(s,
			      "INSERT INTO enrolments (person_hash, jkt, created_at, revoked) "
			      "VALUES (?, ?, ?, 0)",
			      enrol, 2, at, 1, err)) != HR_OK)
			goto fail;
		*accepted = true;
		return store_commit(s, err);
	}
	/* a wrong code: one attempt of every pending code, one of the hour's */
	{
		const int64_t window[] = {now, now - 3600};
		if ((rc = run(s,
			      "UPDATE enrolment_codes SET attempts_left = attempts_left - 1 "
			      "WHERE person_hash = ? AND attempts_left > 0",
			      who, 1, NULL, 0, err)) != HR_OK ||
		    (rc = run(s,
			      "DELETE FROM enrolment_failures WHERE person_hash = ? AND "
			      "window_start <= ?",
			      who, 1, window + 1, 1, err)) != HR_OK ||
		    (rc =
			 run(s,
			     "INSERT INTO enrolment_failures (person_hash, window_start, failures) "
			     "VALUES (?, ?, 1) ON CONFLICT (person_hash) DO UPDATE SET "
			     "failures = enrolment_failures.failures + 1",
			     who, 1, window, 1, err)) != HR_OK)
			goto fail;
	}
	return store_commit(s, err);
fail:
	store_rollback(s, NULL);
	return rc;
}

void wallet_handle_enrol_finish(struct http_request *req, void *context)
{
	static const char *const keys[] = {"person", "code", "device_key", NULL};
	struct wallet *w = context;
	struct hr_error err = {0};
	struct store *s = NULL;
	json_t *body = NULL, *jwk = NULL;
	const char *person = NULL, *code = NULL, *proof = http_request_header(req, "DPoP");
	char person_hash[65], jkt[JOSE_THUMBPRINT_LEN], uri[1024];
	EVP_PKEY *key = NULL;
	int64_t now = (int64_t)time(NULL);
	struct buf token, attestation;
	bool accepted = false, locked = false;

	buf_init(&token, 4096);
	buf_init(&attestation, ATTESTATION_MAX_LEN);
	if (http_request_json(req, &body, &err) != HR_OK ||
	    hr_json_only_keys(body, keys, &err) != HR_OK ||
	    hr_json_get_string(body, "person", true, 32, &person, &err) != HR_OK ||
	    hr_json_get_string(body, "code", true, 16, &code, &err) != HR_OK ||
	    hr_json_get_object(body, "device_key", true, &jwk, &err) != HR_OK ||
	    jose_jwk_to_key(jwk, &key, &err) != HR_OK ||
	    jose_jwk_thumbprint(jwk, jkt, &err) != HR_OK) {
		http_reply_from_error(req, &err);
		goto done;
	}
	if (!person_id_valid(person)) {
		reply_problem(req, 400, "invalid", "person is not a valid UA:RNOKPP or PL:PESEL");
		goto done;
	}
	if (http_request_header_count(req, "DPoP") > 1) {
		reply_problem(req, 400, "invalid_dpop_proof",
			      "more than one DPoP header (RFC 9449 section 4.3)");
		goto done;
	}
	if (proof != NULL) {
		/* optional at this endpoint: when given, it must prove the same key */
		struct dpop_check check = {"POST", uri, NULL, jkt, now, w->dpop_jti};
		struct dpop_result result;
		request_uri(req, uri, sizeof(uri));
		if (dpop_verify(proof, &check, &result, &err) != HR_OK) {
			if (err.status == HR_E_BUSY) {
				busy(req, err.message);
				goto done;
			}
			http_reply_header(req, "WWW-Authenticate",
					  "DPoP error=\"invalid_dpop_proof\"");
			reply_problem(req, 401, "invalid_dpop_proof", err.message);
			goto done;
		}
	}
	if (wallet_person_hash(w, person, person_hash) != HR_OK ||
	    store_pool_acquire(w->pool, 2000, &s, &err) != HR_OK ||
	    redeem_code(w, s, person, person_hash, code, jkt, now, &accepted, &locked, &err) !=
		HR_OK) {
		log_error("wallet.enrol", "%s: %s", err.stage, err.message);
		reply_problem(req, 503, "unavailable", "the enrolment could not be finished");
		goto done;
	}
	if (locked) {
		http_reply_header(req, "Retry-After", "3600");
		reply_problem(req, 429, "rate_limited",
			      "too many wrong codes for this person this hour");
		goto done;
	}
	if (!accepted) {
		reply_problem(req, 400, "invalid_grant", "the code is wrong, used up or expired");
		goto done;
	}
	/* the token for the wallet, the attestation for every consent the device makes */
	if (make_token(w, person, jkt, now, &token) != HR_OK ||
	    consent_attest_device(w->member_signer, w->member_id, person, jkt, now,
				  WALLET_TOKEN_TTL_S, &attestation, &err) != HR_OK) {
		reply_problem(req, 500, "internal", "no token could be made");
		goto done;
	}
	log_info("wallet.enrolled", "a device was enrolled");
	http_reply_json(req, 200,
			json_pack("{s:s,s:s,s:i,s:s}", "access_token", buf_str(&token),
				  "token_type", "DPoP", "expires_in", WALLET_TOKEN_TTL_S,
				  "device_attestation", buf_str(&attestation)));
done:
	EVP_PKEY_free(key);
	buf_clear(&token);
	buf_clear(&attestation);
	if (s != NULL)
		store_pool_release(w->pool, s);
	json_decref(body);
}

/* --- every other call ---------------------------------------------------------- */

/* The replay record is full: the proof may be good, so no 401; come back soon. */
static void busy(struct http_request *req, const char *message)
{
	http_reply_header(req, "Retry-After", "1");
	http_reply_error(req, 503, "busy", "%s", message);
}

static void refuse(struct http_request *req, const char *error, const char *message)
{
	char challenge[128];

	snprintf(challenge, sizeof(challenge), "DPoP error=\"%s\", algs=\"ES256\"", error);
	http_reply_header(req, "WWW-Authenticate", challenge);
	http_reply_error(req, 401, error, "%s", message);
}

/* The public JWK in a JWS's protected header (a DPoP proof, once verified; a consent). */
static json_t *proof_jwk(const char *proof)
{
	const char *dot = strchr(proof, '.');
	struct buf text;
	json_t *header = NULL, *jwk = NULL;

	buf_init(&text, DPOP_MAX_LEN);
	if (dot != NULL &&
	    base64_decode(proof, (size_t)(dot - proof), BASE64_URL, &text) == HR_OK &&
	    hr_json_parse_object(text.data, text.len, &header, NULL) == HR_OK)
		jwk = json_incref(json_object_get(header, "jwk"));
	json_decref(header);
	buf_clear(&text);
	return jwk;
}

/* A consent relayed for this caller must be made by the device that is calling:
 * the key in its header is the enrolled one. No consent is the gateway's to refuse. */
static bool consent_from_device(const char *consent, const char *jkt)
{
	char thumbprint[JOSE_THUMBPRINT_LEN];
	json_t *jwk;
	bool same;

	if (consent == NULL)
		return true;
	if ((jwk = proof_jwk(consent)) == NULL)
		return false;
	same = jose_jwk_thumbprint(jwk, thumbprint, NULL) == HR_OK && strcmp(thumbprint, jkt) == 0;
	json_decref(jwk);
	return same;
}

/* HR_OK when the device's enrolment is active, HR_E_DENIED when it is not (or
 * never was), another status when that cannot be known now. */
static hr_status enrolment_active(struct wallet *w, const char *person, const char *jkt)
{
	struct store *s = NULL;
	struct store_stmt *st = NULL;
	char person_hash[65];
	bool row = false;
	hr_status rc;

	if ((rc = wallet_person_hash(w, person, person_hash)) == HR_OK &&
	    (rc = store_pool_acquire(w->pool, 2000, &s, NULL)) == HR_OK &&
	    (rc = store_prepare(s,
				"SELECT revoked FROM enrolments WHERE person_hash = ? AND jkt = ?",
				&st, NULL)) == HR_OK &&
	    (rc = store_bind_text(st, 1, person_hash, 64)) == HR_OK &&
	    (rc = store_bind_text(st, 2, jkt, strlen(jkt))) == HR_OK &&
	    (rc = store_step(st, &row, NULL)) == HR_OK)
		rc = row && store_column_int64(st, 0) == 0 ? HR_OK : HR_E_DENIED;
	store_stmt_free(st);
	if (s != NULL)
		store_pool_release(w->pool, s);
	return rc;
}

bool wallet_authenticate(struct wallet *w, struct http_request *req, struct wallet_caller *c)
{
	const char *auth = http_request_header(req, "Authorization");
	const char *proof = http_request_header(req, "DPoP");
	struct hr_error err = {0};
	struct dpop_result result;
	struct dpop_check check;
	char uri[1024];
	int64_t now = (int64_t)time(NULL);
	hr_status rc;

	memset(c, 0, sizeof(*c));
	/* one of each: with two, which one a check read and which one a proxy or
	 * a log saw could differ (RFC 9449 §4.3: exactly one DPoP header) */
	if (http_request_header_count(req, "Authorization") > 1) {
		refuse(req, "invalid_token", "more than one Authorization header");
		return false;
	}
	if (http_request_header_count(req, "DPoP") > 1) {
		refuse(req, "invalid_dpop_proof",
		       "more than one DPoP header (RFC 9449 section 4.3)");
		return false;
	}
	if (auth == NULL || strncasecmp(auth, "DPoP ", 5) != 0) {
		refuse(req, "invalid_token", "Authorization: DPoP <access token> is required");
		return false;
	}
	if (proof == NULL) {
		refuse(req, "invalid_dpop_proof", "a DPoP proof is required (RFC 9449)");
		return false;
	}
	rc = read_token(w, auth + 5, now, c->person, sizeof(c->person), c->jkt, sizeof(c->jkt));
	if (rc == HR_E_SIGNATURE) {
		incident_report_note(w->reporter, SECURITY_PROOF_FAILURE, http_request_peer(req));
		refuse(req, "invalid_token", "the access token is not valid");
		return false;
	}
	if (rc != HR_OK) {
		reply_problem(req, 503, "unavailable", "access tokens cannot be checked just now");
		return false;
	}
	request_uri(req, uri, sizeof(uri));
	check =
	    (struct dpop_check){http_request_method(req), uri, auth + 5, c->jkt, now, w->dpop_jti};
	if (dpop_verify(proof, &check, &result, &err) != HR_OK) {
		if (err.status == HR_E_BUSY) {
			busy(req, err.message);
			return false;
		}
		/* a flood of refused proofs is reported to the nccc */
		incident_report_note(w->reporter,
				     err.status == HR_E_CONFLICT ? SECURITY_REPLAY
								 : SECURITY_PROOF_FAILURE,
				     http_request_peer(req));
		refuse(req, "invalid_dpop_proof", err.message);
		return false;
	}
	if ((rc = enrolment_active(w, c->person, c->jkt)) == HR_E_DENIED) {
		refuse(req, "invalid_token", "this device is not enrolled");
		return false;
	}
	if (rc != HR_OK) {
		reply_problem(req, 503, "unavailable", "the enrolment cannot be checked just now");
		return false;
	}
	if ((c->jwk = proof_jwk(proof)) == NULL) {
		refuse(req, "invalid_dpop_proof", "the proof has no public key");
		return false;
	}
	if (!consent_from_device(http_request_header(req, "Hromada-Consent"), c->jkt)) {
		/* the gateway checks the consent itself; the wallet vouches for its key */
		http_reply_error(req, 403, "consent_invalid",
				 "the consent is not signed by this enrolled device");
		wallet_caller_clear(c);
		return false;
	}
	return true;
}

void wallet_caller_clear(struct wallet_caller *c)
{
	json_decref(c->jwk);
	memset(c, 0, sizeof(*c));
}
