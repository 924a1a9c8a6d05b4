// SPDX-License-Identifier: GPL-2.0-only
/*
 * Direct and indirect leaks (kml_classify(), mm/kmemleak_scan.c): which
 * listed leaks another one points into, which direct leak holds each of
 * those, cycles with no way in, the edges a scan would see (interior and
 * self pointers, no-scan blocks, scan areas, per-CPU copies, stacks),
 * the retry when the array is short, nothing shown by the debugfs file
 * changed, bounded work, and leaks freed while they are classified.
 */

#include <pthread.h>

/* Classify inside a walk of its own, with room for every listed leak. */
static struct kml_leaks classify(void)
{
	struct kml_leaks l = { 0 };

	kml_walk_begin();
	kml_classify(&l);
	l.v = calloc(l.found + 1, sizeof(*l.v));
	if (!l.v)
		abort();
	l.max = l.found;
	kml_classify(&l);
	kml_walk_end();
	return l;
}

/* Index of the leak at @p in @l, -1 if not there. */
static int leak_idx(const struct kml_leaks *l, unsigned long p)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->v[i].pointer == p)
			return i;
	return -1;
}

static const char *holder_name(const struct kml_leaks *l, int i)
{
	if (i < 0)
		return "not listed";
	if (l->v[i].holder < 0)
		return "direct";
	return name_of(l->v[l->v[i].holder].pointer);
}

/*
 * What every classification must be: each leak direct or held by a
 * direct one, the counts and bytes of each direct leak its holdings, in
 * kml_list()'s order.  Unless @racy (leaks freed meanwhile), the leaks
 * are also the ones the debugfs file lists, in its order.
 */
static void check_leaks_at(const char *file, int line,
			   const struct kml_leaks *l, bool racy)
{
	unsigned int *held = calloc(l->nr + 1, sizeof(*held));
	size_t *bytes = calloc(l->nr + 1, sizeof(*bytes));
	unsigned long *listed = calloc(l->nr + 2, sizeof(*listed));
	size_t i, direct = 0;
	int bad = 0, n;

	if (!held || !bytes || !listed)
		abort();
	for (i = 0; i < l->nr; i++) {
		int h = l->v[i].holder;

		if (h == -1) {
			direct++;
		} else if (h < 0 || h >= (int)l->nr || l->v[h].holder != -1) {
			t_fail_at(file, line, "leak %zu held by %d, not a direct leak",
				  i, h);
			bad++;
		} else {
			held[h]++;
			bytes[h] += l->v[i].size;
		}
		if (i && kml_leak_cmp(&l->v[i - 1], &l->v[i]) >= 0)
			t_fail_at(file, line, "leaks out of order at %zu", i);
	}
	for (i = 0; i < l->nr && !bad; i++) {
		unsigned int want = l->v[i].holder < 0 ? held[i] : 0;
		size_t want_bytes = l->v[i].holder < 0 ? bytes[i] : 0;

		if (l->v[i].held != want || l->v[i].held_bytes != want_bytes)
			t_fail_at(file, line,
				  "leak %zu (%s) holds %u (%zu bytes), want %u (%zu bytes)",
				  i, name_of(l->v[i].pointer), l->v[i].held,
				  l->v[i].held_bytes, want, want_bytes);
	}
	if (l->direct != direct || l->indirect != l->nr - direct)
		t_fail_at(file, line, "%zu direct, %zu indirect; want %zu and %zu",
			  l->direct, l->indirect, direct, l->nr - direct);
	if (!racy) {
		if (l->nr != l->found)
			t_fail_at(file, line, "%zu leaks of %zu classified",
				  l->nr, l->found);
		n = list_objects(KML_LIST_REPORTED, listed, l->nr + 1);
		if (n != (int)l->nr)
			t_fail_at(file, line, "%zu leaks, %d listed", l->nr, n);
		for (i = 0; i < l->nr && (int)i < n; i++)
			if (listed[i] != l->v[i].pointer) {
				t_fail_at(file, line, "leak %zu is %s, listed %s",
					  i, name_of(l->v[i].pointer),
					  name_of(listed[i]));
				break;
			}
	}
	free(held);
	free(bytes);
	free(listed);
}

#define CHECK_LEAKS(l)		check_leaks_at(__FILE__, __LINE__, l, false)
#define CHECK_LEAKS_RACY(l)	check_leaks_at(__FILE__, __LINE__, l, true)

/* The leak at @p is direct (@by NULL) or held by the leak at @by. */
static void check_held_at(const char *file, int line,
			  const struct kml_leaks *l, const void *p,
			  const void *by)
{
	int i = leak_idx(l, A(p)), want = by ? leak_idx(l, A(by)) : -1;

	if (i < 0 || (by && want < 0) || l->v[i].holder != want)
		t_fail_at(file, line, "%s: %s, want %s", name_of(A(p)),
			  holder_name(l, i),
			  by ? name_of(A(by)) : "direct");
}

#define HELD(l, p, by)	check_held_at(__FILE__, __LINE__, l, p, by)
#define DIRECT(l, p)	check_held_at(__FILE__, __LINE__, l, p, NULL)

/* Make what was built the listed leaks: unchanged for two scans. */
static void settle(void)
{
	age();
	scan();
	scan();
}

/*
 * Leak graphs: blocks allocated in the order of @nodes (so the first is
 * the oldest), "x>y" a word of x pointing into y, and per node, '-' if
 * it is direct or the node holding it.
 */
struct leak_graph {
	const char *name;
	const char *nodes;
	const char *edges;
	const char *holders;
};

