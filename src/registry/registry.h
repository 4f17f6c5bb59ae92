/*
 * registry.h — the registry role (see registry.c).
 */
#ifndef HROMADA_REGISTRY_H
#define HROMADA_REGISTRY_H

#include "core/role.h"

extern const struct role_ops registry_role;

#endif
