/* checkpoint_key.h — the Ed25519 key pair bzld signs checkpoints with (docs/DURABILITY.md
 * "Checkpoints"): where it lives, created on first start (or first use), refused when others
 * could read it.
 *
 * The key file is the 64 bytes of libsodium's crypto_sign secret key (the 32-byte seed, then
 * the public key), nothing else. It lives outside the data directory, so a backup of the
 * ledger never carries it and an attacker who can only write data.mdb cannot sign. It never
 * leaves the process: the public key is served by the checkpoint request.
 */
#ifndef BZLD_CHECKPOINT_KEY_H
#define BZLD_CHECKPOINT_KEY_H

#include "bzld.h"

#define BZLD_CHECKPOINT_SK_BYTES 64u /* crypto_sign_SECRETKEYBYTES */

/* The key file's path: cfg->checkpoint_key, or DATA-keys/checkpoint.key (DATA without its
 * trailing slashes) when the configuration names none. Returns false when it does not fit. */
bool bzld_checkpoint_key_path(const bzld_config *cfg, char *buf, size_t cap);

/* Loads the key from path into sk, or creates it there when the file does not exist: its
 * directory (one level, mode 0700, when missing), then the file with O_EXCL, mode 0600, synced.
 * Refuses a symlink, anything but a regular file, a file not owned by this process's user,
 * one with any group or other permission bit, one of another size, one whose public half does
 * not follow from its seed, and a path inside data_dir. Returns BZL_OK, BZL_PERMISSION_DENIED
 * (owner, mode, symlink, inside the data directory), BZL_CORRUPT (size, halves), or
 * BZL_IO_ERROR, with why naming the file. */
bzl_status bzld_checkpoint_key_open(const char *path, const char *data_dir,
                                    uint8_t sk[BZLD_CHECKPOINT_SK_BYTES], char *why,
                                    size_t why_cap);

/* Puts the key in d->checkpoint_sk (setting d->checkpoint_key_loaded) through
 * bzld_checkpoint_key_open and logs its public half. At start (at_start), a default path whose
 * directory does not exist yet is left for the first checkpoint request to create, so a daemon
 * nobody asks for checkpoints leaves nothing beside its data directory; a configured path, or
 * an existing directory, is created or checked at once. Statuses as bzld_checkpoint_key_open,
 * with why. */
bzl_status bzld_checkpoint_key_load(bzld *d, bool at_start, char *why, size_t why_cap);

#endif
