/* Unit tests for core/directory (identifier and contact formats, search keys)
 * and core/directory_import (header mapping and line parsing, without a
 * database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/directory.h"
#include "core/directory_import.h"

/* ---- formats ---- */

static void test_identifiers(void **state)
{
    (void)state;
    assert_true(directory_rpps_valid("10000000017"));
    assert_false(directory_rpps_valid("1000000001"));
    assert_false(directory_rpps_valid("100000000170"));
    assert_false(directory_rpps_valid("1000000001A"));
    assert_false(directory_rpps_valid(NULL));
    assert_true(directory_adeli_valid("351234567"));
    assert_true(directory_adeli_valid("2A1234567"));
    assert_false(directory_adeli_valid("2C1234567"));
    assert_false(directory_adeli_valid("35123456"));
    assert_true(directory_finess_valid("350000139"));
    assert_true(directory_finess_valid("2B0000001"));
    assert_false(directory_finess_valid("35000013"));
    assert_false(directory_finess_valid("3500001X9"));
    assert_true(directory_profession_code_valid("10"));
    assert_false(directory_profession_code_valid("1"));
    assert_false(directory_profession_code_valid("1X"));
    assert_false(directory_profession_code_valid("100"));
}

static void test_siret_luhn(void **state)
{
    (void)state;
    assert_true(directory_luhn_valid("79927398713"));
    assert_false(directory_luhn_valid("79927398710"));
    assert_false(directory_luhn_valid(""));
    assert_false(directory_luhn_valid("12a"));
    assert_true(directory_siret_valid("73282932000074"));
    assert_false(directory_siret_valid("73282932000075")); /* one digit off */
    assert_false(directory_siret_valid("73282932000047")); /* two digits swapped */
    assert_false(directory_siret_valid("7328293200007"));
    assert_false(directory_siret_valid("7328293200007A"));
    /* La Poste: the digit sum is a multiple of 5 instead of the Luhn key */
    assert_true(directory_siret_valid("35600000049837"));
    assert_false(directory_siret_valid("35600000049838"));
    /* ... and only for La Poste */
    assert_false(directory_siret_valid("73282932000072")); /* digit sum 45, Luhn wrong */
}

static void test_phones_and_emails(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    assert_string_equal(directory_phone_normalize(&a, "02 99 00.00-01"), "0299000001");
    assert_string_equal(directory_phone_normalize(&a, "+33 (0)6 12 34 56 78"), "+330612345678");
    assert_null(directory_phone_normalize(&a, "06 12 34 ext 5"));
    assert_null(directory_phone_normalize(&a, "0+6"));
    assert_null(directory_phone_normalize(&a, "123"));
    assert_null(directory_phone_normalize(&a, "1234567890123456"));
    assert_null(directory_phone_normalize(&a, ""));
    assert_true(directory_email_valid("a.b+c@example.fr"));
    assert_false(directory_email_valid("a@b"));
    assert_false(directory_email_valid("a@@b.fr"));
    assert_false(directory_email_valid(".a@b.fr"));
    assert_false(directory_email_valid("a..b@b.fr"));
    assert_false(directory_email_valid("a b@b.fr"));
    assert_false(directory_email_valid("a@-b.fr"));
    assert_false(directory_email_valid("a@b..fr"));
    assert_true(directory_mssante_valid("claire.martin@medecin.mssante.fr"));
    assert_true(directory_mssante_valid("secretariat@MSSANTE.FR"));
    assert_false(directory_mssante_valid("claire@notmssante.fr"));
    assert_false(directory_mssante_valid("claire@mssante.fr.example.com"));
    assert_false(directory_mssante_valid("claire@gmail.com"));
    arena_free(&a);
}

static void test_keys(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    assert_string_equal(directory_key(&a, "Dupont-Lefèvre"), "DUPONTLEFEVRE");
    assert_string_equal(directory_key(&a, "EHPAD Les 4 Saisons (Rennes)"), "EHPADLESSAISONSRENNES");
    assert_string_equal(directory_key(&a, "123"), "");
    assert_null(directory_key(&a, "bad\x01"));
    assert_null(directory_key(&a, "12 bad\x01")); /* a refused character after a skipped one */
    assert_null(directory_key(&a, "12 \xC3"));    /* truncated UTF-8 after a skipped one */
    assert_string_equal(directory_name_key(&a, "MARTIN", "Claire"), "MARTIN CLAIRE");
    assert_string_equal(directory_name_key(&a, "Le Gall", NULL), "LEGALL ");
    assert_null(directory_name_key(&a, "42", "Claire"));
    /* exact family names sort before longer ones */
    assert_true(strcmp(directory_name_key(&a, "MARTIN", "Zoé"),
                       directory_name_key(&a, "MARTINEAU", "Anne")) < 0);
    arena_free(&a);
}

/* ---- import ---- */

#define HEADER                                                                                        \
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Libellé civilité "            \
    "d'exercice|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Numéro SIRET " \
    "site|Identifiant technique de la structure|Raison sociale site|Libellé commune (coord. "        \
    "structure)|Téléphone (coord. structure)|"

static void map_header(dir_import_columns *cols)
{
    arena a;
    arena_init(&a, 0);
    char header[] = "\xEF\xBB\xBF" HEADER "\r";
    core_error err = {0};
    assert_int_equal(directory_import_header(&a, header, strlen(header), cols, &err), CORE_OK);
    arena_free(&a);
}

