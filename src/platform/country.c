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
    {"UA", "UA/GOV/37567646/gateway", "UA/GOV/43395033/wallet", "UA/GOV/00015622",
     "UA/GOV/00032684/police", "UA/COM/14360570/bank",
     "Law of Ukraine On the National Police, Art. 32 (document checks)",
     "Hromada citizen wallet (Ukraine)", "National Police of Ukraine",
     "Demo commercial bank (Ukraine)", "State register of Ukraine: "},
    {"PL", "PL/GOV/00000005/gateway", "PL/GOV/00000001/wallet", "PL/GOV/00000002",
     "PL/GOV/00000003/police", "PL/COM/00000004/bank",
     "Ustawa o Policji, art. 15 (legitymowanie osób)", "Hromada citizen wallet (Poland)",
     "Policja (Polish National Police)", "Demo commercial bank (Poland)",
     "State register of Poland: "},
};

const struct country_members *country_members(const char *code)
{
	for (size_t i = 0; i < sizeof(countries_known) / sizeof(countries_known[0]); i++) {
		if (strcmp(countries_known[i].code, code) == 0)
			return &countries_known[i];
	}
	return NULL;
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

hr_status country_create_keys(const struct country_members *c, const char *keys_dir,
			      struct hr_error *err)
{
	char registries[DOCUMENT_TYPE_COUNT][96];
	const char *members[DOCUMENT_TYPE_COUNT + 4];
	struct keys_country_options o = {c->code, keys_dir, members, 0};

	members[o.member_count++] = c->gateway;
	members[o.member_count++] = c->wallet;
	members[o.member_count++] = c->police;
	members[o.member_count++] = c->bank;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		country_registry_member(c, document_types[t], registries[t], sizeof(registries[t]));
		members[o.member_count++] = registries[t];
	}
	return keys_create_country(&o, err);
}

static json_t *member_entry(const char *keys_dir, const char *id, const char *name)
{
	char dir[4096], cert[4200];

	country_member_dir(keys_dir, id, dir, sizeof(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	return json_pack("{s:s,s:s,s:s}", "id", id, "certificate", cert, "name", name);
}

json_t *country_directory(const struct country_members *c, const char *keys_dir,
			  const char *const *registry_urls)
{
	json_t *members = json_array(), *rights = json_array();
	json_t *wallet = member_entry(keys_dir, c->wallet, c->wallet_name);
	char prefix_all[128], id[96];

	/* the wallet enrols devices: its attestations let citizens consent */
	json_object_set_new(wallet, "attests_devices", json_true());
	json_array_append_new(members, wallet);
	json_array_append_new(members, member_entry(keys_dir, c->police, c->police_name));
	json_array_append_new(members, member_entry(keys_dir, c->bank, c->bank_name));
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
	json_array_append_new(rights, json_pack("{s:s,s:s,s:[s,s],s:[s]}", "client", c->wallet,
						"provider", prefix_all, "services", "lookup",
						"report-lost", "purposes", "citizen-wallet"));
	/* the citizen's access history, from the gateway's own audit log */
	json_array_append_new(rights, json_pack("{s:s,s:s,s:[s],s:[s]}", "client", c->wallet,
						"provider", c->gateway, "services", "access-log",
						"purposes", "citizen-wallet"));
	/* police checks a driver's licence and a vehicle's papers without consent */
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		if (strcmp(document_types[t], "driver_licence") != 0 &&
		    strcmp(document_types[t], "vehicle_registration") != 0)
			continue;
		country_registry_member(c, document_types[t], id, sizeof(id));
		json_array_append_new(
		    rights, json_pack("{s:s,s:s,s:[s,s],s:[s],s:s}", "client", c->police,
				      "provider", id, "services", "lookup", "status", "purposes",
				      "police-document-check", "legal_basis", c->police_basis));
	}
	return json_pack("{s:s,s:o,s:o}", "gateway", c->gateway, "members", members, "rights",
			 rights);
}
