// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scan (mm/kmemleak_scan.c): what counts as a reference, min_count,
 * colouring through chains, checksums and age, scan areas, annotations,
 * excess references, per-CPU and physical objects, clear, stop.
 */

/* Any pointer into a block counts; one past its end does not. */
static void test_interior_refs(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 1);
	unsigned long *e = blk("e", 64, 1);
	unsigned long *h = blk("holder", 36, KML_GRAY);
	unsigned long *u = blk("unaligned", 64, 1);
	unsigned long *l = blk("partial", 64, 1);
	unsigned long v;

	NONE_AT(KML_VIRT, A(d) + 64);
	NONE_AT(KML_VIRT, A(e) - 1);
	rootbuf[0] = A(a);
	rootbuf[1] = A(b) + 21;
	rootbuf[2] = A(c) + 63;
	rootbuf[3] = A(d) + 64;
	rootbuf[4] = A(e) - 1;
	/* words are read aligned and whole, from blocks of any size */
	v = A(u);
	memcpy((char *)h + 4, &v, sizeof(v));	/* straddles two words */
	h[2] = A(a);
	v = A(l);
	memcpy((char *)h + 32, &v, 4);		/* the last, partial word */
	age();
	CHECK_EQ(scan(), 0);
	REPORTS(d, e, u, l,);
	LISTED(d, e, u, l,);
}

/*
 * References from a block to itself do not count, and are not passed on
 * to its excess_ref either: a vm_struct that points to itself does not
 * keep its area.
 */
static void test_self_refs(void)
{
	unsigned long *s = blk("self", 64, 1);
	unsigned long *t = blk("self2", 64, 2);
	unsigned long *x = blk("by-self", 64, 1);
	unsigned long *area = blk("area", 128, 2);
	unsigned long *vm = blk_ex("vm", 64, 1, A(area));
	struct kmemleak_object o;

	s[0] = A(s);
	s[3] = A(s) + 40;
	s[4] = A(x);
	t[0] = A(t);
	t[1] = A(t) + 8;
	rootbuf[0] = A(t);
	rootbuf[1] = A(vm);
	vm[0] = A(vm) + 8;
	vm[1] = A(area);
	age();
	scan();
	scan();
	/* s is scanned in the first scan only (its checksum changed) */
	LISTED(s, t, x, area,);
	CHECK(snap(t, &o) && o.count == 1);
	CHECK(snap(area, &o) && o.count == 1);
	CHECK(snap(vm, &o) && o.count == 1);
}

/* A freed middle part no longer takes references. */
static void test_free_part_scan(void)
{
	unsigned long *a = blk("a", 128, 1);

	rootbuf[0] = A(a) + 64;
	CHECK(free_part((void *)(A(a) + 64), 32));
	age();
	scan();
	LISTED(a, (void *)(A(a) + 96),);
}

/* min_count -1: never reported, never scanned. */
static void test_min_count_black(void)
{
	unsigned long *b = blk("black", 64, KML_BLACK);
	unsigned long *u = blk("unref-black", 64, KML_BLACK);
	unsigned long *x = blk("x", 64, 1);
	struct kmemleak_object o;

	b[0] = A(x);
	u[0] = A(x);
	rootbuf[0] = A(b);
	age();
	scan();
	scan();
	LISTED(x,);
	CHECK(snap(b, &o) && o.count == 0);
}

/* min_count 0: never reported, always scanned. */
static void test_min_count_gray(void)
{
	unsigned long *g = blk("gray", 64, KML_GRAY);
	unsigned long *x = blk("x", 64, 1);
	unsigned long *y = blk("y", 64, 1);

	g[0] = A(x);
	x[0] = A(y);
	age();
	scan();
	scan();
	LISTED();
	CHECK_EQ(nr_reported, 0);
}

