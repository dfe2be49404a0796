/* report.h - `satbench report`: one self-contained HTML page per grid.
 *
 * The page holds the grid's figures (satbench plot's, rendered as SVG into
 * a private temporary folder and inlined after a check that they hold
 * nothing but drawing), its findings in words and its digest (computed from
 * cells.tsv), its configuration, provenance (manifest.json), statuses and
 * relative links to its tables; with a second folder, the comparison of
 * satbench compare.  It needs no network and no script to be read: every
 * string that comes from a table, the manifest, a path or the configuration
 * is HTML-escaped. */
#ifndef SB_REPORT_H
#define SB_REPORT_H

#include <stdio.h>
#include "err.h"

/* Text as HTML character data or a quoted attribute value: & < > " ' and
 * control bytes escaped. */
void report_html_escape(FILE *f, const char *s);

/* satbench report [-d DIR [-d DIR2]] [-o FILE.html] ... */
int report_main(int argc, char **argv, sb_error *err);
/* satbench list --complete report: its options (none takes a word of a list). */
void report_complete(FILE *f, const char *option);

#endif
