/*
 * verify_trust.c — where `hromada verify` gets what it trusts and what it
 * revokes: the signed trust list (a file, or fetched from the trust service
 * and cached like an EU DCC verifier app does) and, with --status online,
 * the credentials' status lists.
 *
 * Trust list from a URL (docs/TRUST_LIST.md, "The verifier's side"):
 *   1. the pinned anchor: --trust-anchor, else CACHE/trust-anchor.pem;
 *   2. the cached copy for this URL, CACHE/trust-lists/<hash of the URL>/
 *      (list.json and its etag), if its signature still verifies;
 *   3. GET the URL with If-None-Match: the cached ETag;
 *      200: the new list must verify under the anchor, be current (now <=
 *           next_update + grace) and not go back (sequence >= the cached one);
 *           it replaces the cached copy;
 *      304: the cached copy is still the current one;
 *      anything else, or no network: work offline from the cached copy;
 *   4. the list used must be current by the real clock (never --at).
 * A list from a file is checked the same way (current; with --trust-cache, not
 * older than the newest seen for that file).
 *
 * Failures are one of two kinds, which the command reports differently: a list
 * was obtained but refused (bad signature, stale, rollback: exit 1), or no list
 * could be obtained at all (no network and no cache, no anchor: exit 2).
 *
 * Status lists (draft-ietf-oauth-status-list) are cached in
 * CACHE/status-lists/<hash of the URI>.jwt and reused without a fetch while
 * younger than the token's ttl (STATUS_TTL_DEFAULT without one) and not past
 * its exp; every use checks the token in full (verify.c).
 *
 * Never: trust a cached file more than a fetched one (both are checked under
 * the anchor at every use), or write a list to the cache before it verified.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <hromada/verify.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "core/hex.h"
#include "credential/signer_cert.h"
#include "credential/status_list.h"
#include "credential/trust_list.h"

#define STAGE "trust_list"
/* A status list token without ttl is reused this long (seconds). */
#define STATUS_TTL_DEFAULT 300
#define FETCH_TIMEOUT_MS   10000

static hr_status make_dir(const char *path, struct hr_error *err)
{
	char copy[PATH_MAX];

	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return HR_OK;
	if (errno != ENOENT || strlen(path) >= sizeof(copy))
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %.150s: %s", path,
				    strerror(errno));
	snprintf(copy, sizeof(copy), "%s", path);
	if (make_dir(dirname(copy), err) != HR_OK)
		return err ? err->status : HR_E_IO;
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return HR_OK;
	return hr_error_set(err, HR_E_IO, STAGE, "cannot create %.150s: %s", path, strerror(errno));
}

hr_status verify_cache_dir(const char *given, char *out, size_t size, struct hr_error *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (given != NULL)
		snprintf(out, size, "%s", given);
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(out, size, "%s/hromada", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(out, size, "%s/.cache/hromada", home);
	else
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "no cache directory: set HOME or XDG_CACHE_HOME, or pass "
				    "--trust-cache DIR");
	return make_dir(out, err);
}

/* 32 hex digits of SHA-256 over text: a file name for a URL. */
static void key_of(const char *text, char out[33])
{
	uint8_t digest[DIGEST_SHA256_LEN];

	digest_sha256_of(text, strlen(text), digest);
	hex_encode(digest, 16, out);
	out[32] = 0;
}

/* What one source of trust holds while it is worked out. */
struct acquisition {
	const struct verify_trust_options *o;
	char anchor_path[PATH_MAX];
	char *anchor_pem;
	size_t anchor_len;
	struct signer_cert *anchor;
	char cache_dir[PATH_MAX]; /* CACHE/trust-lists/<key>, "" without a cache */
	struct buf cached;        /* the cached list, verified; empty when none */
	struct trust_list_info cached_info;
	char cached_etag[256];
};