static const struct leak_graph leak_graphs[] = {
	{ "isolated leaks", "abc", "", "---" },
	{ "chain", "abc", "a>b b>c", "-aa" },
	{ "chain, head youngest", "cba", "a>b b>c", "aa-" },
	{ "tree", "rabcde", "r>a r>b a>c a>d b>e", "-rrrrr" },
	{ "dag", "Dabc", "D>a D>b a>c b>c", "-DDD" },
	{ "direct leaks, oldest first", "DEx", "D>x E>x", "--D" },
	{ "direct leaks, the other one older", "EDx", "D>x E>x", "--E" },
	{ "self loop", "s", "s>s", "-" },
	{ "self loop, pointed into", "as", "a>s s>s", "-a" },
	{ "2-cycle", "ab", "a>b b>a", "-a" },
	{ "pure cycle", "abc", "a>b b>c c>a", "-aa" },
	{ "pure cycle, the other way", "abc", "c>b b>a a>c", "-aa" },
	{ "pure cycle, oldest in the middle", "bac", "a>b b>c c>a", "-bb" },
	{ "cycle, older block hanging off", "oab", "a>b b>a b>o", "a-a" },
	{ "cycle, older chain hanging off", "opab", "a>b b>a b>o o>p",
	  "aa-a" },
	{ "cycle into an older cycle", "pqxy", "p>q q>p x>y y>x y>q",
	  "xx-x" },
	{ "cycle into an older cycle's oldest", "pqxy", "p>q q>p x>y y>x y>p",
	  "xx-x" },
	{ "cycle into a longer, older cycle", "pqrxy",
	  "p>q q>r r>p x>y y>x y>q", "xxx-x" },
	{ "older cycle into a younger cycle", "xypq", "p>q q>p x>y y>x y>q",
	  "-xxx" },
	{ "three cycles, each into the older", "abcdef",
	  "a>b b>a c>d d>c e>f f>e d>a f>c", "eeee-e" },
	{ "two cycles into one block", "abcdx", "a>b b>a c>d d>c b>x d>x",
	  "-a-ca" },
	{ "two cycles into an older block", "xabcd", "a>b b>a c>d d>c b>x d>x",
	  "a-a-c" },
	{ "direct leak into a cycle", "abD", "D>a a>b b>a", "DD-" },
	{ "direct leak through a cycle", "Dabx", "D>a a>b b>a b>x", "-DDD" },
	{ "direct leak and older cycle into one block", "abDx",
	  "a>b b>a b>x D>x", "-a-D" },
	{ "cycle into what a direct leak holds", "abDcd",
	  "D>a a>b b>a c>d d>c d>b", "DD--c" },
};

#define GRAPH_NODES	8

static void run_leak_graph(const struct leak_graph *g)
{
	static char names[128][2];
	unsigned long *node[GRAPH_NODES];
	int words[GRAPH_NODES] = { 0 };
	int n = strlen(g->nodes), i, from, to, h;
	const char *e;
	struct kml_leaks l;

	for (i = 0; i < n; i++) {
		names[(int)g->nodes[i]][0] = g->nodes[i];
		/* sizes apart, to tell the bytes held apart */
		node[i] = blk(names[(int)g->nodes[i]], 64 + 16 * i, 1);
	}
	for (e = g->edges; *e; e += 3) {
		while (*e == ' ')
			e++;
		from = strchr(g->nodes, e[0]) - g->nodes;
		to = strchr(g->nodes, e[2]) - g->nodes;
		/* interior pointers, at varying offsets */
		node[from][words[from]++] = A(node[to]) + 8 * (from + to);
	}
	settle();
	l = classify();
	CHECK_LEAKS(&l);
	if (l.nr != (size_t)n)
		t_fail("%s: %zu leaks, want %d", g->name, l.nr, n);
	for (i = 0; i < n && l.nr == (size_t)n; i++) {
		h = g->holders[i] == '-' ? -1 :
		    strchr(g->nodes, g->holders[i]) - g->nodes;
		if (l.v[i].pointer != A(node[i]) || l.v[i].holder != h)
			t_fail("%s: %c is %s, want %s", g->name, g->nodes[i],
			       holder_name(&l, leak_idx(&l, A(node[i]))),
			       h < 0 ? "direct" : name_of(A(node[h])));
	}
	free(l.v);
	for (i = 0; i < n; i++)
		blk_free(node[i]);
}

static void test_leak_graphs(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(leak_graphs); i++)
		run_leak_graph(&leak_graphs[i]);
}

#define MODEL_GRAPHS	250
#define MODEL_NODES	12

struct model {
	int n;
	bool edge[MODEL_NODES][MODEL_NODES];
	int holder[MODEL_NODES];
};

static bool model_reaches(const struct model *m, int from, int to)
{
	bool seen[MODEL_NODES] = { false };
	int stack[MODEL_NODES], top = 0, i, j;

	stack[top++] = from;
	seen[from] = true;
	while (top) {
		i = stack[--top];
		for (j = 0; j < m->n; j++) {
			if (!m->edge[i][j] || seen[j])
				continue;
			if (j == to)
				return true;
			seen[j] = true;
			stack[top++] = j;
		}
	}
	return false;
}

/* @i and what it reaches that has no holder yet go to @i. */
static void model_claim(struct model *m, bool *claimed, int i)
{
	int j;

	claimed[i] = true;
	for (j = 0; j < m->n; j++)
		if (!claimed[j] && model_reaches(m, i, j)) {
			claimed[j] = true;
			m->holder[j] = i;
		}
}

/*
 * The classification as specified, by brute force: direct leaks oldest
 * first, then each unclaimed leak in turn as a root, demoting the
 * earlier roots it reaches.
 */
static void model_classify(struct model *m)
{
	bool pointed[MODEL_NODES] = { false }, claimed[MODEL_NODES] = { false };
	bool root3[MODEL_NODES] = { false };
	int i, j, r;

	for (i = 0; i < m->n; i++) {
		m->holder[i] = -1;
		for (j = 0; j < m->n; j++)
			if (i != j && m->edge[i][j])
				pointed[j] = true;
	}
	for (i = 0; i < m->n; i++)
		if (!pointed[i] && !claimed[i])
			model_claim(m, claimed, i);
	for (i = 0; i < m->n; i++) {
		if (claimed[i])
			continue;
		model_claim(m, claimed, i);
		for (r = 0; r < i; r++)
			if (root3[r] && m->holder[r] < 0 &&
			    model_reaches(m, i, r))
				m->holder[r] = i;
		root3[i] = true;
	}
	for (i = 0; i < m->n; i++) {
		for (r = m->holder[i]; r >= 0 && m->holder[r] >= 0;)
			r = m->holder[r];
		m->holder[i] = r;
	}
}

