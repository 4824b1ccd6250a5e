/* cli/commands_args.c — option parsing shared by the subcommands.
 * Accepts `--name value`, `--name=value`, `-o value`, and `--` to end
 * options; rejects unknown options with a did-you-mean. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "sim/suggest.h"
#include "sim/units.h"

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lparsim %s: error: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

static const struct opt_desc *find_opt(const struct opt_desc *opts, const char *arg,
                                       size_t name_len)
{
    for (const struct opt_desc *o = opts; o->name; o++) {
        if (arg[1] != '-') {
            if (name_len == 1 && o->short_name == arg[1])
                return o;
        } else if (strlen(o->name) == name_len && strncmp(o->name, arg + 2, name_len) == 0) {
            return o;
        }
    }
    return NULL;
}

static int unknown_option(const char *cmd, const char *arg, const struct opt_desc *opts)
{
    const char *names[64];
    char buf[64][40];
    size_t n = 0;
    for (const struct opt_desc *o = opts; o->name && n < 64; o++, n++) {
        snprintf(buf[n], sizeof buf[n], "--%s", o->name);
        names[n] = buf[n];
    }
    char word[128];
    snprintf(word, sizeof word, "%.*s", (int)strcspn(arg, "="), arg);
    const char *near = suggest_closest(word, names, n);
    if (near)
        return cli_error(cmd, "unknown option '%s' (did you mean '%s'?)", word, near);
    return cli_error(cmd, "unknown option '%s' (see lparsim %s --help)", word, cmd);
}

int args_parse(struct args *a, int argc, char **argv, const struct opt_desc *opts)
{
    memset(a, 0, sizeof *a);
    a->cmd = argv[0];
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (a->npositional == ARGS_MAX)
                return cli_error(a->cmd, "too many arguments") ? -1 : -1;
            a->positional[a->npositional++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
            continue;
        }
        bool is_long = arg[1] == '-';
        size_t name_len = is_long ? strcspn(arg + 2, "=") : strlen(arg + 1);
        const struct opt_desc *o = find_opt(opts, arg, name_len);
        if (!o) {
            unknown_option(a->cmd, arg, opts);
            return -1;
        }
        const char *value = NULL;
        if (o->has_value) {
            if (is_long && arg[2 + name_len] == '=')
                value = arg + 3 + name_len;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                cli_error(a->cmd, "option '--%s' needs a value", o->name);
                return -1;
            }
        } else if (is_long && arg[2 + name_len] == '=') {
            cli_error(a->cmd, "option '--%s' takes no value", o->name);
            return -1;
        }
        if (!o->repeats && args_has(a, o->name)) {
            cli_error(a->cmd, "option '--%s' given twice", o->name);
            return -1;
        }
        if (a->nopts == ARGS_MAX) {
            cli_error(a->cmd, "too many options");
            return -1;
        }
        a->opts[a->nopts++] = (struct opt_value){ o->name, value ? value : "" };
    }
    return 0;
}

const char *args_get(const struct args *a, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].name, name) == 0)
            v = a->opts[i].value;
    return v;
}

bool args_has(const struct args *a, const char *name)
{
    return args_get(a, name) != NULL;
}

int args_parse_ids(const char *cmd, const char *opt, const char *text, int64_t **ids,
                   size_t *n)
{
    return args_parse_list(cmd, opt, text, 1, "run ids such as 3 or 1,2,5-7", ids, n);
}

int args_parse_list(const char *cmd, const char *opt, const char *text, int64_t min,
                    const char *what, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    for (const char *p = text; *p;) {
        char *end;
        errno = 0;
        long long a = strtoll(p, &end, 10), b = a;
        if (end != p && *end == '-' && end[1] >= '0' && end[1] <= '9')
            b = strtoll(end + 1, &end, 10);
        bool ok = end != p && errno == 0 && a >= min && b >= a && b - a < 1000000 &&
                  (*end == ',' || *end == '\0') && !(*end == ',' && end[1] == '\0');
        int64_t *g = ok ? realloc(*ids, (*n + (size_t)(b - a) + 1) * sizeof *g) : NULL;
        if (!g) {
            free(*ids);
            *ids = NULL;
            cli_error(cmd, "--%s expects %s, got '%s'", opt, what, text);
            return -1;
        }
        *ids = g;
        for (long long v = a; v <= b; v++)
            g[(*n)++] = v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

int args_check_seed(const struct args *a)
{
    const char *s = args_get(a, "seed");
    struct param_value v;
    const char *why;
    if (!s || unit_parse(PARAM_U64, s, &v, &why) == 0)
        return 0;
    char shown[64];
    return cli_error(a->cmd, "--seed expects a whole number from 0 to 2^64-1 (such as 42),"
                     " got '%s'", unit_show(s, shown, sizeof shown));
}
