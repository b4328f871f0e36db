#include "core/app.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < 0)
        return def;
    return n;
}

static const char *env_str(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

void app_config_defaults(app_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_url = env_str("PARCOURS_DB", "sqlite:var/parcours.db");
    cfg->http_addr = env_str("PARCOURS_HTTP", "127.0.0.1:8080");
    cfg->secret_file = env_str("PARCOURS_SECRET_FILE", "var/parcours.secret");
    cfg->web_root = env_str("PARCOURS_WEB_ROOT", "web");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = (int)env_long("PARCOURS_THREADS", cores > 0 ? cores : 2);
    cfg->http_max_conn = (int)env_long("PARCOURS_HTTP_MAX_CONN", 4096);
    cfg->max_body = (size_t)env_long("PARCOURS_MAX_BODY", 1024 * 1024);
    cfg->session_idle_ms = env_long("PARCOURS_SESSION_IDLE", 30 * 60) * 1000;
    cfg->session_max_ms = env_long("PARCOURS_SESSION_MAX", 12 * 3600) * 1000;
    cfg->login_max_failures = (int)env_long("PARCOURS_LOGIN_MAX_FAILURES", 5);
    cfg->login_max_failures_addr = (int)env_long("PARCOURS_LOGIN_MAX_FAILURES_ADDR", 20);
    cfg->login_window_ms = env_long("PARCOURS_LOGIN_WINDOW", 15 * 60) * 1000;
    cfg->secure_cookie = env_long("PARCOURS_SECURE_COOKIE", 0) == 1;
    cfg->break_glass_hours = (int)env_long("PARCOURS_BREAK_GLASS_HOURS", 24);
    cfg->audit_gather_us = env_long("PARCOURS_AUDIT_GATHER_US", 1000);
    cfg->audit_spool = env_str("PARCOURS_AUDIT_SPOOL", NULL);
    cfg->audit_spool_gather_us = env_long("PARCOURS_AUDIT_SPOOL_GATHER_US", 10000);
    cfg->max_attachment = (size_t)env_long("PARCOURS_MAX_ATTACHMENT", 5 * 1024 * 1024);
    cfg->mllp_addr = env_str("PARCOURS_MLLP", NULL);
    cfg->s2ri_addr = env_str("PARCOURS_S2RI", NULL);
    cfg->mllp_max_frame = (size_t)env_long("PARCOURS_MLLP_MAX_FRAME", 1024 * 1024);
    cfg->mllp_idle_s = (int)env_long("PARCOURS_MLLP_IDLE", 300);
    cfg->mllp_max_conn = (int)env_long("PARCOURS_MLLP_MAX_CONN", 64);
    cfg->rupture_days = (int)env_long("PARCOURS_RUPTURE_DAYS", 7);
    cfg->rupture_check_s = (int)env_long("PARCOURS_RUPTURE_CHECK", 300);
    cfg->s2ri_retry_max_s = (int)env_long("PARCOURS_S2RI_RETRY_MAX", 300);
    cfg->s2ri_timeout_s = (int)env_long("PARCOURS_S2RI_TIMEOUT", 30);
}

static bool parse_hex(const char *hex, size_t len, unsigned char *out, size_t outlen)
{
    size_t bin_len = 0;
    return sodium_hex2bin(out, outlen, hex, len, " \n", &bin_len, NULL) == 0 && bin_len == outlen;
}

bool app_load_secret(app *a, bool create, char *err, size_t errsz)
{
    const char *path = a->cfg.secret_file;
    char text[2 * APP_SECRET_BYTES + 8];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        unsigned char key[APP_SECRET_BYTES];
        randombytes_buf(key, sizeof key);
        sodium_bin2hex(text, sizeof text, key, sizeof key);
        size_t n = strlen(text);
        text[n++] = '\n';
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
            snprintf(err, errsz, "cannot create the server secret %s: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return false;
        }
        close(fd);
        memcpy(a->secret, key, sizeof key);
        sodium_memzero(key, sizeof key);
        return true;
    }
    if (fd < 0) {
        snprintf(err, errsz, "cannot read the server secret %s: %s (run 'parcours init')", path,
                 strerror(errno));
        return false;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n < 2 * APP_SECRET_BYTES || !parse_hex(text, (size_t)n, a->secret, APP_SECRET_BYTES)) {
        snprintf(err, errsz, "the server secret %s is not %d hexadecimal bytes", path,
                 APP_SECRET_BYTES);
        return false;
    }
    return true;
}
