/* sqlite_vfs: SQLite's default VFS with the main database file read through one
 * shared memory mapping per file (no 2 GiB cap, no system call per page).
 * Internal to store/db_sqlite.c. */
#ifndef PARCOURS_STORE_SQLITE_VFS_H
#define PARCOURS_STORE_SQLITE_VFS_H

#include <stdint.h>

/* Registers the VFS once; returns its name for sqlite3_open_v2, or NULL if it
 * could not be registered (then the default VFS is used). */
const char *sqlite_vfs_mapped(void);

/* Bytes of the database file at `path` (SQLite's full pathname) currently
 * readable through the mapping, or -1 if the file is not mapped. For tests. */
int64_t sqlite_vfs_mapped_bytes(const char *path);

#endif
