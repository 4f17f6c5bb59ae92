/*
 * trust_anchor.c — GET /verify/anchor.json: the trust-list signer's own
 * certificate, for the verifier page (web/verify/) to pin.
 *
 * Why: the page checks the list it caches under a pinned key, as `hromada
 * verify --trust-anchor` does, but a browser has no provisioning step. The page
 * pins the first anchor it fetches (trust on first use, docs/WEB.md) and from
 * then on refuses a list, or a new anchor, under another key. A deployment that
 * cannot accept first use serves the page with the anchor built in instead.
 * What never: this reply carries only public data (the certificate and its
 * kid); it never depends on the request.
 */
#include <jansson.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/http_server.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "trust/trust_internal.h"

void trust_handle_anchor(struct http_request *req, void *context)
{
	struct trust *t = context;
	const struct signer_cert *cert = signer_certificate(t->list_signer);
	struct buf der64, kid64;
	json_t *body;

	if (cert == NULL) {
		http_reply_error(req, 503, "unavailable",
				 "the trust-list signer has no certificate");
		return;
	}
	buf_init(&der64, 64 * 1024);
	buf_init(&kid64, 64);
	if (signer_cert_base64(cert, &der64) != HR_OK ||
	    base64_encode(cert->kid, SIGNER_KID_LEN, BASE64_STANDARD, &kid64) != HR_OK) {
		http_reply_error(req, 500, "internal", "cannot encode the anchor");
	} else {
		body = json_pack("{s:s,s:i,s:s,s:s}", "format", "hromada-trust-anchor", "version",
				 1, "kid", buf_str(&kid64), "certificate", buf_str(&der64));
		http_reply_header(req, "Cache-Control", "no-cache");
		http_reply_json(req, 200, body);
	}
	buf_clear(&der64);
	buf_clear(&kid64);
}
