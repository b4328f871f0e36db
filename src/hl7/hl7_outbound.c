#include "hl7/hl7_outbound.h"
#include "core/ins.h"
#include "core/patients.h"
#include "hl7/hl7_message.h"
#include "hl7/mllp.h"
#include "store/hl7_store.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OUR_APP "PARCOURS"
#define ACK_MAX (64 * 1024)

/* ---- building the message ---------------------------------------------------- */

/* "1979-03-28" -> "19790328" (partial dates keep their precision). */
static const char *hl7_date(arena *a, const char *iso)
{
    char *d = arena_alloc(a, 9);
    size_t j = 0;
    for (const char *p = iso; p && *p && j < 8; p++)
        if (*p != '-')
            d[j++] = *p;
    d[j] = '\0';
    return d;
}

static void comps(hl7_writer *w, int n)
{
    for (int i = 0; i < n; i++)
        hl7_w_comp(w, NULL);
}

static void fields(hl7_writer *w, int n)
{
    for (int i = 0; i < n; i++)
        hl7_w_field(w, NULL);
}

/* value^^^AUTHORITY[&OID&ISO]^TYPE, as a new field or a new repetition. */
static void write_cx(hl7_writer *w, bool first, const char *value, const char *authority,
                     const char *oid, const char *type)
{
    if (first)
        hl7_w_field(w, value);
    else
        hl7_w_rep(w, value);
    comps(w, 2);
    hl7_w_comp(w, authority);
    if (oid) {
        hl7_w_sub(w, oid);
        hl7_w_sub(w, "ISO");
    }
    hl7_w_comp(w, type);
}

static void write_msh(hl7_writer *w, const char *event, const char *control_id, const char *ts)
{
    hl7_w_segment(w, "MSH");
    hl7_w_field(w, OUR_APP); /* MSH-3 */
    hl7_w_field(w, OUR_APP);
    hl7_w_field(w, "S2RI");
    hl7_w_field(w, "S2RI");
    hl7_w_field(w, ts); /* MSH-7 */
    hl7_w_field(w, NULL);
    hl7_w_field(w, "ADT"); /* MSH-9 */
    hl7_w_comp(w, event);
    hl7_w_comp(w, "ADT_A05");
    hl7_w_field(w, control_id);
    hl7_w_field(w, "P");
    hl7_w_field(w, "2.5"); /* MSH-12 */
    hl7_w_comp(w, "FRA");
    hl7_w_comp(w, "2.11");
    fields(w, 2);
    hl7_w_field(w, "AL"); /* MSH-15: accept acknowledgement always */
    hl7_w_field(w, "NE"); /* MSH-16 */
    hl7_w_field(w, "FRA");
    hl7_w_field(w, "UNICODE UTF-8"); /* MSH-18 */
    hl7_w_field(w, "FR");
    hl7_w_field(w, NULL);
    hl7_w_field(w, "2.11"); /* MSH-21 */
    hl7_w_comp(w, "IHE_FRANCE-2.11-PAM");
}