/*
 * Small cycles over the nodes in random order, linked by a few edges:
 * cycles with no way in, and cycles pointing into others.
 */
static void random_cycles(struct model *m, unsigned int *seed)
{
	int perm[MODEL_NODES], i, j, t, start, len, cross;

	for (i = 0; i < m->n; i++)
		perm[i] = i;
	for (i = m->n - 1; i > 0; i--) {
		j = rand_r(seed) % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (start = 0; start < m->n; start += len) {
		len = 1 + rand_r(seed) % 4;
		if (start + len > m->n)
			len = m->n - start;
		for (i = 0; i < len && len > 1; i++)
			m->edge[perm[start + i]][perm[start + (i + 1) % len]] =
				true;
	}
	for (cross = rand_r(seed) % (m->n / 2 + 1); cross; cross--)
		m->edge[rand_r(seed) % m->n][rand_r(seed) % m->n] = true;
}

/* Random graphs, self loops included, against the brute force model. */
static void test_leak_model(void)
{
	unsigned int seed = 11;
	unsigned long *node[MODEL_NODES];
	struct model m;
	struct kml_leaks l;
	int g, i, j, w, bad = 0;

	for (g = 0; g < MODEL_GRAPHS && !bad; g++) {
		memset(&m, 0, sizeof(m));
		m.n = 2 + rand_r(&seed) % (MODEL_NODES - 1);
		if (g % 2) {
			random_cycles(&m, &seed);
		} else {
			for (i = 0; i < m.n; i++)
				for (j = 0; j < m.n; j++)
					m.edge[i][j] = rand_r(&seed) %
						       (2 * m.n) < 1 + g % 4;
		}
		for (i = 0; i < m.n; i++)
			node[i] = blk("node", 8 * (MODEL_NODES + 1), 1);
		for (i = 0; i < m.n; i++)
			for (j = w = 0; j < m.n; j++)
				if (m.edge[i][j])
					node[i][w++] = A(node[j]) + 8 * j;
		model_classify(&m);
		settle();
		l = classify();
		CHECK_LEAKS(&l);
		for (i = 0; i < m.n && l.nr == (size_t)m.n; i++)
			bad += l.v[i].holder != m.holder[i];
		if (l.nr != (size_t)m.n || bad) {
			t_fail("graph %d: %zu leaks, %d holders differ", g,
			       l.nr, bad);
			bad = 1;
			for (i = 0; i < m.n; i++) {
				printf("#   %d: holder %d, model %d; points to",
				       i, i < (int)l.nr ? l.v[i].holder : -9,
				       m.holder[i]);
				for (j = 0; j < m.n; j++)
					if (m.edge[i][j])
						printf(" %d", j);
				printf("\n");
			}
		}
		free(l.v);
		for (i = 0; i < m.n; i++)
			blk_free(node[i]);
	}
}

#define LIST_NODES	1000

/* Node @i of a list: sizes apart, for the bytes. */
static size_t node_size(int i)
{
	return 16 + 8 * (i % 7);
}

/*
 * A leaked list of 1000 nodes is one direct leak holding 999: the head
 * when the list is singly linked, the oldest node when the links make
 * it a cycle.
 */
static const struct leak_list {
	const char *name;
	bool head_youngest;	/* allocated last */
	bool back_links;	/* doubly linked */
	bool circular;		/* the last node points to the head */
} leak_lists[] = {
	{ "singly linked", false, false, false },
	{ "singly linked, head youngest", true, false, false },
	{ "doubly linked", false, true, false },
	{ "doubly linked, head youngest", true, true, false },
	{ "circular", true, false, true },
};

/* Up to 4 lists per test: the harness tracks 4096 blocks. */
static void run_leak_lists(const struct leak_list *lists, size_t nr)
{
	unsigned long *node[LIST_NODES];
	size_t c, bytes;
	int i, k, want;
	struct kml_leaks l;

	for (c = 0; c < nr; c++) {
		bytes = 0;
		for (i = 0; i < LIST_NODES; i++) {
			k = lists[c].head_youngest ? LIST_NODES - 1 - i : i;
			node[k] = blk("node", node_size(k), 1);
			bytes += node_size(k);
		}
		for (i = 0; i + 1 < LIST_NODES; i++) {
			node[i][0] = A(node[i + 1]);
			if (lists[c].back_links)
				node[i + 1][1] = A(node[i]);
		}
		if (lists[c].circular)
			node[LIST_NODES - 1][0] = A(node[0]);
		settle();
		l = classify();
		CHECK_LEAKS(&l);
		CHECK_EQ(l.nr, LIST_NODES);
		CHECK_EQ(l.direct, 1);
		CHECK_EQ(l.indirect, LIST_NODES - 1);
		/* the head, or the oldest of a cycle */
		want = lists[c].head_youngest && (lists[c].back_links ||
						  lists[c].circular) ?
		       LIST_NODES - 1 : 0;
		i = leak_idx(&l, A(node[want]));
		if (i < 0 || l.v[i].holder != -1 ||
		    l.v[i].held != LIST_NODES - 1 ||
		    l.v[i].held_bytes != bytes - node_size(want))
			t_fail("%s: node %d is %s, holding %u (%zu bytes)",
			       lists[c].name, want, holder_name(&l, i),
			       i < 0 ? 0 : l.v[i].held,
			       i < 0 ? 0 : l.v[i].held_bytes);
		free(l.v);
		for (i = 0; i < LIST_NODES; i++)
			blk_free(node[i]);
	}
}

static void test_leak_list(void)
{
	run_leak_lists(leak_lists, 2);
}

static void test_leak_list_cyclic(void)
{
	run_leak_lists(leak_lists + 2, ARRAY_SIZE(leak_lists) - 2);
}

#define TREE_NODES	127

/* A complete binary tree: the root holds every other node. */
static void test_leak_tree(void)
{
	unsigned long *t[TREE_NODES];
	size_t bytes = 0;
	int i, r;
	struct kml_leaks l;

	/* allocated leaves first: the root is the youngest */
	for (i = TREE_NODES - 1; i >= 0; i--) {
		t[i] = blk(i ? "tree-node" : "tree-root", node_size(i), 1);
		bytes += node_size(i);
	}
	for (i = 1; i < TREE_NODES; i++)
		t[(i - 1) / 2][i % 2 ? 0 : 1] = A(t[i]);
	settle();
	l = classify();
	CHECK_LEAKS(&l);
	CHECK_EQ(l.direct, 1);
	r = leak_idx(&l, A(t[0]));
	if (CHECK(r == TREE_NODES - 1)) {
		CHECK_EQ(l.v[r].holder, -1);
		CHECK_EQ(l.v[r].held, TREE_NODES - 1);
		CHECK_EQ(l.v[r].held_bytes, bytes - node_size(0));
	}
	for (i = 1; i < TREE_NODES; i++)
		HELD(&l, t[i], t[0]);
	free(l.v);
}

/*
 * Only listed leaks take part: a block a referenced block points to is
 * no leak, and a leak pointing to a referenced block holds nothing.
 */
static void test_leak_referenced(void)
{
	unsigned long *r = blk("referenced", 64, 1);
	unsigned long *x = blk("by-referenced", 64, 1);
	unsigned long *g = blk("gray", 64, KML_GRAY);
	unsigned long *y = blk("by-gray", 64, 1);
	unsigned long *a = blk("leak", 64, 1), *b = blk("by-leak", 64, 1);
	struct kml_leaks l;

	rootbuf[0] = A(r);
	r[0] = A(x);
	g[0] = A(y);
	a[0] = A(r);
	a[1] = A(g);
	a[2] = A(x) + 8;
	a[3] = A(b);
	settle();
	LISTED(a, b,);
	l = classify();
	CHECK_LEAKS(&l);
	CHECK_EQ(l.nr, 2);
	CHECK_EQ(leak_idx(&l, A(x)), -1);
	CHECK_EQ(leak_idx(&l, A(y)), -1);
	DIRECT(&l, a);
	HELD(&l, b, a);
	free(l.v);
}

/* Any word pointing inside a leak is an edge; one past its end is not. */
static void test_leak_interior(void)
{
	unsigned long *h = blk("holder", 64, 1);
	unsigned long *in = blk("interior", 64, 1);
	unsigned long *last = blk("last-byte", 64, 1);
	unsigned long *past = blk("one-past-end", 64, 1);
	unsigned long *before = blk("byte-before", 64, 1);
	unsigned long *odd = blk("unaligned", 64, 1);
	unsigned long *tail = blk("in-partial-word", 64, 1);
	unsigned long *h2 = blk("odd-size-holder", 36, 1);
	unsigned long v;
	struct kml_leaks l;

	NONE_AT(KML_VIRT, A(past) + 64);
	NONE_AT(KML_VIRT, A(before) - 1);
	h[0] = A(in) + 40;
	h[1] = A(last) + 63;
	h[2] = A(past) + 64;
	h[3] = A(before) - 1;
	/* words are read aligned: one straddling two words is no edge */
	v = A(odd);
	memcpy((char *)h2 + 4, &v, sizeof(v));
	/* nor is half a word at the end */
	v = A(tail);
	memcpy((char *)h2 + 32, &v, 4);
	settle();
	l = classify();
	CHECK_LEAKS(&l);
	HELD(&l, in, h);
	HELD(&l, last, h);
	DIRECT(&l, past);
	DIRECT(&l, before);
	DIRECT(&l, odd);
	DIRECT(&l, tail);
	CHECK_EQ(l.direct, 6);
	free(l.v);
}

/* A leak pointing into itself is not held by itself. */
static void test_leak_self(void)
{
	unsigned long *s = blk("self", 64, 1), *x = blk("by-self", 64, 1);
	struct kml_leaks l;

	s[0] = A(s);
	s[1] = A(s) + 8;
	s[7] = A(s) + 63;
	s[2] = A(x);
	settle();
	l = classify();
	CHECK_LEAKS(&l);
	DIRECT(&l, s);
	HELD(&l, x, s);
	CHECK_EQ(l.v[leak_idx(&l, A(s))].held, 1);
	free(l.v);
}

/* A no-scan leak holds nothing, but can be held. */
static void test_leak_no_scan(void)
{
	unsigned long *n = blk("no-scan", 64, 1), *x = blk("by-no-scan", 64, 1);
	unsigned long *a = blk("holder", 64, 1);
	unsigned long *m = blk("no-scan-held", 64, 1);
	unsigned long *y = blk("by-held-no-scan", 64, 1);
	struct kml_leaks l;

	CHECK(no_scan(n));
	CHECK(no_scan(m));
	n[0] = A(x);
	a[0] = A(m);
	m[0] = A(y);
	settle();
	LISTED(n, x, a, m, y,);
	l = classify();
	CHECK_LEAKS(&l);
	DIRECT(&l, n);
	DIRECT(&l, x);
	DIRECT(&l, a);
	HELD(&l, m, a);
	DIRECT(&l, y);
	CHECK_EQ(l.v[leak_idx(&l, A(n))].held, 0);
	free(l.v);
}

/* Scan areas: only they are searched, as by a scan. */
static void test_leak_scan_area(void)
{
	unsigned long *h = blk("with-areas", 256, 1);
	unsigned long *f = blk("full-scan", 256, 1);
	unsigned long *many = blk("9-areas", 256, 1);
	unsigned long *in = blk("in-area", 64, 1);
	unsigned long *in2 = blk("in-tail-area", 64, 1);
	unsigned long *out = blk("outside", 64, 1);
	unsigned long *half = blk("straddling", 64, 1);
	unsigned long *fa = blk("full-in-area", 64, 1);
	unsigned long *fo = blk("full-outside", 64, 1);
	unsigned long *mo = blk("9-outside", 64, 1);
	struct kmemleak_object *obj;
	unsigned long flags;
	struct kml_leaks l;
	int i;

	h[2] = A(in);
	h[6] = A(half);
	h[10] = A(out);
	h[30] = A(in2);
	CHECK(scan_area(&h[2], 8));
	CHECK(scan_area(&h[5], 12));		/* h[6] is half in it */
	CHECK(scan_area(&h[25], SIZE_MAX));
	f[2] = A(fa);
	f[20] = A(fo);
	CHECK(scan_area(&f[2], 8));
	if (CHECK(kml_lookup(KML_VIRT, A(f), false, &obj, &flags))) {
		obj->flags |= KML_FULL_SCAN;
		kml_unlock(obj, flags);
	}
	/* more areas than a scan copies: the whole block */
	for (i = 0; i < KML_MAX_AREAS + 1; i++)
		CHECK(scan_area(&many[2 * i], 8));
	many[1] = A(mo);
	settle();
	l = classify();
	CHECK_LEAKS(&l);
	CHECK_EQ(l.nr, 10);
	HELD(&l, in, h);
	HELD(&l, in2, h);
	DIRECT(&l, half);
	DIRECT(&l, out);
	HELD(&l, fa, f);
	HELD(&l, fo, f);
	HELD(&l, mo, many);
	free(l.v);
}

/* Per-CPU leaks: every CPU's copy is searched, the cookie is the key. */
static void test_leak_percpu(void)
{
	unsigned long *a = blk("holder", 64, 1);
	unsigned long p = pcpu(64, 1), q = pcpu(64, 1);
	unsigned long *x = blk("by-cpu2-copy", 64, 1);
	unsigned long *y = blk("by-copy-address", 64, 1);
	struct kml_leaks l;

	a[0] = p + 16;				/* interior cookie */
	pcpu_copy(p, 2)[3] = A(x);
	pcpu_copy(p, 0)[0] = p;			/* self */
	pcpu_copy(q, 1)[1] = A(pcpu_copy(p, 1));	/* a copy: no edge */
	pcpu_copy(q, 3)[2] = A(y);
	settle();
	LISTED(a, (void *)p, (void *)q, x, y,);
	l = classify();
	CHECK_LEAKS(&l);
	DIRECT(&l, a);
	HELD(&l, (void *)p, a);
	HELD(&l, x, a);
	DIRECT(&l, (void *)q);
	HELD(&l, y, (void *)q);
	free(l.v);
}

static unsigned long *leak_stack;

/* The stack is a live task's: the roots search it themselves. */
static void roots_stack_skipped(struct kml_scan *sc)
{
	sc->stacks = true;
	kml_scan_skip(sc, A(leak_stack));
}

/*
 * A stack left by a task, once the scans had the live stacks, is not
 * searched by them, nor for edges; with stack=off it is searched whole.
 */
static void test_leak_stack(void)
{
	unsigned long *x = blk("by-stack", 64, 1);
	struct kml_leaks l;

	leak_stack = blk("stack", 128, 1);
	leak_stack[3] = A(x);
	roots_fn = roots_stack_skipped;
	settle();
	LISTED(leak_stack, x,);
	l = classify();
	CHECK_LEAKS(&l);
	DIRECT(&l, leak_stack);
	DIRECT(&l, x);
	free(l.v);

	roots_fn = NULL;		/* stack=off */
	scan();
	LISTED(leak_stack, x,);
	l = classify();
	CHECK_LEAKS(&l);
	DIRECT(&l, leak_stack);
	HELD(&l, x, leak_stack);
	free(l.v);
}

/* Several leaks with the same time and serial: kml_list()'s order. */
static void test_leak_order(void)
{
	unsigned long *b[6];
	struct kmemleak_object *obj;
	unsigned long flags;
	struct kml_leaks l;
	int i;

	for (i = 0; i < 6; i++)
		b[i] = blk("same-serial", 64, 1);
	for (i = 0; i < 6; i++) {
		if (!CHECK(kml_lookup(KML_VIRT, A(b[i]), false, &obj, &flags)))
			continue;
		obj->serial = 7 + i % 2;	/* two CPUs' counters */
		kml_unlock(obj, flags);
		b[i][0] = A(b[(i + 1) % 6]);
	}
	settle();
	l = classify();
	CHECK_LEAKS(&l);
	CHECK_EQ(l.direct, 1);
	free(l.v);
}

/*
 * Too small an array: nothing classified, @found tells the size to
 * retry with, and the objects are left as they were.
 */
static void test_leak_retry(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1);
	struct kmemleak_object before[3], after;
	struct kml_leaks l = { 0 };
	int i;

	a[0] = A(b);
	b[0] = A(c);
	c[0] = A(a);
	settle();
	for (i = 0; i < 3; i++)
		CHECK(snap(i == 0 ? a : i == 1 ? b : c, &before[i]));

	kml_walk_begin();
	kml_classify(&l);		/* no array at all */
	CHECK_EQ(l.found, 3);
	CHECK_EQ(l.nr, 0);
	l.v = calloc(3, sizeof(*l.v));
	l.max = 2;
	kml_classify(&l);
	CHECK_EQ(l.found, 3);
	CHECK_EQ(l.nr, 0);
	CHECK_EQ(l.direct, 0);
	CHECK_EQ(l.indirect, 0);
	for (i = 0; i < 3; i++) {
		CHECK(snap(i == 0 ? a : i == 1 ? b : c, &after));
		CHECK(after.gray_next == before[i].gray_next);
		CHECK_EQ(after.count, before[i].count);
		CHECK_EQ(after.flags, before[i].flags);
	}
	l.max = l.found;
	kml_classify(&l);
	kml_walk_end();
	CHECK_EQ(l.nr, 3);
	CHECK_EQ(l.direct, 1);
	CHECK_LEAKS(&l);
	DIRECT(&l, a);
	free(l.v);
}

