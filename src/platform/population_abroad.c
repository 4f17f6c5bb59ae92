/*
 * population_abroad.c — Ukrainians in Poland and Poles in Ukraine: people of
 * one country's population who also live in the other, with an id, an address
 * and a residence permit there (population_abroad in population.h).
 *
 * Who. Poland's special act of 12 March 2022 gave a PESEL to over a million
 * Ukrainians (about 950 000 still held one in 2024: some 2.5% of Ukraine's
 * roughly 38 million people), and Ukrainians working in Poland before the war
 * held residence permits too; the refugees were mostly women and children,
 * since men of 18 to 60 may not leave Ukraine under martial law. The shares
 * below, per age and sex (each birth year is equally common in the synthetic
 * population), make 2.8% of Ukrainians live in Poland, 41% of them children,
 * 39% women and 20% men. Far fewer Poles live in Ukraine (well under 0.1% of
 * Poles before 2022, fewer since); 0.2% is more than reality so that a demo
 * population of a few thousand has some.
 *
 * How, without the other country's database. Person i of home has a birth day
 * and a serial below POPULATION_NATIVE_SERIALS (population.c); write the
 * serial as 2k + s, s its sex bit, k < 4 500. A keyed permutation h of [0,
 * 4 500), its key drawn from the seed and the birth day, decides: the person
 * lives abroad when h(k) is below the share's count for their age and sex,
 * and their serial in host is 9 000 + 2 h(k) + s. Within one birth day and
 * sex, h is one-to-one, so no two people get one id in host; and host's own
 * people never have a serial of 9 000 or more, so no native has it either.
 * The sex digit is kept, the birth date is in the id: host's id says what the
 * home id says, as a real PESEL given to a Ukrainian does.
 *
 * Host's loader runs population_abroad_key over every index of home (about
 * 0.2 us each: one identity, one small permutation; 6 s for thirty million),
 * then makes the record of those who live there.
 *
 * Never: link a resident to their home id anywhere but in the residence permit
 * registry (population_load.c), which is the only registry that would know it.
 */
#include "platform/population.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "platform/population_internal.h"

#define PAIRS (POPULATION_NATIVE_SERIALS / 2) /* k of a serial 2k + s */

/* Per mille of home's people of an age and sex who live in the other country. */
static unsigned abroad_per_mille(enum population_country_code home, int age, char sex)
{
	/* a permit is issued to someone at least a month old: population_documents */
	if (age < 1)
		return 0;
	if (home == POPULATION_UA) {
		if (age < 18)
			return 65;
		if (sex == 'F')
			return age < 65 ? 32 : 20;
		return age <= 60 ? 15 : 12;
	}
	return age < 18 ? 1 : 2;
}

#define ABROAD_PER_MILLE_MAX 65
/* 9 000 + 2 h(k) + s must stay below 10 000 */
_Static_assert(POPULATION_NATIVE_SERIALS + 2 * (ABROAD_PER_MILLE_MAX * PAIRS / 1000) <
		   POPULATION_SERIALS,
	       "the serials left for residents from abroad");

/* Whether person index of home lives in host; their birth day and serial there. */
static bool abroad_slot(const struct population *home, const struct population *host,
			uint64_t index, int32_t *birth, unsigned *host_serial)
{
	struct population_perm h;
	unsigned serial, slot, count;
	char sex;

	/* one seed, one as-of date, two countries: else the ids would not agree */
	assert(home->seed == host->seed && home->today == host->today && home->code != host->code);
	(void)host;
	population_identity(home, index, birth, &serial);
	population_perm_init(&h, PAIRS,
			     population_mix64(home->key ^ 0xab5eedull ^
					      population_mix64((uint64_t)(int64_t)*birth)));
	slot = (unsigned)population_perm_apply(&h, serial / 2);
	if (slot >= ABROAD_PER_MILLE_MAX * PAIRS / 1000)
		return false; /* the common answer, before the dates are worked out */
	sex = serial % 2 ? 'M' : 'F';
	count =
	    abroad_per_mille(home->code, population_age(*birth, home->today), sex) * PAIRS / 1000;
	if (slot >= count)
		return false;
	*host_serial = POPULATION_NATIVE_SERIALS + 2 * slot + serial % 2;
	return true;
}

bool population_abroad_key(const struct population *home, const struct population *host,
			   uint64_t index, uint64_t *sort_key)
{
	unsigned serial;
	int32_t birth;

	if (!abroad_slot(home, host, index, &birth, &serial))
		return false;
	*sort_key = population_id_sort_key(host, birth, serial);
	return true;
}

bool population_abroad(const struct population *home, const struct population *host, uint64_t index,
		       struct population_person *out)
{
	struct population_person me;
	struct population_rng rng;
	unsigned serial;
	int32_t birth;

	if (!abroad_slot(home, host, index, &birth, &serial))
		return false;
	population_person(home, index, &me);
	memset(out, 0, sizeof(*out));
	out->index = POPULATION_RESIDENT_INDEX(index);
	population_make_id(host, birth, serial, out->id);
	memcpy(out->home_id, me.id, sizeof(out->home_id));
	out->sex = me.sex;
	out->birth = me.birth;
	out->foreign = true;
	snprintf(out->nationality, sizeof(out->nationality), "%s",
		 home->code == POPULATION_UA ? "UKR" : "POL");
	/* Names as the host writes them: a Ukrainian's from the passport's Latin
	 * (the 2010 table), a Pole's in Polish letters as at home; no patronymic. */
	if (home->code == POPULATION_UA) {
		if (population_latin_uk(me.family_name, out->family_name,
					sizeof(out->family_name)) == (size_t)-1)
			snprintf(out->family_name, sizeof(out->family_name), "%s",
				 me.family_name_latin);
		if (population_latin_uk(me.given_name, out->given_name, sizeof(out->given_name)) ==
		    (size_t)-1)
			snprintf(out->given_name, sizeof(out->given_name), "%s",
				 me.given_name_latin);
	} else {
		memcpy(out->family_name, me.family_name, sizeof(out->family_name));
		memcpy(out->given_name, me.given_name, sizeof(out->given_name));
	}
	memcpy(out->family_name_latin, me.family_name_latin, sizeof(out->family_name_latin));
	memcpy(out->given_name_latin, me.given_name_latin, sizeof(out->given_name_latin));
	/* an address in host, from host's tables and the resident's own stream */
	population_rng_init(&rng, host->key, out->index, STREAM_PERSON);
	population_make_address(host, &rng, out);
	memcpy(out->birth_place, me.birth_place, sizeof(out->birth_place));
	return true;
}
