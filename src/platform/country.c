/*
 * country.c — member ids, keys and the gateway directory of a country under `up`.
 */
#include "platform/country.h"

#include <stdio.h>
#include <string.h>

#include "core/documents.h"
#include "core/error.h"
#include "credential/keys.h"

static const struct country_members countries_known[] = {
    {
	.code = "UA",
	.gateway = "UA/GOV/37567646/gateway",
	.wallet = "UA/GOV/43395033/wallet",
	.registry_prefix = "UA/GOV/00015622",
	.police = "UA/GOV/00032684/police",
	.bank = "UA/COM/14360570/bank",
	.cert = "UA/GOV/34239034/cert",
	.nccc = "UA/GOV/00000100/nccc",
	.police_basis = "Law of Ukraine On the National Police, Art. 32 (document checks)",
	.suspension_basis = "Law of Ukraine On Road Traffic: suspension of a driving licence",
	.status_basis = "Hromada offline credentials: revocation status lists",
	.cross_border_basis = "Ukraine-Poland police cooperation agreement: cross-border "
			      "document checks",
	.cert_basis = "Law of Ukraine On the Basic Principles of Ensuring Cybersecurity of "
		      "Ukraine, Art. 8 (CERT-UA)",
	.wallet_name = "Hromada citizen wallet (Ukraine)",
	.police_name = "National Police of Ukraine",
	.bank_name = "Demo commercial bank (Ukraine)",
	.cert_name = "CERT-UA (State Service of Special Communications)",
	.nccc_name = "National Cybersecurity Coordination Center (NSDC of Ukraine)",
	.gateway_name = "Trembita gateway of Ukraine",
	.registry_name = "State register of Ukraine: ",
    },
    {
	.code = "PL",
	.gateway = "PL/GOV/00000005/gateway",
	.wallet = "PL/GOV/00000001/wallet",
	.registry_prefix = "PL/GOV/00000002",
	.police = "PL/GOV/00000003/police",
	.bank = "PL/COM/00000004/bank",
	.cert = "PL/GOV/00000006/cert",
	.police_basis = "Ustawa o Policji, art. 15 (legitymowanie osób)",
	.suspension_basis = "Ustawa o kierujących pojazdami: zatrzymanie prawa jazdy",
	.status_basis = "Hromada offline credentials: revocation status lists",
	.cross_border_basis = "Umowa polsko-ukraińska o współpracy policyjnej: "
			      "transgraniczna kontrola dokumentów",
	.cert_basis = "Ustawa o krajowym systemie cyberbezpieczeństwa, art. 26 (CSIRT NASK)",
	.wallet_name = "Hromada citizen wallet (Poland)",
	.police_name = "Policja (Polish National Police)",
	.bank_name = "Demo commercial bank (Poland)",
	.cert_name = "CERT Polska (NASK)",
	.gateway_name = "Data exchange gateway of Poland",
	.registry_name = "State register of Poland: ",
    },
};

#define KNOWN_COUNT (sizeof(countries_known) / sizeof(countries_known[0]))

const struct country_members *country_members(const char *code)
{
	for (size_t i = 0; i < KNOWN_COUNT; i++) {
		if (strcmp(countries_known[i].code, code) == 0)
			return &countries_known[i];
	}
	return NULL;
}

const struct country_members *country_members_at(int index)
{
	return index >= 0 && (size_t)index < KNOWN_COUNT ? &countries_known[index] : NULL;
}

void country_registry_member(const struct country_members *c, const char *type, char *out,
			     size_t size)
{
	snprintf(out, size, "%s/%s", c->registry_prefix, type);
}

void country_member_dir(const char *keys_dir, const char *member, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s/members/", keys_dir);

	for (const char *p = member; *p && n + 1 < size; p++)
		out[n++] = *p == '/' ? '_' : *p;
	out[n < size ? n : size - 1] = 0;
}

