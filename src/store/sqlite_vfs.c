/* sqlite_vfs: the platform's default VFS, except that the main database file
 * is read through one read-only shared mapping per file and process.
 *
 * Why: SQLite's own memory mapping is capped at 2 GiB by the Debian build
 * (SQLITE_MAX_MMAP_SIZE) and each connection unmaps and maps again whenever
 * another one committed; past 2 GiB every page is a pread() system call. A page
 * of the journal then costs ~28 of them, which dominates a read on a VM.
 *
 * How: the mapping reserves PARCOURS_VFS_RESERVE bytes of address space once;
 * xFetch hands SQLite pointers into it and xRead copies from it, but only below
 * the file size last seen (fstat), refreshed when SQLite says the database
 * changed (xUnfetch with no page) or asks beyond it. Everything else, writes,
 * locks, the WAL and its shared memory, goes to the wrapped file unchanged.
 * The same guarantees as SQLite's own mmap: a checkpoint never truncates pages
 * a reader's snapshot may still use; a file truncated behind SQLite's back (an
 * external VACUUM while serving) would fault.
 *
 * The mapping's descriptor stays open until the last connection to the file
 * closes: closing a descriptor drops every POSIX lock the process holds on the
 * file, including those SQLite holds through its own descriptors. */
#include "store/sqlite_vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define VFS_NAME "parcours-mmap"

/* One per database file in the process, shared by its connections. */
typedef struct mapping {
    char *path;
    int fd;
    unsigned char *base;
    int64_t reserved;     /* bytes of address space mapped */
    _Atomic int64_t size; /* file size last seen: the readable part */
    int users;            /* open files using it; under registry_mu */
    struct mapping *next;
} mapping;

typedef struct mapped_file {
    sqlite3_file base;  /* our methods */
    sqlite3_file *real; /* the wrapped file, allocated right after this struct */
    mapping *map;       /* NULL: not the main database, or mapping failed */
    bool stale;         /* the database changed since `size` was read here */
    /* WAL file: appends gathered in memory until the commit frame is written */
    bool is_wal;
    bool commit_frame;      /* the last write was the header of a commit frame */
    unsigned char *pending; /* WAL_BUFFER bytes, allocated on first use */
    size_t npending;
    sqlite3_int64 pending_at; /* file offset of pending[0] */
} mapped_file;

/* Appends to a WAL are gathered up to this size, then written at once: below
 * 128 KiB, the most the unix VFS writes in one call (it never needs more). */
#define WAL_BUFFER (120 * 1024)
/* SQLite writes each WAL frame as a 24-byte header, then the page. */
#define WAL_FRAME_HEADER 24

static sqlite3_vfs vfs;
static sqlite3_vfs *parent;
static sqlite3_io_methods methods_v3;
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static mapping *registry;

static int64_t file_size(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (int64_t)st.st_size : -1;
}

static void *prefault(void *arg);

static mapping *mapping_acquire(const char *path)
{
    pthread_mutex_lock(&registry_mu);
    mapping *m = registry;
    while (m && strcmp(m->path, path) != 0)
        m = m->next;
    if (m) {
        m->users++;
        pthread_mutex_unlock(&registry_mu);
        return m;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pthread_mutex_unlock(&registry_mu);
        return NULL;
    }
    int64_t size = file_size(fd);
    const char *env = getenv("PARCOURS_VFS_RESERVE_GB");
    int64_t gb = env ? strtoll(env, NULL, 10) : 256;
    /* try smaller reservations where address space is limited (ulimit -v) */
    void *base = MAP_FAILED;
    int64_t reserved = 0;
    for (; gb >= 1 && base == MAP_FAILED; gb /= 4) {
        reserved = gb << 30;
        base = mmap(NULL, (size_t)reserved, PROT_READ, MAP_SHARED | MAP_NORESERVE, fd, 0);
    }
    if (base == MAP_FAILED || size < 0) {
        if (base != MAP_FAILED)
            munmap(base, (size_t)reserved);
        /* nobody else has this file open through us yet: no lock to lose */
        close(fd);
        pthread_mutex_unlock(&registry_mu);
        return NULL;
    }
    m = calloc(1, sizeof *m);
    char *copy = strdup(path);
    if (!m || !copy) {
        free(m);
        free(copy);
        munmap(base, (size_t)reserved);
        close(fd);
        pthread_mutex_unlock(&registry_mu);
        return NULL;
    }
    m->path = copy;
    m->fd = fd;
    m->base = base;
    m->reserved = reserved;
    m->size = size;
    m->users = 2; /* the caller, and prefault() until it is done */
    m->next = registry;
    registry = m;
    pthread_t t;
    pthread_attr_t attr;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&t, &attr, prefault, m) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started)
        m->users = 1;
    pthread_mutex_unlock(&registry_mu);
    return m;
}

