/* cli/commands_plot.c — `plot` (stub until built). */
#include "cli/commands.h"

int cmd_plot(int argc, char **argv) { (void)argc; return cli_error(argv[0], "not implemented yet"); }