/* min_count n: reported with fewer than n references, not with n. */
static void test_min_count_n(void)
{
	static const char *const names[] = { "0ref", "1ref", "2ref", "3ref",
					     "4ref" };
	unsigned long *o[5], *two, *g;
	struct kmemleak_object c;
	int k, i, w = 0;

	for (k = 0; k < 5; k++) {
		o[k] = blk(names[k], 64, 3);
		for (i = 0; i < k; i++)
			rootbuf[w++] = A(o[k]) + i;
	}
	/* two words of one scanned block are two references */
	two = blk("two-from-one", 64, 2);
	g = blk("holder", 64, KML_GRAY);
	g[0] = A(two);
	g[5] = A(two) + 8;
	age();
	scan();
	scan();
	LISTED(o[0], o[1], o[2],);
	for (k = 0; k < 5; k++)
		CHECK(snap(o[k], &c) && c.count == (k < 3 ? k : 3));
}

/* Colouring follows chains. */
static void test_chain(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 1);

	rootbuf[0] = A(a);
	a[0] = A(b);
	b[7] = A(c) + 5;
	c[3] = A(d);
	age();
	scan();
	scan();
	LISTED();
	CHECK_EQ(nr_reported, 0);
	/* cut the chain at the root: all of it leaks */
	rootbuf[0] = 0;
	scan();
	REPORTS();	/* a changed since the last scan: scanned as referenced */
	scan();
	REPORTS(a, b, c, d,);
	LISTED(a, b, c, d,);
	/* reattach the middle: only the head leaks */
	rootbuf[1] = A(b);
	scan();
	LISTED(a,);
}

/* Unreachable cycles leak; reachable ones don't. */
static void test_cycle(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 1);
	unsigned long *s = blk("self-cycle", 64, 1);

	a[0] = A(b);
	b[0] = A(a);
	c[1] = A(d);
	d[1] = A(c);
	rootbuf[0] = A(d);
	s[0] = A(s);
	age();
	scan();
	scan();
	LISTED(a, b, s,);
}

/* A block reached through two paths gets both references. */
static void test_diamond(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 2);
	struct kmemleak_object o;

	rootbuf[0] = A(a);
	a[0] = A(b);
	a[1] = A(c);
	b[0] = A(d);
	c[0] = A(d) + 32;
	age();
	scan();
	scan();
	LISTED();
	CHECK(snap(d, &o) && o.count == 2);
	c[0] = 0;
	/* referenced until the last scan: the benefit of the doubt, once */
	scan();
	LISTED();
	scan();
	LISTED(d,);
	CHECK(snap(d, &o) && o.count == 1);
}

/* A block whose contents changed since the last scan is not reported. */
static void test_checksum(void)
{
	unsigned long *x = blk("x", 64, 1), *m = blk("m", 64, 1);
	unsigned long *n = blk("n-by-m", 64, 1), *z = blk("zeroes", 64, 1);
	struct kmemleak_object o;

	x[0] = 0x1234;
	m[0] = A(n);
	age();
	/* new blocks have no checksum yet: changed unless all zeroes */
	scan();
	REPORTS(z,);
	CHECK(snap(x, &o) && o.checksum == crc32(0, x, 64));
	/* m was scanned as referenced in that scan, so n was referenced */
	CHECK(snap(n, &o) && o.count == 1);
	x[1] = 5;
	scan();
	REPORTS(m, n,);
	scan();
	REPORTS(x,);
	LISTED(x, z, m, n,);
	/* a listed block that changes leaves the list for one scan */
	x[2] = 6;
	scan();
	LISTED(z, m, n,);
	scan();
	LISTED(x, z, m, n,);
	REPORTS();
}

/* Blocks younger than min_age at the start of the scan are not reported. */
static void test_age(void)
{
	unsigned long *x, *y;

	x = blk("x", 64, 1);
	jiffies += MIN_AGE - 1;
	scan();
	REPORTS();
	LISTED();
	jiffies++;
	scan();
	REPORTS(x,);

	/* across a jiffies wrap */
	jiffies = ULONG_MAX - 10;
	y = blk("y", 64, 1);
	jiffies += MIN_AGE - 1;
	CHECK(jiffies < 1000);
	scan();
	REPORTS();
	jiffies++;
	scan();
	REPORTS(y,);
}

