/* static_files: serves the web application (web/) — GET only, no directory
 * listing, no path outside the root, and index.html for "/" and unknown
 * non-API paths (the application routes on the client). */
#ifndef PARCOURS_HTTP_STATIC_FILES_H
#define PARCOURS_HTTP_STATIC_FILES_H

#include "http/request.h"

/* Answers r from the files under root. Returns false when r is not a GET/HEAD
 * (the caller then answers 404/405). */
bool static_serve(req *r, const char *root);

#endif
