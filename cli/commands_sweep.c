/* cli/commands_sweep.c — `sweep`, `merge` and `export` (stubs until built). */
#include "cli/commands.h"

int cmd_sweep(int argc, char **argv) { (void)argc; return cli_error(argv[0], "not implemented yet"); }
int cmd_merge(int argc, char **argv) { (void)argc; return cli_error(argv[0], "not implemented yet"); }
int cmd_export(int argc, char **argv) { (void)argc; return cli_error(argv[0], "not implemented yet"); }
