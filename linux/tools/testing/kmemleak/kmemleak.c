// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace unit tests of the kmemleak core: the object index
 * (mm/kmemleak_index.c), the scan, static roots and leak classification
 * (kmemleak_scan.c) and the command parser (kmemleak_cmd.c).
 *
 * Like tools/testing/vma: kmemleak_internal.h stands in for the kernel
 * header of the same name, and the core sources are included whole, so
 * the tests (tests/<area>.c, included below) also reach their static
 * functions and data.  The harness (harness.c) provides the hooks the
 * glue provides in the kernel.
 *
 * Each test runs in a child process of its own, so the core's static
 * state (index, roots, spans) starts fresh for each; the program prints
 * TAP.
 *
 * Usage: kmemleak [-l] [TEST|AREA...]   (KMEMLEAK_NOFORK=1: one test,
 * in-process, for a debugger)
 */
#include "kmemleak_internal.h"

#include "../../../mm/kmemleak_index.c"
#include "../../../mm/kmemleak_scan.c"
#include "../../../mm/kmemleak_cmd.c"

#include "harness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/shim.c"
#include "tests/index.c"
#include "tests/scan.c"
#include "tests/roots.c"
#include "tests/walk.c"
#include "tests/hold.c"
#include "tests/trace.c"
#include "tests/parser.c"
#include "tests/concurrency.c"
#include "tests/leaks.c"

#define AREA(name, cases)	{ name, cases, ARRAY_SIZE(cases) }

static const struct t_area {
	const char *name;
	const struct t_case *cases;
	size_t nr;
} areas[] = {
	AREA("shim", shim_tests),
	AREA("index", index_tests),
	AREA("scan", scan_tests),
	AREA("roots", roots_tests),
	AREA("walk", walk_tests),
	AREA("hold", hold_tests),
	AREA("trace", trace_tests),
	AREA("parser", parser_tests),
	AREA("concurrency", concurrency_tests),
	AREA("leaks", leaks_tests),
};

/* Seconds a test may take (ASan, and a machine shared with builds). */
#define T_TIMEOUT	60

static int run_one(const struct t_case *t)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(T_TIMEOUT);
	t_setup();
	t->fn();
	t_teardown();
	return t_fails ? 1 : 0;
}

/* Run @t in a child process; returns whether it passed. */
static bool run_forked(const struct t_case *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (!pid)
		exit(run_one(t));
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(2);
	}
	if (WIFSIGNALED(status))
		printf("# killed by signal %d%s\n", WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else if (WEXITSTATUS(status) > 1)
		printf("# exit status %d (sanitizer report above)\n",
		       WEXITSTATUS(status));
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

#define MAX_SELECTED	1024

/* Add the tests @arg names (a test or an area) to @sel. */
static bool select_tests(const char *arg, const struct t_case **sel,
			 unsigned int *n)
{
	bool found = false;
	size_t a, i;

	for (a = 0; a < ARRAY_SIZE(areas); a++) {
		bool whole = !strcmp(arg, areas[a].name);

		for (i = 0; i < areas[a].nr; i++) {
			if (!whole && strcmp(arg, areas[a].cases[i].name))
				continue;
			if (*n == MAX_SELECTED) {
				fprintf(stderr, "more than %d tests selected\n",
					MAX_SELECTED);
				exit(2);
			}
			sel[(*n)++] = &areas[a].cases[i];
			found = true;
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	static const struct t_case *sel[MAX_SELECTED];
	bool nofork = getenv("KMEMLEAK_NOFORK");
	unsigned int i, n = 0, failed = 0;
	size_t a;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (a = 0; a < ARRAY_SIZE(areas); a++)
			for (i = 0; i < areas[a].nr; i++)
				printf("%s\n", areas[a].cases[i].name);
		return 0;
	}
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!select_tests(argv[i], sel, &n)) {
			fprintf(stderr, "%s: no test or area named '%s' (-l lists the tests)\n",
				argv[0], argv[i]);
			return 2;
		}
	}
	if (argc == 1)
		for (a = 0; a < ARRAY_SIZE(areas); a++)
			select_tests(areas[a].name, sel, &n);
	if (nofork && n > 1) {
		fprintf(stderr, "%s: KMEMLEAK_NOFORK runs one test\n", argv[0]);
		return 2;
	}

	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		bool ok = nofork ? !run_one(sel[i]) : run_forked(sel[i]);

		printf("%sok %u - %s\n", ok ? "" : "not ", i + 1, sel[i]->name);
		failed += !ok;
	}
	if (failed)
		printf("# %u of %u tests failed\n", failed, n);
	return failed ? 1 : 0;
}
