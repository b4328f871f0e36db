/* name_match: comparing French names for identitovigilance search and duplicate
 * detection.
 *
 * Three layers, each built on the previous one:
 *
 * 1. Normalization (nm_normalize, nm_normalize_words). UTF-8 in, upper-case ASCII
 *    out. Letters of Latin-1 and Latin Extended-A (U+00C0–U+017F) lose their
 *    diacritics (É→E, Ç→C, Ł→L, Ñ→N, Ÿ→Y); ligatures and special letters expand
 *    (Œ→OE, Æ→AE, ß→SS, Þ→TH, Ĳ→IJ). Combining marks U+0300–U+036F are dropped, so
 *    decomposed input ("E" + U+0301, as typed on macOS) equals precomposed input.
 *    Separators are space, no-break space, '-', U+2010, U+2011, U+2013, '.', and
 *    the apostrophes ' ’ ‘ ʼ ` ´. The compact form drops them ("JEAN-PIERRE" →
 *    "JEANPIERRE", "D'ARTAGNAN" → "DARTAGNAN"); the words form turns each run of
 *    them into one space and trims the ends ("Jean -  Pierre" → "JEAN PIERRE").
 *    Refused: invalid UTF-8 (overlong, surrogates, truncated), control and
 *    invisible format characters (C0, DEL, C1, zero-width, bidi overrides, BOM:
 *    they hide the real name from the person reading it), and anything else that
 *    is not a letter above (digits, symbols, other scripts) — the RNIV allows only
 *    letters and these separators in identity traits.
 *
 * 2. Phonetic key (nm_phonetic): an own design for French spelling variants,
 *    computed per word of the words form and concatenated, so that "JEAN-PIERRE"
 *    and "JEAN PIERRE" share a key. Per word:
 *    a. silent endings: one final S or X is dropped (THOMAS, LEROUX); then one of
 *       final T or D (DUPONT/DUPOND, BERNARD/BERNART, PETIT), -AULT → -AU
 *       (RENAULT/RENAUD), P after M (CHAMP), C or G after N (BLANC, LONG);
 *       if none of those: -IER → -I (MEUNIER/MEUNIE, GAUTIER) or -ER → -E (ROGER);
 *       if none of those either, a final E is silent in words of 3+ letters
 *       (ANNE/ANE, MICHEL/MICHELLE); "LE", "DE" keep theirs, so particles glued or
 *       not ("DE LA FONTAINE"/"DELAFONTAINE") agree. A silent final E still counts
 *       as a vowel for the nasal rule, so MARTINE (I+N+E) is not nasal.
 *    b. vowels: EAU/AU/O → O; AI/EI/EY/AE/E/EU/OEU → E (é, è, schwa and eu merge);
 *       OU → U; U → Y (the French /y/); I/Y → I; OI/OY → WA.
 *    c. nasals, when a vowel is followed by N or M and then by a consonant other
 *       than N/M or by the end: AN/AM/EN/EM → 1; IN/IM/YN/AIN/EIN/UN/UM and EN
 *       after I/Y (JULIEN) → 2; ON/OM → 3; OIN → W2. ANNE is not nasal.
 *    d. consonants: H mute; PH → F; TH → T; CH → X (the /ʃ/) but K before R/L
 *       (CHRISTOPHE); SCH/SH → X; C/K/Q/QU/CK → K, C before E/I/Y → S, CC before
 *       E/I/Y → KS; G before E/I/Y → J, GE before A/O/U → J, GU before E/I/Y → G
 *       (GUILLAUME), GN → NI; B/V/W → V (b/v spelling alternation: LEFEBVRE,
 *       LEFEVRE, LEFEBRE); S/Z → S; X → KS.
 *    e. any run of identical codes collapses to one (doubled consonants: PP, LL,
 *       SS, and their results such as BV → VV → V).
 *    Output alphabet: A E I O U Y W 1 2 3 and D F G J K L M N P R S T V X. The key
 *    is opaque: compare keys for equality, never show them to users. It stays
 *    stable across releases only as long as these rules do: store it with a
 *    version if it is persisted.
 *
 * 3. Similarity (nm_similarity): 1 − d / max(len) on the compact forms, where d is
 *    the optimal-string-alignment Damerau–Levenshtein distance (insert, delete,
 *    substitute, swap two adjacent letters: cost 1 each). Chosen over Jaro–Winkler
 *    because French surnames share prefixes (LE-, DU-, MAR-) that Winkler's prefix
 *    bonus rewards: LEROY/LEROUX scores 0.89 with Jaro–Winkler, 0.67 here. One typo
 *    in a 6-letter name scores 0.83, in a 10-letter one 0.90; one typo in a
 *    4-letter name only 0.75, so a duplicate scorer should weigh the score with
 *    the length and with the phonetic key rather than use one fixed threshold.
 *
 * Bounds: inputs longer than NM_NAME_MAX bytes are refused (NM_ERR_TOO_LONG); the
 * compact and words forms never exceed their input in bytes, so NM_NORM_SIZE
 * bytes always suffice, and NM_PHONETIC_SIZE for keys. No function allocates;
 * all are thread-safe. For 1M-record scans, store the normalized forms and the
 * phonetic key, then use nm_similarity_normalized(). */
