/*
 * Helpers shared by the ES2+ and ES9+ handlers: mapping the JSON getters' results to SGP.22
 * statuses, and sending the one response of a request.
 */
#ifndef SMDPPLUS_REPLY_H
#define SMDPPLUS_REPLY_H

#include <cjson/cJSON.h>

#include "common/http.h"
#include "common/status.h"

/* JSON_E_MISSING -> RSP_E_FIELD_MISSING, JSON_E_INVALID -> RSP_E_FIELD_INVALID, JSON_OK ->
 * RSP_OK, anything else -> RSP_E_INTERNAL. */
enum rsp_status reply_json_status(int json_rc);

/* Sends the response of a handler: for RSP_OK the success body resp (which must carry the
 * Executed-Success header; NULL sends the header alone), otherwise the Failed header of st
 * with detail appended to its message. */
void reply_send(struct http_request *req, enum rsp_status st, const char *detail,
		const cJSON *resp);

/* Makes a success response object with the Executed-Success header, to which the handler adds
 * its fields; NULL when out of memory. */
cJSON *reply_success(void);

#endif
