/*
 * Reading of the known-answer vector files kept outside the repository.
 *
 * The folder is $RSP_SHARED/vectors, or $RSP_REPO/../shared/vectors when only RSP_REPO is set.
 * The files are line based: "# comment" lines, blank lines, "[section title]" lines and
 * "key: value" lines, where a value may be followed by spaces and a "# comment".
 */
#ifndef TEST_UNIT_VECTORS_H
#define TEST_UNIT_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens a vector file by name; returns NULL when no vector folder is configured or the file
 * is missing, so the caller can SKIP. */
static inline FILE *vectors_open(const char *name)
{
	const char *shared = getenv("RSP_SHARED");
	const char *repo = getenv("RSP_REPO");
	char path[4096];
	int n;

	if (shared && shared[0])
		n = snprintf(path, sizeof(path), "%s/vectors/%s", shared, name);
	else if (repo && repo[0])
		n = snprintf(path, sizeof(path), "%s/../shared/vectors/%s", repo, name);
	else
		return NULL;
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return fopen(path, "r");
}

/* Reads the next line that carries data into line, with the comment and the trailing spaces
 * removed. Returns 0 at the end of the file, -1 when a line does not fit into line. */
static inline int vectors_next_line(FILE *f, char *line, size_t size)
{
	while (fgets(line, (int)size, f)) {
		size_t len = strlen(line);
		char *hash;

		if (len > 0 && line[len - 1] != '\n' && !feof(f))
			return -1;
		for (hash = strchr(line, '#'); hash; hash = strchr(hash + 1, '#')) {
			if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		}
		len = strlen(line);
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				   line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len > 0)
			return 1;
	}
	return 0;
}

/* Splits "key: value" in place; returns 0 when the line has no ": ". */
static inline int vectors_split(char *line, const char **key, const char **value)
{
	char *sep = strstr(line, ": ");

	if (!sep)
		return 0;
	*sep = '\0';
	*key = line;
	*value = sep + 2;
	while (**value == ' ')
		(*value)++;
	return 1;
}

#endif
