#include "store/audit_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MAGIC[8] = {'P', 'C', 'A', 'U', 'D', 'S', 'P', '1'};
#define NULL_LEN 0xFFFFFFFFu
#define RECORD_HEAD 12 /* u32 length + u64 checksum */
#define MAX_BODY (1u << 24)

/* A checksum against torn writes, not a seal: the trail's chain is the seal. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    static const unsigned char key[crypto_shorthash_KEYBYTES] = {0};
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, p, n, key);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | out[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_field(buf *out, const char *s)
{
    unsigned char len[4];
    size_t n = s ? strlen(s) : 0;
    put_le(len, s ? (uint32_t)n : NULL_LEN, 4);
    buf_append(out, len, 4);
    if (s)
        buf_append(out, s, n);
}

void audit_spool_encode(buf *out, const audit_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        const audit_row *r = &rows[i];
        size_t start = out->len;
        unsigned char head[RECORD_HEAD] = {0}, ints[16];
        buf_append(out, head, RECORD_HEAD); /* filled in once the body is there */
        put_le(ints, (uint64_t)r->at, 8);
        put_le(ints + 8, (uint64_t)r->user_id, 8);
        buf_append(out, ints, sizeof ints);
        const char *fields[] = {r->user_login,  r->action,     r->object_type,
                                r->object_id,   r->patient_id, r->outcome,
                                r->client_addr, r->request_id, r->detail};
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
            put_field(out, fields[f]);
        if (out->overflow)
            return;
        unsigned char *rec = (unsigned char *)out->data + start;
        size_t body = out->len - start - RECORD_HEAD;
        put_le(rec, body, 4);
        put_le(rec + 4, checksum(rec + RECORD_HEAD, body), 8);
    }
}

size_t audit_spool_decode(arena *a, const void *data, size_t len, audit_row *row)
{
    const unsigned char *p = data;
    if (len < RECORD_HEAD)
        return 0;
    uint64_t body = get_le(p, 4);
    if (body < 16 || body > MAX_BODY || body > len - RECORD_HEAD ||
        get_le(p + 4, 8) != checksum(p + RECORD_HEAD, body))
        return 0;
    const unsigned char *b = p + RECORD_HEAD, *end = b + body;
    memset(row, 0, sizeof *row);
    row->at = (int64_t)get_le(b, 8);
    row->user_id = (int64_t)get_le(b + 8, 8);
    b += 16;
    const char **fields[] = {&row->user_login,  &row->action,     &row->object_type,
                             &row->object_id,   &row->patient_id, &row->outcome,
                             &row->client_addr, &row->request_id, &row->detail};
    for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
        if (end - b < 4)
            return 0;
        uint64_t n = get_le(b, 4);
        b += 4;
        if (n == NULL_LEN) {
            *fields[f] = NULL;
            continue;
        }
        if ((uint64_t)(end - b) < n)
            return 0;
        *fields[f] = arena_strndup(a, (const char *)b, (size_t)n);
        b += n;
    }
    return b == end ? RECORD_HEAD + (size_t)body : 0;
}

static bool write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool audit_spool_reset(audit_spool *s)
{
    unsigned char head[AUDIT_SPOOL_HEADER], gen[16];
    randombytes_buf(gen, sizeof gen);
    memcpy(head, MAGIC, sizeof MAGIC);
    memcpy(head + sizeof MAGIC, gen, sizeof gen);
    if (ftruncate(s->fd, 0) != 0 || !write_all(s->fd, head, sizeof head)) {
        s->size = -1; /* unknown: no further appends */
        return false;
    }
    sodium_bin2hex(s->generation, sizeof s->generation, gen, sizeof gen);
    s->size = AUDIT_SPOOL_HEADER;
    return true;
}

bool audit_spool_open(audit_spool *s, const char *path, bool *busy, char *err, size_t errsz)
{
    memset(s, 0, sizeof *s);
    *busy = false;
    s->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (s->fd < 0) {
        snprintf(err, errsz, "cannot open the audit spool %s: %s", path, strerror(errno));
        return false;
    }
    if (flock(s->fd, LOCK_EX | LOCK_NB) != 0) {
        *busy = errno == EWOULDBLOCK;
        snprintf(err, errsz, "the audit spool %s is %s", path,
                 *busy ? "in use by another process" : strerror(errno));
        close(s->fd);
        s->fd = -1;
        return false;
    }
    struct stat st;
    unsigned char head[AUDIT_SPOOL_HEADER];
    if (fstat(s->fd, &st) == 0 && st.st_size >= AUDIT_SPOOL_HEADER &&
        pread(s->fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
        memcmp(head, MAGIC, sizeof MAGIC) == 0) {
        sodium_bin2hex(s->generation, sizeof s->generation, head + sizeof MAGIC, 16);
        s->size = st.st_size;
        return true;
    }
    if (!audit_spool_reset(s)) {
        snprintf(err, errsz, "cannot initialise the audit spool %s: %s", path, strerror(errno));
        audit_spool_close(s);
        return false;
    }
    return true;
}

void audit_spool_close(audit_spool *s)
{
    if (s->fd >= 0)
        close(s->fd); /* releases the lock */
    s->fd = -1;
}

int audit_spool_write(audit_spool *s, const void *data, size_t n)
{
    if (s->fd < 0 || s->size < 0)
        return 0;
    if (write_all(s->fd, data, n)) {
        s->size += (int64_t)n;
        return !s->sync || fdatasync(s->fd) == 0 ? 1 : -1;
    }
    /* a short write (disk full) must not leave half a record in front of
     * the next ones */
    if (ftruncate(s->fd, s->size) != 0)
        s->size = -1;
    return 0;
}

bool audit_spool_read(audit_spool *s, int64_t from, buf *out)
{
    buf_reset(out);
    if (s->fd < 0 || s->size < 0 || from > s->size)
        return false;
    char chunk[65536];
    for (int64_t off = from; off < s->size;) {
        size_t want =
            (size_t)(s->size - off) < sizeof chunk ? (size_t)(s->size - off) : sizeof chunk;
        ssize_t r = pread(s->fd, chunk, want, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || !buf_append(out, chunk, (size_t)r))
            return false;
        off += r;
    }
    return true;
}
