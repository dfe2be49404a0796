/* table.c - writers of the TSV tables (see table.h).  Callers check
 * ferror()/fclose() once per file: a full disk must fail loudly. */
#include <config.h>
#include "table.h"

#include "num.h"

void table_double(FILE *f, double x)
{
  char buf[NUM_BUFSIZE];
  num_format(buf, sizeof buf, x);
  fputs(buf, f);
}

void table_comments(FILE *f, const sb_config *cfg)
{
  fprintf(f, "# satbench %s\n", PACKAGE_VERSION);
  cfg_write(cfg, f, "# ");
}

void table_layers_header(FILE *f)
{
  fputs("cell\tactivation\tinit\tdepth\twidth\tseed\tstep\tlayer", f);
  for (int k = 0; k < PROBE_NCOLS; k++) fprintf(f, "\t%s", probe_col_names[k]);
  fputc('\n', f);
}

void table_layers_rows(FILE *f, const table_cell *c, const train_result *r)
{
  for (size_t s = 0; s < r->n_logs; s++)
    for (size_t l = 1; l <= r->n_layers; l++) {
      fprintf(f, "%zu\t%s\t%s\t%zu\t%zu\t%lu\t%ld\t%zu", c->cell, c->activation, c->init,
              c->depth, c->width, c->seed, r->log_steps[s], l);
      const probe_row *row = &r->rows[s * r->n_layers + (l - 1)];
      for (int k = 0; k < PROBE_NCOLS; k++) {
        fputc('\t', f);
        table_double(f, row->v[k]);
      }
      fputc('\n', f);
    }
}
