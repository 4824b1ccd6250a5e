/* sim/scenario_print.c — the resolved scenario as canonical YAML
 * (scenario_print). Every parameter is written, in schema order, with
 * values in canonical units (unit_format), so equal trees give identical
 * bytes: run keys hash this text, and `lparsim check` shows it. The output
 * loads back to an equal tree. */
#include "sim/scenario.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "sim/scenario_internal.h"
#include "sim/units.h"

/* Whether s can be written without quotes and read back as the same
 * string: a conservative character set, and nothing YAML would read as
 * null or a boolean. */
static bool plain_ok(const char *s)
{
    static const char *const special[] = { "null", "true", "false", "yes", "no",
                                           "on",   "off",  "y",     "n" };
    if (!*s || *s == '-')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || strchr("_./+-", *p)))
            return false;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcasecmp(s, special[i]) == 0)
            return false;
    return true;
}

static void put_str(FILE *out, const char *s)
{
    if (!s)
        s = "";
    if (plain_ok(s)) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void put_value(FILE *out, const struct cfg_node *v, bool annotate)
{
    enum param_type t = v->desc ? v->desc->type : PARAM_STR;
    if (t == PARAM_STR || t == PARAM_ENUM || t == PARAM_REF) {
        put_str(out, v->v.s);
    } else {
        char buf[128];
        unit_format(t, &v->v, buf, sizeof buf);
        fputs(buf, out);
    }
    if (annotate && v->is_default)
        fputs("  # default", out);
    fputc('\n', out);
}

static void indent(FILE *out, int n)
{
    fprintf(out, "%*s", n, "");
}

/* What is printed: annotate marks defaults; skip (a root key) and the
 * parameters `applies` refuses are left out. */
struct print_opts {
    bool annotate;
    const char *skip;
    scenario_applies_fn applies;
};

static void put_kids(FILE *out, const struct cfg_node *n, int ind, const struct print_opts *o);

static void put_list(FILE *out, const struct cfg_node *list, int ind, const struct print_opts *o)
{
    for (size_t i = 0; i < list->nkids; i++) {
        const struct cfg_node *item = list->kids[i];
        indent(out, ind);
        if (item->key[0] == '#') { /* an unnamed item (schema_child.unnamed_ok) */
            fputs("-\n", out);
        } else {
            fputs("- name: ", out);
            put_str(out, item->key);
            fputc('\n', out);
        }
        put_kids(out, item, ind + 2, o);
    }
}

static void put_vary(FILE *out, const struct cfg_node *vary, int ind)
{
    for (size_t i = 0; i < vary->nkids; i++) {
        const struct cfg_node *seq = vary->kids[i];
        indent(out, ind);
        put_str(out, seq->key);
        fputs(": [", out);
        for (size_t j = 0; j < seq->nkids; j++) {
            fputs(j ? ", " : "", out);
            put_str(out, seq->kids[j]->v.s);
        }
        fputs("]\n", out);
    }
}

static void put_seq(FILE *out, const struct cfg_node *seq, int ind)
{
    for (size_t j = 0; j < seq->nkids; j++) {
        indent(out, ind);
        fputs("- ", out);
        put_str(out, seq->kids[j]->v.s);
        fputc('\n', out);
    }
}

/* The kids of a struct at indent ind (an item's name is written by
 * put_list as the `- name:` line). */
static void put_kids(FILE *out, const struct cfg_node *n, int ind, const struct print_opts *o)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const struct cfg_node *k = n->kids[i];
        if (k->kind == CFG_VALUE && k->desc == &scn_item_name_desc)
            continue;
        if (o->skip && !n->parent && strcmp(k->key, o->skip) == 0)
            continue;
        if (k->kind == CFG_VALUE && o->applies && !o->applies(k))
            continue;
        if (k->kind == CFG_SEQ && k->nkids == 0)
            continue; /* no expect: the text (and run keys) of scenarios without one */
        indent(out, ind);
        fprintf(out, "%s:", k->key);
        if (k->kind == CFG_VALUE) {
            fputc(' ', out);
            put_value(out, k, o->annotate);
        } else if (k->nkids == 0) {
            fputs(k->kind == CFG_LIST ? " []\n" : " {}\n", out);
        } else {
            fputc('\n', out);
            if (k->kind == CFG_STRUCT)
                put_kids(out, k, ind + 2, o);
            else if (k->kind == CFG_LIST)
                put_list(out, k, ind + 2, o);
            else if (k->kind == CFG_SEQ)
                put_seq(out, k, ind + 2);
            else
                put_vary(out, k, ind + 2);
        }
    }
}

void scenario_print(const struct scenario *s, FILE *out, bool annotate)
{
    struct print_opts o = { annotate, NULL, NULL };
    put_kids(out, s->root, 0, &o);
}

void scenario_print_run(const struct scenario *s, FILE *out)
{
    struct print_opts o = { false, "sweep", NULL };
    put_kids(out, s->root, 0, &o);
}

void scenario_print_check(const struct scenario *s, FILE *out, scenario_applies_fn applies)
{
    struct print_opts o = { true, NULL, applies };
    put_kids(out, s->root, 0, &o);
}
