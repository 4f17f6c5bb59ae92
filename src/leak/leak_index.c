/*
 * leak_index.c — the keyed-hash index of the registries (leak_index.h).
 *
 * People and documents live in dense arrays, in the order they were added, so
 * a document's reference to its holder (an array position) survives the
 * growth of the hash tables over them: each table is open addressing of 32-bit
 * positions, linear probing, rebuilt at twice the size when it passes
 * LEAK_INDEX_LOAD_PERCENT. On disk only the arrays are kept; the tables are
 * built again when the file is read (about a second for ten million people),
 * which keeps the file format a plain header and two arrays.
 */
#include "leak/leak_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/error.h"
#include "core/siphash.h"

#define STAGE       "leak"
#define EMPTY       UINT64_MAX
#define FILE_FORMAT 2u

/*
 * The people's table: slots of (high 32 bits of the tag << 32 | position in
 * the dense array), so a probe compares the tag's half in the slot itself and
 * touches the person only on a likely match — one cache miss per lookup
 * instead of one per probe. The documents' table holds the documents
 * themselves (nothing refers to a document's place, so they move freely when
 * it grows). Both are sized count / load (not a power of two: at ten million
 * people that would waste a quarter of a gigabyte) and placed by the tag's low
 * 32 bits scaled to the size (Lemire's multiply-shift).
 */
struct leak_index {
	uint8_t hash_key[SIPHASH_KEY_LEN];
	uint8_t check[16]; /* proves a file was built with the same index.key */
	struct leak_person *people;
	size_t people_count, people_cap;
	uint64_t *people_table;
	size_t people_table_size;
	struct leak_document *documents; /* the table: tag 0 is a free slot */
	size_t documents_count, documents_size;
};

static size_t table_size_for(size_t count)
{
	size_t size = count * 100 / LEAK_INDEX_LOAD_PERCENT + 1024;

	return size;
}

static size_t home_of(uint64_t tag, size_t size)
{
	return (size_t)(((tag & 0xffffffffu) * (uint64_t)size) >> 32);
}

static size_t probe_people(const struct leak_index *x, uint64_t tag)
{
	size_t size = x->people_table_size, at = home_of(tag, size);
	uint64_t half = tag >> 32;

	for (;;) {
		uint64_t slot = x->people_table[at];

		if (slot == EMPTY || ((slot >> 32) == half && x->people[(uint32_t)slot].tag == tag))
			return at;
		if (++at == size)
			at = 0;
	}
}

/* Every person into the table as it is (sized for them already). */
static void people_table_fill(struct leak_index *x)
{
	memset(x->people_table, 0xff, x->people_table_size * sizeof(*x->people_table));
	for (size_t i = 0; i < x->people_count; i++)
		x->people_table[probe_people(x, x->people[i].tag)] =
		    (x->people[i].tag >> 32) << 32 | i;
}

static hr_status people_table_new(struct leak_index *x, size_t count)
{
	size_t size = table_size_for(count);
	uint64_t *table = malloc(size * sizeof(*table));

	if (table == NULL)
		return HR_E_NOMEM;
	free(x->people_table);
	x->people_table = table;
	x->people_table_size = size;
	people_table_fill(x);
	return HR_OK;
}

/* A free slot for doc (documents may share a tag: two registries can hold
 * the same number; both are kept, the first is found). */
static void documents_put(struct leak_document *table, size_t size, const struct leak_document *doc)
{
	size_t at = home_of(doc->tag, size);

	while (table[at].tag != 0)
		if (++at == size)
			at = 0;
	table[at] = *doc;
}

static hr_status documents_table_new(struct leak_index *x, size_t count)
{
	size_t size = table_size_for(count);
	struct leak_document *table = calloc(size, sizeof(*table));

	if (table == NULL)
		return HR_E_NOMEM;
	for (size_t i = 0; i < x->documents_size; i++)
		if (x->documents[i].tag != 0)
			documents_put(table, size, &x->documents[i]);
	free(x->documents);
	x->documents = table;
	x->documents_size = size;
	return HR_OK;
}

