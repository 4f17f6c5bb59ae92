/*
 * cli_member.h — a signed call as a member of `hromada up`'s state directory
 * (cmd_member.c), for the commands in hromada-services.so that act as one:
 * `hromada member request` and `hromada incident`.
 */
#ifndef HROMADA_CLI_MEMBER_H
#define HROMADA_CLI_MEMBER_H

#include <stddef.h>

#include <hromada/status.h>

#include "core/http_client.h"
#include "exchange/member.h"

/* Signs call with AS's key from STATE/keys and checks the answer is signed by a
 * member the state knows; *keyid receives who signed it. */
hr_status cli_member_call(const char *state, const char *as, const struct member_call *call,
			  struct http_client_response *response, char *keyid, size_t keyid_size,
			  struct hr_error *err);

#endif
