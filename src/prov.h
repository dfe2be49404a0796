/* prov.h - provenance: by whom, where, when and with what a result was
 * made.  The one home for the host name, the CPU model, the compiler, the
 * git commit of the build, the command line and UTC timestamps, which the
 * records, the lock file, temporary names and manifest.json all use. */
#ifndef SB_PROV_H
#define SB_PROV_H

#include <stddef.h>

/* Remember the command line (main calls it first). */
void prov_init(int argc, char **argv);

/* The command line, shell-quoted where needed ("satbench grid --out data"). */
const char *prov_command(void);

/* The host name, with spaces and control bytes as '_' ("unknown" if none). */
const char *prov_host(void);

/* The CPU model (/proc/cpuinfo's "model name"), or "unknown". */
const char *prov_cpu(void);

/* The compiler that built satbench ("gcc 12.2.0", "clang 14.0.6"). */
const char *prov_compiler(void);

/* The git commit satbench was built from ("0b9299b3a1c2", with "-dirty"
 * when the tree had changes), or "-" when not built from git. */
const char *prov_git(void);

/* Wall-clock time now (seconds since the epoch, sub-second). */
double prov_now(void);

/* t as ISO 8601 UTC, "2026-12-04T18:12:03Z" (buf of 32 bytes). */
void prov_utc(double t, char *buf, size_t size);

#endif
