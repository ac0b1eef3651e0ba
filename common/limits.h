/*
 * Named maximums for every growable buffer and every input the servers accept.
 *
 * All parsers and handlers take their bounds from here, so a limit is changed in one place.
 */
#ifndef COMMON_LIMITS_H
#define COMMON_LIMITS_H

/* HTTP request body of any ES9+/ES2+/ES11/ES12 function (a getBoundProfilePackage request is
 * about 400 bytes; the largest ES9+ request, authenticateClient, carries two certificates). */
#define RSP_MAX_REQUEST_BODY      (64 * 1024)

/* An oversized request body is read and discarded up to this size before the Failed response
 * is sent, so that a client that is still sending receives it. A larger body closes the
 * connection. */
#define RSP_MAX_DISCARDED_BODY    (4 * 1024 * 1024)

/* Time allowed to receive a whole request body, counted from the end of its header. A read
 * that started before it ends at most two request timeouts later (common/http.h). At 15 s a
 * client must send the largest body (RSP_MAX_REQUEST_BODY) at 4.4 KB/s or faster; SGP.22
 * requests are a few KB. */
#define RSP_BODY_TIMEOUT_MS       15000

/* Decoded size of one base64 JSON field. */
#define RSP_MAX_B64_FIELD         (32 * 1024)

/* A SAIP profile package (UPP) loaded by an operator. */
#define RSP_MAX_PROFILE_PACKAGE   (1024 * 1024)

/* A DER certificate. */
#define RSP_MAX_CERT_DER          4096

/* Nesting depth accepted by the DER walker. */
#define RSP_MAX_DER_DEPTH         16

/* SGP.22: a BPP segment TLV (tag, length, data and MAC) is at most 1020 bytes, so an encrypted
 * segment carries at most 1007 bytes of plaintext and a MAC-only segment at most 1008. */
#define RSP_MAX_SEGMENT_TLV       1020
#define RSP_MAX_SEGMENT_PLAIN_ENC 1007
#define RSP_MAX_SEGMENT_PLAIN_MAC 1008

/* TransactionId OCTET STRING (SIZE(1..16)); the SM-DP+ makes 16-byte ones. */
#define RSP_TRANSACTION_ID_LEN    16
#define RSP_CHALLENGE_LEN         16

/* SGP.22 activation code fields. */
#define RSP_MAX_FQDN              255
#define RSP_MAX_MATCHING_ID       255

/* EID: 32 decimal digits (16 bytes); ICCID: 19 or 20 digits (10 bytes, swapped nibbles). */
#define RSP_EID_DIGITS            32
#define RSP_EID_LEN               16
#define RSP_ICCID_MAX_DIGITS      20
#define RSP_ICCID_LEN             10

#endif
