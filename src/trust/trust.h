/*
 * trust.h — the trust role (see trust.c).
 */
#ifndef HROMADA_TRUST_H
#define HROMADA_TRUST_H

#include "core/role.h"

extern const struct role_ops trust_role;

#endif