/* Once a block has scan areas, only they are scanned. */
static void test_scan_area(void)
{
	unsigned long *h = blk("holder", 256, KML_GRAY);
	unsigned long *t2 = blk("in-area", 64, 1);
	unsigned long *t10 = blk("outside", 64, 1);
	unsigned long *t30 = blk("in-tail-area", 64, 1);
	unsigned long *t6 = blk("straddling", 64, 1);
	unsigned long *t5 = blk("in-area2", 64, 1);
	unsigned long *w = blk("whole", 64, KML_GRAY);
	unsigned long *t9 = blk("by-whole", 64, 1);

	h[2] = A(t2);
	h[5] = A(t5);
	h[6] = A(t6);
	h[10] = A(t10);
	h[30] = A(t30);
	w[7] = A(t9);
	CHECK(scan_area(&h[2], 8));
	CHECK(scan_area(&h[5], 12));		/* h[6] is half in it */
	CHECK(scan_area(&h[25], SIZE_MAX));	/* to the end */
	CHECK(!scan_area(&h[31], 16));		/* past the end */
	CHECK(!scan_area((char *)h + 256, 1));	/* not in the block */
	age();
	scan();
	scan();
	LISTED(t6, t10,);
}

/* More scan areas than a scan copies: the whole block is scanned. */
static void test_scan_area_many(void)
{
	unsigned long *h8 = blk("8-areas", 256, KML_GRAY);
	unsigned long *h9 = blk("9-areas", 256, KML_GRAY);
	unsigned long *t8 = blk("outside-8", 64, 1);
	unsigned long *t9 = blk("outside-9", 64, 1);
	int i;

	for (i = 0; i < KML_MAX_AREAS; i++)
		CHECK(scan_area(&h8[2 * i], 8));
	for (i = 0; i < KML_MAX_AREAS + 1; i++)
		CHECK(scan_area(&h9[2 * i], 8));
	h8[1] = A(t8);
	h9[1] = A(t9);
	age();
	scan();
	LISTED(t8,);
}

/* KML_FULL_SCAN (no memory for a scan area): the areas are ignored. */
static void test_full_scan(void)
{
	unsigned long *h = blk("holder", 256, KML_GRAY);
	unsigned long *t2 = blk("in-area", 64, 1);
	unsigned long *t20 = blk("outside", 64, 1);
	struct kmemleak_object *obj;
	unsigned long flags;

	h[2] = A(t2);
	h[20] = A(t20);
	CHECK(scan_area(&h[2], 8));
	age();
	scan();
	LISTED(t20,);
	if (CHECK(kml_lookup(KML_VIRT, A(h), false, &obj, &flags))) {
		obj->flags |= KML_FULL_SCAN;
		kml_unlock(obj, flags);
	}
	scan();
	LISTED();
}

/* kmemleak_no_scan(): the block can leak, but is not searched. */
static void test_no_scan(void)
{
	unsigned long *n = blk("no-scan", 64, 1), *t = blk("t", 64, 1);
	unsigned long *m = blk("no-scan-leak", 64, 1);

	CHECK(no_scan(n));
	CHECK(no_scan(m));
	rootbuf[0] = A(n);
	n[0] = A(t);
	age();
	scan();
	scan();
	LISTED(t, m,);
}

/* kmemleak_not_leak(): not reported, still scanned. */
static void test_not_leak(void)
{
	unsigned long *a = blk("not-leak", 64, 1), *t = blk("t", 64, 1);

	a[0] = A(t);
	CHECK(not_leak(a));
	age();
	scan();
	scan();
	LISTED();
	CHECK_EQ(min_count_of(a), KML_GRAY);
}

/* kmemleak_ignore(): neither reported nor scanned. */
static void test_ignore(void)
{
	unsigned long *a = blk("ignored", 64, 1), *t = blk("t", 64, 1);
	unsigned long *b = blk("ignored-ref", 64, 1);

	a[0] = A(t);
	rootbuf[0] = A(b);
	CHECK(ignore(a));
	CHECK(ignore(b));
	CHECK(!ignore((char *)b + 8));
	age();
	scan();
	scan();
	LISTED(t,);
}

/* kmemleak_transient_leak(): not reported by the next scan. */
static void test_transient(void)
{
	unsigned long *x = blk("x", 64, 1), *y = blk("transient", 64, 1);

	x[0] = 0x55;
	y[0] = 0x66;
	age();
	scan();
	REPORTS();
	CHECK(transient(y));
	scan();
	REPORTS(x,);
	scan();
	REPORTS(y,);
}

