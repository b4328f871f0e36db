#include "core/text.h"
#include "util/json.h"

#include <string.h>

bool text_is_clean(const char *s, size_t min, size_t max)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n < min || n > max || !utf8_valid(s, n))
        return false;
    bool visible = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return false;
        if (ch != ' ')
            visible = true;
    }
    return visible || min == 0;
}