/* ADT^A28/A31 (structure ADT_A05) of p, PAM FR 2.11. */
static bool build_adt(arena *a, buf *out, const patient *p, const patient_identifier *ids, int nids,
                      const char *event, const char *control_id, const char *ts)
{
    hl7_writer w;
    hl7_w_init(&w, out);
    write_msh(&w, event, control_id, ts);
    hl7_w_segment(&w, "EVN");
    hl7_w_field(&w, NULL);
    hl7_w_field(&w, ts);

    hl7_w_segment(&w, "PID");
    hl7_w_field(&w, "1");
    hl7_w_field(&w, NULL);
    char own[24];
    snprintf(own, sizeof own, "%lld", (long long)p->id);
    write_cx(&w, true, own, OUR_APP, NULL, "PI"); /* PID-3 */
    for (int i = 0; i < nids; i++)
        write_cx(&w, false, ids[i].value, ids[i].system, NULL, ids[i].type ? ids[i].type : "PI");
    ins_status st;
    if (p->ins_value && ins_status_parse(p->identity_status, &st) && ins_status_may_share_ins(st))
        write_cx(&w, false, p->ins_value, "ASIP-SANTE-INS-NIR", p->ins_oid, "INS");
    hl7_w_field(&w, NULL);
    hl7_w_field(&w, p->birth_family_name); /* PID-5: birth name (L), used name (D) */
    hl7_w_comp(&w, p->first_given_name);
    hl7_w_comp(&w, p->birth_given_names);
    comps(&w, 3);
    hl7_w_comp(&w, "L");
    if (p->used_family_name || p->used_given_name) {
        hl7_w_rep(&w, p->used_family_name);
        hl7_w_comp(&w, p->used_given_name);
        comps(&w, 4);
        hl7_w_comp(&w, "D");
    }
    hl7_w_field(&w, NULL);
    hl7_w_field(&w, hl7_date(a, p->birth_date)); /* PID-7 */
    hl7_w_field(&w, strcmp(p->sex, "I") == 0 ? "U" : p->sex);
    fields(&w, 2);
    hl7_w_field(&w, p->address_line); /* PID-11: address (H), birthplace (BDL) */
    hl7_w_comp(&w, NULL);
    hl7_w_comp(&w, p->city);
    hl7_w_comp(&w, NULL);
    hl7_w_comp(&w, p->postcode);
    hl7_w_comp(&w, p->country);
    hl7_w_comp(&w, "H");
    if (p->birthplace_code) {
        hl7_w_rep(&w, NULL);
        comps(&w, 4);
        hl7_w_comp(&w, p->birth_country);
        hl7_w_comp(&w, "BDL");
        hl7_w_comp(&w, NULL);
        hl7_w_comp(&w, p->birthplace_code);
    }
    hl7_w_field(&w, NULL);
    hl7_w_field(&w, p->phone); /* PID-13 */
    if (p->phone) {
        hl7_w_comp(&w, "PRN");
        hl7_w_comp(&w, "PH");
    }
    if (p->email) {
        if (p->phone)
            hl7_w_rep(&w, NULL);
        hl7_w_comp(&w, "NET");
        hl7_w_comp(&w, "Internet");
        hl7_w_comp(&w, p->email);
    }
    fields(&w, 18);                      /* PID-14 .. PID-31 */
    hl7_w_field(&w, p->identity_status); /* PID-32 */
    hl7_w_segment(&w, "PV1");
    hl7_w_field(&w, "1");
    hl7_w_field(&w, "N"); /* not applicable: an identity without a stay */
    return hl7_w_end(&w);
}

db_rc hl7_outbox_enqueue_patient(ctx *c, const patient *p, const char *event)
{
    if (!c->app->cfg.s2ri_addr || !c->who)
        return DB_OK;
    patient_identifier *ids = NULL;
    int nids = 0;
    core_error err = {0};
    if (patients_identifiers(c, p->id, &ids, &nids, &err) != CORE_OK)
        return DB_ERROR;
    /* the control id stays with the row: a retry is the same message */
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    char cid[20];
    cid[0] = 'P';
    cid[1] = 'C';
    sodium_bin2hex(cid + 2, sizeof cid - 2, rnd, sizeof rnd);
    char ts[15];
    hl7_timestamp(ts, (time_t)(c->now_ms / 1000));
    buf msg;
    buf_init(&msg, 256 * 1024);
    bool ok = build_adt(c->arena, &msg, p, ids, nids, event, cid, ts);
    hl7_outbox_row row = {.patient_id = p->id,
                          .event = event,
                          .control_id = cid,
                          .message = arena_strndup(c->arena, msg.data ? msg.data : "", msg.len),
                          .created_at = c->now_ms};
    buf_free(&msg);
    if (!ok)
        return DB_ERROR;
    return hl7_store_outbox_insert(ctx_db(c), c->arena, &row);
}

/* ---- the sender ---------------------------------------------------------------- */

struct hl7_outbound {
    app *app;
    char host[256], port[16];
    pthread_t thread;
    atomic_bool stop;
    int fd;
    mllp_decoder dec;
};

