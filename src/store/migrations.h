/* migrations: the SQL schema, embedded at build time from migrations/<backend>/
 * by scripts/embed-migrations.sh. Versions are dense per backend (1, 2, ...). */
#ifndef PARCOURS_STORE_MIGRATIONS_H
#define PARCOURS_STORE_MIGRATIONS_H

typedef struct migration {
    const char *backend; /* "sqlite" or "postgres"; NULL ends the table */
    int version;
    const char *name;
    const char *sql;
} migration;

extern const migration migrations[];

#endif