/* What a scan keeps of each object, and the debugfs file shows. */
struct obj_state {
	unsigned long pointer;
	size_t size;
	struct kmemleak_object *gray_next;
	u32 checksum;
	int min_count;
	int count;
	u8 flags;
};

struct obj_states {
	struct obj_state s[256];
	int n;
};

static int save_state(struct kml_hold *h, struct kmemleak_object *obj,
		      void *arg)
{
	struct obj_states *st = arg;
	struct obj_state *o;

	if (st->n == (int)ARRAY_SIZE(st->s))
		return 0;
	o = &st->s[st->n++];
	o->pointer = obj->pointer;
	o->size = obj->size;
	o->gray_next = obj->gray_next;
	o->checksum = obj->checksum;
	o->min_count = obj->min_count;
	o->count = obj->count;
	o->flags = obj->flags;
	return 0;
}

static bool same_states(const struct obj_states *a,
			const struct obj_states *b)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct obj_state *x = &a->s[i], *y = &b->s[i];

		if (x->pointer != y->pointer || x->size != y->size ||
		    x->gray_next != y->gray_next ||
		    x->checksum != y->checksum ||
		    x->min_count != y->min_count || x->count != y->count ||
		    x->flags != y->flags) {
			t_fail("%s changed", name_of(x->pointer));
			return false;
		}
	}
	return true;
}

