/* inbox.c — the files a command takes from the customs client's folders: `inv101 check|import`
 * and `receipt import` name files and folders alike and read each whole (cli.h, cli_files). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* Appends dir/name (or name alone when dir is NULL), at most max paths in all. */
static bool
files_push(cli_files *l, const char *dir, const char *name, size_t max)
{
    if (l->count == max) {
        fprintf(stderr, "bzl: more than %zu files; take them in parts\n", max);
        return false;
    }
    if (l->count == l->cap) {
        size_t cap = l->cap == 0 ? 64 : l->cap * 2;
        char **grown = realloc(l->paths, cap * sizeof *grown);
        if (grown == NULL) {
            fputs("bzl: NO_MEMORY: out of memory listing the files\n", stderr);
            return false;
        }
        l->paths = grown;
        l->cap = cap;
    }
    size_t n = (dir != NULL ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    char *p = malloc(n);
    if (p == NULL) {
        fputs("bzl: NO_MEMORY: out of memory listing the files\n", stderr);
        return false;
    }
    snprintf(p, n, "%s%s%s", dir != NULL ? dir : "", dir != NULL ? "/" : "", name);
    l->paths[l->count++] = p;
    return true;
}

static int
path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name is a folder entry to take: not hidden, and ending in suffix unless it is NULL. */
static bool
wanted(const char *name, const char *suffix)
{
    size_t n = strlen(name);
    size_t k = suffix != NULL ? strlen(suffix) : 0;
    return name[0] != '.' && n > k && (k == 0 || strcmp(name + n - k, suffix) == 0);
}

bool
cli_files_add(cli_files *l, const char *arg, const char *suffix, size_t max)
{
    struct stat sb;
    if (stat(arg, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        return files_push(l, NULL, arg, max); /* a missing file is named when it is read */
    }
    DIR *d = opendir(arg);
    if (d == NULL) {
        fprintf(stderr, "%s: cannot open the folder: %s\n", arg, strerror(errno));
        return false;
    }
    size_t first = l->count;
    bool ok = true;
    for (struct dirent *e = readdir(d); ok && e != NULL; e = readdir(d)) {
        char path[4096];
        int w = snprintf(path, sizeof path, "%s/%s", arg, e->d_name);
        if (wanted(e->d_name, suffix) && w > 0 && (size_t)w < sizeof path && stat(path, &sb) == 0 &&
            S_ISREG(sb.st_mode)) {
            ok = files_push(l, arg, e->d_name, max);
        }
    }
    closedir(d);
    qsort(l->paths + first, l->count - first, sizeof *l->paths, path_cmp);
    return ok;
}

void
cli_files_free(cli_files *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->paths[i]);
    }
    free(l->paths);
    memset(l, 0, sizeof *l);
}

bool
cli_file_read(const char *path, size_t max, const char *what, char **bytes, size_t *len, char *why,
              size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, why_cap, "cannot open: %s", strerror(errno));
        return false;
    }
    size_t n = 0;
    size_t size = 1u << 14;
    char *buf = malloc(size);
    bool ok = buf != NULL;
    if (!ok) {
        snprintf(why, why_cap, "out of memory");
    }
    while (ok) { /* bounded by max */
        if (n == size) {
            char *grown = size < max ? realloc(buf, size * 2) : NULL;
            if (grown == NULL) {
                snprintf(why, why_cap, "larger than %zu MiB: not %s", max >> 20, what);
                ok = false;
                break;
            }
            buf = grown;
            size *= 2;
        }
        size_t got = fread(buf + n, 1, size - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(why, why_cap, "cannot read: %s", strerror(errno));
                ok = false;
            }
            break;
        }
    }
    fclose(f);
    if (!ok) {
        free(buf);
        return false;
    }
    *bytes = buf;
    *len = n;
    return true;
}
