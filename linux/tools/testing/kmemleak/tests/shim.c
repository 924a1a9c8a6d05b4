// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shim itself: the kernel's lib/ code built against it (lib.c) gives
 * the kernel's answers, and the shim's locks check what they claim to.
 */

/*
 * lib/crc32.c with the tables generated here, and the byte count the hold
 * checks rely on
 */
static void test_shim_crc32(void)
{
	unsigned long before = shim_bytes_read;

	/* the standard CRC-32 check value */
	CHECK_EQ(~crc32(~0U, "123456789", 9), 0xcbf43926);
	CHECK_EQ(crc32(0, "\0\0\0\0", 4), 0);
	CHECK_EQ(crc32(crc32(0, "1234", 4), "56789", 5),
		 crc32(0, "123456789", 9));
	CHECK_EQ(shim_bytes_read - before, 9 + 4 + 4 + 5 + 9);
}

/* lib/kstrtox.c, with the shim's div_u64() */
static void test_shim_kstrtox(void)
{
	static const struct {
		const char *s;
		int ret;
		unsigned long long val;
	} c[] = {
		{ "0x10", 0, 16 }, { "0X10", 0, 16 }, { "010", 0, 8 },
		{ "+7\n", 0, 7 }, { "0", 0, 0 }, { "0\n", 0, 0 },
		{ "0x", -EINVAL, 0 }, { "0xg", -EINVAL, 0 },
		{ "08", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ "1\n\n", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 }, { " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 }, { "++1", -EINVAL, 0 },
		{ "18446744073709551615", 0, ULLONG_MAX },
		{ "0xffffffffffffffff", 0, ULLONG_MAX },
		{ "01777777777777777777777", 0, ULLONG_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
	};
	unsigned long long ull;
	unsigned long ul;
	unsigned int i, u;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		int ret = kstrtoull(c[i].s, 0, &ull);

		if (ret != c[i].ret || (!ret && ull != c[i].val))
			t_fail("kstrtoull(\"%s\") = %d, %llu", c[i].s,
			       ret, ret ? 0 : ull);
		ret = kstrtoul(c[i].s, 0, &ul);
		if (ret != c[i].ret || (!ret && ul != c[i].val))
			t_fail("kstrtoul(\"%s\") = %d", c[i].s, ret);
	}
	CHECK_EQ(kstrtoul("ff", 16, &ul), 0);
	CHECK_EQ(ul, 255);
	CHECK_EQ(kstrtoul("0xff", 16, &ul), 0);
	CHECK_EQ(ul, 255);
	CHECK_EQ(kstrtoul("9", 8, &ul), -EINVAL);
	CHECK_EQ(kstrtouint("4294967295", 0, &u), 0);
	CHECK_EQ(u, 4294967295U);
	CHECK_EQ(kstrtouint("4294967296", 0, &u), -ERANGE);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* isspace() (lib/ctype.c), str_has_prefix(), sort() */
static void test_shim_lib(void)
{
	unsigned long v[] = { 5, 1, ULONG_MAX, 0, 3 };

	CHECK(isspace(' ') && isspace('\n') && isspace('\t') &&
	      isspace('\v') && isspace('\f') && isspace('\r'));
	CHECK(isspace((char)0xa0));	/* the kernel's ctype: hard space */
	CHECK(!isspace('x') && !isspace('\0') && !isspace((char)0x85));
	CHECK_EQ(str_has_prefix("scan=5", "scan="), 5);
	CHECK_EQ(str_has_prefix("sca", "scan="), 0);
	sort(v, ARRAY_SIZE(v), sizeof(v[0]), cmp_ulong, NULL);
	CHECK(v[0] == 0 && v[1] == 1 && v[2] == 3 && v[3] == 5 &&
	      v[4] == ULONG_MAX);
}

/* Locks: owner and depth, seqcount, and what one hold read. */
static void test_shim_locks(void)
{
	static DEFINE_RAW_SPINLOCK(l);
	static seqcount_t s = SEQCNT_ZERO(s);
	unsigned long flags, words[100] = { 0 }, sum = 0;
	int i;

	shim_hold_max = 0;
	raw_spin_lock_irqsave(&l, flags);
	CHECK(shim_lock_held(&l) && shim_lock_depth == 1);
	raw_write_seqcount_begin(&s);
	raw_write_seqcount_end(&s);
	for (i = 0; i < 100; i++)
		sum += READ_ONCE_NOCHECK(words[i]);
	raw_spin_unlock_irqrestore(&l, flags);
	CHECK(!shim_lock_held(&l) && shim_lock_depth == 0);
	CHECK_EQ(shim_hold_max, sizeof(words));
	CHECK_EQ(sum, 0);
	CHECK_EQ(raw_read_seqcount_begin(&s), 2);
	CHECK(!read_seqcount_retry(&s, 2));
	CHECK(read_seqcount_retry(&s, 0));

	/* reads outside a hold are not charged to the next one */
	for (i = 0; i < 100; i++)
		sum += READ_ONCE_NOCHECK(words[i]);
	shim_hold_max = 0;
	raw_spin_lock_irqsave(&l, flags);
	raw_spin_unlock_irqrestore(&l, flags);
	CHECK_EQ(shim_hold_max, 0);
}

/* Fake CPUs and the fake linear map. */
static void test_shim_maps(void)
{
	unsigned long c = pcpu(64, 1);
	int cpu, n = 0;

	for_each_possible_cpu(cpu) {
		pcpu_copy(c, cpu)[0] = cpu + 1;
		n++;
	}
	CHECK_EQ(n, NR_CPUS);
	for_each_possible_cpu(cpu)
		CHECK_EQ(*per_cpu_ptr((unsigned long *)c, cpu), cpu + 1);
	CHECK_EQ(raw_smp_processor_id(), 0);
	CHECK(__va(PHYS_BASE) == phys_mem);
	CHECK(__va(PHYS_BASE + 4096) == phys_mem + 4096);
	CHECK_EQ(PFN_PHYS(min_low_pfn), PHYS_BASE);
	CHECK_EQ(PFN_PHYS(max_low_pfn), PHYS_BASE + PHYS_LOWMEM * PAGE_SIZE);
}

static const struct t_case shim_tests[] = {
	{ "shim_crc32", test_shim_crc32 },
	{ "shim_kstrtox", test_shim_kstrtox },
	{ "shim_lib", test_shim_lib },
	{ "shim_locks", test_shim_locks },
	{ "shim_maps", test_shim_maps },
};
