/* text: checks on free text coming from outside (names, labels). */
#ifndef PARCOURS_CORE_TEXT_H
#define PARCOURS_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s is valid UTF-8 of min..max bytes, without control characters
 * (tab, CR and LF included) and not only spaces. */
bool text_is_clean(const char *s, size_t min, size_t max);

#endif
