/*
 * nccc.h — the nccc role (see nccc.c).
 */
#ifndef HROMADA_NCCC_H
#define HROMADA_NCCC_H

#include "core/role.h"

extern const struct role_ops nccc_role;

#endif