static hr_status read_anchor(struct acquisition *a, struct hr_error *err)
{
	hr_status rc;

	if ((rc = cli_read_file(a->anchor_path, &a->anchor_pem, &a->anchor_len, err)) != HR_OK)
		return hr_error_set(err, rc, STAGE,
				    "no pinned trust anchor at %.120s: provision the trust-list "
				    "signer's certificate there or pass --trust-anchor FILE",
				    a->anchor_path);
	if ((rc = signer_cert_parse_first(a->anchor_pem, a->anchor_len, &a->anchor, err)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "the trust anchor %.120s is not a certificate",
				    a->anchor_path);
	return HR_OK;
}

/* The cached list for source (URL or file:PATH), kept only if it still verifies
 * under the anchor (its age is judged when it is used). */
static void read_cached(struct acquisition *a, const char *cache_root, const char *source)
{
	char key[33], path[PATH_MAX + 64];
	struct buf etag;
	json_t *payload = NULL;

	key_of(source, key);
	snprintf(a->cache_dir, sizeof(a->cache_dir), "%s/trust-lists/%s", cache_root, key);
	snprintf(path, sizeof(path), "%s/list.json", a->cache_dir);
	if (file_read(path, &a->cached, NULL) != HR_OK ||
	    trust_list_open(a->cached.data, a->cached.len, a->anchor, 0, 0, &a->cached_info,
			    &payload, NULL) != HR_OK) {
		buf_reset(&a->cached);
		return;
	}
	json_decref(payload);
	buf_init(&etag, sizeof(a->cached_etag) - 1);
	snprintf(path, sizeof(path), "%s/etag", a->cache_dir);
	if (file_read(path, &etag, NULL) == HR_OK)
		snprintf(a->cached_etag, sizeof(a->cached_etag), "%s", buf_str(&etag));
	buf_clear(&etag);
}

/* CACHE/trust-lists/anchor-<hash of the anchor's DER>: the newest sequence
 * accepted under this anchor from any source, so an older list is a rollback
 * whichever URL or file brings it. */
static void high_water_path(const struct acquisition *a, const char *cache_root, char *out,
			    size_t size)
{
	uint8_t digest[DIGEST_SHA256_LEN];
	char hex[2 * DIGEST_SHA256_LEN + 1];

	digest_sha256_of(a->anchor->der, a->anchor->der_len, digest);
	hex_encode(digest, 16, hex);
	hex[32] = 0;
	snprintf(out, size, "%.3000s/trust-lists/anchor-%s", cache_root, hex);
}

static int64_t read_high_water(const struct acquisition *a, const char *cache_root)
{
	char path[PATH_MAX + 64];
	struct buf text;
	int64_t seen = 0;

	if (cache_root[0] == 0)
		return 0;
	high_water_path(a, cache_root, path, sizeof(path));
	buf_init(&text, 32);
	if (file_read(path, &text, NULL) == HR_OK)
		seen = strtoll(buf_str(&text), NULL, 10);
	buf_clear(&text);
	return seen;
}

static void write_high_water(const struct acquisition *a, const char *cache_root, int64_t sequence)
{
	char path[PATH_MAX + 64], dir[PATH_MAX + 64], text[32];
	struct hr_error err = {0};
	int n;

	if (cache_root[0] == 0 || sequence <= read_high_water(a, cache_root))
		return;
	high_water_path(a, cache_root, path, sizeof(path));
	n = snprintf(text, sizeof(text), "%lld\n", (long long)sequence);
	snprintf(dir, sizeof(dir), "%s", path);
	if (make_dir(dirname(dir), &err) != HR_OK ||
	    file_write_atomic(path, text, (size_t)n, 0600, &err) != HR_OK)
		fprintf(stderr, "hromada verify: note: cannot record the list's sequence: %s\n",
			err.message);
}

/* Refuses a list older than one already accepted (rollback, docs/TRUST_LIST.md):
 * than this source's cached copy, or than any list seen under this anchor. */
static hr_status check_rollback(const struct acquisition *a, const char *cache_root,
				const struct trust_list_info *got, const char *where,
				struct hr_error *err)
{
	int64_t seen = read_high_water(a, cache_root);

	if (a->cached.len != 0 && a->cached_info.sequence > seen)
		seen = a->cached_info.sequence;
	if (got->sequence >= seen)
		return HR_OK;
	return hr_error_set(err, HR_E_DENIED, STAGE,
			    "the trust list from %.80s has sequence %lld, older than %lld already "
			    "seen: refused as a rollback; check the trust service or mirror",
			    where, (long long)got->sequence, (long long)seen);
}

static void store_cached(const struct acquisition *a, const void *list, size_t len,
			 const char *etag)
{
	char path[PATH_MAX + 64];
	struct hr_error err = {0};

	if (a->cache_dir[0] == 0 || make_dir(a->cache_dir, &err) != HR_OK) {
		fprintf(stderr, "hromada verify: note: cannot cache the trust list: %s\n",
			err.message);
		return;
	}
	snprintf(path, sizeof(path), "%s/list.json", a->cache_dir);
	if (file_write_atomic(path, list, len, 0600, &err) != HR_OK)
		fprintf(stderr, "hromada verify: note: cannot cache the trust list: %s\n",
			err.message);
	snprintf(path, sizeof(path), "%s/etag", a->cache_dir);
	file_write_atomic(path, etag ? etag : "", etag ? strlen(etag) : 0, 0600, NULL);
}

#define TRUST_LIST_PATH "/v1/trust-list"

/* Does an http(s) URL name a path beyond "/"? */
static bool url_has_path(const char *url)
{
	const char *host = strstr(url, "://");
	const char *slash = host ? strchr(host + 3, '/') : NULL;

	return slash != NULL && slash[1] != 0;
}

/* --trust-url: fetch, or fall back to the cache. *chosen is the list to load;
 * *fresh tells it was fetched now (so it is checked for rollback and cached,
 * with its ETag in etag). */
static hr_status acquire_url(struct acquisition *a, const char *cache_root, struct buf *chosen,
			     bool *fresh, char *etag, size_t etag_size, bool *unobtainable,
			     struct hr_error *err)
{
	struct cli_http_request req = {0};
	struct cli_http_response resp;
	struct hr_error why = {0};
	char url[2048];
	hr_status rc;

	/* the trust service's own URL (as endpoints.json gives it) means its list */
	snprintf(url, sizeof(url), "%s%s", a->o->url,
		 url_has_path(a->o->url) ? "" : TRUST_LIST_PATH);
	read_cached(a, cache_root, url);
	req.url = url;
	req.if_none_match = a->cached.len ? a->cached_etag : NULL;
	req.accept = "application/json";
	req.timeout_ms = FETCH_TIMEOUT_MS;
	req.limit = TRUST_LIST_MAX_BYTES;
	rc = cli_http_get(&req, &resp, &why);
	if (rc == HR_OK && resp.status == 200) {
		buf_append(chosen, resp.body, resp.len);
		snprintf(etag, etag_size, "%s", resp.etag);
		*fresh = true;
		free(resp.body);
		return HR_OK;
	}
	free(resp.body);
	if (rc == HR_OK && resp.status == 304 && a->cached.len > 0) {
		buf_append(chosen, a->cached.data, a->cached.len);
		return HR_OK;
	}
	if (rc == HR_OK)
		snprintf(why.message, sizeof(why.message), "HTTP status %ld", resp.status);
	if (a->cached.len == 0) {
		*unobtainable = true;
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "cannot fetch the trust list (%.80s) and none is cached: "
				    "connect to the network or pass --trust-list FILE",
				    why.message);
	}
	fprintf(stderr, "hromada verify: note: offline (%s); using the cached trust list\n",
		why.message);
	buf_append(chosen, a->cached.data, a->cached.len);
	return HR_OK;
}