#ifndef PARCOURS_CORE_NAME_MATCH_H
#define PARCOURS_CORE_NAME_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#define NM_NAME_MAX 255                        /* input bytes accepted, NUL excluded */
#define NM_NORM_SIZE (NM_NAME_MAX + 1)         /* buffer for either normalized form */
#define NM_PHONETIC_SIZE (2 * NM_NAME_MAX + 2) /* a letter yields at most 2 codes */

/* Stable results; nm_result_code() gives their string codes for API errors. */
typedef enum nm_result {
    NM_OK = 0,
    NM_ERR_MISSING,  /* "name.missing": NULL input */
    NM_ERR_TOO_LONG, /* "name.too_long": more than NM_NAME_MAX bytes */
    NM_ERR_UTF8,     /* "name.utf8": not valid UTF-8 */
    NM_ERR_CONTROL,  /* "name.control": control or invisible format character */
    NM_ERR_CHAR,     /* "name.char": digit, symbol or letter outside Latin */
    NM_ERR_SPACE,    /* "name.buffer": output buffer too small (caller bug) */
} nm_result;

/* Stable string code of a result; "name.unknown" outside the enum. Never NULL. */
const char *nm_result_code(nm_result r);

/* Compact form: upper-case ASCII letters only (see layer 1 above). An input
 * without letters gives "" and NM_OK. On any error `out` is set to "" (when
 * outsz > 0). `out` must not overlap `utf8`. */
nm_result nm_normalize(const char *utf8, char *out, size_t outsz);

/* Words form: as nm_normalize(), but each run of separators becomes one space;
 * no leading or trailing space. */
nm_result nm_normalize_words(const char *utf8, char *out, size_t outsz);

/* French phonetic key (see layer 2 above), NM_PHONETIC_SIZE bytes always
 * suffice. Same error contract as nm_normalize(). */
nm_result nm_phonetic(const char *utf8, char *out, size_t outsz);

/* Similarity in [0, 1] of two names (see layer 3 above); 1.0 when the compact
 * forms are equal. 0.0 when either name is invalid or has no letters, so that an
 * empty or malformed name never looks like a duplicate. */
double nm_similarity(const char *a, const char *b);

/* Same score on strings that are already compact forms (the output of
 * nm_normalize()); compared byte for byte without validation. 0.0 when either is
 * NULL, empty or longer than NM_NAME_MAX. */
double nm_similarity_normalized(const char *a, const char *b);

/* True when the compact form of `prefix` is a prefix of the compact form of
 * `name`: insensitive to case, accents, hyphens, apostrophes, spaces and dots
 * ("d'Ar" matches "DARTAGNAN", "jean p" matches "Jean-Pierre"). An empty prefix
 * matches any valid name. False when either string is invalid. */
bool nm_prefix_match(const char *name, const char *prefix);

#endif
