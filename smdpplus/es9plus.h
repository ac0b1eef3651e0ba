/*
 * SGP.22 ES9+ (LPA -> SM-DP+), JSON binding: InitiateAuthentication, AuthenticateClient,
 * GetBoundProfilePackage, HandleNotification and CancelSession.
 *
 * Every function error gets HTTP 200, status Failed and its SGP.22 subjectCode/reasonCode.
 * HandleNotification responds with 204 to every notification it could decode, verified or
 * not, and records it. A malformed request (not JSON, a missing field, bad
 * base64, truncated DER) changes no state, so the LPA can retry.
 */
#ifndef SMDPPLUS_ES9PLUS_H
#define SMDPPLUS_ES9PLUS_H

#include "common/http.h"
#include "smdpplus/smdp.h"

/* Registers the five ES9+ functions under /gsma/rsp2/es9plus/. */
int es9_register(struct http_server *srv, struct smdp *smdp);

#endif