size_t country_member_ids(const struct country_members *c, char ids[][96], size_t max)
{
	const char *named[] = {c->gateway, c->wallet, c->police, c->bank, c->cert};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && n < max; i++)
		snprintf(ids[n++], 96, "%s", named[i]);
	if (c->nccc != NULL && n < max)
		snprintf(ids[n++], 96, "%s", c->nccc);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT && n < max; t++)
		country_registry_member(c, document_types[t], ids[n++], 96);
	return n;
}

const char *country_member_name(const struct country_members *c, const char *id, char *out,
				size_t size)
{
	size_t prefix = strlen(c->registry_prefix);

	if (strcmp(id, c->gateway) == 0)
		snprintf(out, size, "%s", c->gateway_name);
	else if (strcmp(id, c->wallet) == 0)
		snprintf(out, size, "%s", c->wallet_name);
	else if (strcmp(id, c->police) == 0)
		snprintf(out, size, "%s", c->police_name);
	else if (strcmp(id, c->bank) == 0)
		snprintf(out, size, "%s", c->bank_name);
	else if (strcmp(id, c->cert) == 0)
		snprintf(out, size, "%s", c->cert_name);
	else if (c->nccc != NULL && strcmp(id, c->nccc) == 0)
		snprintf(out, size, "%s", c->nccc_name);
	else if (strncmp(id, c->registry_prefix, prefix) == 0 && id[prefix] == '/')
		snprintf(out, size, "%s%s", c->registry_name, id + prefix + 1);
	else
		snprintf(out, size, "%s", "");
	return out;
}

hr_status country_create_keys(const struct country_members *c, const char *keys_dir,
			      struct hr_error *err)
{
	char ids[DOCUMENT_TYPE_COUNT + 8][96];
	const char *members[DOCUMENT_TYPE_COUNT + 8];
	struct keys_country_options o = {c->code, keys_dir, members, 0};
	size_t n = country_member_ids(c, ids, DOCUMENT_TYPE_COUNT + 8);

	for (size_t i = 0; i < n; i++)
		members[o.member_count++] = ids[i];
	return keys_create_country(&o, err);
}