static void mapping_release(mapping *m)
{
    pthread_mutex_lock(&registry_mu);
    if (--m->users == 0) {
        mapping **p = &registry;
        while (*p != m)
            p = &(*p)->next;
        *p = m->next;
        munmap(m->base, (size_t)m->reserved);
        close(m->fd);
        free(m->path);
        free(m);
    }
    pthread_mutex_unlock(&registry_mu);
}

/* Maps, in the background, the pages of the file the kernel already caches:
 * otherwise the first read of each page in this process takes a page fault
 * (a 10M-note database read at random: ~6% of the CPU of a read, and the
 * faults go on for as long as pages remain unmapped; populating the 9.6 GB
 * file took 0.33 s). Pages not in the cache are left alone: no disk reads,
 * whatever the file's size. A kernel without MADV_POPULATE_READ (before 5.14)
 * just keeps faulting. */
static void *prefault(void *arg)
{
    mapping *m = arg;
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), chunk = (size_t)1 << 30;
    size_t size = (size_t)m->size;
    if ((int64_t)size > m->reserved)
        size = (size_t)m->reserved;
    unsigned char *vec = malloc(chunk / page);
    for (size_t off = 0; vec && off < size; off += chunk) {
        size_t len = size - off < chunk ? size - off : chunk, npages = (len + page - 1) / page;
        if (mincore(m->base + off, len, vec) != 0)
            break;
        for (size_t i = 0; i < npages;) {
            size_t j = i;
            while (j < npages && (vec[j] & 1))
                j++;
            if (j > i &&
                madvise(m->base + off + i * page, (j - i) * page, MADV_POPULATE_READ) != 0 &&
                errno == EINVAL)
                goto out;
            i = j + 1;
        }
    }
out:
    free(vec);
    mapping_release(m);
    return NULL;
}

/* The readable length, refreshed if the database changed since last seen. */
static int64_t readable(mapped_file *f, int64_t want_end)
{
    mapping *m = f->map;
    int64_t size = m->size;
    if (f->stale || want_end > size) {
        int64_t now = file_size(m->fd);
        if (now >= 0)
            m->size = size = now;
        f->stale = false;
    }
    return size < m->reserved ? size : m->reserved;
}

/* ---- WAL appends -----------------------------------------------------------
 * SQLite writes a transaction's WAL frames with two pwrite() calls each (header,
 * page): ~30 system calls for a note and its audit event, as many for a group of
 * audit events. They are gathered here and written with one call when the commit
 * frame's page arrives, and its error is that write's error, so SQLite sees a
 * failed commit exactly as before. Nothing is published before that: SQLite
 * updates the WAL index (which tells other connections about new frames) only
 * after its writes returned. Any other call on the file (read, sync, truncate,
 * size...) and any write that does not extend the gathered bytes write them first. */
static int wal_flush(mapped_file *f)
{
    if (!f->npending)
        return SQLITE_OK;
    size_t n = f->npending;
    f->npending = 0;
    return f->real->pMethods->xWrite(f->real, f->pending, (int)n, f->pending_at);
}

static int wal_write(mapped_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    /* a commit frame's header carries the database size after the commit
     * (bytes 4-7, big-endian); other frames carry 0 */
    const unsigned char *h = buf;
    bool commit_header = amt == WAL_FRAME_HEADER && (h[4] | h[5] | h[6] | h[7]) != 0;
    bool commit_page = f->commit_frame && amt != WAL_FRAME_HEADER;
    f->commit_frame = commit_header;
    bool extends = f->npending && off == f->pending_at + (sqlite3_int64)f->npending;
    if (!extends || f->npending + (size_t)amt > WAL_BUFFER) {
        int rc = wal_flush(f);
        if (rc != SQLITE_OK)
            return rc;
    }
    if (!f->pending)
        f->pending = malloc(WAL_BUFFER);
    if (!f->pending || (size_t)amt > WAL_BUFFER)
        return f->real->pMethods->xWrite(f->real, buf, amt, off);
    if (!f->npending)
        f->pending_at = off;
    memcpy(f->pending + f->npending, buf, (size_t)amt);
    f->npending += (size_t)amt;
    return commit_page ? wal_flush(f) : SQLITE_OK;
}

