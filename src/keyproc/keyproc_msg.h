/*
 * keyproc_msg.h — the messages between a network-facing process and its key
 * process (keyproc.h): fixed sizes per type, little-endian fields, every length
 * checked before use.
 *
 * One request, one reply, over a SOCK_SEQPACKET socket (message boundaries kept
 * by the kernel). A message whose size is not exactly its type's size, whose
 * magic or reserved bits are wrong, or whose length field overruns its payload
 * is malformed: the key process ends the conversation (keyproc.h says why).
 *
 *   request: magic u32 | type u16 | length u16 | handle u32 | reserved u32 | payload
 *     LOAD   payload 1024: an absolute path, NUL-padded (length = its bytes)
 *     SIGN   payload 64:   a digest of 32, 48 or 64 bytes, zero-padded
 *     CLOSE  no payload
 *     LOAD_SECRET payload 1024: an absolute path of a 32-byte HMAC key
 *     HMAC   payload 4096: the data to MAC (length = its bytes)
 *   reply:   magic u32 | type u16 | length u16 | handle u32 | status i32 | payload
 *     LOAD   payload 8 + 1024: COSE algorithm i64, SubjectPublicKeyInfo DER
 *     SIGN   payload 512: the signature (raw r||s for ECDSA)
 *     CLOSE  no payload
 *     LOAD_SECRET no payload (the handle)
 *     HMAC   payload 32:   HMAC-SHA-256
 *
 * Never: a private or HMAC key, or anything but a digest to sign, crosses
 * this socket.
 */
#ifndef HROMADA_KEYPROC_MSG_H
#define HROMADA_KEYPROC_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define KEYPROC_MAGIC      0x31504b48u /* "HKP1" */
#define KEYPROC_HEADER_LEN 16
#define KEYPROC_PATH_MAX   1024
#define KEYPROC_DIGEST_MAX 64
#define KEYPROC_PUBLIC_MAX 1024
#define KEYPROC_SIG_MAX    512
#define KEYPROC_DATA_MAX   4096 /* SECRET_KEY_DATA_MAX */
#define KEYPROC_MAC_LEN    32
#define KEYPROC_WIRE_MAX   (KEYPROC_HEADER_LEN + KEYPROC_DATA_MAX)

enum keyproc_type {
	KEYPROC_LOAD = 1,
	KEYPROC_SIGN = 2,
	KEYPROC_CLOSE = 3,
	KEYPROC_LOAD_SECRET = 4,
	KEYPROC_HMAC = 5,
};

/* A reply's status: what the key process tells its peer. */
enum keyproc_status {
	KEYPROC_OK = 0,
	KEYPROC_NOT_FOUND = 1,    /* no such file, or no such handle */
	KEYPROC_BAD_KEY = 2,      /* not a private key we can use here */
	KEYPROC_FULL = 3,         /* every key slot is taken */
	KEYPROC_WRONG_DIGEST = 4, /* the digest's length is not the key's hash's */
	KEYPROC_RATE_LIMITED = 5, /* this key signed its allowance for now */
	KEYPROC_FAILED = 6,       /* the signature could not be made */
};

struct keyproc_request {
	uint16_t type;
	uint16_t length;
	uint32_t handle;
	uint8_t payload[KEYPROC_DATA_MAX + 1]; /* LOAD*: the path, NUL-terminated */
};

struct keyproc_reply {
	uint16_t type;
	uint16_t length;
	uint32_t handle;
	int32_t status;
	int64_t alg;                         /* LOAD */
	uint8_t payload[KEYPROC_PUBLIC_MAX]; /* LOAD: public key; SIGN: signature; HMAC */
};

/* The exact size of a request or reply of this type on the wire; 0 if unknown. */
size_t keyproc_request_size(unsigned type);
size_t keyproc_reply_size(unsigned type);

/* Writes r into wire (KEYPROC_WIRE_MAX bytes); returns the size to send, 0 when
 * r does not fit its type's limits. */
size_t keyproc_request_encode(const struct keyproc_request *r, uint8_t *wire);
size_t keyproc_reply_encode(const struct keyproc_reply *r, uint8_t *wire);

/* HR_E_INVALID for any malformed message, HR_OK with *out filled otherwise. A
 * reply must answer a request of expect_type. */
hr_status keyproc_request_decode(const uint8_t *wire, size_t size, struct keyproc_request *out);
hr_status keyproc_reply_decode(const uint8_t *wire, size_t size, unsigned expect_type,
			       struct keyproc_reply *out);

#endif
