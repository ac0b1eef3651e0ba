/*
 * SGP.22 ES2+ (operator -> SM-DP+): DownloadOrder, ConfirmOrder, CancelOrder and
 * ReleaseProfile over the JSON binding, on their own HTTPS port.
 *
 * Operators: with es2_client_ca configured the port requires a client certificate issued by
 * that CA, and the certificate's subject CN is the operator's identity; a request whose
 * functionRequesterIdentifier names another operator is refused with 1.1/1.2 (function
 * requester not allowed), and a connection without a usable certificate gets 1.1/1.1. Without
 * es2_client_ca the functionRequesterIdentifier alone names the operator (local demo set-ups).
 * An operator acts only on its own orders and on profiles that are not reserved for another
 * operator.
 */
#ifndef SMDPPLUS_ES2PLUS_H
#define SMDPPLUS_ES2PLUS_H

#include "common/http.h"
#include "smdpplus/smdp.h"

/* Registers the four ES2+ functions under /gsma/rsp2/es2plus/. */
int es2_register(struct http_server *srv, struct smdp *smdp);

#endif