/* Writes what is gathered before any other use of a WAL file. */
#define FLUSHED(f)                                                                                 \
    do {                                                                                           \
        if ((f)->npending) {                                                                       \
            int flush_rc = wal_flush(f);                                                           \
            if (flush_rc != SQLITE_OK)                                                             \
                return flush_rc;                                                                   \
        }                                                                                          \
    } while (0)

static int mf_close(sqlite3_file *file)
{
    mapped_file *f = (mapped_file *)file;
    if (f->is_wal) {
        wal_flush(f); /* only frames of no committed transaction can be left */
        free(f->pending);
        f->pending = NULL;
    }
    int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    if (f->map)
        mapping_release(f->map);
    f->map = NULL;
    return rc;
}

static int mf_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
    mapped_file *f = (mapped_file *)file;
    if (f->map && off >= 0 && off + amt <= readable(f, off + amt)) {
        memcpy(buf, f->map->base + off, (size_t)amt);
        return SQLITE_OK;
    }
    FLUSHED(f);
    return f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int mf_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
    mapped_file *f = (mapped_file *)file;
    if (f->is_wal)
        return wal_write(f, buf, amt, off);
    return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

static int mf_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    mapped_file *f = (mapped_file *)file;
    FLUSHED(f);
    int rc = f->real->pMethods->xTruncate(f->real, size);
    if (f->map)
        f->stale = true;
    return rc;
}

static int mf_sync(sqlite3_file *file, int flags)
{
    mapped_file *f = (mapped_file *)file;
    FLUSHED(f);
    return f->real->pMethods->xSync(f->real, flags);
}

static int mf_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    mapped_file *f = (mapped_file *)file;
    FLUSHED(f);
    return f->real->pMethods->xFileSize(f->real, size);
}

static int mf_lock(sqlite3_file *file, int level)
{
    mapped_file *f = (mapped_file *)file;
    FLUSHED(f);
    return f->real->pMethods->xLock(f->real, level);
}

static int mf_unlock(sqlite3_file *file, int level)
{
    mapped_file *f = (mapped_file *)file;
    FLUSHED(f);
    return f->real->pMethods->xUnlock(f->real, level);
}

