/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kmemleak core: object index, reference scanning and command parsing.
 *
 * Everything here is free of kernel glue (debugfs, kthreads, boot
 * parameters, stack capture), so it can be unit tested in userspace.
 * See mm/kmemleak.c for the design notes.
 */
#ifndef __MM_KMEMLEAK_CORE_H
#define __MM_KMEMLEAK_CORE_H

#include "kmemleak_internal.h"

/* Address spaces an object can live in. */
enum kml_space {
	KML_VIRT,		/* linear map, vmalloc, module memory */
	KML_PHYS,		/* memblock allocations, by physical address */
	KML_PERCPU,		/* per-CPU allocations, by __percpu cookie */
	KML_NR_SPACES,
};

/* Object flags; written under the object's shard lock. */
#define KML_NO_SCAN	BIT(0)	/* contents are never scanned */
#define KML_REPORTED	BIT(1)	/* listed in /sys/kernel/debug/kmemleak */
#define KML_FREED	BIT(2)	/* unindexed, memory reclaimed after walk */
#define KML_POOL	BIT(3)	/* metadata comes from the static pool */

/* min_count values with a special meaning. */
#define KML_BLACK	(-1)	/* never reported, never scanned */
#define KML_GRAY	0	/* never reported, always scanned */

struct kml_area {
	struct hlist_node node;
	unsigned long start;
	size_t size;
};

/**
 * struct kmemleak_object - metadata of one tracked memory block
 * @node: link in the shard's range tree
 * @list: link in the shard's object list
 * @pointer: start address (virtual, physical or per-CPU cookie)
 * @size: size in bytes
 * @excess_ref: address of an object that receives surplus references
 * @areas: scan areas; the whole block is scanned when empty
 * @gray_next: scanner work stack link; NULL when not queued in this scan
 * @jiffies: allocation time
 * @next_dead: once removed during a walk, link in the shard's dead chain
 * @trace: allocation stack in the stack depot
 * @checksum: CRC32 of the contents at the last scan
 * @min_count: references needed not to be a leak, or KML_BLACK/KML_GRAY
 * @count: references found by the current scan (scanner private)
 * @pid: allocating task, 0 in interrupt context
 * @flags: KML_* flags
 * @space: enum kml_space
 * @comm: allocating task name
 */
struct kmemleak_object {
	struct rb_node node;
	struct list_head list;
	unsigned long pointer;
	size_t size;
	unsigned long excess_ref;
	struct hlist_head areas;
	struct kmemleak_object *gray_next;
	union {
		unsigned long jiffies;
		struct kmemleak_object *next_dead;
	};
	depot_stack_handle_t trace;
	u32 checksum;
	int min_count;
	int count;
	pid_t pid;
	u8 flags;
	u8 space;
	char comm[TASK_COMM_LEN];
};

/* Result of parsing one debugfs command. */
enum kml_cmd_op {
	KML_CMD_SCAN,
	KML_CMD_CLEAR,
	KML_CMD_OFF,
	KML_CMD_STACK_ON,
	KML_CMD_STACK_OFF,
	KML_CMD_SCAN_ON,
	KML_CMD_SCAN_OFF,
	KML_CMD_SCAN_SECS,
	KML_CMD_DUMP,
};

struct kml_cmd {
	enum kml_cmd_op op;
	unsigned long arg;	/* seconds for SCAN_SECS, address for DUMP */
};

/* Longest command accepted, without the trailing newline. */
#define KML_CMD_MAX	63

int kml_parse_cmd(const char *buf, size_t len, struct kml_cmd *cmd);

/* Object index. */
void kml_index_init(void);
int kml_insert(struct kmemleak_object *obj);
bool kml_remove(enum kml_space space, unsigned long ptr, bool interior,
		struct kmemleak_object *copy);
bool kml_remove_part(enum kml_space space, unsigned long ptr, size_t size);
bool kml_update(enum kml_space space, unsigned long ptr, bool interior,
		void (*fn)(struct kmemleak_object *obj, void *arg), void *arg);
void kml_call_locked(struct kmemleak_object *obj,
		     void (*fn)(struct kmemleak_object *obj, void *arg),
		     void *arg);
void kml_set_gray(struct kmemleak_object *obj, void *arg);
void kml_set_black(struct kmemleak_object *obj, void *arg);
void kml_set_no_scan(struct kmemleak_object *obj, void *arg);
void kml_reset_checksum(struct kmemleak_object *obj, void *arg);
void kml_add_area(struct kmemleak_object *obj, void *arg);
unsigned long kml_count_objects(void);
const void *kml_private_data(size_t *size);
void kml_reset_index(void (*release)(struct kmemleak_object *obj));

/* Walks over all objects; metadata freed meanwhile stays readable. */
void kml_walk_begin(void);
void kml_walk_end(void);
typedef bool (*kml_visit_t)(struct kmemleak_object *obj, void *arg);
void kml_visit_objects(kml_visit_t fn, void *arg);

/* Position in (shard, address) order; zeroed means "from the start". */
struct kml_cursor {
	unsigned int shard;
	unsigned long addr;
};

struct kmemleak_object *
kml_cursor_seek(struct kml_cursor *cur,
		bool (*pred)(const struct kmemleak_object *obj));
void kml_cursor_advance(struct kml_cursor *cur);

/* Object colour. */
static inline bool kml_white(const struct kmemleak_object *obj)
{
	int min = READ_ONCE(obj->min_count);

	return min > 0 && obj->count < min;
}

bool kml_unreferenced(const struct kmemleak_object *obj);

/* Scanning. */
struct kml_scan {
	struct kmemleak_object *gray;	/* work stack */
	unsigned long start;		/* jiffies at scan start */
	unsigned long min_age;		/* jiffies an object must have lived */
	unsigned int new_leaks;
	unsigned int words;		/* since the last stop check */
	bool stopped;
};

void kml_scan_block(struct kml_scan *sc, unsigned long start,
		    unsigned long end, struct kmemleak_object *scanned);
void kml_scan_skip(struct kml_scan *sc, unsigned long addr);
int kml_scan(struct kml_scan *sc);
void kml_clear(void);

/* Hooks provided by the glue (mm/kmemleak.c) or the unit tests. */
struct kmemleak_object *kml_new_meta(void);
void kml_free_meta(struct kmemleak_object *obj);
bool kml_scan_should_stop(void);
void kml_yield(void);
void kml_scan_roots(struct kml_scan *sc);
void kml_report_new(struct kmemleak_object *obj);
void kml_warn_overlap(struct kmemleak_object *obj,
		      struct kmemleak_object *old);

#endif /* __MM_KMEMLEAK_CORE_H */