/*
 * vmalloc: the area has min_count 2 (the vm_struct points to it), and
 * references to the vm_struct beyond its own are credited to the area
 * (kmemleak_vmalloc() sets the vm_struct's excess_ref).
 */
static void test_excess_ref(void)
{
	unsigned long *a1 = blk("area1", 128, 2), *a2 = blk("area2", 128, 2);
	unsigned long *a3 = blk("area3", 128, 2);
	unsigned long *vm1 = blk_ex("vm1", 64, 1, A(a1));
	unsigned long *vm2 = blk_ex("vm2", 64, 1, A(a2));
	unsigned long *vm3 = blk_ex("vm3", 64, 1, A(a3));
	unsigned long *t = blk("by-area2", 64, 1);
	struct kmemleak_object o;

	vm1[0] = A(a1);
	vm2[0] = A(a2);
	vm3[0] = A(a3);
	a2[1] = A(t);
	/* the area and its vm_struct referenced: the area has its two */
	rootbuf[0] = A(vm1);
	rootbuf[1] = A(a1);
	/* the vm_struct twice (a task's stack): the surplus keeps the area */
	rootbuf[2] = A(vm2);
	rootbuf[3] = A(vm2) + 8;
	/* the vm_struct once: the area has only the vm_struct's reference */
	rootbuf[4] = A(vm3);
	age();
	scan();
	scan();
	LISTED(a3,);
	CHECK(snap(a2, &o) && o.count == 2);
	CHECK(snap(vm2, &o) && o.count == 1);
	CHECK(snap(a3, &o) && o.count == 1);
}

/*
 * An area A (min_count 2) referenced once, whose vm_struct V (min_count
 * 1, excess_ref A, pointing nowhere) is referenced twice: not a leak.
 * With V referenced once, A is.
 */
static void test_excess_ref_vm(void)
{
	unsigned long *a1 = blk("A1", 128, 2), *a2 = blk("A2", 128, 2);
	unsigned long *v1 = blk_ex("V1", 64, 1, A(a1));
	unsigned long *v2 = blk_ex("V2", 64, 1, A(a2));

	rootbuf[0] = A(a1);
	rootbuf[1] = A(v1);
	rootbuf[2] = A(v1) + 16;
	rootbuf[3] = A(a2);
	rootbuf[4] = A(v2);
	age();
	scan();
	LISTED(a2,);
}

/* Per-CPU blocks: referenced by cookie, the copies of all CPUs scanned. */
static void test_percpu(void)
{
	unsigned long p = pcpu(64, 1), q = pcpu(64, 1), r = pcpu(64, 1);
	unsigned long s = pcpu(64, 1), t = pcpu(64, 1), u = pcpu(64, 1);
	unsigned long *x = blk("x-by-cpu1", 64, 1);
	unsigned long *y = blk("y-by-cpu0", 64, 1);
	unsigned long *w = blk("w-by-last-cpu", 64, 1);
	unsigned long *z = blk("z", 64, 1);

	rootbuf[0] = p;
	rootbuf[1] = A(pcpu_copy(q, 1));	/* a copy is no reference */
	rootbuf[2] = r + 40;			/* interior cookie */
	pcpu_copy(p, 1)[3] = A(x);
	pcpu_copy(p, 0)[4] = A(y);
	pcpu_copy(p, NR_CPUS - 1)[2] = A(w);
	pcpu_copy(p, 0)[5] = t;
	pcpu_copy(s, 0)[0] = s;			/* self */
	pcpu_copy(s, 1)[0] = s + 8;
	pcpu_copy(u, 1)[7] = A(z);		/* u leaks: z is still seen */
	age();
	scan();
	scan();
	LISTED((void *)q, (void *)s, (void *)u, z,);

	/* the checksum covers every CPU's copy */
	pcpu_copy(u, NR_CPUS - 1)[6] = 1;
	scan();
	LISTED((void *)q, (void *)s,);
	scan();
	LISTED((void *)q, (void *)s, (void *)u, z,);
}

