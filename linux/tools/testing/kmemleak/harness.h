/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' harness: checks, the hooks the core calls (which the
 * glue, mm/kmemleak*.c, provides in the kernel), and helpers that register
 * blocks, run scans and look at the result the way the glue does.
 *
 * Tracked blocks are malloc()ed, and so is metadata, which kml_free_meta()
 * really frees: AddressSanitizer catches the core reading past a block, a
 * block after it was freed, or metadata after it was released.
 */
#ifndef KMEMLEAK_TEST_HARNESS_H
#define KMEMLEAK_TEST_HARNESS_H

#include "kmemleak_internal.h"
#include "../../../mm/kmemleak_core.h"

/* Checks */

extern int t_fails;

/* Report a failed check at @file:@line; the test goes on. */
void t_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define t_fail(...)	t_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond)							\
	((cond) ? true : (t_fail("CHECK(%s) failed", #cond), false))

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		t_fail("%s == %s: got %lld (%#llx), want %lld (%#llx)", \
		       #a, #b, _a, _a, _b, _b);				\
} while (0)

struct t_case {
	const char *name;
	void (*fn)(void);
};

/* Fake address spaces */

#define VBASE		0x100000000000UL	/* fake virtual addresses */
#define REGION		(1UL << KML_REGION_SHIFT)
#define PCPU_BASE	0x10000000UL		/* fake per-CPU cookies */
#define PCPU_UNIT	(64 * 1024UL)		/* bytes of each CPU's copy */
#define PHYS_BASE	0x80000000UL		/* fake physical range */
#define PHYS_PAGES	4
#define PHYS_LOWMEM	2			/* pages of lowmem */
#define MIN_AGE		100			/* jiffies */
#define T_JIFFIES	1000000UL		/* jiffies when a test starts */

static inline unsigned long A(const void *p)
{
	return (unsigned long)p;
}

/* The static root every test has (kml_add_root()), zeroed. */
extern unsigned long rootbuf[64];
/* Fake physical memory: PHYS_BASE is mapped at phys_mem. */
extern unsigned char *phys_mem;

/* Hook accounting and control */

extern long meta_live, meta_freed;	/* metadata handed to the core */
extern long areas_live, areas_freed;	/* scan areas */
extern const struct kmemleak_object *last_meta_freed;
extern long yields;			/* kml_yield() calls */
extern void (*yield_fn)(void);		/* called by kml_yield() */
extern bool yield_sched;		/* kml_yield() does sched_yield() */
extern int stop_after;			/* kml_should_stop(): see harness.c */
extern void (*stop_fn)(void);		/* called by kml_should_stop() */
extern void (*roots_fn)(struct kml_scan *sc);	/* in kml_scan_roots() */

/* kml_warn_overlap() calls: the last two snapshots, the locks then held */
extern int overlaps, overlap_locks;
extern struct kml_snapshot overlap_new, overlap_old;

/* What the last scan() reported: the KML_LIST_NEW listing after it. */
#define MAX_REPORTED	4096
extern unsigned long reported[MAX_REPORTED];
extern int nr_reported;
extern unsigned int last_new_leaks;
/* Its candidates before the confirmation (struct kml_scan). */
extern unsigned int last_candidates;
/* What scan() passes as kmemleak.min_unref_scans; 0 after each test. */
extern unsigned int min_unref_scans;
/* Other threads free objects during scans: a report may be gone. */
extern bool racy_reports;

/* Helpers */

/* Metadata as the glue's kml_track() fills it in, from malloc(). */
struct kmemleak_object *mkobj(enum kml_space space, unsigned long ptr,
			      size_t size, int min_count);
/* Zeroed metadata, as __kml_alloc_meta() returns: a spare. */
struct kmemleak_object *mkspare(void);
struct kml_area *mkarea(unsigned long start, size_t size);
/* kml_insert(); the metadata is the index's from then on. */
int track_obj(struct kmemleak_object *obj);
int track(enum kml_space space, unsigned long ptr, size_t size,
	  int min_count);

/* A real, zeroed, tracked block; excess_ref as kmemleak_vmalloc() sets. */
unsigned long *blk(const char *name, size_t size, int min_count);
unsigned long *blk_ex(const char *name, size_t size, int min_count,
		      unsigned long excess_ref);
/* The metadata blk() registered for @p. */
struct kmemleak_object *meta_of(const void *p);
/* kmemleak_free() then kfree(): the core must not touch it later. */
void blk_free(void *p);
/* kmemleak_free_part() with a spare, as the glue calls it. */
bool free_part(const void *p, size_t size);

/* A tracked per-CPU block; returns the cookie. */
unsigned long pcpu(size_t size, int min_count);
unsigned long *pcpu_copy(unsigned long cookie, int cpu);

/* One scan as kml_do_scan() runs it, then the listing of what it found. */
int scan(void);
/* Let every object created so far reach the minimum age. */
void age(void);

/* Locked lookup (kml_lookup()); copies the object if found. */
bool lookup(enum kml_space space, unsigned long addr, bool interior,
	    struct kmemleak_object *copy);
bool snap(const void *p, struct kmemleak_object *copy);
int min_count_of(const void *p);

/* Annotations, as mm/kmemleak.c makes them; false if not tracked. */
bool not_leak(const void *p);
bool ignore(const void *p);
bool no_scan(const void *p);
bool transient(const void *p);
bool scan_area(const void *p, size_t size);

/*
 * The listing the debugfs reader makes (kml_list() then
 * kml_listing_snapshot() for each); fills @ptrs with up to @max objects,
 * oldest first, and checks the order.  Returns how many.
 */
int list_objects(int which, unsigned long *ptrs, int max);

const char *name_of(unsigned long ptr);

/*
 * @addr is inside the object starting at @start (or in none if !@found),
 * through both the locked lookup and the scanner's lockless kml_find().
 */
void check_at(const char *file, int line, enum kml_space space,
	      unsigned long addr, bool found, unsigned long start);
#define AT(space, addr, start)						\
	check_at(__FILE__, __LINE__, space, addr, true, start)
#define NONE_AT(space, addr)						\
	check_at(__FILE__, __LINE__, space, addr, false, 0)

/* Compare a set of pointers with the NULL-terminated @want. */
void check_set(const char *file, int line, const char *what,
	       const unsigned long *got, int n, const void *const *want);
void check_listed(const char *file, int line, const void *const *want);
bool in_set(const unsigned long *set, int n, unsigned long p);

/* Exactly these were reported by the last scan / are listed now. */
#define REPORTS(...)	check_set(__FILE__, __LINE__, "reported",	\
				  reported, nr_reported,		\
				  (const void *const[]){ __VA_ARGS__ NULL })
#define LISTED(...)	check_listed(__FILE__, __LINE__,		\
				     (const void *const[]){ __VA_ARGS__ NULL })

void t_setup(void);
void t_teardown(void);

#endif /* KMEMLEAK_TEST_HARNESS_H */