static hr_status derive(struct leak_index *x, const uint8_t key[SECRET_LEN])
{
	uint8_t mac[32];

	if (secret_hmac(key, "leak-index siphash", 18, mac) != HR_OK)
		return HR_E_CRYPTO;
	memcpy(x->hash_key, mac, sizeof(x->hash_key));
	if (secret_hmac(key, "leak-index check", 16, mac) != HR_OK)
		return HR_E_CRYPTO;
	memcpy(x->check, mac, sizeof(x->check));
	OPENSSL_cleanse(mac, sizeof(mac));
	return HR_OK;
}

hr_status leak_index_new(const uint8_t key[SECRET_LEN], size_t people, size_t documents,
			 struct leak_index **out, struct hr_error *err)
{
	struct leak_index *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (x == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (derive(x, key) != HR_OK) {
		free(x);
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot derive the index's keys");
	}
	x->people_cap = people > 1024 ? people : 1024;
	x->people = malloc(x->people_cap * sizeof(*x->people));
	if (x->people == NULL || people_table_new(x, x->people_cap) != HR_OK ||
	    documents_table_new(x, documents) != HR_OK) {
		leak_index_free(x);
		return hr_error_set(err, HR_E_NOMEM, STAGE,
				    "out of memory for an index of %zu people", people);
	}
	*out = x;
	return HR_OK;
}

void leak_index_free(struct leak_index *x)
{
	if (x == NULL)
		return;
	OPENSSL_cleanse(x->hash_key, sizeof(x->hash_key));
	free(x->people);
	free(x->people_table);
	free(x->documents);
	free(x);
}

uint64_t leak_index_tag(const struct leak_index *x, const char *identifier, size_t len)
{
	uint64_t h;

	siphash_64(x->hash_key, identifier, len, &h);
	return h != 0 ? h : 1;
}

uint32_t leak_index_value(const struct leak_index *x, char field, const char *value, size_t len)
{
	uint8_t text[512];
	uint64_t h;

	/* the field's letter first: an address and a name never share a hash */
	if (len > sizeof(text) - 1)
		len = sizeof(text) - 1;
	text[0] = (uint8_t)field;
	memcpy(text + 1, value, len);
	siphash_64(x->hash_key, text, len + 1, &h);
	return (uint32_t)h != 0 ? (uint32_t)h : 1;
}

struct leak_person *leak_index_person_at(struct leak_index *x, uint64_t tag, uint32_t *slot)
{
	size_t at = probe_people(x, tag);

