/*
 * nccc_auth.c — who is calling the hub and what they may read.
 *
 * Members sign their calls with RFC 9421 under the same keys as at their
 * gateway (the gateways' directories, [nccc] directories); the hub answers a
 * signed call signed, bound to it. A call without a signature is anonymous:
 * it may read what is TLP:CLEAR and nothing else, and may never write. A
 * signature that does not verify — expired, replayed, another body, an unknown
 * key — is refused outright, never downgraded to anonymous.
 *
 * What a reader gets (DESIGN.md §5): the reporter's organisation and the
 * reporter's country's CERT read the whole incident; anyone else reads it only
 * as its TLP allows (tlp.c), indicator by indicator, and never the signed
 * report bodies (which hold every indicator, whatever its marking).
 */
#include "nccc/nccc_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "exchange/directory.h"

#define STAGE "nccc"

int64_t nccc_now(const struct nccc *nccc)
{
	return (int64_t)time(NULL) + nccc->clock_offset_s;
}

static const struct member *find_member(struct nccc *nccc, const char *id)
{
	for (int i = 0; i < nccc->directory_count; i++) {
		const struct member *m = directory_member(nccc->directories[i], id);

		if (m == NULL && (m = directory_gateway(nccc->directories[i])) != NULL &&
		    strcmp(m->id, id) != 0)
			m = NULL;
		if (m != NULL)
			return m;
	}
	return NULL;
}

static EVP_PKEY *member_key(void *context, const char *keyid)
{
	const struct member *m = find_member(context, keyid);

	return m != NULL ? m->key : NULL;
}

bool nccc_member_known(void *context, const char *member)
{
	struct nccc *nccc = context;

	if (find_member(nccc, member) != NULL)
		return true;
	for (int i = 0; i < nccc->partner_count; i++)
		if (strcmp(nccc->partners[i], member) == 0)
			return true;
	return false;
}

static bool listed(char list[][MEMBER_ID_MAX], int count, const char *member)
{
	for (int i = 0; i < count; i++)
		if (strcmp(list[i], member) == 0)
			return true;
	return false;
}

bool nccc_caller_identify(struct nccc *nccc, struct http_request *request, bool anonymous_ok,
			  struct nccc_caller *caller)
{
	static const char *const required[] = {NULL};
	struct httpsig_verified verified;
	struct hr_error err = {0};

	memset(caller, 0, sizeof(*caller));
	if (http_request_header(request, "Signature") == NULL &&
	    http_request_header(request, "Signature-Input") == NULL) {
		if (anonymous_ok)
			return true;
		http_reply_error(request, 401, "unauthorized",
				 "sign the call with your member key (RFC 9421), as at the "
				 "gateway: `hromada member --as MEMBER request ...` does");
		return false;
	}
	if (member_request_verify(request, required, member_key, nccc, nccc->nonces,
				  (int64_t)time(NULL), &verified, &err) != HR_OK) {
		member_reply_unverified(request, &nccc->self, &err);
		return false;
	}
	if (strlen(verified.keyid) >= sizeof(caller->member)) { /* no member has such an id */
		http_reply_error(request, 401, "unauthorized", "the keyid is not a member id");
		return false;
	}
	memcpy(caller->member, verified.keyid, strlen(verified.keyid) + 1);
	caller->signed_call = true;
	caller->cert = listed(nccc->certs, nccc->cert_count, caller->member);
	caller->partner = listed(nccc->partners, nccc->partner_count, caller->member);
	return true;
}

struct tlp_reader nccc_reader(const struct nccc_caller *caller)
{
	return (struct tlp_reader){caller->member[0] != '\0' ? caller->member : NULL, caller->cert};
}

bool nccc_reads_all(const struct nccc_caller *caller, const char *reporter)
{
	char mine[MEMBER_ID_MAX], theirs[MEMBER_ID_MAX];

	if (caller->member[0] == '\0' || reporter == NULL)
		return false;
	if (caller->cert && strncmp(caller->member, reporter, 3) == 0)
		return true; /* "UA/" — the country's CERT reads all of its country's */
	return member_organisation(caller->member, mine, sizeof(mine)) &&
	       member_organisation(reporter, theirs, sizeof(theirs)) && strcmp(mine, theirs) == 0;
}

static struct tlp_subject subject_of(const json_t *incident, const char **share, size_t max)
{
	const json_t *list = json_object_get(incident, "share_with"), *item;
	struct tlp_subject s = {json_string_value(json_object_get(incident, "reporter")), share, 0};
	size_t i;

	json_array_foreach(list, i, item)
	{
		if (s.share_with_count < max)
			share[s.share_with_count++] = json_string_value(item);
	}
	return s;
}

static json_t *filtered(const json_t *incident, const struct nccc_caller *caller, bool sharing)
{
	const char *share[NCCC_SHARE_WITH_MAX];
	struct tlp_subject subject = subject_of(incident, share, NCCC_SHARE_WITH_MAX);
	struct tlp_reader reader = nccc_reader(caller);
	json_t *copy, *visible, *item, *report;
	enum tlp tlp = TLP_RED;
	size_t i;

	if (!sharing && nccc_reads_all(caller, subject.reporter))
		return json_deep_copy(incident);
	(void)tlp_parse(json_string_value(json_object_get(incident, "tlp")), &tlp, NULL);
	if ((sharing && tlp == TLP_RED) || !tlp_visible(tlp, &subject, &reader))
		return NULL;
	if ((copy = json_deep_copy(incident)) == NULL || (visible = json_array()) == NULL) {
		json_decref(copy);
		return NULL;
	}
	json_array_foreach(json_object_get(incident, "indicators"), i, item)
	{
		enum tlp marking = TLP_RED;

		(void)tlp_parse(json_string_value(json_object_get(item, "tlp")), &marking, NULL);
		if ((!sharing || marking != TLP_RED) && tlp_visible(marking, &subject, &reader))
			json_array_append_new(visible, json_deep_copy(item));
	}
	json_object_set_new(copy, "indicators", visible);
	json_array_foreach(json_object_get(copy, "reports"), i, report)
	    json_object_del(report, "signed");
	if (sharing) { /* the stages' summaries go (a MISP event's analysis), not the duties */
		json_object_del(copy, "deadlines");
		json_object_del(copy, "overdue");
	}
	return copy;
}

json_t *nccc_incident_for(const json_t *incident, const struct nccc_caller *caller)
{
	return filtered(incident, caller, false);
}

json_t *nccc_incident_shared(const json_t *incident, const struct nccc_caller *caller)
{
	return filtered(incident, caller, true);
}

void nccc_reply_json(struct nccc *nccc, struct http_request *request,
		     const struct nccc_caller *caller, unsigned status, json_t *body)
{
	if (caller != NULL && caller->signed_call)
		member_reply_json(request, &nccc->self, status, body);
	else
		http_reply_json(request, status, body);
}

void nccc_reply_bytes(struct nccc *nccc, struct http_request *request,
		      const struct nccc_caller *caller, unsigned status, const char *content_type,
		      const void *data, size_t len)
{
	if (caller != NULL && caller->signed_call)
		member_reply_bytes(request, &nccc->self, status, content_type, data, len);
	else
		http_reply_bytes(request, status, content_type, data, len);
}

void nccc_reply_error(struct nccc *nccc, struct http_request *request,
		      const struct nccc_caller *caller, const struct hr_error *err)
{
	unsigned status = http_status_for(err->status);

	if (caller != NULL && caller->signed_call)
		member_reply_error(request, &nccc->self, status, hr_status_name(err->status),
				   err->message);
	else
		http_reply_from_error(request, err);
}