static json_t *member_entry(const char *keys_dir, const char *id, const char *name)
{
	char dir[4096], cert[4200];

	country_member_dir(keys_dir, id, dir, sizeof(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	return json_pack("{s:s,s:s,s:s}", "id", id, "certificate", cert, "name", name);
}

static void add_right(json_t *rights, const char *client, const char *provider,
		      const char *const *services, const char *purpose, const char *basis)
{
	json_t *list = json_array();
	json_t *right;

	for (size_t i = 0; services[i] != NULL; i++)
		json_array_append_new(list, json_string(services[i]));
	right = json_pack("{s:s,s:s,s:o,s:[s]}", "client", client, "provider", provider, "services",
			  list, "purposes", purpose);
	if (right != NULL && basis != NULL)
		json_object_set_new(right, "legal_basis", json_string(basis));
	json_array_append_new(rights, right);
}

static bool is_type(const char *type, const char *a, const char *b)
{
	return strcmp(type, a) == 0 || (b != NULL && strcmp(type, b) == 0);
}

/* Rights between this country (c) and one other (f), both ways through c's gateway. */
static void add_cross_border_rights(json_t *rights, const struct country_members *c,
				    const struct country_members *f)
{
	static const char *const status_only[] = {"status", NULL};
	static const char *const lookup_only[] = {"lookup", NULL};
	char ours[96], theirs[96];

	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		const char *type = document_types[t];
		country_registry_member(c, type, ours, sizeof(ours));
		country_registry_member(f, type, theirs, sizeof(theirs));
		if (is_type(type, "driver_licence", "vehicle_registration")) {
			/* their police check our documents by number: our law says so */
			add_right(rights, f->police, ours, status_only, COUNTRY_PURPOSE_POLICE,
				  c->cross_border_basis);
			/* our police check theirs: the same agreement, read from our side */
			add_right(rights, c->police, theirs, status_only, COUNTRY_PURPOSE_POLICE,
				  c->cross_border_basis);
		}
		if (is_type(type, "residence_permit", NULL)) {
			/* a resident abroad sees the permit the host country holds */
			add_right(rights, f->wallet, ours, lookup_only, COUNTRY_PURPOSE_WALLET,
				  NULL);
			add_right(rights, c->wallet, theirs, lookup_only, COUNTRY_PURPOSE_WALLET,
				  NULL);
		}
	}
}

json_t *country_directory(const struct country_members *c, const char *keys_dir,
			  const char *const *registry_urls)
{
	static const char *const wallet_services[] = {"lookup", "report-lost", NULL};
	static const char *const access_log[] = {"access-log", NULL};
	static const char *const sentinel[] = {"sentinel", NULL};
	static const char *const status_changes[] = {"status-changes", NULL};
	static const char *const police_services[] = {"lookup", "status", NULL};
	static const char *const suspension[] = {"suspend", "reinstate", NULL};
	static const char *const lookup_only[] = {"lookup", NULL};
	json_t *members = json_array(), *rights = json_array();
	json_t *wallet = member_entry(keys_dir, c->wallet, c->wallet_name);
	char dir[4096], cert[4200];
	char prefix_all[128], id[96];

	/* the wallet enrols devices: its attestations let citizens consent */
	json_object_set_new(wallet, "attests_devices", json_true());
	json_array_append_new(members, wallet);
	json_array_append_new(members, member_entry(keys_dir, c->police, c->police_name));
	json_array_append_new(members, member_entry(keys_dir, c->bank, c->bank_name));
	json_array_append_new(members, member_entry(keys_dir, c->cert, c->cert_name));
	if (c->nccc != NULL)
		json_array_append_new(members, member_entry(keys_dir, c->nccc, c->nccc_name));
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		char name[128];
		json_t *entry;

		country_registry_member(c, document_types[t], id, sizeof(id));
		snprintf(name, sizeof(name), "%s%s", c->registry_name, document_types[t]);
		entry = member_entry(keys_dir, id, name);
		json_object_set_new(entry, "url", json_string(registry_urls[t]));
		json_object_set_new(entry, "document_type", json_string(document_types[t]));
		json_array_append_new(members, entry);
	}
	snprintf(prefix_all, sizeof(prefix_all), "%s/*", c->registry_prefix);
	add_right(rights, c->wallet, prefix_all, wallet_services, COUNTRY_PURPOSE_WALLET, NULL);
	/* the citizen's access history, from the gateway's own audit log */
	add_right(rights, c->wallet, c->gateway, access_log, COUNTRY_PURPOSE_WALLET, NULL);
	/* the national CERT looks at the gateway's sentinel and releases throttles */
	add_right(rights, c->cert, c->gateway, sentinel, COUNTRY_PURPOSE_INCIDENT, c->cert_basis);
	/* offline credentials' status lists follow every registry's status changes */
	add_right(rights, c->wallet, prefix_all, status_changes, COUNTRY_PURPOSE_STATUS,
		  c->status_basis);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		const char *type = document_types[t];
		country_registry_member(c, type, id, sizeof(id));
		/* police check a driver's licence and a vehicle's papers without consent */
		if (is_type(type, "driver_licence", "vehicle_registration"))
			add_right(rights, c->police, id, police_services, COUNTRY_PURPOSE_POLICE,
				  c->police_basis);
		if (is_type(type, "driver_licence", NULL))
			add_right(rights, c->police, id, suspension, COUNTRY_PURPOSE_SUSPENSION,
				  c->suspension_basis);
		/* a bank identifies its customer only with the customer's consent */
		if (is_type(type, "id_card", "foreign_passport"))
			add_right(rights, c->bank, id, lookup_only, COUNTRY_PURPOSE_KYC, NULL);
	}
	for (int i = 0; country_members_at(i) != NULL; i++) {
		if (country_members_at(i) != c)
			add_cross_border_rights(rights, c, country_members_at(i));
	}
	/* the gateway's own certificate: for whoever checks its own calls (the nccc) */
	country_member_dir(keys_dir, c->gateway, dir, sizeof(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	return json_pack("{s:s,s:s,s:o,s:o}", "gateway", c->gateway, "gateway_certificate", cert,
			 "members", members, "rights", rights);
}