/* Where cookies are small integers, only a block's exact cookie counts. */
static void test_percpu_exact(void)
{
	unsigned long p = pcpu(64, 1), q = pcpu(64, 1), r = pcpu(64, 1);

	kml_percpu_exact = true;
	rootbuf[0] = p;
	rootbuf[1] = q + 8;			/* a counter of that value */
	rootbuf[2] = r | 1;			/* percpu_ref in atomic mode */
	age();
	scan();
	scan();
	LISTED((void *)q,);
	kml_percpu_exact = false;
	scan();
	LISTED();
}

/* Physical (memblock) blocks: scanned when in lowmem, never reported. */
static void test_phys(void)
{
	unsigned long *x = blk("x-by-lowmem", 64, 1);
	unsigned long *y = blk("y-by-highmem", 64, 1);
	unsigned long *z = blk("z-by-below-lowmem", 64, 1);
	unsigned long ph = PHYS_BASE + 3 * 4096;

	min_low_pfn++;	/* lowmem is page 1 of the fake range */
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + 64, 128, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + 4096 + 64, 128, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + 3 * 4096 + 64, 128, KML_GRAY),
		 0);
	((unsigned long *)(phys_mem + 64))[1] = A(z);
	((unsigned long *)(phys_mem + 4096 + 64))[1] = A(x);
	((unsigned long *)(phys_mem + 3 * 4096 + 64))[1] = A(y);
	/* a physical address is no reference (min_count 1: never so) */
	CHECK_EQ(track(KML_PHYS, ph, 64, 1), 0);
	rootbuf[0] = ph;
	age();
	scan();
	scan();
	LISTED(y, z, (void *)ph,);
}

/*
 * Lowmem is [min_low_pfn, max_low_pfn): a block in page max_low_pfn, or
 * running into it, cannot be read through the linear map.
 */
static void test_phys_lowmem_end(void)
{
	unsigned long *x = blk("x-by-first-highmem-page", 64, 1);
	unsigned long *y = blk("y-by-crossing-block", 64, 1);
	unsigned long hm = PHYS_LOWMEM * 4096;

	CHECK_EQ(track(KML_PHYS, PHYS_BASE + hm + 64, 128, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + hm - 64, 128, KML_GRAY), 0);
	((unsigned long *)(phys_mem + hm + 64))[1] = A(x);
	((unsigned long *)(phys_mem + hm))[1] = A(y);
	CHECK(!kml_phys_scannable(PHYS_BASE + hm + 64, 128));
	CHECK(!kml_phys_scannable(PHYS_BASE + hm - 64, 128));
	CHECK(kml_phys_scannable(PHYS_BASE + hm - 128, 128));
	age();
	scan();
	LISTED(x, y,);
}

static unsigned long *skip_stack, *skip_other;

static void roots_skip(struct kml_scan *sc)
{
	kml_scan_skip(sc, A(skip_stack));
	kml_scan_skip(sc, A(skip_other) + 8);	/* not a start: no effect */
	kml_scan_skip(sc, A(rootbuf));		/* not an object */
}

/*
 * kml_scan_skip(): a block the roots phase handles itself (a task stack)
 * still counts its references, but is not searched.
 */
static void test_scan_skip(void)
{
	unsigned long *t = blk("t-on-stack", 64, 1);
	unsigned long *u = blk("u-by-other", 64, 1);
	struct kmemleak_object o;

	skip_stack = blk("stack", 128, 1);
	skip_other = blk("other", 64, 1);
	skip_stack[3] = A(t);
	skip_other[0] = A(u);
	rootbuf[0] = A(skip_stack);
	rootbuf[1] = A(skip_other);
	roots_fn = roots_skip;
	age();
	scan();
	LISTED(t,);
	CHECK(snap(skip_stack, &o) && o.count == 1);
}

/* The stack's task is alive: the roots search the stack themselves. */
static void roots_live_task(struct kml_scan *sc)
{
	sc->stacks = true;
	kml_scan_skip(sc, A(skip_stack));
	kml_scan_block(sc, A(skip_stack), A(skip_stack) + 128, NULL);
}

/* The stack waits in a cache: no task has it. */
static void roots_no_task(struct kml_scan *sc)
{
	sc->stacks = true;
}

/*
 * A block once skipped as a task's stack, that a later scan with the live
 * stacks does not find, is a stack in the cache: not searched. With
 * stack=off (no live stacks in the roots) it is searched whole.
 */