static void save_states(struct obj_states *st)
{
	st->n = 0;
	kml_walk_begin();
	__kml_visit(save_state, st);
	kml_walk_end();
}

/*
 * A classification changes nothing that is observed: the listing and
 * its order, each object's flags, count and checksum (nor the scanner's
 * links, stale ones of a stopped scan included), what later scans
 * report.
 */
static void test_leak_unchanged(void)
{
	static struct obj_states st0, st1;
	unsigned long list0[32], list1[32], *o[12];
	unsigned long *r = blk("referenced", 64, 1);
	unsigned long *g = blk("gray", 64, KML_GRAY);
	int n0, n1, i, round;
	struct kml_leaks l;

	rootbuf[0] = A(r);
	for (i = 0; i < 12; i++) {
		o[i] = blk("leak", 64, 1);
		o[i][1] = A(r);
		if (i % 4)
			o[i - 1][0] = A(o[i]);	/* chains of four */
		if (i % 8 == 3)
			o[i][2] = A(o[i - 3]);	/* or cycles */
	}
	for (i = 0; i < 2 * KML_BATCH; i++) {
		unsigned long *o = blk("gray-chain", 48, KML_GRAY);

		r[i % 8] = A(o);
		g[0] = A(o);
	}
	settle();
	for (round = 0; round < 2; round++) {
		if (round) {
			/* after a stopped scan, which left links behind */
			stop_after = 1;
			CHECK_EQ(scan(), -EINTR);
			stop_after = -1;
		}
		save_states(&st0);
		n0 = list_objects(KML_LIST_REPORTED, list0, ARRAY_SIZE(list0));
		CHECK(n0 > 0);
		l = classify();
		CHECK_LEAKS(&l);
		free(l.v);
		save_states(&st1);
		n1 = list_objects(KML_LIST_REPORTED, list1, ARRAY_SIZE(list1));
		CHECK_EQ(n1, n0);
		CHECK(!memcmp(list0, list1, n0 * sizeof(*list0)));
		CHECK(same_states(&st0, &st1));
	}
	/* nor does the next scan see a difference */
	CHECK_EQ(scan(), 0);
	REPORTS();
	n1 = list_objects(KML_LIST_REPORTED, list1, ARRAY_SIZE(list1));
	CHECK_EQ(n1, 12);
}