hr_status verify_trust_load(struct hr_trust_store *store, const struct verify_trust_options *o,
			    bool *unobtainable, struct hr_error *err)
{
	struct acquisition a;
	struct hr_trust_list_info info;
	char cache_root[PATH_MAX], copy[PATH_MAX], real[PATH_MAX], source[PATH_MAX + 8];
	int64_t now = (int64_t)time(NULL);
	struct buf chosen;
	char *list = NULL, etag[256] = "";
	size_t list_len = 0;
	bool fresh = false;
	hr_status rc;

	*unobtainable = false;
	memset(&a, 0, sizeof(a));
	a.o = o;
	buf_init(&a.cached, TRUST_LIST_MAX_BYTES);
	buf_init(&chosen, TRUST_LIST_MAX_BYTES);
	cache_root[0] = 0;
	if ((o->url != NULL || o->cache_dir != NULL) &&
	    (rc = verify_cache_dir(o->cache_dir, cache_root, sizeof(cache_root), err)) != HR_OK) {
		*unobtainable = true;
		goto done;
	}
	if (o->anchor_file != NULL) {
		snprintf(a.anchor_path, sizeof(a.anchor_path), "%s", o->anchor_file);
	} else if (o->url != NULL) {
		snprintf(a.anchor_path, sizeof(a.anchor_path), "%.4000s/trust-anchor.pem",
			 cache_root);
	} else {
		snprintf(copy, sizeof(copy), "%s", o->list_file);
		snprintf(a.anchor_path, sizeof(a.anchor_path), "%.4000s/trust-anchor.pem",
			 dirname(copy));
	}
	if ((rc = read_anchor(&a, err)) != HR_OK) {
		*unobtainable = true;
		goto done;
	}
	if (o->url != NULL) {
		if ((rc = acquire_url(&a, cache_root, &chosen, &fresh, etag, sizeof(etag),
				      unobtainable, err)) != HR_OK)
			goto done;
	} else {
		if ((rc = cli_read_file(o->list_file, &list, &list_len, err)) != HR_OK) {
			*unobtainable = true;
			hr_error_set(err, rc, STAGE, "cannot read the trust list %.150s",
				     o->list_file);
			goto done;
		}
		buf_append(&chosen, list, list_len);
		if (cache_root[0] != 0) {
			snprintf(source, sizeof(source), "file:%s",
				 realpath(o->list_file, real) ? real : o->list_file);
			read_cached(&a, cache_root, source);
			fresh = true;
		}
	}
	if ((rc = chosen.error) != HR_OK) {
		hr_error_set(err, rc, STAGE, "the trust list is too large");
		goto done;
	}
	/* signature and age at once; the store is discarded if anything below fails */
	rc = hr_trust_store_load_list_at(store, chosen.data, chosen.len, a.anchor_pem, a.anchor_len,
					 now, o->grace, &info, err);
	if (rc == HR_E_EXPIRED && o->url != NULL && !fresh)
		hr_error_set(
		    err, rc, STAGE,
		    "the cached trust list is stale (next_update + %llds grace passed) and "
		    "no newer one could be fetched: connect to the network",
		    (long long)o->grace);
	if (rc != HR_OK && rc != HR_E_EXPIRED && err != NULL) {
		/* not signed by the pinned anchor, or not a trust list at all */
		char why[HR_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message);
		hr_error_set(err, rc, STAGE,
			     "%.150s; refused: get the list from your trust service and check that "
			     "--trust-anchor (%.60s) is its signer's certificate",
			     why, a.anchor_path);
	}
	if (rc == HR_OK && fresh) {
		struct trust_list_info got = {info.sequence, info.issued_at, info.next_update};
		if ((rc = check_rollback(&a, cache_root, &got, o->url ? o->url : o->list_file,
					 err)) == HR_OK) {
			store_cached(&a, chosen.data, chosen.len, etag[0] ? etag : NULL);
			write_high_water(&a, cache_root, got.sequence);
		}
	}
done:
	if (rc != HR_OK && err != NULL && strcmp(err->stage, STAGE) != 0) {
		char why[HR_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message);
		hr_error_set(err, rc, STAGE, "%s", why);
	}
	free(list);
	free(a.anchor_pem);
	signer_cert_free(a.anchor);
	buf_clear(&a.cached);
	buf_clear(&chosen);
	return rc;
}

