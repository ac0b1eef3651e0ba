/*
 * Terminal progress bar (see cli/progress.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"

#define BAR_WIDTH 30
#define REDRAW_INTERVAL_NS 100000000L

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static FILE *out(void)
{
	return cli_stderr ? cli_stderr : stderr;
}

static void draw(struct cli_progress *p)
{
	struct timespec now;
	size_t filled = p->total ? p->done * BAR_WIDTH / p->total : 0;
	double elapsed, rate;
	char bar[BAR_WIDTH + 1];

	clock_gettime(CLOCK_MONOTONIC, &now);
	p->drawn = now;
	for (size_t i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	elapsed = seconds_between(&p->started, &now);
	rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	/* \r returns to the line start and \x1b[K clears what a longer earlier line left. */
	fprintf(out(), "\r%s [%s] %zu/%zu %3zu%% %.1f/s\x1b[K", p->label, bar, p->done, p->total,
		p->total ? p->done * 100 / p->total : 100, rate);
	fflush(out());
}

void cli_progress_start(struct cli_progress *p, const char *label, size_t total)
{
	p->enabled = isatty(STDERR_FILENO) == 1;
	p->total = total;
	p->done = 0;
	p->label = label;
	clock_gettime(CLOCK_MONOTONIC, &p->started);
	p->drawn.tv_sec = 0;
	p->drawn.tv_nsec = 0;
	if (p->enabled)
		draw(p);
}

void cli_progress_update(struct cli_progress *p, size_t done)
{
	struct timespec now;

	p->done = done;
	if (!p->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_between(&p->drawn, &now) * 1e9 >= (double)REDRAW_INTERVAL_NS)
		draw(p);
}

void cli_progress_finish(struct cli_progress *p)
{
	if (!p->enabled)
		return;
	draw(p);
	fputc('\n', out());
	fflush(out());
}