/* One word more than the bound: a chunk may start mid-word. */
#define LEAK_HOLD_LIMIT	(KML_HOLD_BYTES + sizeof(long))
#define LEAK_BIG	(1UL << 20)

/* A big leak is searched a few KiB per lock hold. */
static void test_leak_hold(void)
{
	unsigned long *big = blk("big", LEAK_BIG, 1);
	unsigned long *x = blk("at-the-end", 64, 1);
	struct kml_leaks l;

	big[LEAK_BIG / sizeof(long) - 1] = A(x);
	settle();
	shim_hold_max = 0;
	l = classify();
	if (shim_hold_max > LEAK_HOLD_LIMIT)
		t_fail("%lu bytes read under one lock hold, more than %lu",
		       shim_hold_max, (unsigned long)LEAK_HOLD_LIMIT);
	CHECK_LEAKS(&l);
	HELD(&l, x, big);
	free(l.v);
}

#define COST_CYCLES	100
#define COST_LIST	300

/*
 * Many cycles that each point into what an older one holds: no leak is
 * searched more than three times (to mark it, when it is claimed, when
 * looked through for an older root), however many cycles lead to it.
 */
static void test_leak_cost(void)
{
	unsigned long *a[COST_CYCLES], *b[COST_CYCLES], *n[COST_LIST];
	unsigned long before, bytes = 0;
	struct kml_leaks l = { 0 };
	int i;

	for (i = 0; i < COST_CYCLES; i++) {
		a[i] = blk("cycle-a", 64, 1);
		b[i] = blk("cycle-b", 64, 1);
		a[i][0] = A(b[i]);
		b[i][0] = A(a[i]);
		bytes += 128;
	}
	for (i = 0; i < COST_LIST; i++) {
		n[i] = blk("list", 64, 1);
		if (i)
			n[i - 1][0] = A(n[i]);
		bytes += 64;
	}
	/* the list hangs off the first cycle; every cycle points into it */
	b[0][1] = A(n[0]);
	for (i = 1; i < COST_CYCLES; i++)
		b[i][1] = A(n[COST_LIST / 2]);
	settle();

	kml_walk_begin();
	kml_classify(&l);
	l.v = calloc(l.found, sizeof(*l.v));
	l.max = l.found;
	before = shim_bytes_read;
	kml_classify(&l);
	before = shim_bytes_read - before;
	kml_walk_end();
	if (before > 3 * bytes)
		t_fail("%lu bytes read to classify %lu bytes of leaks",
		       before, bytes);
	CHECK_LEAKS(&l);
	CHECK_EQ(l.direct, COST_CYCLES);
	for (i = 0; i < COST_LIST; i++)
		HELD(&l, n[i], a[0]);
	free(l.v);
}

