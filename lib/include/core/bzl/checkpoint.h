/* checkpoint.h — a signed head of the journal: the bytes the daemon signs and the small text
 * file people keep (docs/DURABILITY.md "Checkpoints"). Pure: no I/O, no cryptography — bzld
 * signs and bzl verifies with libsodium's Ed25519 over bzl_checkpoint_message's bytes.
 *
 * The signed message, 65 bytes (BZL_CHECKPOINT_MESSAGE_BYTES):
 *
 *   offset  bytes  field
 *   0       17     "bzl-checkpoint-v1" in ASCII, no NUL (a signature over anything else bzld
 *                  might one day sign can never pass for a checkpoint)
 *   17      8      seq u64 BE: the journal entry that was the head (0: an empty journal)
 *   25      32     hash: that entry's chain hash, BLAKE2b-256 (32 zero bytes for seq 0)
 *   57      8      time_ms i64 BE (two's complement): when the daemon signed, Unix ms
 *
 * The text file, six `key: value` lines in this order, each ending in "\n":
 *
 *   bzl-checkpoint: 1
 *   seq: 1234
 *   hash: <64 lowercase hex digits>
 *   time: 2026-12-06T10:00:00.123Z
 *   public-key: <64 lowercase hex digits, the Ed25519 public key that signed>
 *   signature: <128 lowercase hex digits, Ed25519 over the message above>
 *
 * The parser takes exactly that (a missing final newline is forgiven) and nothing else.
 */
#ifndef BZL_CHECKPOINT_H
#define BZL_CHECKPOINT_H

#include "bzl/base.h"

#define BZL_CHECKPOINT_MAGIC "bzl-checkpoint-v1"
#define BZL_CHECKPOINT_MAGIC_BYTES 17u
#define BZL_CHECKPOINT_HASH_BYTES 32u
#define BZL_CHECKPOINT_KEY_BYTES 32u /* crypto_sign_PUBLICKEYBYTES */
#define BZL_CHECKPOINT_SIG_BYTES 64u /* crypto_sign_BYTES */
#define BZL_CHECKPOINT_MESSAGE_BYTES (BZL_CHECKPOINT_MAGIC_BYTES + 8u + 32u + 8u)
/* The text file's largest size: six lines, the longest the signature's. */
#define BZL_CHECKPOINT_TEXT_BYTES 512u

static_assert(sizeof BZL_CHECKPOINT_MAGIC == BZL_CHECKPOINT_MAGIC_BYTES + 1, "magic length");

typedef struct bzl_checkpoint {
    uint64_t seq;
    uint8_t hash[BZL_CHECKPOINT_HASH_BYTES];
    int64_t time_ms;
    uint8_t public_key[BZL_CHECKPOINT_KEY_BYTES];
    uint8_t signature[BZL_CHECKPOINT_SIG_BYTES];
} bzl_checkpoint;

/* Writes the signed bytes of (seq, hash, time_ms) into out (the table above). */
void bzl_checkpoint_message(uint64_t seq, const uint8_t hash[BZL_CHECKPOINT_HASH_BYTES],
                            int64_t time_ms, uint8_t out[BZL_CHECKPOINT_MESSAGE_BYTES]);

/* Writes cp as the text file into buf (cap >= BZL_CHECKPOINT_TEXT_BYTES), NUL-terminated.
 * Returns the length without the NUL. */
size_t bzl_checkpoint_format(const bzl_checkpoint *cp, char *buf, size_t cap);

/* Parses the text file held in text[0..len) into *out (written only on success). Returns
 * BZL_OK, or BZL_MALFORMED with why ("line 3: hash is not 64 hex digits"). The signature is
 * not checked here. */
BZL_NODISCARD bzl_status bzl_checkpoint_parse(const char *text, size_t len, bzl_checkpoint *out,
                                              char *why, size_t why_cap);

/* Writes n bytes as 2n lowercase hex digits and a NUL (cap >= 2n + 1). */
void bzl_hex_format(const uint8_t *bytes, size_t n, char *out, size_t cap);
/* Reads exactly 2n hex digits (either case) of s[0..len) into out. False otherwise. */
bool bzl_hex_parse(const char *s, size_t len, uint8_t *out, size_t n);

#endif