	if (x->people_table[at] == EMPTY) {
		if (x->people_count >= UINT32_MAX - 1)
			return NULL;
		if (x->people_count == x->people_cap) {
			size_t cap = x->people_cap + x->people_cap / 2;
			void *grown = realloc(x->people, cap * sizeof(*x->people));

			if (grown == NULL)
				return NULL;
			x->people = grown;
			x->people_cap = cap;
		}
		if ((x->people_count + 1) * 100 > x->people_table_size * LEAK_INDEX_LOAD_PERCENT) {
			if (people_table_new(x, (x->people_count + 1) * 2) != HR_OK)
				return NULL;
			at = probe_people(x, tag);
		}
		memset(&x->people[x->people_count], 0, sizeof(*x->people));
		x->people[x->people_count].tag = tag;
		x->people_table[at] = (tag >> 32) << 32 | x->people_count++;
	}
	*slot = (uint32_t)x->people_table[at];
	return &x->people[*slot];
}

hr_status leak_index_add_document(struct leak_index *x, const struct leak_document *doc,
				  struct hr_error *err)
{
	if ((x->documents_count + 1) * 100 > x->documents_size * LEAK_INDEX_LOAD_PERCENT &&
	    documents_table_new(x, (x->documents_count + 1) * 2) != HR_OK)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for documents");
	documents_put(x->documents, x->documents_size, doc);
	x->documents_count++;
	return HR_OK;
}

const struct leak_person *leak_index_find_person(const struct leak_index *x, uint64_t tag)
{
	uint64_t slot = x->people_table[probe_people(x, tag)];

	return slot == EMPTY ? NULL : &x->people[(uint32_t)slot];
}

const struct leak_document *leak_index_find_document(const struct leak_index *x, uint64_t tag)
{
	size_t size = x->documents_size, at = home_of(tag, size);

	while (x->documents[at].tag != 0) {
		if (x->documents[at].tag == tag)
			return &x->documents[at];
		if (++at == size)
			at = 0;
	}
	return NULL;
}

const struct leak_person *leak_index_person(const struct leak_index *x, uint32_t slot)
{
	return slot < x->people_count ? &x->people[slot] : NULL;
}

uint32_t leak_index_slot_of(const struct leak_index *x, const struct leak_person *person)
{
	return (uint32_t)(person - x->people);
}

size_t leak_index_person_slots(const struct leak_index *x)
{
	return x->people_count;
}

size_t leak_index_people(const struct leak_index *x)
{
	return x->people_count;
}

size_t leak_index_documents(const struct leak_index *x)
{
	return x->documents_count;
}

size_t leak_index_bytes(const struct leak_index *x)
{
	return x->people_cap * sizeof(*x->people) +
	       x->people_table_size * sizeof(*x->people_table) +
	       x->documents_size * sizeof(*x->documents);
}

/* ---- the file ---- */

struct file_header {
	char magic[8];
	uint32_t format;
	uint32_t stamp_len;
	uint8_t check[16];
	uint64_t people, documents;
};

hr_status leak_index_save(const struct leak_index *x, const char *path, const char *stamp,
			  struct hr_error *err)
{
	struct file_header h = {0};
	char tmp[4096];
	FILE *f;
	int fd;
	bool ok;

	memcpy(h.magic, LEAK_INDEX_MAGIC, sizeof(h.magic));
	h.format = FILE_FORMAT;
	h.stamp_len = (uint32_t)strlen(stamp);
	memcpy(h.check, x->check, sizeof(h.check));
	h.people = x->people_count;
	h.documents = x->documents_count;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return hr_error_set(err, HR_E_INVALID, STAGE, "index path too long");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    (f = fdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", tmp,
				    strerror(errno));
	}
	ok = fwrite(&h, sizeof(h), 1, f) == 1 && fwrite(stamp, 1, h.stamp_len, f) == h.stamp_len &&
	     fwrite(x->people, sizeof(*x->people), x->people_count, f) == x->people_count;
	/* the documents in table order, without the free slots */
	for (size_t i = 0; ok && i < x->documents_size; i++)
		if (x->documents[i].tag != 0)
			ok = fwrite(&x->documents[i], sizeof(x->documents[i]), 1, f) == 1;
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", path,
				    strerror(errno));
	}
	return HR_OK;
}

hr_status leak_index_load(const uint8_t key[SECRET_LEN], const char *path, const char *stamp,
			  struct leak_index **out, struct hr_error *err)
{
	struct leak_index *x = NULL;
	struct file_header h;
	char *have = NULL;
	hr_status rc = HR_E_NOT_FOUND;
	FILE *f = fopen(path, "rb");

	*out = NULL;
	if (f == NULL)
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE, "no index at %s", path);
	if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, LEAK_INDEX_MAGIC, 8) != 0 ||
	    h.format != FILE_FORMAT || h.stamp_len != strlen(stamp) || h.people >= UINT32_MAX ||
	    h.documents >= UINT32_MAX) {
		hr_error_set(err, rc, STAGE, "%s is another format or other registries", path);
		goto done;
	}
	if ((have = malloc(h.stamp_len + 1u)) == NULL ||
	    fread(have, 1, h.stamp_len, f) != h.stamp_len ||
	    memcmp(have, stamp, h.stamp_len) != 0) {
		hr_error_set(err, rc, STAGE, "%s was built from other registries", path);
		goto done;
	}
	if ((rc = leak_index_new(key, (size_t)h.people, (size_t)h.documents, &x, err)) != HR_OK)
		goto done;
	if (CRYPTO_memcmp(h.check, x->check, sizeof(h.check)) != 0) {
		rc =
		    hr_error_set(err, HR_E_NOT_FOUND, STAGE, "%s was built with another key", path);
		goto done;
	}
	rc = HR_E_NOT_FOUND;
	if (fread(x->people, sizeof(*x->people), (size_t)h.people, f) != h.people) {
		hr_error_set(err, rc, STAGE, "%s is cut short", path);
		goto done;
	}
	x->people_count = (size_t)h.people;
	/* leak_index_new sized the table for them: filled in place, no second
	 * table at the peak of memory */
	people_table_fill(x);
	for (uint64_t i = 0; i < h.documents; i++) {
		struct leak_document d;

		if (fread(&d, sizeof(d), 1, f) != 1 || d.tag == 0 || d.person >= x->people_count) {
			hr_error_set(err, rc, STAGE, "%s is cut short or damaged", path);
			goto done;
		}
		documents_put(x->documents, x->documents_size, &d);
		x->documents_count++;
	}
	*out = x;
	x = NULL;
	rc = HR_OK;