/* Leaks freed during a classification, from the pauses it makes. */

#define FREE_NODES	(4 * KML_BATCH)

#define PAUSE_BIG	(3 * KML_HOLD_BYTES + 64)

static unsigned long *free_node[FREE_NODES];
static unsigned long *pause_big;
static unsigned long last_read;
static int free_next, free_count;
static bool big_freed_in_scan;

static void note_read(const volatile void *p)
{
	last_read = A((const void *)p);
}

/* At each pause: the big leak if it is being searched, some nodes. */
static void free_at_pause(void)
{
	int i;

	if (pause_big && last_read >= A(pause_big) &&
	    last_read < A(pause_big) + PAUSE_BIG) {
		blk_free(pause_big);
		pause_big = NULL;
		free_count++;
		big_freed_in_scan = true;
	}
	/* half of the nodes, spread over the list */
	for (i = 0; i < 16 && free_next < FREE_NODES / 2; i++) {
		blk_free(free_node[free_next++ * 7 % FREE_NODES]);
		free_count++;
	}
}

static void test_leak_free_in_pause(void)
{
	struct kml_leaks l = { 0 };
	size_t nr;
	int i;

	/* a doubly linked list: one cycle, searched in long stretches */
	for (i = 0; i < FREE_NODES; i++) {
		free_node[i] = blk("node", 64, 1);
		if (i) {
			free_node[i - 1][0] = A(free_node[i]);
			free_node[i][1] = A(free_node[i - 1]);
		}
	}
	pause_big = blk("big", PAUSE_BIG, 1);
	pause_big[2 * KML_HOLD_BYTES / sizeof(long)] = A(free_node[7]);
	settle();
	nr = FREE_NODES + 1;
	l.v = calloc(nr, sizeof(*l.v));
	l.max = nr;
	yield_fn = free_at_pause;
	shim_read_hook = note_read;
	kml_walk_begin();
	kml_classify(&l);
	kml_walk_end();
	shim_read_hook = NULL;
	yield_fn = NULL;
	CHECK(big_freed_in_scan);
	CHECK(free_count > 16);
	/* some went before they were listed, others after */
	CHECK_EQ(l.nr, l.found);
	CHECK(l.nr + free_count > nr);
	CHECK_LEAKS_RACY(&l);
	free(l.v);
	/* what is left classifies as ever */
	l = classify();
	CHECK_LEAKS(&l);
	CHECK_EQ(l.nr, nr - free_count);
	free(l.v);
}

/* Leaks freed by another thread while classifications run. */

#define RACE_LISTS	16
#define RACE_NODES	32
#define RACE_ALL	(RACE_LISTS * RACE_NODES)
#define RACE_MIN_ROUNDS	50

static unsigned long *race_node[RACE_ALL];
static bool race_done;

static void *race_free_fn(void *arg)
{
	unsigned int seed = 3;
	int i, j;
	unsigned long *t;

	shim_cpu = 1;
	/* in random order */
	for (i = RACE_ALL - 1; i > 0; i--) {
		j = rand_r(&seed) % (i + 1);
		t = race_node[i];
		race_node[i] = race_node[j];
		race_node[j] = t;
	}
	for (i = 0; i < RACE_ALL; i++) {
		CHECK(kml_remove(KML_VIRT, A(race_node[i])));
		free(race_node[i]);
		if (i % 4 == 0)
			usleep(200);
	}
	__atomic_store_n(&race_done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void test_leak_concurrent_free(void)
{
	struct kml_leaks l;
	unsigned long *p;
	int i, k, rounds = 0;
	pthread_t th;

	for (i = 0; i < RACE_ALL; i++) {
		p = calloc(1, 64 + 64 * (i % 3));
		race_node[i] = p;
		CHECK_EQ(track(KML_VIRT, A(p), 64 + 64 * (i % 3), 1), 0);
		k = i % RACE_NODES;
		if (k)
			race_node[i - 1][0] = A(p);
		if (k && i % 2)
			p[1] = A(race_node[i - 1]);	/* some cycles */
	}
	settle();
	l = classify();
	CHECK_EQ(l.nr, RACE_ALL);
	free(l.v);

	yield_sched = true;
	if (pthread_create(&th, NULL, race_free_fn, NULL))
		abort();
	while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE) ||
	       rounds < RACE_MIN_ROUNDS) {
		l = classify();
		CHECK_LEAKS_RACY(&l);
		free(l.v);
		rounds++;
	}
	pthread_join(th, NULL);
	l = classify();
	CHECK_EQ(l.nr, 0);
	free(l.v);
	CHECK_EQ(kml_count_objects(), 0);
}


/*
 * A suppressed function's leaks, with what only they reach, are taken for
 * referenced and counted for that suppression; unsuppressed, they are
 * listed again.  Frames are return addresses: a function's end counts.
 */
