/*
 * A progress bar on stderr for long commands, drawn only when stderr is a terminal, so logs
 * and pipes never receive carriage returns.
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct cli_progress {
	bool enabled;   /* stderr is a terminal */
	size_t total;
	size_t done;
	struct timespec started;
	struct timespec drawn; /* last redraw */
	const char *label;
};

/* Starts a bar for total items; nothing is drawn unless stderr is a terminal. */
void cli_progress_start(struct cli_progress *p, const char *label, size_t total);

/* Sets the number of finished items and redraws at most ten times per second. */
void cli_progress_update(struct cli_progress *p, size_t done);

/* Draws the final state and ends the line. */
void cli_progress_finish(struct cli_progress *p);

#endif
