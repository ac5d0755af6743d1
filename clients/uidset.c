#include "uidset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

void uidset_init(struct uidset *s, long max)
{
	s->v = NULL;
	s->n = 0;
	s->max = (size_t)max;
}

void uidset_add(struct uidset *s, uint32_t uid)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] == uid)
			return;
		if (s->v[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n >= s->max)
		fail(EX_PROTOCOL, "more than %zu UIDs (-R)", s->max);
	s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
	if (!s->v)
		fail(EX_OSERR, "out of memory");
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
	s->v[lo] = uid;
	s->n++;
}

bool uidset_has(const struct uidset *s, uint32_t uid)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] == uid)
			return true;
		if (s->v[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool uidset_subset(const struct uidset *a, const struct uidset *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!uidset_has(b, a->v[i]))
			return false;
	return true;
}

char *uidset_format(const struct uidset *s)
{
	char *out = malloc(s->n * 22 + 1);
	size_t o = 0;

	if (!out)
		fail(EX_OSERR, "out of memory");
	out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		size_t j = i;

		while (j + 1 < s->n && s->v[j + 1] == s->v[j] + 1)
			j++;
		o += (size_t)sprintf(out + o, "%s%u", o ? "," : "", s->v[i]);
		if (j > i)
			o += (size_t)sprintf(out + o, ":%u", s->v[j]);
		i = j;
	}
	return out;
}
