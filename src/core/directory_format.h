/* directory_format: the formats of the directory's identifiers and contact
 * data, and its search keys. Pure functions (no database, no context), shared
 * by the API's validation (core/directory.c) and the import
 * (core/directory_import.c). */
#ifndef PARCOURS_CORE_DIRECTORY_FORMAT_H
#define PARCOURS_CORE_DIRECTORY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

#define DIRECTORY_MAX_EMAIL 254

/* ---- identifiers and contact formats (pure functions) ----
 * Each returns true when s is acceptable. NULL is never acceptable. */

/* RPPS: 11 digits. Its last digit is said to be a Luhn key, but that could not
 * be confirmed against an official source, so it is not checked. */
bool directory_rpps_valid(const char *s);
/* ADELI: 9 characters, digits, the first two may be 2A/2B (Corsica). */
bool directory_adeli_valid(const char *s);
/* FINESS: 9 characters, digits, the first two may be 2A/2B (Corsica). */
bool directory_finess_valid(const char *s);
/* SIRET: 14 digits passing the Luhn check — except La Poste's establishments
 * (SIREN 356000000), whose digits sum to a multiple of 5 instead. */
bool directory_siret_valid(const char *s);
/* True when the digit string passes the Luhn (mod 10) check. */
bool directory_luhn_valid(const char *digits);
/* TRE_G15 profession code: two digits ("10" médecin, "60" infirmier). The
 * list itself is not enforced: the nomenclature changes. */
bool directory_profession_code_valid(const char *s);
/* Phone numbers: digits with an optional leading '+', and spaces, dots,
 * hyphens or parentheses between them; 4 to 15 digits. Returns the number
 * reduced to "+" and digits in arena a, or NULL when invalid. */
const char *directory_phone_normalize(arena *a, const char *s);
/* A plain address local@domain (no quoted local parts, no IP literals). */
bool directory_email_valid(const char *s);
/* An MSSanté address: an email address whose domain is mssante.fr or one of
 * its subdomains (e.g. prenom.nom@medecin.mssante.fr). */
bool directory_mssante_valid(const char *s);

/* ---- search keys ----
 * Keys are upper-case A-Z (nm_normalize): accents, case, hyphens, apostrophes
 * and spaces do not matter. Characters that are not letters (digits, symbols,
 * other scripts) are left out instead of refused, so that an organisation
 * called "EHPAD Les 4 Saisons" still gets a key. NULL for invalid UTF-8,
 * control characters or more than NM_NAME_MAX bytes. */
const char *directory_key(arena *a, const char *text);
/* The key of a professional's name: family key, one space, given-name key.
 * NULL when the family name has no letter. */
const char *directory_name_key(arena *a, const char *family, const char *given);

/* NULL when s is NULL or empty, else s. */
const char *directory_nonempty(const char *s);
/* True for '0'..'9'; true when every byte of s[from, to) is one. */
bool directory_is_digit(char ch);
bool directory_digits_only(const char *s, size_t from, size_t to);

#endif