done:
	leak_index_free(x);
	free(have);
	fclose(f);
	return rc;
}

/* ---- days and addresses ---- */

static int digits(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static long days_from_civil(int y, int m, int d)
{
	/* H. Hinnant's algorithm, days since 1970-01-01 */
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (long)era * 146097 + doe - 719468;
}

#define DAYS_1900 (-25567L) /* 1900-01-01, days since 1970 */

uint16_t leak_day_parse(const char *t, size_t len)
{
	int y, m, d;
	long days;
	static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	while (len > 0 && (*t == ' ' || *t == '"'))
		t++, len--;
	for (size_t i = 0; i < len; i++)
		if (t[i] == 'T' || t[i] == ' ') {
			len = i;
			break;
		}
	if (len == 10 && t[4] == '-' && t[7] == '-') {
		y = digits(t, 4), m = digits(t + 5, 2), d = digits(t + 8, 2);
	} else if (len == 10 && (t[2] == '.' || t[2] == '/') && t[5] == t[2]) {
		d = digits(t, 2), m = digits(t + 3, 2), y = digits(t + 6, 4);
	} else if (len == 8) {
		y = digits(t, 4), m = digits(t + 4, 2), d = digits(t + 6, 2);
	} else {
		return 0;
	}
	if (y < 1900 || y > 2079 || m < 1 || m > 12 || d < 1 || d > month_days[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return 0;
	days = days_from_civil(y, m, d) - DAYS_1900;
	return days > 0 && days < 65536 ? (uint16_t)days : 0;
}

void leak_day_format(uint16_t day, char out[11])
{
	long z = (long)day + DAYS_1900 + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;
	long y = yoe + era * 400 + (m <= 2);

	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y % 10000), (unsigned)(m % 13),
		 (unsigned)(d % 32));
}

size_t leak_address_key(const char *text, size_t len, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];

		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			if (((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) && n + 1 < size)
				out[n++] = (char)c;
			i++;
		} else if ((c & 0xe0) == 0xc0 && i + 1 < len) {
			unsigned cp = ((c & 0x1fu) << 6) | (s[i + 1] & 0x3fu);

			/* Cyrillic capitals to small letters: А-Я, Ѐ-Џ (Є І Ї), Ґ */
			if (cp >= 0x410 && cp <= 0x42f)
				cp += 0x20;
			else if (cp >= 0x400 && cp <= 0x40f)
				cp += 0x50;
			else if (cp == 0x490)
				cp = 0x491;
			/* Latin capitals with diacritics (Polish Ł Ó Ś Ż ...) */
			else if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7))
				cp += 0x20;
			else if (cp >= 0x100 && cp <= 0x17f &&
				 ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)
				      ? cp % 2 == 1
				      : cp % 2 == 0))
				cp += 1;
			/* other letters (Polish ł, ą, ...) are kept as they are */
			if (cp >= 0xc0 && n + 2 < size) {
				out[n++] = (char)(0xc0 | (cp >> 6));
				out[n++] = (char)(0x80 | (cp & 0x3f));
			}
			i += 2;
		} else {
			i++;
		}
	}
	out[n] = '\0';
	return n;
}
