/* ins: the Identifiant National de Santé (INS) and identity statuses.
 *
 * An INS is the 13-character NIR (or NIA) followed by a 2-digit key: 15 characters.
 * Layout of the 13 characters (1-based positions):
 *
 *   1      sex digit: 1 male, 2 female; 3/4 and 7/8 are temporary numbers
 *          (NIA, registration in progress) and keep the parity convention:
 *          odd = male, even = female.
 *   2-3    year of birth
 *   4-5    month of birth: 01-12, or 20-42 / 50-99 when the civil-status
 *          document carried no month (fictitious months)
 *   6-7    department of birth (digits, or "2A"/"2B" for Corsica; 99 = abroad)
 *   8-10   commune (or country when born abroad)
 *   11-13  order number
 *   14-15  key = 97 - (the 13-digit number mod 97), with 2A read as 19 and
 *          2B as 18; so a key is always 01..97.
 *
 * What ins_check() refuses, and why only that: a valid INS that we reject blocks a
 * patient's record, while an invalid one that we accept is caught by the key in all
 * but 1/97 cases. So only rules stated by every source are enforced:
 *   - exactly 15 characters, digits everywhere except "2A"/"2B" at positions 6-7;
 *   - sex digit in {1,2,3,4,7,8} (the only values the RNIV lists);
 *   - for definitive NIRs (sex digit 1 or 2) a month in 01-12, 20-42 or 50-99:
 *     00, 13-19 and 43-49 appear in no documented range. Temporary numbers
 *     (3/4/7/8) get no month check: their construction is not published;
 *   - the key.
 * Not checked: department/commune tables (they changed over time: department 20
 * before 1976, 91-96 for North Africa before independence), year plausibility.
 *
 * Input is never trimmed or upper-cased: an identifier is stored in its canonical
 * form, and "2a" or embedded spaces are refused rather than silently repaired.
 * Nothing here allocates; everything is thread-safe. */
#ifndef PARCOURS_CORE_INS_H
#define PARCOURS_CORE_INS_H

#include <stdbool.h>
#include <stddef.h>

#define INS_LEN 15      /* characters in an INS */
#define INS_NIR_LEN 13  /* characters before the key */
#define INS_BUF_SIZE 16 /* INS_LEN + NUL */

/* Results of ins_check(). The numeric values and the string codes from
 * ins_result_code() are stable: they are stored and sent in API errors. */
typedef enum ins_result {
    INS_OK = 0,
    INS_ERR_MISSING,      /* "ins.missing": NULL or empty */
    INS_ERR_LENGTH,       /* "ins.length": not 15 characters */
    INS_ERR_CHAR,         /* "ins.char": a character that is not a digit */
    INS_ERR_DEPARTMENT,   /* "ins.department": letters at 6-7 other than 2A/2B */
    INS_ERR_SEX_DIGIT,    /* "ins.sex_digit": first digit not 1,2,3,4,7,8 */
    INS_ERR_MONTH,        /* "ins.month": month in no documented range */
    INS_ERR_KEY,          /* "ins.key": key does not match */
    INS_ERR_SEX_MISMATCH, /* "ins.sex_mismatch": sex digit contradicts the patient */
} ins_result;

#define INS_MESSAGE_MAX 96

/* Details of a failed check, shaped like a PostgreSQL error: a stable code and a
 * short English message (no patient data other than the offending character or
 * key). `position` is the 1-based character position concerned, 0 if none. */
typedef struct ins_error {
    ins_result result;
    const char *code; /* static string, e.g. "ins.key" */
    size_t position;
    char message[INS_MESSAGE_MAX];
} ins_error;

/* Checks a 15-character INS. expected_sex is 'M', 'F' or 0 when unknown; any
 * other value (including lower case) also means unknown: no sex check. Rules applied are listed at the top of this file; checks run in
 * the order of the enum, so the first failure is reported. err may be NULL; when
 * given it is always filled (with INS_OK, code "ins.ok" and an empty message on
 * success). */
ins_result ins_check(const char *value, char expected_sex, ins_error *err);

/* Stable code string of a result ("ins.key", ...); "ins.unknown" for values
 * outside the enum. Never NULL. */
const char *ins_result_code(ins_result r);

/* Key (1..97) of a 13-character NIR given as exactly 13 characters: digits, with
 * "2A"/"2B" allowed at positions 6-7. Returns -1 for anything else (NULL, other
 * length, other characters). Does not apply the sex/month rules. */
int ins_compute_key(const char *nir13);

/* Builds the 15-character INS for a 13-character NIR (for synthetic data and
 * tests): computes the key, appends it, and runs ins_check() on the result
 * without a sex expectation. `out` must hold INS_BUF_SIZE bytes; it is written
 * only on INS_OK (otherwise set to "" when outsz > 0). err as in ins_check(). */