static void test_header(void **state)
{
    (void)state;
    dir_import_columns cols;
    map_header(&cols);
    assert_int_equal(cols.count, 14); /* the trailing '|' makes an empty last column */
    assert_int_equal(cols.at[DIC_ID_TYPE], 0);
    assert_int_equal(cols.at[DIC_FAMILY], 4);
    assert_int_equal(cols.at[DIC_PHONE], 12);
    assert_int_equal(cols.at[DIC_FINESS], -1);

    arena a;
    arena_init(&a, 0);
    core_error err = {0};
    char missing[] = "Type d'identifiant PP|Identification nationale PP|Nom d'exercice";
    assert_int_equal(directory_import_header(&a, missing, strlen(missing), &cols, &err),
                     CORE_INVALID);
    assert_string_equal(err.code, "header.column_missing");
    assert_string_equal(err.field, "Identifiant PP");
    char latin1[] = "Nom d'exercice|Pr\xE9nom";
    assert_int_equal(directory_import_header(&a, latin1, strlen(latin1), &cols, &err),
                     CORE_INVALID);
    assert_string_equal(err.code, "header.utf8");
    /* an older name of a column is accepted */
    char old[] = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom "
                 "d'exercice|Prénom d'exercice|Code profession|Identifiant structure";
    assert_int_equal(directory_import_header(&a, old, strlen(old), &cols, &err), CORE_OK);
    assert_int_equal(cols.at[DIC_STRUCTURE], 6);
    arena_free(&a);
}

/* Parses `line` against HEADER; returns the result and the error code. */
static core_rc parse(const char *text, dir_import_row *row, core_error *err, arena *a)
{
    dir_import_columns cols;
    map_header(&cols);
    char *line = arena_strdup(a, text);
    memset(err, 0, sizeof *err);
    return directory_import_parse(a, &cols, line, strlen(line), row, err);
}

static void expect_rejected(const char *line, const char *code)
{
    arena a;
    arena_init(&a, 0);
    dir_import_row row;
    core_error err;
    assert_int_equal(parse(line, &row, &err, &a), CORE_INVALID);
    assert_string_equal(err.code, code);
    assert_non_null(err.message);
    arena_free(&a);
}

static void test_parse_valid(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    dir_import_row row;
    core_error err;
    assert_int_equal(parse("8|10000000017|810000000017|Docteur| MARTIN |Claire|10|Médecin|"
                           "73282932000074|R1|CABINET DES LICES|Rennes|02 99 00 00 01|\r",
                           &row, &err, &a),
                     CORE_OK);
    assert_string_equal(row.pro.idnps, "810000000017");
    assert_string_equal(row.pro.family_name, "MARTIN"); /* trimmed */
    assert_string_equal(row.pro.norm_name, "MARTIN CLAIRE");
    assert_string_equal(row.pro.civility, "Docteur");
    assert_true(row.has_org);
    assert_string_equal(row.org.import_key, "R1");
    assert_string_equal(row.org.norm_town, "RENNES");
    assert_string_equal(row.org.phone, "0299000001");
    /* no structure: a professional without a place of practice */
    assert_int_equal(parse("0|351234567||||Élodie|60|||||||", &row, &err, &a), CORE_INVALID);
    assert_string_equal(err.code, "family_name.invalid");
    assert_string_equal(err.field, "Nom d'exercice");
    assert_int_equal(parse("0|351234567|0351234567||DUPONT|Élodie|60|||||||", &row, &err, &a),
                     CORE_OK);
    assert_false(row.has_org);
    /* no structure id: the SIRET keys the organisation, and names it when unnamed */
    assert_int_equal(parse("8|10000000017||| GALL |Yann|70||73282932000074|||||", &row, &err, &a),
                     CORE_OK);
    assert_string_equal(row.org.import_key, "siret:73282932000074");
    assert_string_equal(row.org.name, "Cabinet de Yann GALL");
    arena_free(&a);
}

static void test_parse_rejections(void **state)
{
    (void)state;
    expect_rejected("8|10000000017|810000000017|", "line.fields");
    expect_rejected("8|1000000001|8|||A|10|||||||", "rpps.invalid");
    expect_rejected("0|35123456||||A|10|||||||", "adeli.invalid");
    expect_rejected("9|10000000017||||A|10|||||||", "identifier.type");
    expect_rejected("8|10000000017|810000000025||A|B|10|||||||", "idnps.mismatch");
    expect_rejected("8|10000000017|||A\tB|C|10|||||||", "line.control");
    expect_rejected("8|10000000017|||\xE9T\xE9|C|10|||||||", "line.utf8");
    expect_rejected("8|10000000017|||A|C|1X|||||||", "profession_code.invalid");
    expect_rejected("8|10000000017|||A|C|10||73282932000075|R1|X|||", "siret.invalid");
    expect_rejected("8|10000000017|||A|C|10|||R1|X||12|", "phone.invalid");
    char nul[] = "8|10000000017|||A\0B|C|10|||||||";
    arena a;
    arena_init(&a, 0);
    dir_import_columns cols;
    map_header(&cols);
    dir_import_row row;
    core_error err;
    assert_int_equal(directory_import_parse(&a, &cols, nul, sizeof nul - 1, &row, &err),
                     CORE_INVALID);
    assert_string_equal(err.code, "line.nul");
    char big[DIRECTORY_IMPORT_MAX_FIELD + 64];
    memset(big, 'N', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *line = arena_printf(&a, "8|10000000017|||%s|C|10|||||||", big);
    assert_int_equal(directory_import_parse(&a, &cols, line, strlen(line), &row, &err),
                     CORE_INVALID);
    assert_string_equal(err.code, "field.too_long");
    assert_string_equal(err.field, "Nom d'exercice");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_siret_luhn),
        cmocka_unit_test(test_phones_and_emails),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
