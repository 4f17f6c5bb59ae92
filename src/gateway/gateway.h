/*
 * gateway.h — the gateway role (see gateway.c).
 */
#ifndef HROMADA_GATEWAY_H
#define HROMADA_GATEWAY_H

#include "core/role.h"

extern const struct role_ops gateway_role;

#endif