static void test_scan_dead_stack(void)
{
	unsigned long *t = blk("t-in-dead-stack", 64, 1);

	skip_stack = blk("stack", 128, 1);
	skip_stack[3] = A(t);
	rootbuf[0] = A(skip_stack);
	age();
	roots_fn = roots_live_task;
	scan();
	LISTED();
	roots_fn = roots_no_task;
	scan();
	LISTED();		/* referenced last time: not yet */
	scan();
	LISTED(t,);
	roots_fn = NULL;		/* stack=off */
	scan();
	LISTED();
}

static unsigned long *cut_block;
static bool cut_done;

static void cut_in_scan(void)
{
	if (cut_done)
		return;
	cut_done = true;
	CHECK(free_part(cut_block + 8, 64));
}

/*
 * What a partial free leaves is new as far as reporting goes: a scan
 * under way does not report it, whatever the age of the block, and a
 * reported block stops being listed.
 */
static void test_remove_part_in_scan(void)
{
	unsigned long *x = blk("x", 256, 1), *r = blk("r", 64, 1);
	unsigned long x2 = A(x) + 128;

	cut_block = x;
	age();
	yield_fn = cut_in_scan;		/* first yield: the roots' chunk */
	scan();
	yield_fn = NULL;
	CHECK(cut_done);
	REPORTS(r,);
	LISTED(r,);
	AT(KML_VIRT, A(x) + 63, A(x));
	AT(KML_VIRT, x2, x2);
	age();
	scan();
	REPORTS(x, (void *)x2,);

	/* a reported block that loses a part is no longer listed */
	CHECK(free_part(r, 8));
	LISTED(x, (void *)x2,);
	age();
	scan();
	REPORTS((void *)(A(r) + 8),);
}

/* clear: listed blocks turn gray, and are scanned from then on. */
static void test_clear(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c-referenced", 64, 1), *f;
	struct kmemleak_object o;

	a[0] = A(b);
	rootbuf[0] = A(c);
	age();
	scan();
	scan();
	LISTED(a, b,);
	kml_walk_begin();
	kml_clear();
	kml_walk_end();
	LISTED();
	CHECK(snap(a, &o) && o.min_count == KML_GRAY &&
	      !(o.flags & (KML_REPORTED | KML_NEW)));
	CHECK_EQ(min_count_of(c), 1);
	scan();
	scan();
	REPORTS();
	LISTED();
	/* what a cleared block points to is referenced */
	f = blk("f", 64, 1);
	a[1] = A(f);
	age();
	scan();
	scan();
	LISTED();
	/* new leaks are reported again */
	f = blk("g", 64, 1);
	age();
	scan();
	REPORTS(f,);
}

static void roots_stop(struct kml_scan *sc)
{
	sc->stopped = true;
}

/* A stopped scan reports nothing. */
static void test_scan_stop(void)
{
	unsigned long *x = blk("x", 64, 1), *prev = NULL;
	int i;

	for (i = 0; i < 2 * KML_BATCH; i++) {
		unsigned long *o = blk("gray", 48, KML_GRAY);

		if (prev)
			prev[0] = A(o);
		prev = o;
	}
	age();
	stop_after = 0;		/* at the roots */
	CHECK_EQ(scan(), -EINTR);
	REPORTS();
	stop_after = 1;		/* the first check passes, in the drain */
	CHECK_EQ(scan(), -EINTR);
	REPORTS();
	stop_after = -1;
	roots_fn = roots_stop;
	CHECK_EQ(scan(), -EINTR);
	REPORTS();
	roots_fn = NULL;
	LISTED();
	CHECK_EQ(scan(), 0);
	REPORTS(x,);
}

/*
 * A watched scan ("refs=") records where each reference to the watched
 * object was found, roots and objects alike, and the references to a
 * vm_struct that pass on to its area; it counts as usual meanwhile.
 */
