/*
 * wallet.h — the wallet role (see wallet.c).
 */
#ifndef HROMADA_WALLET_H
#define HROMADA_WALLET_H

#include "core/role.h"

extern const struct role_ops wallet_role;

#endif
