/*
 * roles.c — the table of roles this binary can run.
 */
#include "platform/platform.h"

#include <string.h>

#include "gateway/gateway.h"
#include "nccc/nccc.h"
#include "registry/registry.h"
#include "trust/trust.h"
#include "wallet/wallet.h"

const struct role_ops *const platform_roles[] = {
    &registry_role, &gateway_role, &wallet_role, &trust_role, &nccc_role, NULL,
};

const struct role_ops *platform_role_find(const char *name)
{
	for (int i = 0; platform_roles[i] != NULL; i++) {
		if (strcmp(platform_roles[i]->name, name) == 0)
			return platform_roles[i];
	}
	return NULL;
}