static void test_watch_refs(void)
{
	unsigned long *x = blk("x", 64, 1), *h = blk("holder", 64, KML_GRAY);
	unsigned long *area = blk("area", 128, 2);
	unsigned long *vm = blk_ex("vm", 64, 1, A(area));
	unsigned long *g = blk("gray", 64, KML_GRAY);
	struct kml_scan sc = { .min_age = MIN_AGE };
	struct kml_watch w = {};
	struct kmemleak_object o;
	int i;

	rootbuf[3] = A(x) + 8;
	h[5] = A(x);
	x[0] = A(x);			/* its own: not counted, not recorded */
	rootbuf[4] = A(vm);
	g[1] = A(vm);
	vm[0] = A(area);
	age();
	sc.start = jiffies;
	kml_walk_begin();
	w.obj = meta_of(x);
	sc.observed = true;
	sc.watch = &w;
	CHECK_EQ(kml_scan(&sc), 0);
	kml_walk_end();
	CHECK_EQ(w.found, 2);
	CHECK_EQ(w.nr, 2);
	for (i = 0; i < 2; i++) {
		const struct kml_watch_ref *r = &w.refs[i];

		if (r->holder) {
			CHECK_EQ(r->holder, A(h));
			CHECK_EQ(r->where, A(&h[5]));
		} else {
			CHECK_EQ(r->where, A(&rootbuf[3]));
		}
		CHECK(!r->excess);
	}
	CHECK(w.refs[0].holder != w.refs[1].holder);
	CHECK(snap(x, &o) && o.count == 1);

	/* the area: its own vm_struct pointer, and two to the vm_struct */
	memset(&w, 0, sizeof(w));
	sc = (struct kml_scan){ .start = jiffies, .min_age = MIN_AGE,
				.observed = true, .watch = &w };
	kml_walk_begin();
	w.obj = meta_of(area);
	CHECK_EQ(kml_scan(&sc), 0);
	kml_walk_end();
	CHECK_EQ(w.found, 3);
	for (i = 0; i < (int)w.nr; i++)
		CHECK_EQ(w.refs[i].excess, w.refs[i].holder != A(vm));
	CHECK(snap(area, &o) && o.count == 2);

	/* more references than records: all counted */
	memset(&w, 0, sizeof(w));
	for (i = 0; i < 40; i++)
		rootbuf[10 + i] = A(x);
	sc = (struct kml_scan){ .start = jiffies, .min_age = MIN_AGE,
				.observed = true, .watch = &w };
	kml_walk_begin();
	w.obj = meta_of(x);
	CHECK_EQ(kml_scan(&sc), 0);
	kml_walk_end();
	CHECK_EQ(w.found, 42);
	CHECK_EQ(w.nr, KML_WATCH_MAX);
}

/*
 * An RCU update during each scan: the node that holds a block is replaced
 * by a copy after the scan read the root, and freed before the scan got
 * to it.  The confirmation finds the copy among the objects allocated
 * during the scan; a real leak beside it is reported as early as ever.
 */
static unsigned long *mover_holder;
static unsigned long mover_block;
static size_t mover_size;
static bool mover_armed;
static int mover_moves;

static void mover_replace(void)
{
	unsigned long *n = blk("holder-copy", mover_size, 1);

	n[0] = mover_block;
	rootbuf[0] = A(n);
	blk_free(mover_holder);
	mover_holder = n;
	mover_moves++;
}

static void mover_roots(struct kml_scan *sc)
{
	mover_armed = true;
}

/* the first pause after the static roots: the root was read */
static void mover_yield(void)
{
	if (mover_armed) {
		mover_armed = false;
		mover_replace();
	}
}

static void confirm_case(size_t holder_size, bool again_in_grace_period,
			 int young_blocks)
{
	unsigned long *x = blk("moved", 64, 1), *l = blk("leak", 64, 1);
	long gps = shim_grace_periods;
	int i, j;

	x[0] = 0x55;
	l[0] = 0x77;
	mover_size = holder_size;
	mover_block = A(x);
	mover_holder = blk("holder", holder_size, 1);
	mover_holder[0] = A(x);
	rootbuf[0] = A(mover_holder);
	age();
	scan();			/* x gray, l given the benefit of the doubt */
	REPORTS();
	roots_fn = mover_roots;
	yield_fn = mover_yield;
	if (again_in_grace_period)
		shim_grace_period_hook = mover_replace;
	for (i = 0; i < 4; i++) {
		for (j = 0; j < young_blocks; j++)
			blk("young", 32, 1);
		scan();
		if (i == 0)
			REPORTS(l,);
		else
			REPORTS();
	}
	LISTED(l,);
	CHECK(mover_moves >= 4);
	/* the scans after the first found x white: candidates, confirmed */
	CHECK(shim_grace_periods - gps >= 3);
	CHECK_EQ(last_candidates, 1);
}

