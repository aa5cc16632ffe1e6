/**
 * The CRaC implementation the rehearsal's Java runtime gives a SnapStart function, as Lambda's
 * runtime gives its own ("The Lambda runtime contains a customized CRaC context implementation
 * that calls your runtime hooks before checkpointing and after restoring", Lambda SnapStart
 * runtime hooks for Java). The functions use the unchanged {@code org.crac} API: its
 * {@code Core} delegates to the package named by the system property
 * {@code org.crac.Core.Compat}, which {@link dev.drbdmultiaz.rehearsal.lambda.LambdaHostMain}
 * sets to this one. The class names here are the ones {@code org.crac} looks up.
 */
package dev.drbdmultiaz.rehearsal.lambda.crac;
