/* cli/commands.h — the subcommands of `lparsim` and the small option
 * parser they share. */
#ifndef LPARSIM_CLI_COMMANDS_H
#define LPARSIM_CLI_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct command {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
};

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_sweep(int argc, char **argv);   /* cli/commands_sweep.c */
int cmd_merge(int argc, char **argv);   /* cli/commands_sweep.c */
int cmd_export(int argc, char **argv);  /* cli/commands_sweep.c */
int cmd_plot(int argc, char **argv);    /* cli/commands_plot.c */

/* An option a command accepts: "--set" (long), 'o' (short alias or 0),
 * whether it takes a value, and whether it may repeat. */
struct opt_desc {
    const char *name;
    char short_name;
    bool has_value;
    bool repeats;
};

struct opt_value {
    const char *name; /* the opt_desc name */
    const char *value;
};

#define ARGS_MAX 256

struct args {
    const char *cmd;
    const char *positional[ARGS_MAX];
    size_t npositional;
    struct opt_value opts[ARGS_MAX];
    size_t nopts;
    bool help;
};

/* Parses argv (argv[0] is the command name). On a bad option prints
 * `lparsim CMD: error: ...` with a did-you-mean and returns -1. */
int args_parse(struct args *a, int argc, char **argv, const struct opt_desc *opts);
/* Last value given for an option, or NULL. */
const char *args_get(const struct args *a, const char *name);
bool args_has(const struct args *a, const char *name);
/* --seed N, if given, is a whole number; else prints an error and
 * returns 2 (it would otherwise be blamed on a --set). */
int args_check_seed(const struct args *a);
/* "1,2,5-7" (the value of --OPT) as a list of ids >= 1; -1 after printing
 * an error. Free *ids. */
int args_parse_ids(const char *cmd, const char *opt, const char *text, int64_t **ids,
                   size_t *n);
/* The same for numbers from min up; `what` describes them in the error
 * ("sweep points such as 0,2,4"). */
int args_parse_list(const char *cmd, const char *opt, const char *text, int64_t min,
                    const char *what, int64_t **ids, size_t *n);

/* Prints `lparsim CMD: error: MSG` to stderr; returns 2. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
