/* TEMPORARY until the MISP/STIX merge */
#include "nccc/nccc_internal.h"
hr_status nccc_feed_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err)
{ (void)nccc; (void)server; (void)err; return HR_OK; }
hr_status nccc_import_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err)
{ (void)nccc; (void)server; (void)err; return HR_OK; }