static void test_leak_suppress(void)
{
	static const unsigned long in_a[] = { 0x1010, 0x9000 };
	static const unsigned long in_b[] = { 0x9000, 0x2100 };
	static const unsigned long elsewhere[] = { 0x3000, 0x9000 };
	unsigned long *a = blk("through-a", 64, 1);
	unsigned long *held = blk("held-by-a", 32, 1);
	unsigned long *b = blk("through-b", 16, 1);
	unsigned long *c = blk("elsewhere", 48, 1);
	char sym[16];
	int i;

	meta_of(a)->trace = shim_depot_save(in_a, ARRAY_SIZE(in_a));
	meta_of(b)->trace = shim_depot_save(in_b, ARRAY_SIZE(in_b));
	meta_of(c)->trace = shim_depot_save(elsewhere, ARRAY_SIZE(elsewhere));
	a[0] = A(held);
	CHECK_EQ(kml_suppress("fa", 0x1000, 0x1100), 0);
	CHECK_EQ(kml_suppress("fb", 0x2000, 0x2100), 0);
	CHECK_EQ(kml_suppress("fa", 0x1000, 0x1100), 0);	/* once only */
	CHECK_EQ(kml_suppress("fc", 0x3000, 0x3100), 0);	/* start: no */
	CHECK_EQ(kml_nr_suppressions, 3);
	settle();
	LISTED(c,);
	CHECK_EQ(kml_suppressions[0].hidden, 2);
	CHECK_EQ(kml_suppressions[0].hidden_bytes, 96);
	CHECK_EQ(kml_suppressions[1].hidden, 1);
	CHECK_EQ(kml_suppressions[1].hidden_bytes, 16);
	CHECK_EQ(kml_suppressions[2].hidden, 0);

	CHECK_EQ(kml_unsuppress("fa"), 0);
	CHECK_EQ(kml_unsuppress("fa"), -ENOENT);
	CHECK_EQ(kml_nr_suppressions, 2);
	CHECK(!strcmp(kml_suppressions[0].sym, "fb"));
	settle();
	LISTED(a, held, c,);
	CHECK_EQ(kml_suppressions[0].hidden, 1);

	for (i = kml_nr_suppressions; i < KML_MAX_SUPPRESS; i++) {
		snprintf(sym, sizeof(sym), "f%d", i);
		CHECK_EQ(kml_suppress(sym, 0x100000 + i * 16, 0x100010 + i * 16), 0);
	}
	CHECK_EQ(kml_suppress("full", 0x200000, 0x200010), -ENOSPC);
	settle();
	LISTED(a, held, c,);
}

/*
 * The check of code that goes away: what it allocated and nothing
 * references is reported at once, young or changed, and nothing else;
 * memory that is not searched (the module's own) holds nothing.
 */
static void test_leak_code(void)
{
	static const unsigned long in_code[] = { 0x9000, 0x4010 };
	static const unsigned long init_code[] = { 0x6008 };
	static const unsigned long elsewhere[] = { 0x9000 };
	static const struct kml_code code[] = {
		{ 0x4000, 0x4100 }, { 0x6000, 0x6010 },
	};
	unsigned long *old = blk("old-leak", 64, 1);
	unsigned long *reported, *held, *kept, *data, *in_data, *young;
	struct kml_scan sc = { .code = code, .nr_code = ARRAY_SIZE(code) };

	meta_of(old)->trace = shim_depot_save(in_code, ARRAY_SIZE(in_code));
	settle();
	LISTED(old,);		/* the ordinary way, before the check */
	reported = old;

	held = blk("held-elsewhere", 32, 1);
	kept = blk("referenced", 16, 1);
	data = blk("module-data", 128, KML_GRAY);
	in_data = blk("in-module-data", 48, 1);
	young = blk("young-from-init", 40, 1);
	meta_of(kept)->trace = shim_depot_save(in_code, ARRAY_SIZE(in_code));
	meta_of(in_data)->trace = shim_depot_save(init_code, 1);
	meta_of(young)->trace = shim_depot_save(init_code, 1);
	meta_of(held)->trace = shim_depot_save(elsewhere, 1);
	reported[0] = A(held);
	rootbuf[0] = A(kept);
	data[0] = A(in_data);
	CHECK(no_scan(data));

	kml_walk_begin();
	CHECK_EQ(kml_count_code(code, ARRAY_SIZE(code)), 4);
	sc.start = jiffies;
	CHECK_EQ(kml_scan(&sc), 0);
	kml_walk_end();
	CHECK_EQ(sc.code_leaks, 3);
	CHECK_EQ(sc.code_bytes, 64 + 48 + 40);
	CHECK_EQ(sc.new_leaks, 2);
	LISTED(old, in_data, young,);

	/* an ordinary scan later reports the rest the usual way */
	settle();
	LISTED(old, held, in_data, young,);
}

/*
 * A timed range counts only for objects allocated in its time: the same
 * text held other code before (an earlier load of a module) and after
 * (freed init text).
 */
static void test_leak_code_timed(void)
{
	static const unsigned long text[] = { 0x6008 };
	unsigned long *before, *during, *after;
	struct kml_code code = { .start = 0x6000, .end = 0x6010, .timed = true };
	struct kml_scan sc = { .code = &code, .nr_code = 1 };

	before = blk("allocated-by-earlier-code", 16, 1);
	jiffies++;
	code.since = code.until = jiffies;
	during = blk("allocated-by-this-code", 64, 1);
	jiffies++;
	after = blk("allocated-by-later-code", 32, 1);
	meta_of(before)->trace = shim_depot_save(text, 1);
	meta_of(during)->trace = shim_depot_save(text, 1);
	meta_of(after)->trace = shim_depot_save(text, 1);

	kml_walk_begin();
	CHECK_EQ(kml_count_code(&code, 1), 1);
	sc.start = jiffies;
	CHECK_EQ(kml_scan(&sc), 0);
	kml_walk_end();
	CHECK_EQ(sc.code_leaks, 1);
	CHECK_EQ(sc.code_bytes, 64);
	LISTED(during,);
}

static const struct t_case leaks_tests[] = {
	{ "leak_graphs", test_leak_graphs },
	{ "leak_model", test_leak_model },
	{ "leak_list", test_leak_list },
	{ "leak_list_cyclic", test_leak_list_cyclic },
	{ "leak_tree", test_leak_tree },
	{ "leak_referenced", test_leak_referenced },
	{ "leak_interior", test_leak_interior },
	{ "leak_self", test_leak_self },
	{ "leak_no_scan", test_leak_no_scan },
	{ "leak_scan_area", test_leak_scan_area },
	{ "leak_percpu", test_leak_percpu },
	{ "leak_stack", test_leak_stack },
	{ "leak_order", test_leak_order },
	{ "leak_retry", test_leak_retry },
	{ "leak_unchanged", test_leak_unchanged },
	{ "leak_hold", test_leak_hold },
	{ "leak_cost", test_leak_cost },
	{ "leak_free_in_pause", test_leak_free_in_pause },
	{ "leak_concurrent_free", test_leak_concurrent_free },
	{ "leak_suppress", test_leak_suppress },
	{ "leak_code", test_leak_code },
	{ "leak_code_timed", test_leak_code_timed },
};
