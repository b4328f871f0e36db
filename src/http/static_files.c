#include "http/static_files.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX_FILE (8 * 1024 * 1024)

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Reads root/rel into the response; false if it is not a readable regular file. */
static bool send_file(req *r, const char *root, const char *rel)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path)
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_FILE) {
        close(fd);
        return false;
    }
    buf_reset(&r->out);
    char chunk[16384];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        buf_append(&r->out, chunk, (size_t)n);
    close(fd);
    r->status = 200;
    r->content_type = content_type(rel);
    /* index.html must be revalidated so that a deploy is picked up; the
     * modules it loads are small and revalidated too (no build step adds hashes) */
    reply_header(r, "Cache-Control", "no-cache");
    return true;
}

bool static_serve(req *r, const char *root)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return false;
    const char *rel = r->path + 1;
    bool safe = *rel != '\0' && strstr(rel, "..") == NULL && strstr(rel, "//") == NULL &&
                rel[strlen(rel) - 1] != '/';
    if (safe && send_file(r, root, rel))
        return true;
    /* a path with an extension is a missing asset; anything else is a client route */
    const char *last = strrchr(r->path, '/');
    if (last && strchr(last, '.')) {
        reply_problem(r, 404, "not_found", "Ressource introuvable", NULL, NULL);
        return true;
    }
    if (!send_file(r, root, "index.html"))
        reply_problem(r, 404, "not_found", "Ressource introuvable",
                      "L'application web n'est pas installée (PARCOURS_WEB_ROOT).", NULL);
    return true;
}
