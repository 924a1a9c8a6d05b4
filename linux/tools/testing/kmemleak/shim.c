// SPDX-License-Identifier: GPL-2.0-only
/*
 * The out-of-line part of the userspace shim (kmemleak_internal.h): the
 * variables and functions that kernel .c files, rather than headers,
 * provide to the kmemleak core.  Where tools/ has no counterpart, each is
 * a small userspace version that follows the kernel file named beside it.
 */
#include "kmemleak_internal.h"

/* Lock accounting (kmemleak_internal.h) */
__thread int shim_lock_depth;
__thread char shim_self;
__thread int shim_seq_writing;
__thread unsigned long shim_bytes_read, shim_hold_start, shim_hold_max;
__thread void (*shim_read_hook)(const volatile void *p);

/* mm/percpu.c */
unsigned long __per_cpu_offset[NR_CPUS];
__thread int shim_cpu;

/* arch/x86/kernel/head64.c, mm/memblock.c */
unsigned long page_offset_base;
unsigned long min_low_pfn, max_low_pfn;

/* kernel/time/timer.c */
volatile unsigned long jiffies;

/* kernel/rcu/tree.c: no readers to wait for but the test's own "updater" */
__thread int shim_rcu_depth;
void (*shim_grace_period_hook)(void);
long shim_grace_periods;

void synchronize_rcu(void)
{
	if (shim_rcu_depth)
		SHIM_BUG("synchronize_rcu() in an RCU read-side section");
	if (shim_lock_depth)
		SHIM_BUG("synchronize_rcu() with a raw spinlock held");
	__atomic_add_fetch(&shim_grace_periods, 1, __ATOMIC_RELAXED);
	if (shim_grace_period_hook)
		shim_grace_period_hook();
}

/*
 * lib/sort.c: the kernel's is a heapsort that takes a swap function;
 * nothing here depends on the order of equal elements, so qsort() does.
 */
void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func,
	  swap_func_t swap_func)
{
	if (swap_func)
		SHIM_BUG("sort() with a swap function is not provided");
	if (num > 1)	/* qsort()'s base must not be NULL, even for none */
		qsort(base, num, size, cmp_func);
}

/*
 * lib/crc32.c crc32_le(): the reflected polynomial 0xedb88320, no
 * inversion before or after (crc32(~0, ...) ^ ~0 is the usual CRC-32).
 */
static u32 crc32_table[256];

static void __attribute__((constructor)) crc32_init(void)
{
	u32 i, c;
	int k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (c & 1 ? 0xedb88320 : 0);
		crc32_table[i] = c;
	}
}

u32 crc32_le(u32 crc, unsigned char const *p, size_t len)
{
	shim_bytes_read += len;
	while (len--)
		crc = (crc >> 8) ^ crc32_table[(crc ^ *p++) & 0xff];
	return crc;
}

/*
 * lib/kstrtox.c: base 0 picks 16 for "0x" followed by a hex digit, 8 for
 * a leading 0, else 10; a leading '+' and one trailing '\n' are accepted;
 * -ERANGE on overflow, -EINVAL on anything else that is not a number.
 */
#define KSTRTOX_OVERFLOW	(1U << 31)

static const char *parse_integer_fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			if (_tolower(s[1]) == 'x' && isxdigit(s[2]))
				*base = 16;
			else
				*base = 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && _tolower(s[1]) == 'x')
		s += 2;
	return s;
}

static unsigned int parse_integer(const char *s, unsigned int base,
				  unsigned long long *p)
{
	unsigned long long res = 0;
	unsigned int rv = 0;

	for (;; s++, rv++) {
		unsigned int c = *s, lc = _tolower(c), val;

		if ('0' <= c && c <= '9')
			val = c - '0';
		else if ('a' <= lc && lc <= 'f')
			val = lc - 'a' + 10;
		else
			break;
		if (val >= base)
			break;
		/* the kernel's check: only when the top bits are in use */
		if (res & (~0ULL << 60)) {
			if (res > (ULLONG_MAX - val) / base)
				rv |= KSTRTOX_OVERFLOW;
		}
		res = res * base + val;
	}
	*p = res;
	return rv;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long r;
	unsigned int rv;

	if (s[0] == '+')
		s++;
	s = parse_integer_fixup_radix(s, &base);
	rv = parse_integer(s, base, &r);
	if (rv & KSTRTOX_OVERFLOW)
		return -ERANGE;
	if (rv == 0)
		return -EINVAL;
	s += rv;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = r;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long r;
	int ret = kstrtoull(s, base, &r);

	if (ret)
		return ret;
	if (r != (unsigned long)r)
		return -ERANGE;
	*res = r;
	return 0;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long r;
	int ret = kstrtoull(s, base, &r);

	if (ret)
		return ret;
	if (r != (unsigned int)r)
		return -ERANGE;
	*res = r;
	return 0;
}

/* lib/stackdepot.c: traces kept for good, handle = index + 1 */
#define SHIM_DEPOT_TRACES	64
#define SHIM_DEPOT_FRAMES	16

static struct {
	unsigned int nr;
	unsigned long entries[SHIM_DEPOT_FRAMES];
} shim_depot[SHIM_DEPOT_TRACES];
static unsigned int shim_depot_nr;

depot_stack_handle_t shim_depot_save(const unsigned long *entries,
				     unsigned int nr)
{
	if (shim_depot_nr == SHIM_DEPOT_TRACES || nr > SHIM_DEPOT_FRAMES)
		return 0;
	memcpy(shim_depot[shim_depot_nr].entries, entries,
	       nr * sizeof(*entries));
	shim_depot[shim_depot_nr].nr = nr;
	return ++shim_depot_nr;
}

unsigned int stack_depot_fetch(depot_stack_handle_t handle,
			       unsigned long **entries)
{
	*entries = NULL;
	if (!handle || handle > shim_depot_nr)
		return 0;
	*entries = shim_depot[handle - 1].entries;
	return shim_depot[handle - 1].nr;
}
