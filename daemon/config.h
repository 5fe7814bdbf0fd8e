/* config.h — bzld's configuration: embedded defaults, and the INI file given with --config.
 *
 * The file has three sections (deploy/bzld.conf documents every key):
 *   [daemon]  data, socket, socket_group, log_level, checkpoint_key
 *   [limits]  every configurable bound, each checked against its floor and ceiling in limits.h
 *   [access]  principals: admin/customs/reconciler = a list, enterprise.CODE = a list, and
 *             implicit_admin = yes|no
 * A list is comma-separated `uid:N`, `gid:N`, `user:NAME`, `group:NAME` (names are resolved
 * when the file is read). An unknown section or key, a malformed value or one out of bounds is
 * an error naming the file, the line and the key. Parsing never touches the daemon's state:
 * the caller swaps in what it got only when everything parsed.
 */
#ifndef BZLD_CONFIG_H
#define BZLD_CONFIG_H

#include "bzld.h"

/* Fills cfg with the embedded defaults: data and socket under ./bzl-data, limits.h defaults. */
void bzld_config_defaults(bzld_config *cfg);

/* Reads every section of path into cfg (keys present override what cfg holds) and the
 * [access] section into *access, which must be freshly initialised (bzld_access_table_init)
 * and is left holding the rules (deinit it either way). Returns BZL_OK, BZL_IO_ERROR when the
 * file cannot be read, BZL_INVALID_ARGUMENT with why = "FILE:LINE: key: reason". */
bzl_status bzld_config_load(const char *path, bzld_config *cfg, bzld_access_table *access,
                            char *why, size_t why_cap);

/* Reads only the [access] section of path into *access (freshly initialised); the other
 * sections are skipped unchecked. For a reload of the access table on its own (SIGHUP).
 * Statuses as bzld_config_load. */
bzl_status bzld_config_load_access(const char *path, bzld_access_table *access, char *why,
                                   size_t why_cap);

/* Checks the relations between values once every source (defaults, file, command line) has
 * been applied: per-uid connections within the total, the reply high-water mark holding one
 * full frame, the initial map within the maximum. BZL_OK or BZL_INVALID_ARGUMENT with why. */
bzl_status bzld_config_check(const bzld_config *cfg, char *why, size_t why_cap);

#endif
