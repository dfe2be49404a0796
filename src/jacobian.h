/* jacobian.h - the input-output Jacobian of the hidden stack and its
 * singular values (dynamical isometry: Pennington, Schoenholz & Ganguli
 * 2017).
 *
 * For one example x of the last forward pass, J = d a^depth / d x, the
 * (width, n_in) matrix of the hidden stack's derivatives; for a plain net
 *     J = D_depth W_depth^T ... D_1 W_1^T,   D_l = diag phi'(h^l)
 * (W^l is stored (fan_in, fan_out)).  Skip connections add their identity,
 * layer norm its exact per-example derivative.  Batch norm is
 * differentiated with the statistics of the pass J is taken on held fixed
 * (per unit gamma / sqrt(var + eps)): for the probe, the probe set's own
 * batch mean and variance, not the running averages evaluation normalizes
 * with (at step 0 still their initial values).  It is the
 * Jacobian of the net that normalizes with the probe batch's statistics as
 * constants; an example's pull on its batch's statistics is left out.
 *
 * J is built by propagating the identity backwards through the layers,
 * O(depth width^2 max(width, n_in)) per example, and decomposed with
 * LAPACK's dgesdd (values only: bidiagonalization and dqds).  Its error on
 * each singular value is a small multiple of eps sigma_max (absolute, not
 * relative), so singular values at or below the resolution floor
 * max(width, n_in) eps sigma_max (jac_floor) are zeros of J as far as
 * double precision can tell: jac_rank counts the ones above it.  Not
 * dgejsv: its relative accuracy for small sigma holds for the matrix it is
 * given, but J's own entries carry rounding of order eps times the layer
 * products' norms, so its small sigma are known no better than dgesdd's
 * absolute bound, which is also several times cheaper.  (GSL 2.7's
 * one-sided Jacobi, used before, stops early from about 96 columns on and
 * reports success with wrong values.) */
#ifndef SB_JACOBIAN_H
#define SB_JACOBIAN_H

#include <stddef.h>
#include "net.h"
#include "err.h"

/* The widest net whose Jacobian is decomposed (--jacobian refuses wider):
 * at 1024 units one example costs seconds and 40 MB. */
#define JAC_MAX_WIDTH 1024

typedef struct jac_work {
  size_t width, n_in, nsv;     /* nsv = min(width, n_in) */
  double *G, *Gn, *Gu, *pend;  /* (width, max(width, n_in)) each */
  double *work;                /* dgesdd's workspace (lwork), sized once */
  size_t lwork;
  void *iwork;                 /* (8 min(width, n_in)) lapack_int, kept out of this header */
} jac_work;

/* Made once per cell; NULL when out of memory. */
jac_work *jac_alloc(const net *n);
void jac_free(jac_work *j);

/* The Jacobian of example i (0 <= i < batch) of the last net_forward on w,
 * (width, n_in) row-major, into J. */
void jac_matrix(const net *n, const net_work *w, size_t i, jac_work *j, double *J);
/* Its singular values, descending, into sv (nsv).  SB_EFAIL when the SVD
 * fails (non-finite entries, or LAPACK's dqds does not converge). */
int jac_singular_values(const net *n, const net_work *w, size_t i, jac_work *j, double *sv);

/* The resolution floor of a spectrum whose largest value is sv_max, of a
 * J whose larger side is side = max(width, n_in): side eps sigma_max. */
double jac_floor(size_t side, double sv_max);
/* The numerical rank of one spectrum (nsv values, descending): how many
 * lie above its floor. */
size_t jac_rank(const double *sv, size_t nsv, size_t side);

/* Summaries of a set of spectra: m singular values sv[0..m) (all inputs
 * together): the mean of sigma^2, its variance, the largest sigma,
 * log10(sigma_max / sigma_min) per input averaged over the inputs (each
 * input's nsv values in turn; Inf when an input's J is rank-deficient,
 * that is when its sigma_min is at or below its floor), and the smallest
 * numerical rank over the inputs (nsv when every J has full rank). */
typedef struct jac_summary { double msv, sv2_var, sv_max, log10_cond, rank; } jac_summary;
void jac_summarize(const double *sv, size_t inputs, size_t nsv, size_t side, jac_summary *s);

#endif
