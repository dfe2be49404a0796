/* prov.c - provenance (see prov.h). */
#include <config.h>
#include "prov.h"
#include "sb_git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char command[8192] = "satbench";
static char host[256];
static char cpu[256];

/* Printable, one line, no spaces: what goes after "# key = " or into a
 * file name. */
static void one_word(char *s)
{
  for (char *q = s; *q; q++)
    if ((unsigned char)*q <= ' ' || *q == 0x7f || *q == '/') *q = '_';
}

/* The command line as a shell would take it back: plain words as they
 * are, others in single quotes; cut (ending " ...") when over 8 KB. */
void prov_init(int argc, char **argv)
{
  size_t n = 0, room = sizeof command - 5;   /* for " ..." and the NUL */
  int cut = 0;
#define PUT(c) do { if (n < room) command[n++] = (c); else cut = 1; } while (0)
  for (int i = 0; i < argc; i++) {
    const char *a = i == 0 ? "satbench" : argv[i];   /* not the path it was run by */
    int plain = *a != '\0';
    for (const char *c = a; *c; c++)
      if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/+@%", *c)) plain = 0;
    if (i) PUT(' ');
    if (!plain) PUT('\'');
    for (const char *c = a; *c; c++) {
      if (*c == '\'') { PUT('\''); PUT('\\'); PUT('\''); PUT('\''); }
      else PUT((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c);
    }
    if (!plain) PUT('\'');
  }
#undef PUT
  command[n] = '\0';
  if (cut) strcat(command, " ...");
}

const char *prov_command(void) { return command; }

const char *prov_host(void)
{
  if (!host[0]) {
    if (gethostname(host, sizeof host - 1) != 0 || !host[0]) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    one_word(host);
  }
  return host;
}

const char *prov_cpu(void)
{
  if (cpu[0]) return cpu;
  snprintf(cpu, sizeof cpu, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10)) continue;
    const char *v = strchr(line, ':');
    if (!v) continue;
    v++;
    while (*v == ' ' || *v == '\t') v++;
    snprintf(cpu, sizeof cpu, "%s", v);
    cpu[strcspn(cpu, "\n")] = '\0';
    for (char *q = cpu; *q; q++)
      if ((unsigned char)*q < ' ' || *q == 0x7f) *q = ' ';
    break;
  }
  if (f) fclose(f);
  return cpu;
}

const char *prov_compiler(void)
{
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

const char *prov_git(void) { return SB_GIT_COMMIT; }

double prov_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void prov_utc(double t, char *buf, size_t size)
{
  time_t s = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&s, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(buf, size, "unknown");
}