static int mf_check_reserved_lock(sqlite3_file *file, int *out)
{
    mapped_file *f = (mapped_file *)file;
    FLUSHED(f);
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int mf_file_control(sqlite3_file *file, int op, void *arg)
{
    mapped_file *f = (mapped_file *)file;
    /* the size limit is the wrapped file's business only if we do not map:
     * forwarded, it would make a second (capped) mapping of its own */
    if (op == SQLITE_FCNTL_MMAP_SIZE && f->map)
        return SQLITE_OK;
    FLUSHED(f);
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int mf_sector_size(sqlite3_file *file)
{
    mapped_file *f = (mapped_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int mf_device_characteristics(sqlite3_file *file)
{
    mapped_file *f = (mapped_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int mf_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **pp)
{
    mapped_file *f = (mapped_file *)file;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, pp);
}

static int mf_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    mapped_file *f = (mapped_file *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void mf_shm_barrier(sqlite3_file *file)
{
    mapped_file *f = (mapped_file *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int mf_shm_unmap(sqlite3_file *file, int delete_flag)
{
    mapped_file *f = (mapped_file *)file;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* A page SQLite may read in place, or *pp = NULL to make it call xRead. */
static int mf_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
    mapped_file *f = (mapped_file *)file;
    *pp = NULL;
    if (f->map && off >= 0 && off + amt <= readable(f, off + amt))
        *pp = f->map->base + off;
    return SQLITE_OK;
}

/* p == NULL: the database changed (another connection committed), its size
 * may have too. A page given back needs nothing: the mapping stays. */
static int mf_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
    (void)off;
    mapped_file *f = (mapped_file *)file;
    if (!p && f->map)
        f->stale = true;
    return SQLITE_OK;
}

static int mf_open(sqlite3_vfs *self, sqlite3_filename name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    (void)self;
    mapped_file *f = (mapped_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int rc = parent->xOpen(parent, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        /* SQLite calls xClose only if pMethods is set; the wrapped file was
         * not opened, so neither is ours */
        return rc;
    }
    if (!f->real->pMethods || f->real->pMethods->iVersion < 3) {
        if (f->real->pMethods)
            f->real->pMethods->xClose(f->real);
        return SQLITE_CANTOPEN;
    }
    if (name && (flags & SQLITE_OPEN_MAIN_DB))
        f->map = mapping_acquire(name);
    f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
    f->base.pMethods = &methods_v3;
    return SQLITE_OK;
}

static int mf_delete(sqlite3_vfs *self, const char *name, int sync_dir)
{
    (void)self;
    return parent->xDelete(parent, name, sync_dir);
}

static int mf_access(sqlite3_vfs *self, const char *name, int flags, int *out)
{
    (void)self;
    return parent->xAccess(parent, name, flags, out);
}

static int mf_full_pathname(sqlite3_vfs *self, const char *name, int n, char *out)
{
    (void)self;
    return parent->xFullPathname(parent, name, n, out);
}

static int mf_randomness(sqlite3_vfs *self, int n, char *out)
{
    (void)self;
    return parent->xRandomness(parent, n, out);
}

static int mf_sleep(sqlite3_vfs *self, int us)
{
    (void)self;
    return parent->xSleep(parent, us);
}

static int mf_current_time(sqlite3_vfs *self, double *out)
{
    (void)self;
    return parent->xCurrentTime(parent, out);
}

static int mf_get_last_error(sqlite3_vfs *self, int n, char *out)
{
    (void)self;
    return parent->xGetLastError(parent, n, out);
}

static int mf_current_time_int64(sqlite3_vfs *self, sqlite3_int64 *out)
{
    (void)self;
    return parent->xCurrentTimeInt64(parent, out);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool registered;

static void register_vfs(void)
{
    parent = sqlite3_vfs_find(NULL);
    if (!parent || parent->iVersion < 2)
        return;
    methods_v3 = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = mf_close,
        .xRead = mf_read,
        .xWrite = mf_write,
        .xTruncate = mf_truncate,
        .xSync = mf_sync,
        .xFileSize = mf_file_size,
        .xLock = mf_lock,
        .xUnlock = mf_unlock,
        .xCheckReservedLock = mf_check_reserved_lock,
        .xFileControl = mf_file_control,
        .xSectorSize = mf_sector_size,
        .xDeviceCharacteristics = mf_device_characteristics,
        .xShmMap = mf_shm_map,
        .xShmLock = mf_shm_lock,
        .xShmBarrier = mf_shm_barrier,
        .xShmUnmap = mf_shm_unmap,
        .xFetch = mf_fetch,
        .xUnfetch = mf_unfetch,
    };
    vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(mapped_file) + parent->szOsFile,
        .mxPathname = parent->mxPathname,
        .zName = VFS_NAME,
        .xOpen = mf_open,
        .xDelete = mf_delete,
        .xAccess = mf_access,
        .xFullPathname = mf_full_pathname,
        .xDlOpen = parent->xDlOpen,
        .xDlError = parent->xDlError,
        .xDlSym = parent->xDlSym,
        .xDlClose = parent->xDlClose,
        .xRandomness = mf_randomness,
        .xSleep = mf_sleep,
        .xCurrentTime = mf_current_time,
        .xGetLastError = mf_get_last_error,
        .xCurrentTimeInt64 = mf_current_time_int64,
    };
    registered = sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
}

const char *sqlite_vfs_mapped(void)
{
    pthread_once(&once, register_vfs);
    return registered ? VFS_NAME : NULL;
}

int64_t sqlite_vfs_mapped_bytes(const char *path)
{
    int64_t n = -1;
    pthread_mutex_lock(&registry_mu);
    for (mapping *m = registry; m; m = m->next)
        if (strcmp(m->path, path) == 0)
            n = m->size < m->reserved ? m->size : m->reserved;
    pthread_mutex_unlock(&registry_mu);
    return n;
}