ins_result ins_build(const char *nir13, char *out, size_t outsz, ins_error *err);

/* Sex implied by the first digit: 'M' for 1/3/7, 'F' for 2/4/8, 0 otherwise
 * (including NULL/empty). Only the first character is read. */
char ins_sex_of(const char *value);

/* True for temporary numbers (first digit 3, 4, 7 or 8). */
bool ins_is_temporary(const char *value);

/* ---- identifier systems (OIDs) ---------------------------------------------- */

typedef enum ins_system {
    INS_SYSTEM_UNKNOWN = 0,
    INS_SYSTEM_NIR,  /* 1.2.250.1.213.1.4.8  */
    INS_SYSTEM_NIA,  /* 1.2.250.1.213.1.4.9  */
    INS_SYSTEM_TEST, /* 1.2.250.1.213.1.4.10 INS-NIR of test patients */
    INS_SYSTEM_DEMO, /* 1.2.250.1.213.1.4.11 INS-NIR of demonstration patients */
} ins_system;

/* Kind of an identifier system given as a bare OID ("1.2.250.1.213.1.4.8") or as
 * a FHIR system URI ("urn:oid:1.2.250.1.213.1.4.8"). Exact match only: no
 * whitespace, no trailing dot. INS_SYSTEM_UNKNOWN for anything else or NULL. */
ins_system ins_oid_kind(const char *oid);

/* Bare OID of a system, or NULL for INS_SYSTEM_UNKNOWN / out of range. */
const char *ins_system_oid(ins_system s);

/* "urn:oid:" form of the OID (FHIR Identifier.system), or NULL. */
const char *ins_system_uri(ins_system s);

/* Short label: "INS-NIR", "INS-NIA", "INS-NIR-TEST", "INS-NIR-DEMO"; "unknown"
 * otherwise. Never NULL. */
const char *ins_system_label(ins_system s);

/* ---- identity status (FR Core fr-core-cs-identity-status) ------------------- */

/* A status is a pure function of two pieces of evidence (DOMAIN.md §2):
 *
 *   status  retrieved via INSi   checked on a high-trust ID document
 *   PROV    no                   no
 *   RECUP   yes                  no
 *   VALI    no                   yes
 *   QUAL    yes                  yes
 *
 * Normal life: evidence is only added, so transitions are monotone (PROV → RECUP
 * or VALI → QUAL, PROV → QUAL when both arrive together). Removing evidence is a
 * different act — an identitovigilance decision after a doubt, to be recorded
 * with its reason — hence the separate ins_status_downgrade_allowed(). */
typedef enum ins_status {
    INS_STATUS_PROV = 0,
    INS_STATUS_RECUP,
    INS_STATUS_VALI,
    INS_STATUS_QUAL,
} ins_status;

/* Code in the FR Core code system ("PROV", "RECUP", "VALI", "QUAL"), or NULL for
 * a value outside the enum. */
const char *ins_status_code(ins_status s);

/* Parses an exact, upper-case code. Returns false (and leaves *out untouched)
 * for anything else, including NULL. */
bool ins_status_parse(const char *code, ins_status *out);

/* The status implied by the evidence (table above). */
ins_status ins_status_from_evidence(bool insi, bool document);

/* Evidence carried by a status; false for values outside the enum. */
bool ins_status_has_insi(ins_status s);
bool ins_status_has_document(ins_status s);

/* True when going from `from` to `to` only adds evidence: the evidence of `to`
 * contains that of `from`. Hence PROV→RECUP, PROV→VALI, PROV→QUAL, RECUP→QUAL,
 * VALI→QUAL, and from == to (re-saving an unchanged status is not an error).
 * RECUP↔VALI is refused: it would drop one piece of evidence. False for values
 * outside the enum. */
bool ins_status_transition_allowed(ins_status from, ins_status to);

/* True when `to` carries strictly less evidence than `from`: the identitovigilance
 * unit withdraws the INSi retrieval (e.g. INS found to belong to someone else),
 * the document check (e.g. forged or mismatched document), or both (a doubt on
 * the identity sends it back to PROV). RECUP↔VALI is refused here too: it would
 * add evidence while removing other evidence, which must be two recorded acts.
 * Equal statuses are not a downgrade. False for values outside the enum. */
bool ins_status_downgrade_allowed(ins_status from, ins_status to);

/* Only a QUAL identity may carry the INS as national identifier in exchanged
 * data (documents, messages, FHIR resources). */
bool ins_status_may_share_ins(ins_status s);

#endif
