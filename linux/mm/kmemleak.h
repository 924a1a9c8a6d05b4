/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared by the mm/kmemleak*.c files.  The core's, which the
 * userspace unit tests use as well, are in kmemleak_core.h.
 */
#ifndef __MM_KMEMLEAK_H
#define __MM_KMEMLEAK_H

#include <linux/mutex.h>

#include "kmemleak_core.h"

/*
 * The detector's state (kmemleak.c).  Allocations and annotations are
 * tracked in KML_EARLY and KML_ON; frees also in KML_DISABLING, so that
 * the index stays true until the scan thread is stopped and the metadata
 * released.
 */
enum kml_state {
	KML_EARLY,		/* on, before late init: no workqueues yet */
	KML_ON,
	KML_DISABLING,		/* turned off, clean-up pending */
	KML_OFF,		/* frees untracked; reported leaks may remain */
};

extern int kml_state;

static __always_inline bool kml_tracking(void)
{
	return READ_ONCE(kml_state) <= KML_ON;
}

static __always_inline bool kml_tracking_frees(void)
{
	return READ_ONCE(kml_state) <= KML_DISABLING;
}

void kml_disable(const char *why);
const char *kml_disabled_why(void);
void kml_check_roots(int ret);

/* Serialises scans, debugfs commands and reads, and teardown. */
extern struct mutex kml_scan_mutex;
void kml_lock_scans(void);
int kml_lock_scans_interruptible(void);
extern bool kml_verbose;
extern unsigned int kml_min_unref_scans;

/* kmemleak_object.c: descriptors and allocation stacks */
void kml_objects_init(void);
void kml_objects_late_init(void);
void kml_objects_drain(void);
unsigned int kml_pool_size(void);
unsigned int kml_pool_available(void);
unsigned long kml_metadata_bytes(void);
void kml_stack_counts(unsigned long *walked, unsigned long *recalled);
void kml_recall_forget(void);
void kml_recall_watch_modules(void);
struct kmemleak_object *__kml_alloc_meta(gfp_t gfp);
struct kmemleak_object *kml_alloc_meta(gfp_t gfp);
struct kml_area *kml_alloc_area(gfp_t gfp);
void kml_set_owner(struct kmemleak_object *obj);
depot_stack_handle_t kml_save_trace(unsigned long caller);

/* kmemleak_roots.c: the kernel's own roots, and stack scrubbing */
extern bool kml_stack_scan;
void kml_set_stack_scan(bool on);
unsigned long kml_saved_sp(struct task_struct *t);
void kml_scrub_stack(void);

/* kmemleak_thread.c: the scan thread, scans on demand, module removal */
extern bool kml_found_leaks;
int kml_do_scan(void);
int kml_refs(unsigned long addr);
void kml_start_thread(bool boot);
void kml_stop_thread(void);
void kml_set_scan_period(unsigned long secs);
void kml_modules_init(void);

struct kml_scan_stats {
	unsigned long scans;		/* completed */
	unsigned int last_ms;
	unsigned long last_objects;	/* objects searched by the last scan */
	unsigned long last_bytes;	/* bytes searched by the last scan */
	unsigned long period_secs;	/* 0: no automatic scanning */
	bool stacks;			/* stack=on */
};

void kml_scan_stats(struct kml_scan_stats *st);

/* kmemleak_report.c: the report and the debugfs file */
void kml_report_new_leaks(void);
void kml_debugfs_init(void);

/* kmemleak_views.c: the summary and statistics files */
void kml_views_init(void);

#endif /* __MM_KMEMLEAK_H */
