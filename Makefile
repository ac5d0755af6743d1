# facteur: smtpd, pop3d and imapd over one small library (common/) and a
# message-parsing library (message/, used by imapd and the tests).
# make | make test | make run | make install | make bench | make fuzz | make clean

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
HEADERS    = $(wildcard common/*.h message/*.h smtpd/*.h pop3d/*.h imapd/*.h clients/*.h)
# The clients: one main each over clients/libclient.a (their shared layer).
CLIENT_NAMES = popls smtpsend popxfer imapdrain
CLIENTS    = $(patsubst %.c,%,$(wildcard $(CLIENT_NAMES:%=clients/%.c)))
CLIENT_LIB = $(filter-out $(CLIENTS:=.o),$(patsubst %.c,%.o,$(wildcard clients/*.c)))
HELPERS    = tests/helpers/mkhash tests/helpers/mboxcheck tests/helpers/mimetool \
             tests/helpers/failshim.so tests/helpers/maxrss

.PHONY: all test run install clean bench bench-peers fuzz memcheck torture
all: $(PROGS) $(CLIENTS) $(HELPERS)

common/libcommon.a: $(COMMON_OBJ)
	$(AR) rcs $@ $^

message/libmessage.a: $(MESSAGE_OBJ)
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

clients/libclient.a: $(CLIENT_LIB)
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

run: all
	@tests/run-demo

bench: all
	@tests/bench/run

bench-peers:
	@tests/bench/install-peers

fuzz:
	@$(MAKE) -s -C tests/fuzz run

memcheck: all
	@tests/memcheck

TORTURE_SECONDS ?= 60
torture: all
	@python3 tests/torture/torture.py $(CURDIR) $(TORTURE_SECONDS)

install: all
	install -d $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(MANDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(LIBEXEC)/
	install -m 644 $(wildcard smtpd/smtpd.8 pop3d/pop3d.8 imapd/imapd.8) $(DESTDIR)$(MANDIR)/
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR)
	install -m 755 $(CLIENTS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard clients/*.1) $(DESTDIR)$(MAN1DIR)/
	install -d $(DESTDIR)$(CONFDIR)/xinetd.d $(DESTDIR)$(PREFIX)/lib/systemd/system
	for f in xinetd.d/*; do \
	  sed -e 's|@LIBEXEC@|$(LIBEXEC)|g' -e 's|@SPOOL@|$(SPOOLDIR)|g' -e 's|@CONFDIR@|$(CONFDIR)|g' \
	    $$f > $(DESTDIR)$(CONFDIR)/xinetd.d/$$(basename $$f); done
	for f in systemd/*; do \
	  sed -e 's|@LIBEXEC@|$(LIBEXEC)|g' -e 's|@SPOOL@|$(SPOOLDIR)|g' -e 's|@CONFDIR@|$(CONFDIR)|g' \
	    $$f > $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$f); done

clean:
	rm -f common/*.o common/libcommon.a message/*.o message/libmessage.a smtpd/*.o pop3d/*.o imapd/*.o $(PROGS) $(HELPERS)
	rm -f clients/*.o clients/libclient.a $(CLIENTS)
	@$(MAKE) -s -C tests/fuzz clean 2>/dev/null || true
