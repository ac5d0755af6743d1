# facteur: smtpd, pop3d and imapd over one small library (common/) and a
# message-parsing library (message/, used by imapd and the tests).
# make | make test | make run | make install | make uninstall | make bench | make fuzz | make clean

PREFIX    ?= /usr/local
DESTDIR   ?=
LIBEXEC    = $(PREFIX)/libexec/facteur
MANDIR     = $(PREFIX)/share/man/man8
BINDIR     = $(PREFIX)/bin
MAN1DIR    = $(PREFIX)/share/man/man1
CONFDIR   ?= /etc
SPOOLDIR  ?= /var/spool/facteur

CC        ?= cc
CSTD       = -std=c11 -D_DEFAULT_SOURCE
WARN       = -Wall -Wextra -Werror
HARDEN     = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
OPT       ?= -O2 -g
CFLAGS    += $(CSTD) $(WARN) $(OPT) -Icommon -Imessage
LDLIBS    += -lcrypt

ifeq ($(SANITIZE),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=address,undefined
else
CFLAGS    += $(HARDEN)
endif

PROGS      = $(foreach p,smtpd pop3d imapd,$(if $(wildcard $(p)/*.c),$(p)/$(p)))
COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:.c=.o)
MESSAGE_OBJ = $(patsubst %.c,%.o,$(wildcard message/*.c))
HEADERS    = $(wildcard common/*.h message/*.h smtpd/*.h pop3d/*.h imapd/*.h admin/*.h clients/*.h)
# The clients: one main each over clients/libclient.a (their shared layer).
CLIENT_NAMES = popls smtpsend popxfer imapdrain
CLIENTS    = $(patsubst %.c,%,$(wildcard $(CLIENT_NAMES:%=clients/%.c)))
CLIENT_LIB = $(filter-out $(CLIENTS:=.o),$(patsubst %.c,%.o,$(wildcard clients/*.c)))
HELPERS    = tests/helpers/mkhash tests/helpers/mboxcheck tests/helpers/mimetool \
             tests/helpers/failshim.so tests/helpers/maxrss

.PHONY: all test run install uninstall clean bench bench-peers bench-multihost fuzz memcheck torture
all: $(PROGS) admin/facteur-user $(CLIENTS) $(HELPERS)

common/libcommon.a: $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

message/libmessage.a: $(MESSAGE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

%.o: %.c $(HEADERS)
	$(CC) $(CFLAGS) -c -o $@ $<

# LIBS_<prog>: the libraries a program links besides common/.
LIBS_imapd = message/libmessage.a

define program
$(1)/$(1): $(patsubst %.c,%.o,$(wildcard $(1)/*.c)) $$(LIBS_$(1)) common/libcommon.a
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,smtpd pop3d imapd,$(eval $(call program,$(p))))

admin/facteur-user: $(patsubst %.c,%.o,$(wildcard admin/*.c)) common/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

clients/libclient.a: $(CLIENT_LIB)
	rm -f $@
	$(AR) rcs $@ $^

$(CLIENTS): %: %.o clients/libclient.a message/libmessage.a common/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The fault shim is preloaded into the programs: never sanitized itself.
tests/helpers/failshim.so: tests/helpers/failshim.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

tests/helpers/%: tests/helpers/%.c common/libcommon.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# mimetool shows what imapd would: the message library and imapd's writers.
tests/helpers/mimetool: tests/helpers/mimetool.c imapd/bodystructure.o imapd/envelope.o imapd/section.o imapd/imapout.o message/libmessage.a common/libcommon.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

test: all
	@tests/run

# make run PORT_BASE=N: ports N+1525 (SMTP), N+110, N+143, N+465, N+995, N+993
# make run DEMO_SPOOL=DIR: the demo's spool (default mbox/, or /var/tmp when
# the unprivileged user cannot reach the checkout)
PORT_BASE ?= 1000
run: all
	@PORT_BASE=$(PORT_BASE) DEMO_SPOOL=$(DEMO_SPOOL) tests/run-demo

bench: all
	@tests/bench/run

bench-multihost: all
	@tests/multihost/bench

bench-peers:
	@tests/bench/install-peers

fuzz:
	@$(MAKE) -s -C tests/fuzz run

memcheck: all
	@tests/memcheck

TORTURE_SECONDS ?= 60
torture: all
	@python3 tests/torture/torture.py $(CURDIR) $(TORTURE_SECONDS)
	@python3 tests/concurrency/expunge_race.py $(CURDIR) $(TORTURE_SECONDS)
	@python3 tests/concurrency/stress.py $(CURDIR) $(TORTURE_SECONDS) 10

# make install: programs, facteur-user, man pages (named facteur-*.8 so they
# never collide with other servers' pop3d(8), imapd(8)), service files and
# stunnel configurations with the paths filled in, the configuration
# directory and the spool.  make uninstall removes exactly what install put
# there: files the admin changed or filled (the users, the certificate
# setting, mail) stay, and so do the directories that hold them.
SBINDIR    = $(PREFIX)/sbin
UNITDIR    = $(PREFIX)/lib/systemd/system
FCONF      = $(CONFDIR)/facteur
STUNNEL   ?= $(or $(shell command -v stunnel4 2>/dev/null),/usr/bin/stunnel4)
SPOOL_USER ?= facteur
SPOOL_GROUP ?= $(SPOOL_USER)
SUBST      = sed -e 's|@LIBEXEC@|$(LIBEXEC)|g' -e 's|@SPOOL@|$(SPOOLDIR)|g' \
		 -e 's|@CONFDIR@|$(CONFDIR)|g' -e 's|@STUNNEL@|$(STUNNEL)|g'
MANPAGES   = smtpd/smtpd.8 pop3d/pop3d.8 imapd/imapd.8
AS_ROOT    = [ "$$(id -u)" = 0 ]

.PHONY: uninstall
install: all
	install -d $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR) \
	  $(DESTDIR)$(CONFDIR)/xinetd.d $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(FCONF)/stunnel/certificate.d
	install -d -m 700 $(DESTDIR)$(FCONF)/tls
	install -m 755 $(PROGS) $(DESTDIR)$(LIBEXEC)/
	install -m 755 admin/facteur-user $(DESTDIR)$(SBINDIR)/
	for m in $(MANPAGES); do install -m 644 $$m $(DESTDIR)$(MANDIR)/facteur-$$(basename $$m); done
	install -m 644 admin/facteur-user.8 $(DESTDIR)$(MANDIR)/
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR)
	install -m 755 $(CLIENTS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard clients/*.1) $(DESTDIR)$(MAN1DIR)/
	for f in xinetd.d/*; do $(SUBST) $$f > $(DESTDIR)$(CONFDIR)/$$f; done
	for f in systemd/*; do $(SUBST) $$f > $(DESTDIR)$(UNITDIR)/$$(basename $$f); done
	for f in stunnel/*s.conf; do $(SUBST) $$f > $(DESTDIR)$(FCONF)/$$f; done
	[ -e $(DESTDIR)$(FCONF)/stunnel/certificate.d/certificate.conf ] || \
	  $(SUBST) stunnel/certificate.conf > $(DESTDIR)$(FCONF)/stunnel/certificate.d/certificate.conf
	[ -e $(DESTDIR)$(FCONF)/users ] || install -m 600 /dev/null $(DESTDIR)$(FCONF)/users
	if $(AS_ROOT) && [ -z "$(DESTDIR)" ] && ! id -u $(SPOOL_USER) >/dev/null 2>&1; then \
	  useradd --system --user-group --home-dir $(SPOOLDIR) --shell /usr/sbin/nologin $(SPOOL_USER); fi
	if $(AS_ROOT); then install -d -m 700 -o $(SPOOL_USER) -g $(SPOOL_GROUP) $(DESTDIR)$(SPOOLDIR); \
	  else install -d -m 700 $(DESTDIR)$(SPOOLDIR); fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(LIBEXEC)/,$(notdir $(PROGS))) $(DESTDIR)$(SBINDIR)/facteur-user
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(CLIENTS))) \
	  $(addprefix $(DESTDIR)$(MAN1DIR)/,$(notdir $(wildcard clients/*.1)))
	rm -f $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/facteur-$(notdir $(m))) \
	  $(DESTDIR)$(MANDIR)/facteur-user.8
	rm -f $(addprefix $(DESTDIR)$(CONFDIR)/,$(wildcard xinetd.d/*)) \
	  $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(wildcard systemd/*))) \
	  $(addprefix $(DESTDIR)$(FCONF)/,$(wildcard stunnel/*s.conf))
	-$(SUBST) stunnel/certificate.conf | cmp -s - $(DESTDIR)$(FCONF)/stunnel/certificate.d/certificate.conf && \
	  rm -f $(DESTDIR)$(FCONF)/stunnel/certificate.d/certificate.conf
	-[ -s $(DESTDIR)$(FCONF)/users ] || rm -f $(DESTDIR)$(FCONF)/users $(DESTDIR)$(FCONF)/users.lock
	-rmdir $(DESTDIR)$(FCONF)/stunnel/certificate.d $(DESTDIR)$(FCONF)/stunnel $(DESTDIR)$(FCONF)/tls \
	  $(DESTDIR)$(FCONF) $(DESTDIR)$(SPOOLDIR) $(DESTDIR)$(LIBEXEC) 2>/dev/null

clean:
	rm -f common/*.o common/libcommon.a message/*.o message/libmessage.a smtpd/*.o pop3d/*.o imapd/*.o admin/*.o $(PROGS) admin/facteur-user $(HELPERS)
	rm -f clients/*.o clients/libclient.a $(CLIENTS)
	@$(MAKE) -s -C tests/fuzz clean 2>/dev/null || true