static void disconnect(hl7_outbound *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    mllp_decoder_reset(&o->dec);
}

/* Connects (blocking, bounded by a poll timeout); false with a reason. */
static bool connect_s2ri(hl7_outbound *o, char *why, size_t whysz)
{
    if (o->fd >= 0)
        return true;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(o->host, o->port, &hints, &res);
    if (gai != 0) {
        snprintf(why, whysz, "adresse %s:%s introuvable (%s)", o->host, o->port, gai_strerror(gai));
        return false;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int rc = fd < 0 ? -1 : connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc != 0 && fd >= 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (poll(&pfd, 1, 5000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
            soerr == 0)
            rc = 0;
        else
            errno = soerr ? soerr : ETIMEDOUT;
    }
    if (rc != 0) {
        snprintf(why, whysz, "connexion à %s:%s impossible (%s)", o->host, o->port,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    o->fd = fd;
    return true;
}

/* Sends one framed message and reads frames until the ACK of control_id (or
 * the timeout / a socket error). Returns the ACK text in *ack (malloc'd). */
static bool exchange(hl7_outbound *o, const char *msg, const char *control_id, char **ack,
                     char *why, size_t whysz)
{
    buf frame;
    buf_init(&frame, 0);
    mllp_wrap(&frame, msg, strlen(msg));
    size_t off = 0;
    int64_t deadline = time_now_ms() + (int64_t)o->app->cfg.s2ri_timeout_s * 1000;
    bool ok = false;
    while (off < frame.len && !atomic_load(&o->stop) && time_now_ms() < deadline) {
        ssize_t w = send(o->fd, frame.data + off, frame.len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pfd = {.fd = o->fd, .events = POLLOUT};
            poll(&pfd, 1, 200);
        } else {
            snprintf(why, whysz, "envoi interrompu (%s)", strerror(errno));
            goto out;
        }
    }
    while (!atomic_load(&o->stop) && time_now_ms() < deadline) {
        struct pollfd pfd = {.fd = o->fd, .events = POLLIN};
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        char data[4096];
        ssize_t r = recv(o->fd, data, sizeof data, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0) {
            snprintf(why, whysz, "connexion fermée par le serveur d'identités avant l'ACK");
            goto out;
        }
        size_t used_total = 0;
        while (used_total < (size_t)r) {
            size_t used;
            mllp_frame f;
            mllp_event ev =
                mllp_decode(&o->dec, data + used_total, (size_t)r - used_total, &used, &f);
            used_total += used;
            if (ev != MLLP_FRAME)
                continue;
            arena a;
            arena_init(&a, 0);
            hl7_message *m = NULL;
            hl7_error perr;
            bool ours = hl7_parse(&a, f.data, f.len, ACK_MAX, &m, &perr) == HL7_OK &&
                        strcmp(hl7_get(m, "MSA", 1, 2, 1, 1, 1), control_id) == 0;
            arena_free(&a);
            if (ours) {
                *ack = xstrdup(f.data);
                ok = true;
                goto out;
            }
        }
    }
    snprintf(why, whysz, "pas d'ACK dans le délai (%d s)", o->app->cfg.s2ri_timeout_s);
out:
    buf_free(&frame);
    return ok;
}

/* MSA-1 of an ACK (AA/CA accepted) and its reason when refused. */
static bool ack_accepted(const char *ack, char *why, size_t whysz)
{
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    hl7_error perr;
    bool accepted = false;
    if (hl7_parse(&a, ack, strlen(ack), ACK_MAX, &m, &perr) == HL7_OK) {
        const char *code = hl7_get(m, "MSA", 1, 1, 1, 1, 1);
        accepted = strcmp(code, "AA") == 0 || strcmp(code, "CA") == 0;
        const char *text = hl7_get(m, "ERR", 1, 8, 1, 1, 1);
        if (!*text)
            text = hl7_get(m, "MSA", 1, 3, 1, 1, 1);
        snprintf(why, whysz, "%s%s%s", code, *text ? " : " : "", text);
    } else {
        snprintf(why, whysz, "ACK illisible");
    }
    arena_free(&a);
    return accepted;
}

static int64_t backoff_ms(const hl7_outbound *o, int attempts)
{
    int64_t cap =
        (int64_t)(o->app->cfg.s2ri_retry_max_s > 0 ? o->app->cfg.s2ri_retry_max_s : 1) * 1000;
    int64_t d = 1000;
    for (int i = 1; i < attempts && d < cap; i++)
        d *= 2;
    return d < cap ? d : cap;
}

/* One step: claims the head, sends it, records the result. false when there
 * was nothing to do (the caller sleeps). */
static bool send_next(hl7_outbound *o)
{
    arena a;
    arena_init(&a, 0);
    hl7_outbox_row row;
    int64_t lease = (int64_t)(o->app->cfg.s2ri_timeout_s + 10) * 1000;
    db_conn *c = db_acquire(o->app->db);
    db_rc rc = hl7_store_outbox_claim(c, &a, time_now_ms(), lease, &row);
    db_release(o->app->db, c); /* never held while waiting on the socket */
    if (rc != DB_OK) {
        arena_free(&a);
        return false;
    }
    char why[512] = "";
    char *ack = NULL;
    bool answered = connect_s2ri(o, why, sizeof why) &&
                    exchange(o, row.message, row.control_id, &ack, why, sizeof why);
    row.attempts++;
    row.ack = ack;
    row.last_error = NULL;
    if (!answered) {
        disconnect(o);
        row.status = "pending";
        row.next_attempt_at = time_now_ms() + backoff_ms(o, row.attempts);
        row.last_error = why;
        log_warn("s2ri retry", "outbox=%lld attempts=%d reason=\"%s\"", (long long)row.id,
                 row.attempts, why);
    } else if (ack_accepted(ack, why, sizeof why)) {
        row.status = "sent";
        row.sent_at = time_now_ms();
    } else {
        row.status = "error"; /* refused: shown to administrators, the queue goes on */
        row.last_error = why;
        log_warn("s2ri refused", "outbox=%lld patient=%lld reason=\"%s\"", (long long)row.id,
                 (long long)row.patient_id, why);
    }
    if (atomic_load(&o->stop) && !answered) {
        /* stopping: not an attempt; the row is sent first at the next start */
        row.attempts--;
        row.next_attempt_at = time_now_ms();
        row.last_error = "arrêt du serveur pendant l'envoi";
    }
    c = db_acquire(o->app->db);
    if (hl7_store_outbox_result(c, &a, &row) != DB_OK)
        log_error("s2ri", "outbox=%lld result not recorded", (long long)row.id);
    db_release(o->app->db, c);
    free(ack);
    arena_free(&a);
    return true;
}

static void *sender_main(void *arg)
{
    hl7_outbound *o = arg;
    while (!atomic_load(&o->stop)) {
        if (!send_next(o))
            usleep(200 * 1000); /* nothing due: poll the queue again shortly */
    }
    disconnect(o);
    return NULL;
}

hl7_outbound *hl7_outbound_start(app *a, const char *addr, char *err, size_t errsz)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || (size_t)(colon - addr) >= 256 || strlen(colon + 1) == 0 ||
        strlen(colon + 1) >= 16 || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
        snprintf(err, errsz, "invalid S2RI address '%s' (expected HOST:PORT)", addr);
        return NULL;
    }
    hl7_outbound *o = xcalloc(1, sizeof *o);
    o->app = a;
    memcpy(o->host, addr, (size_t)(colon - addr));
    snprintf(o->port, sizeof o->port, "%s", colon + 1);
    o->fd = -1;
    mllp_decoder_init(&o->dec, ACK_MAX);
    pthread_create(&o->thread, NULL, sender_main, o);
    return o;
}

void hl7_outbound_stop(hl7_outbound *o)
{
    if (!o)
        return;
    atomic_store(&o->stop, true);
    pthread_join(o->thread, NULL);
    mllp_decoder_free(&o->dec);
    free(o);
}