static void test_confirm_rcu_copy(void)
{
	confirm_case(64, false, 0);
}

/* The copy is replaced again while the scan waits for a grace period. */
static void test_confirm_replaced_again(void)
{
	confirm_case(64, true, 0);
}

/* A large copy, scanned after the read-side section, with pauses. */
static void test_confirm_large_copy(void)
{
	confirm_case(3 * KML_HOLD_BYTES, true, 0);
}

/* Many objects allocated during the scan: pauses in the confirmation. */
static void test_confirm_many_young(void)
{
	confirm_case(64, false, 3 * KML_BATCH);
}

/*
 * No new leak, no confirmation: a scan that finds nothing new does not
 * wait for a grace period.  A leak reported once is no candidate again.
 */
static void test_confirm_only_new(void)
{
	unsigned long *l = blk("leak", 64, 1);
	long gps;

	age();
	scan();
	REPORTS(l,);
	gps = shim_grace_periods;
	scan();
	scan();
	REPORTS();
	LISTED(l,);
	CHECK_EQ(shim_grace_periods, gps);
}

/*
 * kmemleak.min_unref_scans=N: reported by the N-th scan in a row that
 * finds the block unreferenced and unchanged; a reference in between
 * starts the count again.
 */
static void test_min_unref_scans(void)
{
	unsigned long *l = blk("leak", 64, 1), *k = blk("kept-at-times", 64, 1);

	min_unref_scans = 3;
	l[0] = 1;
	k[0] = 2;
	age();
	scan();			/* the benefit of the doubt: new contents */
	REPORTS();
	scan();			/* 1 */
	scan();			/* 2 */
	REPORTS();
	rootbuf[0] = A(k);
	scan();			/* 3 for l; k referenced */
	REPORTS(l,);
	rootbuf[0] = 0;
	scan();			/* k: the benefit of the doubt */
	scan();			/* 1 */
	scan();			/* 2 */
	REPORTS();
	scan();
	REPORTS(k,);
	LISTED(l, k,);
}

static const struct t_case scan_tests[] = {
	{ "interior_refs", test_interior_refs },
	{ "self_refs", test_self_refs },
	{ "free_part_scan", test_free_part_scan },
	{ "min_count_black", test_min_count_black },
	{ "min_count_gray", test_min_count_gray },
	{ "min_count_n", test_min_count_n },
	{ "chain", test_chain },
	{ "cycle", test_cycle },
	{ "diamond", test_diamond },
	{ "checksum", test_checksum },
	{ "age", test_age },
	{ "scan_area", test_scan_area },
	{ "scan_area_many", test_scan_area_many },
	{ "full_scan", test_full_scan },
	{ "no_scan", test_no_scan },
	{ "not_leak", test_not_leak },
	{ "ignore", test_ignore },
	{ "transient_leak", test_transient },
	{ "excess_ref", test_excess_ref },
	{ "excess_ref_vm", test_excess_ref_vm },
	{ "percpu", test_percpu },
	{ "percpu_exact", test_percpu_exact },
	{ "phys", test_phys },
	{ "phys_lowmem_end", test_phys_lowmem_end },
	{ "scan_skip", test_scan_skip },
	{ "scan_dead_stack", test_scan_dead_stack },
	{ "remove_part_in_scan", test_remove_part_in_scan },
	{ "clear", test_clear },
	{ "scan_stop", test_scan_stop },
	{ "watch_refs", test_watch_refs },
	{ "confirm_rcu_copy", test_confirm_rcu_copy },
	{ "confirm_replaced_again", test_confirm_replaced_again },
	{ "confirm_large_copy", test_confirm_large_copy },
	{ "confirm_many_young", test_confirm_many_young },
	{ "confirm_only_new", test_confirm_only_new },
	{ "min_unref_scans", test_min_unref_scans },
};
