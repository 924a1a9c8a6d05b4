// SPDX-License-Identifier: GPL-2.0-only
/*
 * The allocation stack filter (kml_trace_add() in mm/kmemleak_core.h):
 * frames before the caller of the API are the detector's and the
 * allocator's, and kept only until the caller shows up; from the caller
 * on, KML_TRACE_DEPTH frames are kept.  However deep the caller is found,
 * nothing is written past entries[].
 */

#define NO_CALLER	(-1)

static void test_trace_add(void)
{
	static const struct {
		int frames;	/* frames the unwinder has */
		int caller;	/* index of the caller's frame, or NO_CALLER */
	} c[] = {
		{ 40, 0 }, { 40, 1 }, { 40, 5 }, { 40, 8 },
		{ 40, 20 }, { 40, 23 },		/* found late */
		{ 40, 24 }, { 40, 30 },		/* too late: not found */
		{ 40, NO_CALLER }, { 24, NO_CALLER }, { 23, NO_CALLER },
		{ 3, 1 }, { 3, NO_CALLER }, { 0, NO_CALLER },
		{ 10, 2 }, { 18, 2 }, { 1, 0 },
	};
	const int room = KML_TRACE_DEPTH + KML_TRACE_SKIP;
	unsigned long frames[64];
	unsigned int i;
	int k;

	for (k = 0; k < (int)ARRAY_SIZE(frames); k++)
		frames[k] = 0xffffffff81000000UL + 0x10 * k;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		/* exactly the struct: ASan sees a write past entries[] */
		struct kml_trace *t = malloc(sizeof(*t));
		int calls = 0, want_nr, want_calls, first;
		bool want_found, more = true;

		memset(t, 0, sizeof(*t));
		t->caller = c[i].caller == NO_CALLER ? 0x1234 :
			    frames[c[i].caller];
		/* the unwinder's loop: stop when told to */
		for (k = 0; k < c[i].frames && more; k++) {
			more = kml_trace_add(t, frames[k]);
			calls++;
		}

		want_found = c[i].caller != NO_CALLER && c[i].caller < room;
		if (want_found) {
			first = c[i].caller;
			want_nr = min(c[i].frames - first, KML_TRACE_DEPTH);
			want_calls = first + want_nr;
		} else {
			first = 0;
			want_nr = min(c[i].frames, room);
			want_calls = want_nr;
		}
		if (t->found != want_found || (int)t->nr != want_nr ||
		    calls != want_calls)
			t_fail("%d frames, caller at %d: found %d nr %u after %d frames, want %d %d %d",
			       c[i].frames, c[i].caller, t->found, t->nr,
			       calls, want_found, want_nr, want_calls);
		for (k = 0; k < want_nr && k < (int)t->nr; k++)
			if (t->entries[k] != frames[first + k])
				t_fail("%d frames, caller at %d: entry %d is %#lx, want %#lx",
				       c[i].frames, c[i].caller, k,
				       t->entries[k], frames[first + k]);
		free(t);
	}
}

static const struct t_case trace_tests[] = {
	{ "trace_add", test_trace_add },
};