/* --- status lists ------------------------------------------------------------ */

/* The cached token for uri, if it may still be used without a fetch. */
static bool cached_token_fresh(const char *path, struct buf *token, int64_t now)
{
	struct stat st;
	int64_t ttl, exp;

	if (stat(path, &st) != 0 || file_read(path, token, NULL) != HR_OK)
		return false;
	if (status_list_token_cache_times(buf_str(token), token->len, &ttl, &exp) != HR_OK)
		return false;
	if (ttl <= 0)
		ttl = STATUS_TTL_DEFAULT;
	return now >= (int64_t)st.st_mtime && now - (int64_t)st.st_mtime < ttl &&
	       (exp == 0 || now <= exp);
}

hr_status verify_status_fetch(void *context, const char *uri, char **token, size_t *len,
			      struct hr_error *err)
{
	const char *cache_root = context;
	char key[33], dir[PATH_MAX + 32], path[PATH_MAX + 80];
	struct cli_http_request req = {0};
	struct cli_http_response resp;
	struct buf cached;
	hr_status rc;

	*token = NULL;
	key_of(uri, key);
	snprintf(dir, sizeof(dir), "%s/status-lists", cache_root);
	snprintf(path, sizeof(path), "%s/%s.jwt", dir, key);
	buf_init(&cached, STATUS_LIST_MAX_TOKEN_BYTES);
	if (cached_token_fresh(path, &cached, (int64_t)time(NULL))) {
		*token = (char *)buf_take(&cached, len);
		return *token ? HR_OK : hr_error_set(err, HR_E_NOMEM, "status", "out of memory");
	}
	buf_clear(&cached);
	req.url = uri;
	req.accept = STATUS_LIST_MEDIA_TYPE;
	req.timeout_ms = FETCH_TIMEOUT_MS;
	req.limit = STATUS_LIST_MAX_TOKEN_BYTES;
	if ((rc = cli_http_get(&req, &resp, err)) != HR_OK)
		return rc;
	if (resp.status != 200) {
		free(resp.body);
		return hr_error_set(err, HR_E_UNAVAILABLE, "status", "HTTP status %ld",
				    resp.status);
	}
	if (make_dir(dir, NULL) == HR_OK)
		file_write_atomic(path, resp.body, resp.len, 0600, NULL);
	*token = resp.body;
	*len = resp.len;
	return HR_OK;
}
