/* ref.h - reference computations for the tests, written independently of
 * the code under test (blas_nrm2, probe_measure), so that a test compares
 * two different answers rather than one answer with itself. */
#ifndef SB_REF_H
#define SB_REF_H

#include <math.h>
#include <stddef.h>

/* ||x||_2 scaled by max |x|, so that entries of 1e-45 do not square to 0. */
static inline double ref_norm(const double *x, size_t n)
{
  double m = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++) if (fabs(x[i]) > m) m = fabs(x[i]);
  if (m == 0.0 || !isfinite(m)) return m;
  for (size_t i = 0; i < n; i++) s += (x[i] / m) * (x[i] / m);
  return m * sqrt(s);
}

#endif
