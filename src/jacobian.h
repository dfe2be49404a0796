/* jacobian.h - the input-output Jacobian of the hidden stack and its
 * singular values (dynamical isometry: Pennington, Schoenholz & Ganguli
 * 2017).
 *
 * For one example x of the last forward pass, J = d a^depth / d x, the
 * (width, n_in) matrix of the hidden stack's derivatives; for a plain net
 *     J = D_depth W_depth^T ... D_1 W_1^T,   D_l = diag phi'(h^l)
 * (W^l is stored (fan_in, fan_out)).  Skip connections add their identity,
 * layer norm its exact per-example derivative; batch norm is
 * differentiated with the batch's statistics held fixed (its derivative
 * per unit is gamma / sqrt(var + eps)), the Jacobian of the network that
 * evaluation would run with those statistics.
 *
 * J is built by propagating the identity backwards through the layers,
 * O(depth width^2 max(width, n_in)) per example, and decomposed with GSL's
 * one-sided Jacobi SVD, whose small singular values keep their relative
 * accuracy: the min(width, n_in) singular values, in descending order. */
#ifndef SB_JACOBIAN_H
#define SB_JACOBIAN_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include "net.h"
#include "err.h"

/* The widest net whose Jacobian is decomposed (--jacobian refuses wider):
 * at 1024 units one example costs seconds and 40 MB. */
#define JAC_MAX_WIDTH 1024

typedef struct jac_work {
  size_t width, n_in, nsv;     /* nsv = min(width, n_in) */
  double *G, *Gn, *Gu, *pend;  /* (width, max(width, n_in)) each */
  gsl_matrix *A, *Q;           /* (max, min) and (min, min) */
  gsl_vector *S;               /* (min) */
} jac_work;

/* Made once per cell; NULL when out of memory. */
jac_work *jac_alloc(const net *n);
void jac_free(jac_work *j);

/* The Jacobian of example i (0 <= i < batch) of the last net_forward on w,
 * (width, n_in) row-major, into J. */
void jac_matrix(const net *n, const net_work *w, size_t i, jac_work *j, double *J);
/* Its singular values, descending, into sv (nsv).  SB_EFAIL when the SVD
 * fails (non-finite entries). */
int jac_singular_values(const net *n, const net_work *w, size_t i, jac_work *j, double *sv);

/* Summaries of a set of spectra: m singular values sv[0..m) (all inputs
 * together): the mean of sigma^2, its variance, the largest sigma, and
 * log10(sigma_max / sigma_min) per input averaged over the inputs (each
 * input's nsv values in turn; Inf when a sigma_min is 0). */
typedef struct jac_summary { double msv, sv2_var, sv_max, log10_cond; } jac_summary;
void jac_summarize(const double *sv, size_t inputs, size_t nsv, jac_summary *s);

#endif
