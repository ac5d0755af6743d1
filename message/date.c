/* The date-time of a Date: field (RFC 5322 3.3, with the obsolete forms of
 * 4.3: two-digit years, zone names, comments anywhere). */
#include "msgsearch.h"
#include "msgparse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Tokens of a date: a run of letters, a run of digits, or one of ":+-". */
struct dtok {
	char s[16];
	size_t n;
	bool digits;
};

static bool next_dtok(struct hlex *x, struct dtok *t)
{
	const char *p;

	for (;;) {
		hlex_cfws(x);
		if (hlex_end(x))
			return false;
		if (*x->p != ',')
			break;
		x->p++;
	}
	p = x->p;
	t->digits = isdigit((unsigned char)*p);
	if (isalnum((unsigned char)*p))
		while (p < x->e && isalnum((unsigned char)*p) &&
		       !!isdigit((unsigned char)*p) == t->digits)
			p++;
	else
		p++;
	t->n = (size_t)(p - x->p) < sizeof t->s - 1 ? (size_t)(p - x->p) : sizeof t->s - 1;
	memcpy(t->s, x->p, t->n);
	t->s[t->n] = '\0';
	x->p = p;
	return true;
}

static int month_of(const struct dtok *t)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	if (t->digits || t->n < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(t->s, months + 3 * i, 3) == 0)
			return i;
	return -1;
}

static int number(const struct dtok *t, size_t maxlen)
{
	return t->digits && t->n <= maxlen ? atoi(t->s) : -1;
}

/* RFC 5322 4.3: obsolete zone names; military letters mean nothing sure,
 * so they count as -0000. */
static int zone_name(const struct dtok *t)
{
	static const struct { const char *name; int min; } z[] = {
		{ "UT", 0 }, { "GMT", 0 }, { "Z", 0 },
		{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
		{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
	};

	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
		if (strcasecmp(t->s, z[i].name) == 0)
			return z[i].min;
	return 0;
}

static int parse_zone(struct hlex *x, int *zone)
{
	struct dtok t, d;
	int v;

	*zone = 0;
	if (!next_dtok(x, &t))
		return 0;		/* no zone: taken as UTC */
	if (t.digits)
		return -1;
	if (t.s[0] != '+' && t.s[0] != '-') {
		*zone = zone_name(&t);
		return 0;
	}
	if (!next_dtok(x, &d) || !d.digits || d.n != 4)
		return -1;
	v = atoi(d.s);
	if (v % 100 > 59)
		return -1;
	*zone = (v / 100 * 60 + v % 100) * (t.s[0] == '-' ? -1 : 1);
	return 0;
}

/* [day-name ","] day month year hour ":" minute [":" second] [zone] */
int msg_parse_date(const char *s, size_t n, time_t *t, int *zone)
{
	struct hlex x = { s, s + n };
	struct dtok k;
	struct tm tm;
	int day, mon, year;

	memset(&tm, 0, sizeof tm);
	if (!next_dtok(&x, &k))
		return -1;
	if (!k.digits && month_of(&k) < 0 && !next_dtok(&x, &k))
		return -1;		/* a day name */
	day = number(&k, 2);
	if (!next_dtok(&x, &k) || (k.s[0] == '-' && !next_dtok(&x, &k)))
		return -1;
	mon = month_of(&k);
	if (!next_dtok(&x, &k) || (k.s[0] == '-' && !next_dtok(&x, &k)))
		return -1;
	year = number(&k, 4);
	if (day < 1 || day > 31 || mon < 0 || year < 0)
		return -1;
	if (k.n <= 2)
		year += year < 50 ? 2000 : 1900;	/* RFC 5322 4.3 */
	else if (k.n == 3)
		year += 1900;
	if (!next_dtok(&x, &k) || (tm.tm_hour = number(&k, 2)) < 0 ||
	    !next_dtok(&x, &k) || k.s[0] != ':' ||
	    !next_dtok(&x, &k) || (tm.tm_min = number(&k, 2)) < 0)
		return -1;
	if (x.p < x.e && *x.p == ':') {
		x.p++;
		if (!next_dtok(&x, &k) || (tm.tm_sec = number(&k, 2)) < 0)
			return -1;
	}
	if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 ||
	    parse_zone(&x, zone) != 0)
		return -1;
	tm.tm_mday = day;
	tm.tm_mon = mon;
	tm.tm_year = year - 1900;
	*t = timegm(&tm) - (time_t)*zone * 60;
	return 0;
}
