/* Unit tests of http/router: path parameters, 404 and 405 with Allow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/router.h"

/* max_body is left out: 0 means the default limit */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void handler(req *r)
{
    (void)r;
}

static const route routes[] = {
    {"GET", "/api/users", handler, ROUTE_ADMIN},
    {"POST", "/api/users", handler, ROUTE_ADMIN},
    {"GET", "/api/users/:id", handler, ROUTE_ADMIN},
    {"PATCH", "/api/users/:id", handler, ROUTE_ADMIN},
    {"GET", "/api/patients/:pid/notes/:nid", handler, ROUTE_USER},
};
#define NROUTES ((int)(sizeof routes / sizeof routes[0]))

static route_match match(req *r, const char *method, const char *path, const char **allow)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->arena, 0);
    r->method = method;
    r->path = path;
    r->route = -1;
    return router_match(routes, NROUTES, r, allow);
}

static void matches_static_and_parameter_routes(void **state)
{
    (void)state;
    req r;
    const char *allow = NULL;
    assert_int_equal(match(&r, "POST", "/api/users", &allow), ROUTE_FOUND);
    assert_int_equal(r.route, 1);
    arena_free(&r.arena);
    assert_int_equal(match(&r, "PATCH", "/api/users/42", &allow), ROUTE_FOUND);
    assert_int_equal(r.route, 3);
    assert_string_equal(req_param(&r, "id"), "42");
    arena_free(&r.arena);
    assert_int_equal(match(&r, "GET", "/api/patients/7/notes/99", &allow), ROUTE_FOUND);
    assert_string_equal(req_param(&r, "pid"), "7");
    assert_string_equal(req_param(&r, "nid"), "99");
    assert_null(req_param(&r, "other"));
    arena_free(&r.arena);
    /* HEAD is served by the GET route */
    assert_int_equal(match(&r, "HEAD", "/api/users", &allow), ROUTE_FOUND);
    assert_int_equal(r.route, 0);
    arena_free(&r.arena);
}

static void unknown_paths_and_methods(void **state)
{
    (void)state;
    req r;
    const char *allow = NULL;
    const char *missing[] = {
        "/api/users/", "/api/users/1/x", "/api", "/api/userss", "/", "", "/api/patients/7/notes/"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        assert_int_equal(match(&r, "GET", missing[i], &allow), ROUTE_NO_PATH);
        arena_free(&r.arena);
    }
    assert_int_equal(match(&r, "DELETE", "/api/users/5", &allow), ROUTE_BAD_METHOD);
    assert_string_equal(allow, "GET, PATCH");
    arena_free(&r.arena);
    assert_int_equal(match(&r, "PUT", "/api/users", &allow), ROUTE_BAD_METHOD);
    assert_string_equal(allow, "GET, POST");
    arena_free(&r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_static_and_parameter_routes),
        cmocka_unit_test(unknown_paths_and_methods),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
